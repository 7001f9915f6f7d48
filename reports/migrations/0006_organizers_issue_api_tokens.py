"""The organizing committee issues and revokes the API's tokens (issue 17); the
judges see which tokens exist. Deleting is for no one: a used token stays, revoked,
with its log."""

from django.db import migrations

GRANTS = {
    "Ban Tổ chức": ("add_apitoken", "change_apitoken", "view_apitoken"),
    "Ban Giám khảo": ("view_apitoken",),
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("reports")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = group_model.objects.filter(name=name).first()
        if group is None:
            continue
        group.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label="reports", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = group_model.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *permission_model.objects.filter(
                    content_type__app_label="reports", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_api_tokens"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
