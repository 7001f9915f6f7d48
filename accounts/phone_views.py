"""Pages of the one-time codes sent by SMS: verifying one's phone, and setting a new
password without email."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import phone_codes
from accounts.models import PhoneCode
from accounts.phone_forms import PhoneCodeForm, ResetByCodeForm, ResetRequestForm
from accounts.sms import sms_enabled
from accounts.views import safe_next
from contest_portal.ratelimit import check_request, ratelimit, too_many_requests

RESET_PHONE_KEY = "sms_reset_phone"


def sms_terms() -> dict[str, int]:
    """What the pages tell about a code: its length, life and resend wait."""
    return {
        "digits": settings.SMS_CODE_DIGITS,
        "ttl_minutes": max(1, settings.SMS_CODE_TTL_SECONDS // 60),
        "resend_seconds": settings.SMS_CODE_RESEND_SECONDS,
    }


def phone_verify_url(next_url: str) -> str:
    return f"{reverse('accounts:phone-verify')}?{urlencode({'next': next_url})}"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def phone_verify(request: HttpRequest) -> HttpResponse:
    """Send a code to the account's phone, then take it back."""
    user = request.user
    next_url = safe_next(request, reverse("rounds:home"))
    form = PhoneCodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST" and sms_enabled():
        sending = "code" not in request.POST
        wait = check_request(request, "sms-send" if sending else "sms-check")
        if wait is not None:
            return too_many_requests(request, wait, as_json=False)
        if sending:
            try:
                phone_codes.phone_code_send(
                    phone=user.phone, purpose=PhoneCode.Purpose.VERIFY
                )
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(
                    request,
                    _("Đã gửi mã xác thực đến số %(phone)s.") % {"phone": user.phone},
                )
            return redirect(phone_verify_url(next_url))
        if form.is_valid():
            try:
                phone_codes.user_verify_phone(user=user, code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error)
            else:
                messages.success(request, _("Đã xác thực số điện thoại."))
                return redirect(next_url)
    return render(
        request,
        "accounts/phone_verify.html",
        {
            "form": form,
            "next": next_url,
            "verified": user.phone_verified_at is not None,
            "sms_enabled": sms_enabled(),
            "sms": sms_terms(),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit("sms-send")
def password_reset_sms(request: HttpRequest) -> HttpResponse:
    """Ask for a reset code. The answer is the same whether the number has an
    account or not: a number without one gets a code that is counted, never sent."""
    if not sms_enabled():
        return redirect("accounts:password-forgotten")
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            phone_codes.phone_code_send(
                phone=phone,
                purpose=PhoneCode.Purpose.RESET,
                deliver=phone_codes.phone_has_account(phone=phone),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[RESET_PHONE_KEY] = phone
            messages.success(
                request,
                _(
                    "Nếu số %(phone)s đã đăng ký, mã đặt lại mật khẩu vừa được gửi "
                    "đến số đó qua tin nhắn SMS."
                )
                % {"phone": phone},
            )
            return redirect("accounts:password-reset-sms-confirm")
    return render(
        request,
        "accounts/password_reset_sms_request.html",
        {"form": form, "sms": sms_terms()},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit("sms-check")
def password_reset_sms_confirm(request: HttpRequest) -> HttpResponse:
    """Take the code and the new password."""
    phone = request.session.get(RESET_PHONE_KEY)
    if not phone or not sms_enabled():
        return redirect("accounts:password-reset-sms")
    form = ResetByCodeForm(request.POST or None, phone=phone)
    if request.method == "POST" and form.is_valid():
        try:
            phone_codes.user_reset_password_by_code(
                phone=phone,
                code=form.cleaned_data["code"],
                password=form.cleaned_data["new_password1"],
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            del request.session[RESET_PHONE_KEY]
            messages.success(request, _("Đã đặt mật khẩu mới. Mời bạn đăng nhập."))
            return redirect("accounts:login")
    return render(
        request,
        "accounts/password_reset_sms_confirm.html",
        {"form": form, "phone": phone},
    )
