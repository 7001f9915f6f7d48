"""Personal data kept by the accounts app: the placeholders of an anonymised account
and the erasure of what this app (and the sign-in libraries) hold about a person.

The whole anonymisation (result rows, certificates, the logs) is orchestrated by
awards.services.anonymisation.user_anonymise, which calls `user_personal_data_erase`
here; accounts imports no other app of ours, so nothing here knows of results.
"""

from datetime import datetime
from importlib import import_module

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import PhoneCode, User
from accounts.services import user_name_set

# No country uses the calling code 999 (ITU reserves it), so no one can register,
# log in with or be sent a code at a placeholder number; it still satisfies the
# user table's E.164 check and stays unique through the account's id.
PLACEHOLDER_PHONE_PREFIX = "+999"
# Sign-in with an identity provider (allauth) keeps the provider's subject id, its
# claims (name, email, phone) and the addresses: deleted with the person's data.
THIRD_PARTY_PERSONAL_MODELS = (
    ("socialaccount", "SocialAccount"),  # its tokens go with it (CASCADE)
    ("account", "EmailAddress"),
)


def anonymous_name(pk: int) -> str:
    """The name an anonymised account shows everywhere it was shown before."""
    return _("Thí sinh đã ẩn danh #%(id)s") % {"id": pk}


def anonymous_phone(pk: int) -> str:
    return f"{PLACEHOLDER_PHONE_PREFIX}{pk:08d}"


def retention_days() -> int:
    """How long after the last contest a person took part in their data is kept."""
    return settings.PERSONAL_DATA_RETENTION_DAYS


@transaction.atomic
def user_personal_data_erase(
    *, user: User, now: datetime, end_sessions: bool = True
) -> User:
    """Replace a person's data on the account with placeholders, end their sessions
    and delete their phone codes and login records; the row and its id stay.

    `end_sessions=False` leaves the (costly) scan of stored sessions to one
    `sessions_end` call for a whole batch; the changed password hash has logged
    the account out of them already."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    identifiers = {value for value in (locked.phone, locked.citizen_id) if value}
    user_name_set(user=locked, full_name=anonymous_name(locked.pk))
    locked.phone = anonymous_phone(locked.pk)
    locked.email = None
    locked.citizen_id = None
    locked.date_of_birth = None
    locked.gender = ""
    locked.registered_ip = None
    locked.phone_verified_at = None
    locked.last_login = None
    locked.managed_unit = None
    locked.must_change_password = False
    locked.is_active = False
    # A new password hash also logs out every session, whatever stores them:
    # Django checks the session's copy of the hash on each request.
    locked.set_unusable_password()
    locked.anonymised_at = now
    locked.full_clean(exclude=["password"])
    locked.save()
    PhoneCode.objects.filter(phone__in=identifiers).delete()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=identifiers).delete()
    for app_label, model_name in THIRD_PARTY_PERSONAL_MODELS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue  # that sign-in is not installed here
        model.objects.filter(user=locked).delete()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(locked.pk),
    ).update(object_repr=str(locked)[:200], change_message="")
    if end_sessions:
        sessions_end(user_pks={locked.pk}, now=now)
    return locked


def sessions_end(*, user_pks: set[int], now: datetime) -> int:
    """Delete the live database sessions of these accounts; cached ones end at
    their next request through the changed password hash."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store, DbSessionStore):
        return 0
    session_model = store.get_model_class()
    wanted = {str(pk) for pk in user_pks}
    ended = [
        session.session_key
        for session in session_model.objects.filter(expire_date__gt=now).iterator()
        if session.get_decoded().get(SESSION_KEY) in wanted
    ]
    session_model.objects.filter(session_key__in=ended).delete()
    return len(ended)
