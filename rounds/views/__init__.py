"""The rounds app's views, one module per subject; rounds/urls.py names them here.

- contests: the home and contest pages (cached for anonymous visitors), registering;
- taking: starting an attempt, its page, the save of each click;
- submitting: the summary, the submit, the result, the list of one's attempts.
"""

from rounds.views.contests import (
    contest_detail,
    contest_page,
    contest_register,
    home,
    register,
)
from rounds.views.submitting import (
    attempt_list,
    attempt_result,
    attempt_submit,
    attempt_summary,
)
from rounds.views.taking import attempt_page, attempt_save, attempt_start

__all__ = [
    "attempt_list",
    "attempt_page",
    "attempt_result",
    "attempt_save",
    "attempt_start",
    "attempt_submit",
    "attempt_summary",
    "contest_detail",
    "contest_page",
    "contest_register",
    "home",
    "register",
]
