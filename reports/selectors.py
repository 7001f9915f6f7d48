from django.db.models import Prefetch, QuerySet

from rounds.models import Contest, Round


def export_contests() -> QuerySet[Contest]:
    """Contests with their rounds and each round's result, for the downloads page."""
    rounds = Round.objects.select_related("result").order_by("opens_at", "pk")
    return Contest.objects.select_related("unit_result").prefetch_related(
        Prefetch("rounds", queryset=rounds)
    )
