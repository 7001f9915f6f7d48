"""The rounds app's models, one module per subject; every name is importable from
rounds.models as before (migrations name the callable defaults there)."""

from rounds.models.attempts import Attempt, AttemptEvent, new_public_id
from rounds.models.contests import Contest, ContestCommitteeMember
from rounds.models.rounds import (
    Round,
    RoundQualifier,
    RoundTopicQuota,
    RoundVoidedQuestion,
)

__all__ = [
    "Attempt",
    "AttemptEvent",
    "Contest",
    "ContestCommitteeMember",
    "Round",
    "RoundQualifier",
    "RoundTopicQuota",
    "RoundVoidedQuestion",
    "new_public_id",
]
