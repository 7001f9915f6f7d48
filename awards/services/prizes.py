"""Prizes handed out down a stored ranking, and the qualifiers of a qualifying round."""

from accounts.models import Unit
from awards import allocation, qualification
from awards.eligibility_reasons import NO_GROUP
from awards.models import PrizeTier, ResultRow, RoundResult
from awards.selectors import result_rows_walk


def _walk_until_given(rows, *, prizes: int, blocked) -> list[tuple[dict, str | None]]:
    """The top of a ranking as far as its prizes reach: every row up to and
    including the one that takes the last prize, with its blocking reason. Past it,
    allocation gives nothing and records no reason, as the rows already say."""
    walked: list[tuple[dict, str | None]] = []
    given = 0
    try:
        for row in rows:
            if given >= prizes:
                break
            reason = blocked(row)
            walked.append((row, reason))
            if reason is None:
                given += 1  # one row per person: nobody can take two prizes here
    finally:
        rows.close()
    return walked


def prizes_write(result: RoundResult, *, groups, tiers, blocked) -> None:
    """Hand out each contestant group's tiers (or everyone's, without groups) down
    the stored ranking, and record why the people passed over were skipped."""
    changed: list[ResultRow] = []
    if groups:
        pools = [
            (group.name, [t for t in tiers if t.contestant_group_id == group.pk])
            for group in groups
        ]
    else:
        pools = [(None, [t for t in tiers if t.contestant_group_id is None])]
    tier_by_id = {t.pk: t for t in tiers}
    for group_name, pool_tiers in pools:
        prizes = sum(t.count for t in pool_tiers)
        if not prizes:
            continue
        walked = _walk_until_given(
            result_rows_walk(result=result, group_name=group_name),
            prizes=prizes,
            blocked=blocked,
        )
        awards = allocation.allocate(
            [allocation.Candidate(row["user_id"], reason) for row, reason in walked],
            [allocation.Tier(tier_id=t.pk, count=t.count) for t in pool_tiers],
        )
        for (row, _reason), award in zip(walked, awards, strict=True):
            tier = tier_by_id.get(award.tier_id) if award.tier_id else None
            if tier or award.skipped_because:
                changed.append(_row_award(row["pk"], tier, award.skipped_because))
    if groups:
        # Outside every contestant group: ranked, never awarded, and said why.
        rows = result_rows_walk(result=result, group_name="")
        changed += [
            _row_award(row["pk"], None, blocked(row) or NO_GROUP) for row in rows
        ]
    ResultRow.objects.bulk_update(
        changed,
        ["prize_tier", "prize_name", "prize_amount_vnd", "skip_reason"],
        batch_size=1000,
    )


def _row_award(pk: int, tier: PrizeTier | None, reason: str | None) -> ResultRow:
    return ResultRow(
        pk=pk,
        prize_tier=tier,
        prize_name=tier.name if tier else "",
        prize_amount_vnd=tier.amount_vnd if tier else 0,
        skip_reason=reason or "",
    )


def qualified_write(
    result: RoundResult, *, per_unit: int, levels: list[str], blocked
) -> None:
    """Mark who reaches the final: the top `per_unit` eligible people of each unit
    at the chosen levels, sub-units included (awards.qualification)."""
    level_of = dict(Unit.objects.values_list("pk", "level")) if levels else {}
    pk_of: dict[int, int] = {}

    def ranked():
        # Streamed: a round of 300,000 people is walked, not held in memory.
        for row in result_rows_walk(result=result):
            pk_of[row["user_id"]] = row["pk"]
            yield qualification.Ranked(
                person_id=row["user_id"],
                unit_path_ids=tuple(
                    int(p) for p in (row["user__unit__path"] or "").split("/") if p
                ),
                eligible=blocked(row) is None,
            )

    chosen = qualification.qualifiers(
        ranked(), per_unit=per_unit, levels=levels, level_of=level_of
    )
    pks = [pk_of[person] for person in chosen]
    for start in range(0, len(pks), 1000):
        ResultRow.objects.filter(pk__in=pks[start : start + 1000]).update(
            qualified=True
        )
