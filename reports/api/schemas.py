"""What the API answers. Field names are English; each description is Vietnamese,
for the people who connect another system and read the OpenAPI document."""

from datetime import date, datetime

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str = Field(description="Thông báo lỗi bằng tiếng Việt.")
    code: str = Field(description="Mã lỗi cố định, để chương trình xử lý.")


class InvalidOut(ErrorOut):
    fields: list[str] = Field(
        description="Các tham số không hợp lệ, ví dụ “query.limit”, “path.round_id”."
    )


class RateLimitedOut(ErrorOut):
    retry_after: int = Field(description="Số giây cần chờ trước khi gọi lại.")


class RoundOut(Schema):
    id: int = Field(description="Mã tuần thi (vòng thi).")
    contest_id: int = Field(description="Mã cuộc thi.")
    name: str = Field(description="Tên tuần thi.")
    stage: str = Field(
        description="Loại vòng thi: regular (tuần thi thường), qualifying (vòng "
        "loại), final (vòng chung kết)."
    )
    opens_at: datetime = Field(description="Thời gian mở (ISO 8601, có múi giờ).")
    closes_at: datetime = Field(description="Thời gian đóng (ISO 8601, có múi giờ).")
    status: str = Field(
        description="Tình trạng lúc trả lời: upcoming (sắp mở), open (đang mở), "
        "closed (đã đóng)."
    )
    question_count: int = Field(description="Số câu hỏi mỗi bài thi.")
    time_limit_seconds: int = Field(description="Thời gian làm bài tối đa (giây).")
    max_attempts: int = Field(description="Số lượt thi tối đa; 0 là không giới hạn.")
    has_prediction: bool = Field(description="Có câu hỏi dự đoán hay không.")
    result_approved: bool = Field(
        description="Kết quả của tuần thi đã được phê duyệt và công bố hay chưa."
    )
    page_url: str = Field(description="Trang kết quả công khai trên cổng thi.")


class ContestOut(Schema):
    id: int = Field(description="Mã cuộc thi.")
    slug: str = Field(description="Đường dẫn ngắn của cuộc thi trên cổng thi.")
    title: str = Field(description="Tên cuộc thi.")
    organizer_name: str = Field(description="Cơ quan tổ chức.")
    summary: str = Field(description="Giới thiệu ngắn.")
    page_url: str = Field(description="Trang giới thiệu cuộc thi trên cổng thi.")


class ContestDetailOut(ContestOut):
    rules: str = Field(description="Thể lệ cuộc thi (văn bản).")
    rounds: list[RoundOut] = Field(description="Các tuần thi, theo thời gian mở.")


class UnitOut(Schema):
    id: int = Field(description="Mã đơn vị.")
    code: str = Field(description="Mã đơn vị do Ban Tổ chức đặt.")
    name: str = Field(description="Tên đơn vị.")
    level: str = Field(
        description="Cấp: province, district, commune, provincial_department, "
        "district_department, other."
    )
    parent_id: int | None = Field(description="Mã đơn vị cấp trên; null nếu là gốc.")


class RevokedOut(Schema):
    version: int = Field(description="Phiên bản danh sách đã bị thu hồi.")
    revoked_at: datetime = Field(description="Thời điểm thu hồi.")
    reason: str = Field(description="Lý do thu hồi.")


class ResultMetaOut(Schema):
    round_id: int = Field(description="Mã tuần thi.")
    version: int = Field(
        description="Phiên bản danh sách đang có hiệu lực (tăng sau mỗi lần thu hồi)."
    )
    approved_at: datetime = Field(description="Thời điểm phê duyệt.")
    checksum: str = Field(
        description="Mã kiểm tra SHA-256 in trên danh sách, để đối chiếu bản giấy."
    )
    participants: int = Field(description="Số người dự thi.")
    attempts: int = Field(description="Số lượt thi.")
    perfect_people: int = Field(description="Số người trả lời đúng tất cả các câu.")
    prediction_truth: int | None = Field(
        description="Đáp án câu hỏi dự đoán; null nếu tuần thi không có."
    )
    revoked: list[RevokedOut] = Field(
        description="Các phiên bản trước đã bị thu hồi, cũ trước."
    )
    count: int = Field(description="Tổng số dòng của danh sách.")
    offset: int = Field(description="Vị trí dòng đầu tiên của trang này.")
    limit: int = Field(description="Số dòng tối đa của một trang.")


class PublicRowOut(Schema):
    rank: int = Field(description="Hạng.")
    group_name: str = Field(description="Nhóm thí sinh; rỗng nếu không chia nhóm.")
    prize_name: str = Field(description="Giải đạt được; rỗng nếu không đạt giải.")
    full_name: str = Field(description="Họ và tên.")
    unit_name: str = Field(description="Đơn vị.")
    correct: int = Field(description="Số câu trả lời đúng.")
    question_count: int = Field(description="Tổng số câu.")
    prediction: int | None = Field(description="Số dự đoán; null nếu không có.")
    duration_ms: int = Field(description="Thời gian làm bài (mili giây).")


class RoundResultOut(ResultMetaOut):
    items: list[PublicRowOut] = Field(description="Các dòng của trang, theo hạng.")


class PersonalRowOut(PublicRowOut):
    rank_in_group: int = Field(description="Hạng trong nhóm thí sinh.")
    prize_amount_vnd: int = Field(description="Trị giá giải (đồng).")
    user_id: int = Field(description="Mã tài khoản của thí sinh.")
    date_of_birth: date | None = Field(description="Ngày sinh.")
    phone: str = Field(description="Số điện thoại.")
    email: str | None = Field(description="Email.")
    citizen_id: str | None = Field(description="Số căn cước công dân (CCCD).")
    unit_id: int | None = Field(description="Mã đơn vị.")
    submitted_at: datetime = Field(description="Thời điểm nộp bài được tính.")
    attempt_number: int = Field(description="Bài được tính là lượt thi thứ mấy.")


class PersonalResultOut(ResultMetaOut):
    items: list[PersonalRowOut] = Field(
        description="Các dòng của trang, theo hạng; chỉ thí sinh thuộc các đơn vị "
        "mã truy cập được xem."
    )


class UnitResultRowOut(Schema):
    group_name: str = Field(description="Nhóm đơn vị, ví dụ “Cấp xã”.")
    rank: int = Field(description="Hạng trong nhóm đơn vị.")
    unit_id: int = Field(description="Mã đơn vị.")
    unit_name: str = Field(description="Tên đơn vị.")
    participants: int = Field(description="Số người dự thi.")
    headcount: int = Field(description="Số biên chế được tính.")
    rate_percent: float = Field(description="Tỷ lệ tham gia (%).")
    prize_name: str = Field(description="Giải tập thể; rỗng nếu không đạt giải.")


class UnitResultOut(Schema):
    contest_id: int = Field(description="Mã cuộc thi.")
    approved_at: datetime = Field(description="Thời điểm phê duyệt.")
    checksum: str = Field(description="Mã kiểm tra SHA-256 của kết quả.")
    items: list[UnitResultRowOut] = Field(
        description="Các đơn vị được xếp hạng, theo nhóm rồi theo hạng."
    )


class UnitParticipationOut(Schema):
    unit_id: int = Field(description="Mã đơn vị.")
    name: str = Field(description="Tên đơn vị.")
    level: str = Field(description="Cấp đơn vị.")
    own_headcount: int = Field(description="Biên chế riêng của đơn vị.")
    headcount: int = Field(description="Biên chế gồm cả các đơn vị trực thuộc.")
    participants: int = Field(
        description="Số người dự thi của đơn vị và các đơn vị trực thuộc."
    )
    rate_participants: int = Field(
        description="Trong số đó, số người thuộc đối tượng tính tỷ lệ."
    )
    rate_percent: float = Field(description="Tỷ lệ tham gia (%).")
    below_target: bool = Field(description="Dưới chỉ tiêu tỷ lệ tham gia.")


class ParticipationOut(Schema):
    contest_id: int = Field(description="Mã cuộc thi.")
    round_id: int | None = Field(
        description="Mã tuần thi nếu chỉ tính một tuần; null là cả cuộc thi."
    )
    target_percent: int = Field(description="Chỉ tiêu tỷ lệ tham gia (%).")
    participants: int = Field(
        description="Số người dự thi trong các đơn vị mã truy cập được xem."
    )
    attempts: int = Field(description="Số lượt thi trong các đơn vị đó.")
    units: list[UnitParticipationOut] = Field(
        description="Từng đơn vị được xem, kể cả đơn vị trực thuộc."
    )
