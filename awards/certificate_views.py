from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from awards import certificate_services, unit_certificates
from awards.models import Certificate


class VerifyForm(forms.Form):
    ma = forms.CharField(
        label=_("Mã xác minh"),
        max_length=40,
        help_text=_("In ở góc dưới giấy chứng nhận, ví dụ ABCD-EFGH-JKLM."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


@login_required
@require_GET
def certificate_list_mine(request: HttpRequest) -> HttpResponse:
    """The contestant's certificates, issued on this first visit if entitled."""
    certificates = certificate_services.certificate_issue_all(user=request.user)
    return render(
        request, "awards/certificate_list.html", {"certificates": certificates}
    )


@login_required
@require_GET
def certificate_download(request: HttpRequest, code: str) -> HttpResponse:
    """The owner's certificate as a PDF; anyone else's code is a 404."""
    normalized = certificate_services.certificate_code_normalize(code)
    if normalized is None:
        raise Http404
    # Current rows only: a revoked certificate has lost its row and is not served.
    certificate = get_object_or_404(
        Certificate.objects.select_related("result_row__result__round__contest"),
        code=normalized,
        result_row__user=request.user,
    )
    pdf = certificate_services.certificate_pdf(certificate=certificate)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="giay-chung-nhan-{certificate.grouped_code}.pdf"'
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def certificate_verify(request: HttpRequest) -> HttpResponse:
    """Public check of a printed code: who holds it and for what, nothing private."""
    form = VerifyForm(request.GET if "ma" in request.GET else None)
    certificate = unit_certificate = None
    if form.is_valid():
        code = form.cleaned_data["ma"]
        certificate = certificate_services.certificate_get_by_code(code=code)
        if certificate is None:
            # A unit's collective certificate prints a code of the same shape.
            unit_certificate = unit_certificates.unit_certificate_get_by_code(code=code)
    return render(
        request,
        "awards/certificate_verify.html",
        {
            "form": form,
            "searched": form.is_bound and form.is_valid(),
            "certificate": certificate,
            "unit_certificate": unit_certificate,
        },
    )
