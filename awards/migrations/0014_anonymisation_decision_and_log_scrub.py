"""Anonymising an account: a decision of its own in the log, with no contest, and
the one narrow rewrite the append-only admin change log allows.

An admin change about a user holds their old name, phone and CCCD. On PostgreSQL
the trigger of migration 0005 refused every UPDATE; it now lets through an UPDATE
of the admin change log that touches only the shown text and the recorded values
(object_repr, changes), and only inside a transaction that said, with
SET LOCAL contest_portal.anonymising = 'on', that it is an anonymisation
(awards.services.anonymisation). Who did what, when, to which row stays fixed;
DELETE and every UPDATE of the decision log are still refused.

The organizing committee may anonymise an account on the person's request
(accounts.anonymise_user); here, after the roles of reports 0002 exist.
"""

import django.db.models.deletion
from django.db import migrations, models

SCRUBBING_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_audit_rewrite() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Nested: PL/pgSQL evaluates every operand of AND, and NEW of another table
    -- has none of these columns.
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'awards_adminchange' THEN
        IF current_setting('contest_portal.anonymising', true) = 'on'
            AND NEW.id = OLD.id
            AND NEW.actor_id = OLD.actor_id
            AND NEW.at = OLD.at
            AND NEW.content_type_id = OLD.content_type_id
            AND NEW.object_id = OLD.object_id
            AND NEW.action = OLD.action
            AND NEW.action_name = OLD.action_name
        THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

STRICT_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_audit_rewrite() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


ANONYMISERS = ("Ban Tổ chức",)


def grant_anonymising(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("accounts")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    permission = apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="accounts", codename="anonymise_user"
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ANONYMISERS):
        group.permissions.add(permission)


def revoke_anonymising(apps, schema_editor):
    permission = (
        apps.get_model("auth", "Permission")
        .objects.filter(content_type__app_label="accounts", codename="anonymise_user")
        .first()
    )
    if permission is None:
        return
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ANONYMISERS):
        group.permissions.remove(permission)


def allow_scrubbing(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # No parameters: the driver must leave the '%' of RAISE's format alone.
        schema_editor.execute(SCRUBBING_FUNCTION, params=None)


def refuse_scrubbing(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STRICT_FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_user_privacy_consent_and_anonymisation"),
        ("awards", "0013_result_row_search_and_share"),
        ("reports", "0002_roles"),
        ("rounds", "0015_official_header"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("result_compute", "Tính kết quả tuần thi"),
                    ("result_approve", "Phê duyệt danh sách tuần thi"),
                    ("result_revoke", "Thu hồi danh sách tuần thi"),
                    ("disqualify", "Loại thí sinh khỏi xét giải"),
                    ("question_void", "Hủy câu hỏi"),
                    ("unit_result_compute", "Tính kết quả giải tập thể"),
                    ("unit_result_approve", "Phê duyệt giải tập thể"),
                    ("account_anonymise", "Ẩn danh hóa tài khoản thí sinh"),
                ],
                max_length=40,
                verbose_name="thao tác",
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="contest",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rounds.contest",
                verbose_name="cuộc thi",
            ),
        ),
        migrations.RunPython(allow_scrubbing, refuse_scrubbing),
        migrations.RunPython(grant_anonymising, revoke_anonymising),
    ]
