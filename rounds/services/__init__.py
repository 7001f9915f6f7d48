"""Writes of the rounds app, one module per subject; the public names are here.

- attempts: an attempt from start to submission (the draw, the submit);
- finishing: how an attempt ends (scored once, at its deadline, rescored, voided);
- eligibility: who may take part, in words, at registration and at start;
- saving: the answers saved: a click in one statement, the explained save's rules
  in its WHERE, and the explained path itself (read under lock, refusals in words).
"""

from rounds.services.attempts import (
    StartResult,
    attempt_is_shortened,
    attempt_start,
    attempt_start_first,
    attempt_submit,
    draw_preview,
    round_is_open,
)
from rounds.services.eligibility import (
    ELIGIBILITY_MESSAGES,
    RegistrationProblem,
    attempt_check_eligibility,
    eligibility_message,
    registration_problem,
)
from rounds.services.finishing import (
    AttemptExpiredError,
    attempt_check_transition,
    attempt_finish_if_expired,
    attempt_void,
    attempts_finish_expired,
    round_rescore,
)
from rounds.services.saving import (
    attempt_save,
    attempt_save_direct,
    attempt_save_own,
    attempt_save_posted,
)

__all__ = [
    "ELIGIBILITY_MESSAGES",
    "AttemptExpiredError",
    "RegistrationProblem",
    "StartResult",
    "attempt_check_eligibility",
    "attempt_check_transition",
    "attempt_finish_if_expired",
    "attempt_is_shortened",
    "attempt_save",
    "attempt_save_direct",
    "attempt_save_own",
    "attempt_save_posted",
    "attempt_start",
    "attempt_start_first",
    "attempt_submit",
    "attempt_void",
    "attempts_finish_expired",
    "draw_preview",
    "eligibility_message",
    "registration_problem",
    "round_is_open",
    "round_rescore",
]
