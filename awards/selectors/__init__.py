"""Reads of the awards app, one module per subject; the public names are here.

- ranking: the ranking in the database, its statistics, the live top;
- results: a computed result's rows, tiers and winners, as the pages read them,
  the public search and share page, and where one contestant stands;
- rules: a contest's ranking rules, and the rules in words.
"""

from awards.selectors.ranking import (
    COUNTED_FIELDS,
    LEADERBOARD_KEEP_SECONDS,
    LEADERBOARD_LOCK_SECONDS,
    LEADERBOARD_SECONDS,
    LEADERBOARD_SIZE,
    RANK_KEY_COLUMNS,
    RANKING_FIELDS,
    RoundStats,
    counted_attempt_of,
    leaderboard_top,
    ranking_order_sql,
    round_counted_attempts,
    round_ranking_rows,
    round_stats,
)
from awards.selectors.result_page import (
    RoundRanking,
    attempt_get_own_ranked,
    round_ranking_get,
)
from awards.selectors.results import (
    PRIZE_WALK_FIELDS,
    PUBLIC_ROW_FIELDS,
    SEARCH_MAX_CHARS,
    disqualified_user_ids,
    individual_tiers,
    other_weekly_winner_ids,
    result_get_published,
    result_row_of_user,
    result_row_shared,
    result_rows_public,
    result_rows_walk,
    result_search_words,
    result_standings_of_user,
    revoked_results,
    unit_result_get_published,
)
from awards.selectors.rules import (
    contest_rules_in_words,
    ranking_rules_get,
    result_rules_in_words,
    unit_result_rules_in_words,
)

__all__ = [
    "COUNTED_FIELDS",
    "LEADERBOARD_KEEP_SECONDS",
    "LEADERBOARD_LOCK_SECONDS",
    "LEADERBOARD_SECONDS",
    "LEADERBOARD_SIZE",
    "PRIZE_WALK_FIELDS",
    "PUBLIC_ROW_FIELDS",
    "RANKING_FIELDS",
    "RANK_KEY_COLUMNS",
    "SEARCH_MAX_CHARS",
    "RoundRanking",
    "RoundStats",
    "attempt_get_own_ranked",
    "contest_rules_in_words",
    "counted_attempt_of",
    "disqualified_user_ids",
    "individual_tiers",
    "leaderboard_top",
    "other_weekly_winner_ids",
    "ranking_order_sql",
    "ranking_rules_get",
    "result_get_published",
    "result_row_of_user",
    "result_row_shared",
    "result_rows_public",
    "result_rows_walk",
    "result_rules_in_words",
    "result_search_words",
    "result_standings_of_user",
    "revoked_results",
    "round_counted_attempts",
    "round_ranking_get",
    "round_ranking_rows",
    "round_stats",
    "unit_result_get_published",
    "unit_result_rules_in_words",
]
