"""The officials' download of a unit's collective certificate, reached from the
collective result's admin page (awards.admin.results.UnitResultAdmin)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET

from awards import unit_certificates
from awards.models import UnitResultRow


@require_GET
def unit_certificate_download(request: HttpRequest, object_id: int) -> HttpResponse:
    """The prized unit row's certificate as a PDF, issued on the first download.

    object_id is the UnitResultRow's pk, under the admin's usual parameter name.
    """
    if not unit_certificates.unit_certificate_can_download(user=request.user):
        raise PermissionDenied
    row = get_object_or_404(
        UnitResultRow.objects.select_related("result__contest"),
        pk=object_id,
    )
    try:
        certificate = unit_certificates.unit_certificate_issue(
            row=row, actor=request.user
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("admin:awards_unitresult_change", row.result_id)
    pdf = unit_certificates.unit_certificate_pdf(certificate=certificate)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="giay-khen-tap-the-{certificate.grouped_code}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
