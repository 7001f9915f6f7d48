from django.db import migrations

# The portal-wide contest role of accounts.User becomes a membership of each
# contest's committee: who held a role keeps being excluded everywhere they were,
# and organizers can now narrow it to the contests the person really serves.
ROLE = {
    "organizer": "organizer",
    "judge": "judge",
    "author": "author",
    "technical": "technical",
}


def forward(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Contest = apps.get_model("rounds", "Contest")
    Member = apps.get_model("rounds", "ContestCommitteeMember")
    contests = list(Contest.objects.values_list("pk", flat=True))
    members = [
        Member(contest_id=contest, user_id=user_id, role=ROLE.get(role, "organizer"))
        for user_id, role in User.objects.exclude(contest_role="").values_list(
            "pk", "contest_role"
        )
        for contest in contests
    ]
    Member.objects.bulk_create(members, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("rounds", "0007_contest_occupations_committee_and_qualifying_levels"),
        ("accounts", "0004_international_phone_and_nationality"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
