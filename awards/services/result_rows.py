"""A result's ranked rows, written by the database in one INSERT ... SELECT."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import F

from accounts.models import Unit, User
from awards.models import ResultRow, RoundResult
from awards.selectors import ranking_order_sql, round_counted_attempts
from rounds.models import Round


def result_rows_clear(result: RoundResult) -> None:
    """Delete a provisional result's rows in one statement. A row with a certificate
    (approved results only) is still refused by the database's foreign key."""
    table = connection.ops.quote_name(ResultRow._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE result_id = %s", [result.pk])


def _group_case(groups: list, values: list, default) -> tuple[str, list]:
    """SQL choosing, from the ranked row's occupation, the value of the first group
    that lists it (the order of `groups`), else `default`."""
    parts, params = [], []
    for group, value in zip(groups, values, strict=True):
        occupations = list(group.occupations or [])
        if not occupations:
            continue
        marks = ", ".join(["%s"] * len(occupations))
        parts.append(f'WHEN r."user__occupation" IN ({marks}) THEN %s')
        params += [*occupations, value]
    if not parts:
        return "%s", [default]
    return f"CASE {' '.join(parts)} ELSE %s END", [*params, default]


@dataclass(frozen=True, slots=True)
class Written:
    rows: int
    perfect: int  # the rows with every answer correct


def result_rows_insert_ranked(
    result: RoundResult,
    *,
    round_: Round,
    order: tuple[str, ...],
    policy: str,
    truth: int | None,
    groups: list,
) -> Written:
    """Write one row per ranked person with a single INSERT ... SELECT: the database
    picks each person's counted attempt, numbers the ranking overall and within each
    contestant group, and copies the keys. Prizes, reasons and qualification are
    written afterwards by awards.services.prizes. Returns how many rows were written
    and how many of them have every answer correct."""
    source = round_counted_attempts(
        round_=round_, order=order, policy=policy, truth=truth
    )
    source_sql, source_params = source.query.sql_with_params()
    ranked = ranking_order_sql(order, has_truth=truth is not None, alias="r")
    group_name, name_params = _group_case(groups, [g.name for g in groups], "")
    if groups:
        group_key, key_params = _group_case(groups, list(range(len(groups))), -1)
        rank_in_group = (
            f"ROW_NUMBER() OVER (PARTITION BY {group_key} ORDER BY {ranked})"
        )
    else:
        # The same window as the rank: the database numbers the rows once.
        rank_in_group, key_params = f"ROW_NUMBER() OVER (ORDER BY {ranked})", []
    columns = [
        "result_id",
        "rank",
        "group_name",
        "rank_in_group",
        "user_id",
        "attempt_id",
        "attempt_number",
        "full_name",
        "unit_id",
        "unit_name",
        "correct",
        "question_count",
        "prediction",
        "prediction_gap",
        "duration_ms",
        "submitted_at",
        "attempts_used",
        "registered_at",
        "prize_tier_id",
        "prize_name",
        "prize_amount_vnd",
        "skip_reason",
        "qualified",
        "search_text",
        "share_token",
    ]
    quote = connection.ops.quote_name
    user, unit = User._meta, Unit._meta

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    # The folded names are copied, not folded here: accounts.services keeps them.
    # 128 random bits per row for its share page, as awards.models.new_share_token.
    share_token = {
        "postgresql": "replace(gen_random_uuid()::text, '-', '')",
        "sqlite": "lower(hex(randomblob(16)))",
    }[connection.vendor]
    # The people are joined to the ~300,000 picked attempts, not to all of them.
    people = f"""
        SELECT c.*,
            u.{column(user, "date_joined")} AS "user__date_joined",
            u.{column(user, "full_name")} AS "user__full_name",
            u.{column(user, "occupation")} AS "user__occupation",
            u.{column(user, "unit")} AS "user__unit_id",
            n.{column(unit, "name")} AS "user__unit__name",
            u.{column(user, "search_name")} AS "user__search_name",
            n.{column(unit, "search_name")} AS "user__unit__search_name"
        FROM ({source_sql}) c
        INNER JOIN {quote(user.db_table)} u ON u.{column(user, "id")} = c."user_id"
        LEFT OUTER JOIN {quote(unit.db_table)} n
            ON n.{column(unit, "id")} = u.{column(user, "unit")}
    """
    sql = f"""
        INSERT INTO {quote(ResultRow._meta.db_table)}
            ({", ".join(quote(c) for c in columns)})
        SELECT %s,
            ROW_NUMBER() OVER (ORDER BY {ranked}),
            {group_name},
            {rank_in_group},
            r."user_id", r."pk", r."number", r."user__full_name", r."user__unit_id",
            COALESCE(r."user__unit__name", ''), r."correct_count", r."question_count",
            r."prediction", r."gap", r."duration_ms", r."submitted_at",
            r."attempts_used", r."user__date_joined",
            NULL, '', 0, '', %s,
            TRIM(r."user__search_name" || ' ' || COALESCE(r."user__unit__search_name", '')),
            {share_token}
        FROM ({people}) r
    """
    params = [result.pk, *name_params, *key_params, False, *source_params]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The written rows counted as they are written, not read again.
            cursor.execute(
                f"""WITH written AS ({sql} RETURNING "correct", "question_count")
                SELECT COUNT(*), COUNT(*) FILTER (WHERE "correct" = "question_count")
                FROM written""",
                params,
            )
            rows, perfect = cursor.fetchone()
            return Written(rows=rows, perfect=perfect)
        cursor.execute(sql, params)
        rows = cursor.rowcount
    perfect = result.rows.filter(correct=F("question_count")).count()
    return Written(rows=rows, perfect=perfect)
