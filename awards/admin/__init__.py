"""The awards admin, one module per subject; importing them registers the screens.

The question bank and the attempts are registered by their own apps; the audit
trail is added here so those apps keep importing nothing of awards.
"""

from django.contrib import admin

from awards.admin import contests, decisions, results  # noqa: F401  (registers them)
from awards.admin_audit import AdminAuditMixin, AdminChangeAdmin
from awards.models import AdminChange
from quizzes.admin import QuestionAdmin as BaseQuestionAdmin
from quizzes.admin import TopicAdmin as BaseTopicAdmin
from quizzes.models import Question, Topic
from rounds.admin import AttemptAdmin as BaseAttemptAdmin
from rounds.models import Attempt

admin.site.register(AdminChange, AdminChangeAdmin)
for model, base in (
    (Question, BaseQuestionAdmin),
    (Topic, BaseTopicAdmin),
    (Attempt, BaseAttemptAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (AdminAuditMixin, base), {}))
