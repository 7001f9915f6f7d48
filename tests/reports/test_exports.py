import io
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import Unit, User
from awards import services
from awards.models import PrizeTier, RankingRules, RoundResult, UnitGroup
from quizzes.models import Question, QuestionRevision
from reports import exports
from reports.exports.common import EVERYBODY_RIGHT, NOBODY_RIGHT
from rounds.models import Attempt, RoundVoidedQuestion
from tests.factories import (
    RoundFactory,
    TopicFactory,
    UnitFactory,
    UserFactory,
    make_question,
)
from tests.reports import (
    CLOSES,
    OPENS,
    cells,
    compute,
    finished,
    header_row,
    headers,
    open_workbook,
    records,
    tier,
    vn,
)

pytestmark = pytest.mark.django_db

DANGEROUS_NAMES = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2"]


@pytest.fixture
def judge():
    return UserFactory(full_name="Trần Văn Bình", is_staff=True)


@pytest.fixture
def closed_round(bank):
    round_ = RoundFactory(opens_at=OPENS, closes_at=CLOSES, name="Tuần thứ nhất")
    round_.contest.topics.set(bank)
    return round_


@pytest.fixture
def revisions(bank):
    return list(QuestionRevision.objects.order_by("pk")[:6])


@pytest.fixture
def commune():
    district = UnitFactory(name="Huyện Đông Anh", level="district")
    return UnitFactory(name="Xã Tiên Dương", level="commune", parent=district)


@pytest.fixture
def result(closed_round, revisions, judge, commune):
    """First prize 1, second prize 2; four ranked people, the last without a prize."""
    contest = closed_round.contest
    tier(contest, "Giải nhất", 1, order=1, amount_vnd=3_000_000)
    tier(contest, "Giải nhì", 2, order=2, amount_vnd=2_000_000)
    first = UserFactory(
        full_name="Nguyễn Thị Ánh Tuyết",
        unit=commune,
        phone="0912345678",
        citizen_id="001190012345",
        date_of_birth=date(1990, 1, 15),
    )
    finished(first, closed_round, revisions, correct=5, duration_ms=61_234, at=vn(12))
    for correct in (4, 4, 2):
        finished(UserFactory(), closed_round, revisions, correct=correct)
    return compute(closed_round, judge)


def export(function, **kwargs):
    buffer = io.BytesIO()
    count = function(target=buffer, **kwargs)
    return count, open_workbook(buffer)


# --- winners -----------------------------------------------------------------------


def test_winners_lists_the_prize_rows_in_rank_order(result, judge):
    count, ws = export(
        exports.winners_export, result=result, by=judge, include_personal=False
    )

    rows = records(ws)
    assert count == 3
    assert [(r["Hạng"], r["Giải"], r["Trị giá (đồng)"]) for r in rows] == [
        (1, "Giải nhất", 3_000_000),
        (2, "Giải nhì", 2_000_000),
        (3, "Giải nhì", 2_000_000),
    ]


def test_winners_headers_without_personal_data(result, judge):
    _, ws = export(
        exports.winners_export, result=result, by=judge, include_personal=False
    )

    assert headers(ws) == [
        "Hạng",
        "Nhóm",
        "Giải",
        "Trị giá (đồng)",
        "Họ và tên",
        "Đơn vị",
        "Cấp xã",
        "Cấp huyện",
        "Số câu đúng",
        "Tổng số câu",
        "Thời gian làm bài (giây)",
        "Thời gian (phút:giây)",
        "Thời điểm nộp",
        "Lượt thi thứ",
    ]


def test_winners_with_personal_data_add_phone_and_citizen_id(result, judge):
    _, ws = export(
        exports.winners_export, result=result, by=judge, include_personal=True
    )

    top = records(ws)[0]
    assert (top["Số điện thoại"], top["Số CCCD"]) == ("0912345678", "001190012345")
    assert top["Ngày sinh"] == datetime(1990, 1, 15)
    assert ws.cell(row=3, column=1).value.startswith("Danh sách đạt giải (bản có")


def test_winners_row_values_and_types(result, judge):
    _, ws = export(
        exports.winners_export, result=result, by=judge, include_personal=False
    )

    top = records(ws)[0]
    assert top["Họ và tên"] == "Nguyễn Thị Ánh Tuyết"
    assert (top["Đơn vị"], top["Cấp xã"], top["Cấp huyện"]) == (
        "Xã Tiên Dương",
        "Xã Tiên Dương",
        "Huyện Đông Anh",
    )
    assert (top["Số câu đúng"], top["Tổng số câu"]) == (5, 5)
    assert top["Thời gian làm bài (giây)"] == pytest.approx(61.234)
    assert top["Thời gian (phút:giây)"] == "01:01"
    assert top["Thời điểm nộp"] == datetime(2024, 9, 12, 10, 0)
    assert top["Lượt thi thứ"] == 1
    submitted = cells(ws, "Thời điểm nộp")[0]
    assert submitted.number_format == "dd/mm/yyyy hh:mm:ss.000"


def test_winners_title_block(result, judge):
    _, ws = export(
        exports.winners_export, result=result, by=judge, include_personal=False
    )

    title = [ws.cell(row=r, column=1).value for r in range(1, 6)]
    assert title[0] == result.round.contest.title
    assert title[1] == "Tuần thứ nhất"
    assert title[2] == "Danh sách đạt giải (Tạm thời, chờ phê duyệt)"
    assert title[3].startswith("Thời điểm xuất: ")
    assert title[4] == "Người xuất: Trần Văn Bình"
    assert ws.freeze_panes == f"A{header_row(ws) + 1}"


def test_winners_prediction_and_its_gap(closed_round, revisions, judge):
    closed_round.prediction_question = "Bao nhiêu người trả lời đúng tất cả?"
    closed_round.prediction_truth_value = 100
    closed_round.save()
    RankingRules.objects.create(
        contest=closed_round.contest, truth_kind=RankingRules.Truth.MANUAL
    )
    tier(closed_round.contest, "Giải nhất", 1, order=1)
    finished(UserFactory(), closed_round, revisions, correct=5, prediction=93)

    _, ws = export(
        exports.winners_export,
        result=compute(closed_round, judge),
        by=judge,
        include_personal=False,
    )

    top = records(ws)[0]
    assert (top["Dự đoán"], top["Chênh lệch dự đoán"]) == (93, 7)


@pytest.mark.parametrize("name", DANGEROUS_NAMES)
def test_formula_like_names_stay_text(closed_round, revisions, judge, name):
    tier(closed_round.contest, "Giải nhất", 1, order=1)
    finished(UserFactory(full_name=name), closed_round, revisions, correct=5)

    _, ws = export(
        exports.winners_export,
        result=compute(closed_round, judge),
        by=judge,
        include_personal=False,
    )

    cell = cells(ws, "Họ và tên")[0]
    assert (cell.value, cell.data_type) == (name, "s")


def test_winners_queries_do_not_grow_with_the_winners(closed_round, revisions, judge):
    tier(closed_round.contest, "Giải khuyến khích", 20, order=1)

    def queries(people: int) -> int:
        for _ in range(people):
            district = UnitFactory(level="district")
            unit = UnitFactory(level="commune", parent=district)
            finished(UserFactory(unit=unit), closed_round, revisions, correct=3)
        compute(closed_round, judge)
        result = RoundResult.objects.select_related("round__contest").get(
            round=closed_round
        )
        with CaptureQueriesContext(connection) as captured:
            export(
                exports.winners_export, result=result, by=judge, include_personal=True
            )
        return len(captured)

    assert queries(2) == queries(10)


# --- full ranking ------------------------------------------------------------------


def test_ranking_lists_everyone_with_the_skip_reason(closed_round, revisions, judge):
    tier(closed_round.contest, "Giải nhất", 1, order=1)
    finished(UserFactory(is_staff=True), closed_round, revisions, correct=5)
    finished(UserFactory(full_name="Lê Văn Hùng"), closed_round, revisions, correct=4)
    finished(UserFactory(), closed_round, revisions, correct=1)

    count, ws = export(
        exports.ranking_export, result=compute(closed_round, judge), by=judge
    )

    rows = records(ws)
    assert count == 3
    assert [(r["Hạng"], r["Giải"], r["Không xét giải vì"]) for r in rows] == [
        (1, None, "Tài khoản quản trị"),
        (2, "Giải nhất", None),
        (3, None, None),
    ]
    assert rows[1]["Họ và tên"] == "Lê Văn Hùng"
    assert isinstance(rows[0]["Thời điểm đăng ký"], datetime)
    assert {"Số lượt đã thi", "Lượt thi được tính", "Chênh lệch dự đoán"} <= set(
        headers(ws)
    )


# --- unit participation ------------------------------------------------------------


@pytest.fixture
def districts(closed_round, revisions, judge):
    """District "Huyện Lớn" (83 of its own, 100 with its communes A 10, B 2 and
    Trống 5); an approved round."""
    contest = closed_round.contest
    group = UnitGroup.objects.create(
        contest=contest, name="Cấp huyện", levels=["district"]
    )
    tier(
        contest,
        "Giải nhất tập thể",
        1,
        order=1,
        kind=PrizeTier.Kind.COLLECTIVE,
        unit_group=group,
        amount_vnd=5_000_000,
    )
    big = UnitFactory(name="Huyện Lớn", level="district", headcount=83)
    a = UnitFactory(name="Xã A", parent=big, headcount=10)
    b = UnitFactory(name="Xã B", parent=big, headcount=2)
    empty = UnitFactory(name="Xã Trống", parent=big, headcount=5)
    twice = UserFactory(unit=a)
    finished(twice, closed_round, revisions, correct=2)
    finished(twice, closed_round, revisions, correct=4)
    finished(UserFactory(unit=a), closed_round, revisions, correct=5)
    finished(UserFactory(unit=b), closed_round, revisions, correct=3)
    finished(UserFactory(unit=b), closed_round, revisions, correct=5, is_practice=True)
    services.result_approve(result=compute(closed_round, judge), actor=judge)
    return contest, {"big": big, "a": a, "b": b, "empty": empty}


def test_units_roll_participation_up_the_tree(districts, judge):
    contest, _ = districts

    count, ws = export(exports.units_export, contest=contest, by=judge)

    rows = {r["Đơn vị"]: r for r in records(ws)}
    assert count == Unit.objects.filter(is_active=True).count()
    big, a, b = rows["Huyện Lớn"], rows["Xã A"], rows["Xã B"]
    assert (big["Số người dự thi"], big["Số lượt thi"]) == (3, 4)
    assert big["Tỷ lệ tham gia (%)"] == 3
    assert (a["Số người dự thi"], a["Số lượt thi"]) == (2, 3)
    assert a["Tỷ lệ tham gia (%)"] == 20
    assert (b["Số người dự thi"], b["Số lượt thi"]) == (1, 1)
    assert a["Đơn vị cấp trên"] == "Huyện Lớn"
    assert rows["Xã Trống"]["Số người dự thi"] == 0


def test_units_show_their_own_and_their_subtree_headcount(districts, judge):
    contest, _ = districts

    _, ws = export(exports.units_export, contest=contest, by=judge)

    staff = {
        r["Đơn vị"]: (
            r["Biên chế (riêng đơn vị)"],
            r["Biên chế (cả đơn vị trực thuộc)"],
        )
        for r in records(ws)
    }
    assert staff["Huyện Lớn"] == (83, 100)
    assert staff["Xã A"] == (10, 10)
    assert "Số người dự thi thuộc đối tượng tính tỷ lệ" not in headers(ws)


def test_units_subtree_headcount_sums_every_level_below(judge):
    province = UnitFactory(name="Tỉnh", level="province", headcount=5)
    district = UnitFactory(name="Huyện", level="district", parent=province, headcount=3)
    UnitFactory(name="Xã", level="commune", parent=district, headcount=2)
    UnitFactory(name="Xã Giải Thể", parent=district, headcount=7, is_active=False)

    _, ws = export(exports.units_export, contest=RoundFactory().contest, by=judge)

    staff = {r["Đơn vị"]: r["Biên chế (cả đơn vị trực thuộc)"] for r in records(ws)}
    assert (staff["Tỉnh"], staff["Huyện"], staff["Xã"]) == (10, 5, 2)


@pytest.fixture
def citizens_make_up_for_cbccvc(closed_round, revisions):
    """A commune of 10 CBCCVC: 2 of them and 8 citizens take part."""
    commune = UnitFactory(name="Xã Phú Linh", headcount=10)
    for occupation in [User.Occupation.CIVIL_SERVANT] * 2 + [User.Occupation.OTHER] * 8:
        user = UserFactory(unit=commune, occupation=occupation)
        finished(user, closed_round, revisions, correct=3)
    return closed_round.contest


def test_units_rate_counts_only_the_contest_occupations(
    citizens_make_up_for_cbccvc, judge
):
    contest = citizens_make_up_for_cbccvc
    contest.participation_occupations = [User.Occupation.CIVIL_SERVANT]
    contest.save()

    _, ws = export(exports.units_export, contest=contest, by=judge)

    row = next(r for r in records(ws) if r["Đơn vị"] == "Xã Phú Linh")
    assert row["Số người dự thi"] == 10
    assert row["Số người dự thi thuộc đối tượng tính tỷ lệ"] == 2
    assert row["Tỷ lệ tham gia (%)"] == 20
    assert ws.cell(row=2, column=1).value == (
        "Tình hình tham gia theo đơn vị (tỷ lệ tham gia tính trên đối tượng: "
        "Cán bộ, công chức, viên chức)"
    )


def test_units_rate_without_occupations_counts_everyone(
    citizens_make_up_for_cbccvc, judge
):
    contest = citizens_make_up_for_cbccvc

    _, ws = export(exports.units_export, contest=contest, by=judge)

    row = next(r for r in records(ws) if r["Đơn vị"] == "Xã Phú Linh")
    assert (row["Số người dự thi"], row["Tỷ lệ tham gia (%)"]) == (10, 100)


def test_units_average_the_counted_score(districts, judge):
    contest, _ = districts

    _, ws = export(exports.units_export, contest=contest, by=judge)

    rows = {r["Đơn vị"]: r for r in records(ws)}
    # Counted (best) attempts: A 4/5 and 5/5, B 3/5.
    assert rows["Xã A"]["Điểm trung bình (% câu đúng)"] == 90
    assert rows["Huyện Lớn"]["Điểm trung bình (% câu đúng)"] == 80
    assert rows["Xã Trống"]["Điểm trung bình (% câu đúng)"] is None


def test_units_show_the_approved_collective_rank_and_prize(districts, judge):
    contest, _ = districts
    unit_result = services.unit_result_compute(contest=contest, actor=judge)
    services.unit_result_approve(result=unit_result, actor=judge)

    _, ws = export(exports.units_export, contest=contest, by=judge)

    big = next(r for r in records(ws) if r["Đơn vị"] == "Huyện Lớn")
    assert (big["Nhóm đơn vị"], big["Hạng tập thể"], big["Giải tập thể"]) == (
        "Cấp huyện",
        1,
        "Giải nhất tập thể",
    )
    assert big["Trị giá (đồng)"] == 5_000_000


def test_units_without_an_approved_collective_result_have_no_rank(districts, judge):
    contest, _ = districts
    services.unit_result_compute(contest=contest, actor=judge)

    _, ws = export(exports.units_export, contest=contest, by=judge)

    assert all(r["Hạng tập thể"] is None for r in records(ws))


def test_units_query_count_does_not_grow_with_the_units(closed_round, revisions, judge):
    contest = closed_round.contest
    UnitGroup.objects.create(contest=contest, name="Cấp xã", levels=["commune"])

    def queries(units: int) -> int:
        district = UnitFactory(level="district")
        for _ in range(units):
            unit = UnitFactory(parent=district)
            finished(UserFactory(unit=unit), closed_round, revisions, correct=3)
        with CaptureQueriesContext(connection) as captured:
            count, _ = export(exports.units_export, contest=contest, by=judge)
        assert count >= units
        return len(captured)

    assert queries(3) == queries(30)


# --- question statistics -----------------------------------------------------------


def test_questions_count_draws_and_correct_answers(closed_round, revisions, judge):
    # Every attempt draws revisions 0-4; answers right from the first position on.
    finished(UserFactory(), closed_round, revisions, correct=1)
    finished(UserFactory(), closed_round, revisions, correct=5)
    finished(UserFactory(), closed_round, revisions, correct=5, answered=5)
    finished(UserFactory(), closed_round, revisions, correct=0, answered=0)
    finished(UserFactory(), closed_round, revisions, correct=5, is_practice=True)

    count, ws = export(exports.questions_export, round_=closed_round, by=judge)

    rows = {r["Mã câu hỏi"]: r for r in records(ws)}
    first, second = (rows[r.question_id] for r in revisions[:2])
    assert count == 5
    assert (first["Số lần được rút"], first["Số lần trả lời"]) == (4, 3)
    assert first["Số lần trả lời đúng"] == 3
    assert first["Tỷ lệ đúng (%)"] == 75
    assert second["Số lần trả lời đúng"] == 2
    assert second["Tỷ lệ đúng (%)"] == 50
    assert first["Câu hỏi"] == Question.objects.get(pk=first["Mã câu hỏi"]).text


def test_questions_flag_nobody_and_everybody_right(closed_round, revisions, judge):
    for _ in range(2):
        finished(UserFactory(), closed_round, revisions, correct=4)

    _, ws = export(exports.questions_export, round_=closed_round, by=judge)

    notes = {r["Mã câu hỏi"]: r["Nhận xét"] for r in records(ws)}
    assert notes[revisions[0].question_id] == EVERYBODY_RIGHT
    assert notes[revisions[4].question_id] == NOBODY_RIGHT


def test_questions_mark_voided_questions(closed_round, revisions, judge):
    finished(UserFactory(), closed_round, revisions, correct=3)
    RoundVoidedQuestion.objects.create(
        round=closed_round,
        question_id=revisions[4].question_id,
        reason="Sai đáp án",
        voided_by=judge,
        voided_at=CLOSES,
    )

    _, ws = export(exports.questions_export, round_=closed_round, by=judge)

    notes = {r["Mã câu hỏi"]: r["Nhận xét"] for r in records(ws)}
    assert "Câu hỏi đã bị hủy" in notes[revisions[4].question_id]


def test_questions_of_a_contest_add_up_its_rounds(closed_round, revisions, judge):
    later = RoundFactory(
        contest=closed_round.contest,
        opens_at=vn(1, month=10),
        closes_at=vn(7, month=10),
    )
    finished(UserFactory(), closed_round, revisions, correct=5)
    finished(UserFactory(), later, revisions, correct=0)

    _, ws = export(exports.questions_export, contest=closed_round.contest, by=judge)

    top = next(r for r in records(ws) if r["Mã câu hỏi"] == revisions[0].question_id)
    assert (top["Số lần được rút"], top["Số lần trả lời đúng"]) == (2, 1)


# --- contestants -------------------------------------------------------------------


def test_contestants_list_who_took_part_with_their_details(
    closed_round, revisions, judge, commune
):
    person = UserFactory(
        full_name="Nguyễn Thị Ánh Tuyết",
        gender="female",
        email="tuyet@example.vn",
        citizen_id="001190012345",
        phone="0987654321",
        unit=commune,
    )
    finished(person, closed_round, revisions, correct=3)
    finished(person, closed_round, revisions, correct=4)
    UserFactory()  # registered, never took part
    finished(UserFactory(), closed_round, revisions, correct=5, is_practice=True)
    Attempt.objects.filter(user=person).update(submitted_at=vn(11))

    count, ws = export(
        exports.contestants_export, contest=closed_round.contest, by=judge
    )

    rows = records(ws)
    assert count == 1
    row = rows[0]
    assert row["Họ và tên"] == "Nguyễn Thị Ánh Tuyết"
    assert row["Ngày sinh"] == datetime(1990, 1, 15)
    assert (row["Giới tính"], row["Số điện thoại"]) == ("Nữ", "0987654321")
    assert (row["Email"], row["Số CCCD"]) == ("tuyet@example.vn", "001190012345")
    assert row["Đối tượng"] == "Cán bộ, công chức, viên chức"
    assert (row["Cấp xã"], row["Cấp huyện"]) == ("Xã Tiên Dương", "Huyện Đông Anh")
    assert isinstance(row["Thời điểm đăng ký"], datetime)
    assert row["Số lượt thi"] == 2


# --- question bank -----------------------------------------------------------------


def test_bank_headers_are_the_import_format_on_the_first_row(bank, judge):
    buffer = io.BytesIO()

    exports.bank_export(target=buffer, by=judge)

    ws = load_workbook(buffer).worksheets[0]
    assert [c.value for c in ws[1]] == [
        "Chủ đề",
        "Câu hỏi",
        "Phương án A",
        "Phương án B",
        "Phương án C",
        "Phương án D",
        "Phương án E",
        "Phương án F",
        "Đáp án đúng",
        "Giải thích",
        "Đang sử dụng",
    ]


def test_bank_reads_back_as_the_questions(judge):
    topic = TopicFactory(name="Luật Giao thông")
    make_question(topic=topic, n=1, choices=6, correct=5)
    odd = make_question(topic=topic, n=2, choices=2, correct=0)
    Question.objects.filter(pk=odd.pk).update(
        text="=1+1 là bao nhiêu?", explanation="", is_active=False
    )
    buffer = io.BytesIO()

    count = exports.bank_export(target=buffer, by=judge)

    ws = load_workbook(buffer).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert count == 2
    assert rows == [
        [
            "Luật Giao thông",
            "Câu hỏi số 1 thuộc Luật Giao thông?",
            *[f"Phương án 1-{i}" for i in range(6)],
            "F",
            "Giải thích 1",
            "Có",
        ],
        [
            "Luật Giao thông",
            "=1+1 là bao nhiêu?",
            "Phương án 2-0",
            "Phương án 2-1",
            None,
            None,
            None,
            None,
            "A",
            None,
            "Không",
        ],
    ]
    assert ws["B3"].data_type == "s"


def test_bank_matches_every_question_of_the_bank(bank, judge):
    buffer = io.BytesIO()

    count = exports.bank_export(target=buffer, by=judge)

    ws = load_workbook(buffer).worksheets[0]
    exported = {
        (row[1], "ABCDEF".index(row[8]))
        for row in ws.iter_rows(min_row=2, values_only=True)
    }
    expected = {
        (q.text, [c.is_correct for c in q.choices.order_by("order", "id")].index(True))
        for q in Question.objects.all()
    }
    assert count == 20
    assert exported == expected


def test_bank_title_goes_to_a_second_sheet(bank, judge):
    buffer = io.BytesIO()

    exports.bank_export(target=buffer, by=judge)

    info = load_workbook(buffer)["Thông tin"]
    assert info["A1"].value == "Ngân hàng câu hỏi"
    assert info["A3"].value == "Người xuất: Trần Văn Bình"
