"""The public page where anyone holding a printed approved list checks it: the
checksum printed on the paper (and in its QR code) names the list it was."""

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from awards.models import RevokedRoundResult, RoundResult, UnitResult

CHECKSUM = re.compile(r"[0-9a-f]{64}")


@require_GET
def list_check(request: HttpRequest, checksum: str = "") -> HttpResponse:
    """What the checksum names: a current approved list, or one revoked since."""
    typed = request.GET.get("ma", "").strip().lower()
    if not checksum and CHECKSUM.fullmatch(typed):
        return redirect("awards:list-check", checksum=typed)
    context: dict = {"checksum": checksum, "typed": typed}
    if checksum:
        approved = RoundResult.Status.APPROVED
        context["round_result"] = (
            RoundResult.objects.select_related("round__contest")
            .filter(checksum=checksum, status=approved)
            .first()
        )
        context["unit_result"] = (
            UnitResult.objects.select_related("contest")
            .filter(checksum=checksum, status=approved)
            .first()
        )
        context["revoked"] = (
            RevokedRoundResult.objects.select_related("round__contest")
            .defer("payload")
            .filter(checksum=checksum)
            .first()
        )
    status = (
        404
        if checksum
        and not any(context.get(k) for k in ("round_result", "unit_result", "revoked"))
        else 200
    )
    return render(request, "awards/list_check.html", context, status=status)
