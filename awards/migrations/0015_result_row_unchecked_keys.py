"""A ranked row's result and prize tier keys checked by Django, not by a trigger per
row at commit, and no index on the random share token: the share page is found by
the row's id and opened by the token (issue 16: the 300,000-row compute took 6.4 to
7.2 s here with them, 4.0 to 4.1 s without)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('awards', '0014_anonymisation_decision_and_log_scrub'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='resultrow',
            name='result_row_share_token_once',
        ),
        migrations.AlterField(
            model_name='resultrow',
            name='prize_tier',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='awards.prizetier'),
        ),
        migrations.AlterField(
            model_name='resultrow',
            name='result',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='rows', to='awards.roundresult'),
        ),
    ]
