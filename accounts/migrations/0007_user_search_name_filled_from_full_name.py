"""User.search_name: the accent-free full name the admin searches, filled for
every existing account with the same fold the services use."""

from django.db import migrations, models

from accounts.normalize import fold

BATCH = 2000


def fill_search_names(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    batch = []
    for user in (
        User.objects.only("pk", "full_name").order_by("pk").iterator(chunk_size=BATCH)
    ):
        user.search_name = fold(user.full_name)
        batch.append(user)
        if len(batch) >= BATCH:
            User.objects.bulk_update(batch, ["search_name"])
            batch = []
    if batch:
        User.objects.bulk_update(batch, ["search_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_phone_verified_and_phone_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="search_name",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=150
            ),
        ),
        # Going back drops the column with RemoveField: nothing to undo here.
        migrations.RunPython(fill_search_names, migrations.RunPython.noop),
    ]
