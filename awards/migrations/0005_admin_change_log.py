"""The admin change log, append-only in the database itself.

On PostgreSQL a trigger refuses UPDATE and DELETE on the two audit tables, whoever
asks (the admin, a shell, a migration). TRUNCATE is left alone: test databases are
emptied with it. SQLite, for development only, gets no trigger.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

APPEND_ONLY_TABLES = ("awards_adminchange", "awards_auditentry")
# Both committees read the log; nobody may add, change or delete through the admin.
READERS = ("Ban Tổ chức", "Ban Giám khảo")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_audit_rewrite() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the driver must leave the '%' of RAISE's format alone.
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in APPEND_ONLY_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_audit_rewrite();"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS refuse_audit_rewrite();")


def grant_reading(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("awards")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    permission = apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="awards", codename="view_adminchange"
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=READERS):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0004_certificates"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reports", "0002_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AdminChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("at", models.DateTimeField(db_index=True, verbose_name="thời điểm")),
                (
                    "object_id",
                    models.CharField(max_length=64, verbose_name="mã bản ghi"),
                ),
                (
                    "object_repr",
                    models.CharField(max_length=200, verbose_name="bản ghi"),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("add", "Thêm"),
                            ("change", "Sửa"),
                            ("delete", "Xóa"),
                            ("action", "Thao tác hàng loạt"),
                        ],
                        max_length=10,
                        verbose_name="thao tác",
                    ),
                ),
                (
                    "action_name",
                    models.CharField(
                        blank=True, max_length=100, verbose_name="tên thao tác"
                    ),
                ),
                ("changes", models.JSONField(default=dict, verbose_name="thay đổi")),
                (
                    "actor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người thực hiện",
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="loại dữ liệu",
                    ),
                ),
            ],
            options={
                "verbose_name": "nhật ký sửa đổi trong trang quản trị",
                "verbose_name_plural": "nhật ký sửa đổi trong trang quản trị",
                "ordering": ["-at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["content_type", "object_id"], name="adminchange_obj"
                    )
                ],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
        migrations.RunPython(grant_reading, migrations.RunPython.noop),
    ]
