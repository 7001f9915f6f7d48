"""When another one-time code may be sent to a number: pure, standard library only.

Contract: `send_wait` takes the instants at which codes were sent to one number for
one purpose (any order) and returns the whole seconds to wait before the next, or
None when it may go now. A code may go `cooldown` after the previous one, and at
most `per_day` codes go in any 24 hours; the wait is the longer of the two.
"""

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

DAY = timedelta(days=1)


def send_wait(
    *, sent: Iterable[datetime], now: datetime, cooldown: timedelta, per_day: int
) -> int | None:
    recent = sorted(moment for moment in sent if moment > now - DAY)
    waits: list[timedelta] = []
    if recent and now - recent[-1] < cooldown:
        waits.append(recent[-1] + cooldown - now)
    if per_day >= 0 and len(recent) >= per_day:
        # The oldest code that still counts must leave the 24 hours.
        waits.append(recent[len(recent) - per_day] + DAY - now if per_day else DAY)
    if not waits:
        return None
    return max(1, math.ceil(max(waits).total_seconds()))
