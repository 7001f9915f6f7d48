"""The four roles of the organizing committee as Django groups (see README, Roles)."""

from django.db import migrations

ALL = ("add", "change", "delete", "view")
EDIT = ("add", "change", "view")
VIEW = ("view",)

ORGANIZER = {
    "accounts": {"unit": ALL, "user": EDIT, "unitchange": VIEW},
    "quizzes": {"topic": ALL, "question": ALL, "choice": ALL, "questionrevision": VIEW},
    "rounds": {
        "contest": ALL,
        "round": ALL,
        "roundtopicquota": ALL,
        "attempt": VIEW,
        "roundvoidedquestion": VIEW,
        "roundqualifier": VIEW,
    },
    "awards": {
        "rankingrules": ALL,
        "contestantgroup": ALL,
        "unitgroup": ALL,
        "prizetier": ALL,
        "roundresult": (*VIEW, "compute_results"),
        "resultrow": VIEW,
        "unitresult": VIEW,
        "unitresultrow": VIEW,
        "disqualification": VIEW,
        "auditentry": VIEW,
    },
    "reports": {
        "exportlog": (*VIEW, "export_lists", "export_personal_data", "view_dashboard")
    },
}
AUTHOR = {
    "quizzes": {
        "topic": EDIT,
        "question": EDIT,
        "choice": ALL,
        "questionrevision": VIEW,
    },
}
JUDGE = {
    "accounts": {"unit": VIEW, "user": VIEW, "unitchange": VIEW},
    "quizzes": {"topic": VIEW, "question": VIEW, "choice": VIEW, "questionrevision": VIEW},
    "rounds": {
        "contest": VIEW,
        "round": VIEW,
        "roundtopicquota": VIEW,
        "attempt": VIEW,
        "roundvoidedquestion": ("add", "view"),
        "roundqualifier": VIEW,
    },
    "awards": {
        "rankingrules": VIEW,
        "contestantgroup": VIEW,
        "unitgroup": VIEW,
        "prizetier": VIEW,
        "roundresult": (*VIEW, "compute_results", "approve_results"),
        "resultrow": VIEW,
        "unitresult": VIEW,
        "unitresultrow": VIEW,
        "disqualification": ("add", "view"),
        "auditentry": VIEW,
    },
    "reports": {
        "exportlog": (*VIEW, "export_lists", "export_personal_data", "view_dashboard")
    },
}
ROLES = {
    "Ban Tổ chức": ORGANIZER,
    "Tổ soạn thảo câu hỏi": AUTHOR,
    "Ban Giám khảo": JUDGE,
    # Unit managers use the dashboard scoped to User.managed_unit: no admin rights.
    "Quản lý đơn vị": {},
}


def _codename(action: str, model: str) -> str:
    return f"{action}_{model}" if action in ALL else action


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = []
        for app_label, models in grants.items():
            for model, actions in models.items():
                for action in actions:
                    wanted.append(
                        permission_model.objects.get(
                            content_type__app_label=app_label,
                            content_type__model=model,
                            codename=_codename(action, model),
                        )
                    )
        group.permissions.set(wanted)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0002_user_managed_unit"),
        ("quizzes", "0001_initial_question_bank"),
        ("rounds", "0003_contest_participation_target"),
        ("awards", "0003_result_permissions"),
        ("reports", "0001_export_log"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
