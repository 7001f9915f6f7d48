from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import User
from accounts.normalize import normalize_phone
from accounts.privacy import sessions_end
from awards.selectors.retention import contestant_list_due_for_anonymisation
from awards.services.anonymisation import user_anonymise


class Command(BaseCommand):
    help = (
        "Ẩn danh hóa dữ liệu cá nhân của thí sinh có mọi cuộc thi đã tham gia kết "
        "thúc quá thời hạn lưu trữ (PERSONAL_DATA_RETENTION_DAYS). Giữ nguyên bài "
        "thi, kết quả và danh sách đạt giải đã phê duyệt (mã kiểm tra vẫn đúng). "
        "Bỏ qua tài khoản quản trị, thành viên Ban Tổ chức/Giám khảo, cán bộ quản "
        "lý đơn vị. Chạy lại nhiều lần không sao."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ đếm, không thay đổi gì.",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Thời hạn lưu trữ (ngày), thay cho PERSONAL_DATA_RETENTION_DAYS.",
        )
        parser.add_argument(
            "--by",
            default="",
            metavar="SỐ_ĐIỆN_THOẠI",
            help=(
                "Tài khoản quản trị ghi trong nhật ký quyết định; mặc định là quản "
                "trị viên cấp cao đầu tiên."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is None:
            days = settings.PERSONAL_DATA_RETENTION_DAYS
        if days < 1:
            raise CommandError("Thời hạn lưu trữ phải từ 1 ngày trở lên.")
        now = timezone.now()
        due = contestant_list_due_for_anonymisation(now=now, retention_days=days)
        pks = list(due.values_list("pk", flat=True))
        if options["dry_run"]:
            self.stdout.write(
                f"Thời hạn lưu trữ {days} ngày. Sẽ ẩn danh hóa {len(pks)} tài "
                "khoản (chạy thử, chưa thay đổi gì)."
            )
            return
        by = self._actor(options["by"])
        reason = (
            f"Hết thời hạn lưu trữ dữ liệu cá nhân: {days} ngày sau khi các cuộc "
            "thi đã tham gia kết thúc."
        )
        done, skipped = [], 0
        for user in User.objects.filter(pk__in=pks).order_by("pk").iterator():
            try:
                user_anonymise(
                    user=user, by=by, reason=reason, now=now, end_sessions=False
                )
            except ValidationError:
                skipped += 1  # changed since it was listed (made staff, done already)
            else:
                done.append(user.pk)
        sessions_end(user_pks=set(done), now=now)
        self.stdout.write(
            f"Thời hạn lưu trữ {days} ngày. Đến hạn: {len(pks)}; đã ẩn danh hóa: "
            f"{len(done)}; bỏ qua: {skipped}."
        )

    def _actor(self, phone: str) -> User:
        if phone:
            actor = User.objects.filter(
                phone=normalize_phone(phone) or phone, is_staff=True, is_active=True
            ).first()
            if actor is None:
                raise CommandError(f"Không có tài khoản quản trị với số {phone}.")
            return actor
        actor = (
            User.objects.filter(is_superuser=True, is_active=True)
            .order_by("pk")
            .first()
        )
        if actor is None:
            raise CommandError("Chưa có quản trị viên cấp cao: hãy chỉ định --by.")
        return actor
