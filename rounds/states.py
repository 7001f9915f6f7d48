"""Which status an attempt may move to: open -> finished and open -> voided, nothing else.

Pure: standard library only. The services ask `can_transition` before every status
write, so a finished or voided attempt never changes status again.
"""

OPEN = "open"
FINISHED = "finished"
VOIDED = "voided"
STATES = (OPEN, FINISHED, VOIDED)

ALLOWED = frozenset({(OPEN, FINISHED), (OPEN, VOIDED)})


def can_transition(from_state: str, to_state: str) -> bool:
    """True only for the moves in ALLOWED; an unknown state is never allowed."""
    return (from_state, to_state) in ALLOWED
