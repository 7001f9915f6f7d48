"""The contest's rules in Vietnamese words, made from the same definitions the
ranking uses (awards.ranking.CRITERIA_TABLE, awards.collective.UNIT_CRITERIA_TABLE),
so what the pages say is what the ranking does."""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from awards import collective, ranking

# What an organizer picks from: a criterion by its name.
CRITERION_LABELS = {
    ranking.CORRECT: _("Số câu trả lời đúng (nhiều hơn xếp trên)"),
    ranking.PREDICTION: _("Dự đoán gần đáp án hơn"),
    ranking.DURATION: _("Thời gian làm bài ngắn hơn"),
    ranking.SUBMITTED: _("Nộp bài sớm hơn"),
    ranking.ATTEMPTS: _("Ít lượt thi hơn"),
    ranking.REGISTERED: _("Đăng ký tài khoản sớm hơn"),
}
# How a sentence names it: "Xếp hạng theo: số câu đúng nhiều hơn, rồi ..."
CRITERION_PHRASES = {
    ranking.CORRECT: _("số câu đúng nhiều hơn"),
    ranking.PREDICTION: _("dự đoán gần đúng hơn"),
    ranking.DURATION: _("thời gian làm bài ngắn hơn"),
    ranking.SUBMITTED: _("nộp sớm hơn"),
    ranking.ATTEMPTS: _("ít lượt thi hơn"),
    ranking.REGISTERED: _("đăng ký tài khoản sớm hơn"),
}
COUNTED_LABELS = {
    ranking.BEST: _("Bài tốt nhất trong tuần (được tính xếp hạng)"),
    ranking.FIRST: _("Bài nộp đầu tiên trong tuần (được tính xếp hạng)"),
    ranking.LAST: _("Bài nộp cuối cùng trong tuần (được tính xếp hạng)"),
}
COUNTED_SENTENCES = {
    ranking.BEST: _("Mỗi người được tính bài thi tốt nhất của mình trong tuần."),
    ranking.FIRST: _("Mỗi người được tính bài thi nộp đầu tiên của mình trong tuần."),
    ranking.LAST: _("Mỗi người được tính bài thi nộp cuối cùng của mình trong tuần."),
}
TRUTH_PHRASES = {
    ranking.TRUTH_PERFECT_PEOPLE: _("số người trả lời đúng tất cả các câu"),
    ranking.TRUTH_PARTICIPANTS: _("số người dự thi"),
    ranking.TRUTH_ATTEMPTS: _("số lượt thi"),
    ranking.TRUTH_MANUAL: _("con số do Ban Tổ chức công bố"),
}
UNIT_CRITERION_LABELS = {
    collective.PARTICIPANTS: _("Số người dự thi"),
    collective.RATE: _("Tỷ lệ tham gia trên số biên chế"),
    collective.AVERAGE_SCORE: _("Điểm trung bình (tỷ lệ câu đúng)"),
    collective.TOTAL_CORRECT: _("Tổng số câu trả lời đúng"),
    collective.PERFECT_PEOPLE: _("Số người trả lời đúng tất cả"),
    collective.WINNERS: _("Số người đạt giải cá nhân"),
    collective.AVERAGE_DURATION: _("Thời gian làm bài trung bình (ngắn hơn xếp trên)"),
}
UNIT_CRITERION_PHRASES = {
    collective.PARTICIPANTS: _("nhiều người dự thi hơn"),
    collective.RATE: _("tỷ lệ tham gia cao hơn"),
    collective.AVERAGE_SCORE: _("điểm trung bình cao hơn"),
    collective.TOTAL_CORRECT: _("tổng số câu đúng nhiều hơn"),
    collective.PERFECT_PEOPLE: _("nhiều người trả lời đúng tất cả hơn"),
    collective.WINNERS: _("nhiều người đạt giải cá nhân hơn"),
    collective.AVERAGE_DURATION: _("thời gian làm bài trung bình ngắn hơn"),
}


def criterion_choices() -> list[tuple[str, str]]:
    return [(code, CRITERION_LABELS[code]) for code in ranking.CRITERIA]


def unit_criterion_choices() -> list[tuple[str, str]]:
    return [(code, UNIT_CRITERION_LABELS[code]) for code in collective.METRICS]


def _joined(phrases: Sequence[str]) -> str:
    return str(_(", rồi ")).join(str(p) for p in phrases)


def ranking_sentence(order: Sequence[str]) -> str:
    """The individual ranking order, last resort included, as one sentence."""
    phrases = [CRITERION_PHRASES[c] for c in ranking.effective_order(order)]
    return str(_("Xếp hạng theo: %(order)s.")) % {"order": _joined(phrases)}


def unit_ranking_sentence(order: Sequence[str]) -> str:
    """The collective ranking order as one sentence."""
    phrases = [UNIT_CRITERION_PHRASES[c] for c in collective.validate_order(order)]
    return str(_("Xếp hạng tập thể theo: %(order)s.")) % {"order": _joined(phrases)}


def rules_sentences(
    *,
    counted_attempt: str,
    order: Sequence[str],
    truth_kind: str | None,
    one_weekly_prize_per_person: bool,
) -> list[str]:
    """The individual rules in words: which attempt counts, the order, the
    prediction and repeat winners. `truth_kind` is None without a prediction."""
    sentences = [str(COUNTED_SENTENCES[counted_attempt]), ranking_sentence(order)]
    if truth_kind is not None and ranking.PREDICTION in order:
        sentences.append(
            str(
                _(
                    "Đáp án câu dự đoán là %(truth)s; dự đoán gần đáp án hơn xếp "
                    "trên, người không dự đoán xếp sau mọi người có dự đoán."
                )
            )
            % {"truth": TRUTH_PHRASES[truth_kind]}
        )
    if one_weekly_prize_per_person:
        sentences.append(str(_("Mỗi người chỉ nhận một giải tuần trong cả cuộc thi.")))
    return sentences


def unit_rules_sentences(
    *, order: Sequence[str], min_rate_percent: int | None
) -> list[str]:
    """The collective rules in words."""
    sentences = [unit_ranking_sentence(order)]
    if min_rate_percent is not None:
        sentences.append(
            str(
                _(
                    "Đơn vị có tỷ lệ tham gia dưới %(rate)d%% không được xếp giải "
                    "tập thể."
                )
            )
            % {"rate": min_rate_percent}
        )
    return sentences
