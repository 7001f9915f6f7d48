"""The organizing committee keeps each contest's committee list; judges read it."""

from django.db import migrations

GRANTS = {
    "Ban Tổ chức": ("add", "change", "delete", "view"),
    "Ban Giám khảo": ("view",),
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("rounds")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, actions in GRANTS.items():
        group = group_model.objects.filter(name=name).first()
        if group is None:
            continue
        group.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label="rounds",
                codename__in=[f"{a}_contestcommitteemember" for a in actions],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("rounds", "0008_committee_members_from_portal_roles"),
        ("reports", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
