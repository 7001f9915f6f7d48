from datetime import datetime

from django import template

register = template.Library()


@register.filter
def vi_timeuntil(target: datetime, now: datetime) -> str:
    """'4 ngày 8 giờ 5 phút': Django's timeuntil has no Vietnamese in its catalogue."""
    seconds = max(int((target - now).total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days} ngày")
    if hours:
        parts.append(f"{hours} giờ")
    if minutes or not parts:
        parts.append(f"{minutes} phút")
    return " ".join(parts)
