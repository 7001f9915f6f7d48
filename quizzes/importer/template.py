"""The blank question file offered for download."""

from django.utils.translation import gettext as _

from quizzes import import_template
from quizzes.importer.columns import CHOICES, HEADERS, LETTERS, TOPICS_LISTED
from quizzes.models import MAX_CHOICES, MIN_CHOICES, Topic


def template() -> bytes:
    """The blank question file offered for download."""
    topics = list(Topic.objects.values_list("name", flat=True)[:TOPICS_LISTED])
    choices = import_template.EXAMPLE_CHOICES
    example_row = [
        topics[0] if topics else import_template.EXAMPLE_TOPIC,
        import_template.EXAMPLE_TEXT,
        *choices,
        *[""] * (len(CHOICES) - len(choices)),
        import_template.EXAMPLE_CORRECT,
        import_template.EXAMPLE_EXPLANATION,
        "có",
    ]
    notes = [
        _(
            "Dòng %(row)d của trang “Dữ liệu” là dòng mẫu (tô vàng, câu hỏi bắt đầu "
            "bằng “%(mark)s”): khi nhập, dòng này được tự động bỏ qua. Hãy nhập câu "
            "hỏi từ dòng %(next)d trở xuống; có thể xóa dòng mẫu. Nếu viết câu hỏi "
            "thật đè lên dòng mẫu, hãy xóa chữ “%(mark)s”."
        )
        % {
            "row": import_template.EXAMPLE_ROW,
            "next": import_template.EXAMPLE_ROW + 1,
            "mark": import_template.EXAMPLE_MARK,
        },
        _("Mỗi dòng của trang “Dữ liệu” là một câu hỏi; giữ nguyên dòng tiêu đề."),
        _("“Chủ đề” phải là tên một chủ đề đã có trong trang quản trị."),
        _(
            "Từ %(min)d đến %(max)d phương án, điền liên tục từ A, không bỏ trống ở giữa."
        )
        % {"min": MIN_CHOICES, "max": MAX_CHOICES},
        _("“Đáp án đúng” là một chữ cái (A–%(last)s) của một phương án đã điền.")
        % {"last": LETTERS[-1]},
        _("“Đang sử dụng”: “có” hoặc “không”; để trống là “có”."),
        _(
            "Câu hỏi trùng nội dung với câu hỏi đã có trong cùng chủ đề sẽ được cập "
            "nhật, không tạo câu hỏi mới."
        ),
        _("Các chủ đề hiện có: %(topics)s") % {"topics": "; ".join(topics) or "—"},
    ]
    return import_template.template_with_example(
        headers=HEADERS, example=example_row, notes=notes
    )
