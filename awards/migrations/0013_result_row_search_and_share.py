"""ResultRow.search_text and ResultRow.share_token: the accent-free name and unit
the public ranking searches and the random id of a row's public share page,
filled for every existing row the way result_compute's INSERT writes them."""

from django.db import migrations, models

import awards.models
from accounts.normalize import fold

BATCH = 2000

# 128 random bits as 32 hex digits, as awards.services.results writes them.
RANDOM_TOKEN_SQL = {
    "postgresql": "replace(gen_random_uuid()::text, '-', '')",
    "sqlite": "lower(hex(randomblob(16)))",
}


def fill_search_texts(apps, schema_editor):
    ResultRow = apps.get_model("awards", "ResultRow")
    batch = []
    rows = ResultRow.objects.only("pk", "full_name", "unit_name").order_by("pk")
    for row in rows.iterator(chunk_size=BATCH):
        row.search_text = f"{fold(row.full_name)} {fold(row.unit_name)}".strip()
        batch.append(row)
        if len(batch) >= BATCH:
            ResultRow.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        ResultRow.objects.bulk_update(batch, ["search_text"])


def fill_share_tokens(apps, schema_editor):
    ResultRow = apps.get_model("awards", "ResultRow")
    connection = schema_editor.connection
    token_sql = RANDOM_TOKEN_SQL.get(connection.vendor)
    if token_sql is None:
        for row in ResultRow.objects.only("pk").iterator(chunk_size=BATCH):
            row.share_token = awards.models.new_share_token()
            row.save(update_fields=["share_token"])
        return
    table = connection.ops.quote_name(ResultRow._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET share_token = {token_sql}")


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0012_unit_certificates"),
    ]

    operations = [
        migrations.AddField(
            model_name="resultrow",
            name="search_text",
            field=models.CharField(default="", editable=False, max_length=410),
        ),
        # Empty first: a callable default is evaluated once for all existing rows.
        migrations.AddField(
            model_name="resultrow",
            name="share_token",
            field=models.CharField(default="", editable=False, max_length=32),
        ),
        # Going back drops the columns with RemoveField: nothing to undo here.
        migrations.RunPython(fill_search_texts, migrations.RunPython.noop),
        migrations.RunPython(fill_share_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="resultrow",
            name="share_token",
            field=models.CharField(
                default=awards.models.new_share_token, editable=False, max_length=32
            ),
        ),
        migrations.AddConstraint(
            model_name="resultrow",
            constraint=models.UniqueConstraint(
                fields=("share_token",), name="result_row_share_token_once"
            ),
        ),
    ]
