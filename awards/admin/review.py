"""The judge's work on one round result, from its review page: recompute, approve
after seeing what will be frozen, revoke with a reason. Every message in words,
with no internal id."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from awards.admin.common import written_reason_field
from awards.models import RoundResult
from awards.services import result_approve, result_compute, result_revoke
from contest_portal.converters import row_id
from contest_portal.numbers import thousands
from quizzes.models import Question


class ApproveForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "Tôi đã kiểm tra danh sách; sau khi phê duyệt, danh sách được công bố và "
            "chỉ có thể thu hồi kèm lý do."
        ),
        error_messages={"required": gettext_lazy("Vui lòng đánh dấu xác nhận.")},
    )


class RevokeForm(forms.Form):
    reason = written_reason_field(
        label=gettext_lazy("Lý do thu hồi"),
        help_text=gettext_lazy(
            "Được ghi vào nhật ký quyết định, hiện trên trang kết quả công khai và "
            "trên trang xác minh giấy chứng nhận."
        ),
        required=gettext_lazy("Vui lòng ghi rõ lý do thu hồi danh sách."),
        too_short=gettext_lazy(
            "Vui lòng ghi rõ lý do thu hồi danh sách (ít nhất %(limit_value)d ký tự)."
        ),
    )


def result_summary(result: RoundResult) -> dict:
    """What an approval freezes: the rows, each prize and the total amount."""
    prizes = list(
        result.rows.filter(prize_tier__isnull=False)
        .values("group_name", "prize_name", "prize_amount_vnd")
        .annotate(people=Count("pk"), subtotal=Sum("prize_amount_vnd"))
        .order_by("group_name", "-prize_amount_vnd", "prize_name")
    )
    return {
        "rows": result.rows.count(),
        "prizes": prizes,
        "winners": sum(p["people"] for p in prizes),
        "total_vnd": sum(p["subtotal"] or 0 for p in prizes),
    }


def compute_message(result: RoundResult) -> str:
    """What "Tính kết quả" did, with a link to the list."""
    summary = result_summary(result)
    if result.prediction_truth is None:
        truth = _("chưa có đáp án câu dự đoán")
    else:
        number = thousands(result.prediction_truth)
        truth = _("đáp án câu dự đoán %(truth)s") % {"truth": number}
    return format_html(
        '{} <a href="{}">{}</a>',
        _(
            "Đã tính kết quả %(round)s: %(rows)s người được xếp hạng, %(winners)s "
            "người đạt giải, %(truth)s. Danh sách đang ở trạng thái tạm thời, chờ "
            "phê duyệt."
        )
        % {
            "round": result.round.name,
            "rows": summary["rows"],
            "winners": summary["winners"],
            "truth": truth,
        },
        reverse("admin:awards_roundresult_change", args=[result.pk]),
        _("Xem danh sách"),
    )


def audit_details_in_words(data: dict) -> str:
    """A decision's recorded details as a sentence, people and questions by name."""
    parts = []
    if "user_id" in data:
        person = User.objects.filter(pk=data["user_id"]).first()
        parts.append(
            _("thí sinh: %(person)s")
            % {"person": f"{person.full_name} ({person.phone})" if person else "—"}
        )
    if "question_id" in data:
        question = Question.objects.filter(pk=data["question_id"]).first()
        text = question.text if question else "—"
        parts.append(
            _("câu hỏi: %(text)s")
            % {"text": text if len(text) <= 80 else f"{text[:79]}…"}
        )
    if "attempts_rescored" in data:
        parts.append(
            _("%(n)s bài thi được chấm lại") % {"n": data["attempts_rescored"]}
        )
    if "rows" in data:
        parts.append(_("%(n)s người được xếp hạng") % {"n": data["rows"]})
    if data.get("truth") is not None:
        parts.append(_("đáp án câu dự đoán %(n)s") % {"n": data["truth"]})
    if "version" in data:
        parts.append(_("phiên bản %(n)s") % {"n": data["version"]})
    if "certificates_revoked" in data:
        parts.append(
            _("%(n)s giấy chứng nhận bị thu hồi") % {"n": data["certificates_revoked"]}
        )
    if data.get("checksum"):
        parts.append(_("mã kiểm tra %(sum)s") % {"sum": data["checksum"]})
    return "; ".join(parts)


class ResultReviewViews:
    """Mixed into the RoundResult admin: the pages behind the review's buttons."""

    def _result(
        self, request: HttpRequest, object_id: str, permission: str
    ) -> RoundResult:
        if not getattr(self, f"has_{permission}_permission")(request):
            raise PermissionDenied
        return get_object_or_404(
            RoundResult.objects.select_related("round__contest"),
            pk=row_id(object_id),
        )

    def _back(self, result: RoundResult) -> HttpResponse:
        return redirect("admin:awards_roundresult_change", result.pk)

    def recompute_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        result = self._result(request, object_id, "compute")
        if request.method != "POST":
            return self._back(result)
        try:
            result = self.audited(
                request,
                result,
                "recompute",
                lambda: result_compute(round_=result.round, actor=request.user),
            )
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
        else:
            self.message_user(request, compute_message(result), messages.SUCCESS)
        return self._back(result)

    def approve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        result = self._result(request, object_id, "approve")
        if result.status != RoundResult.Status.PROVISIONAL:
            self.message_user(
                request, _("Kết quả này đã được phê duyệt."), messages.ERROR
            )
            return self._back(result)
        form = ApproveForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                result = self.audited(
                    request,
                    result,
                    "approve",
                    lambda: result_approve(result=result, actor=request.user),
                )
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
            else:
                self.message_user(
                    request,
                    _(
                        "Đã phê duyệt danh sách %(round)s (phiên bản %(version)s), "
                        "mã kiểm tra %(checksum)s. Danh sách đã được công bố."
                    )
                    % {
                        "round": result.round.name,
                        "version": result.version,
                        "checksum": result.checksum,
                    },
                    messages.SUCCESS,
                )
                return self._back(result)
        return self._page(
            request,
            result,
            "admin/awards/roundresult/approve.html",
            _("Phê duyệt danh sách: %(round)s") % {"round": result.round},
            form,
        )

    def revoke_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        result = self._result(request, object_id, "approve")
        if result.status != RoundResult.Status.APPROVED:
            self.message_user(
                request, _("Chỉ thu hồi được danh sách đã phê duyệt."), messages.ERROR
            )
            return self._back(result)
        form = RevokeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                revoked = self.audited(
                    request,
                    result,
                    "revoke",
                    lambda: result_revoke(
                        result=result,
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                    ),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _(
                        "Đã thu hồi danh sách phiên bản %(version)s (mã kiểm tra "
                        "%(checksum)s). Kết quả trở về trạng thái tạm thời: tính lại "
                        "rồi phê duyệt để công bố phiên bản mới."
                    )
                    % {"version": revoked.version, "checksum": revoked.checksum},
                    messages.SUCCESS,
                )
                return self._back(result)
        return self._page(
            request,
            result,
            "admin/awards/roundresult/revoke.html",
            _("Thu hồi danh sách: %(round)s") % {"round": result.round},
            form,
        )

    def _page(
        self,
        request: HttpRequest,
        result: RoundResult,
        template: str,
        title: str,
        form: forms.Form,
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "result": result,
            "summary": result_summary(result),
            "form": form,
            "opts": self.model._meta,
            "original": result,
        }
        return TemplateResponse(request, template, context)
