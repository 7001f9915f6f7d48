"""The committee's Excel lists, streamed from queries into reports.xlsx sheets.

Each export takes the objects, a target (a path or binary file) and who asked,
writes one workbook and returns the number of data rows. Rows come from querysets
read with .iterator(), so memory stays flat however long the list; what every row
needs (unit names, revisions) is read once up front, never once per row.
"""

from reports.exports.common import BANK_HEADERS, LETTERS, NO, YES
from reports.exports.participation import units_export
from reports.exports.people import bank_export, contestants_export
from reports.exports.questions import questions_export
from reports.exports.results import ranking_export, winners_export

__all__ = [
    "BANK_HEADERS",
    "LETTERS",
    "NO",
    "YES",
    "bank_export",
    "contestants_export",
    "questions_export",
    "ranking_export",
    "units_export",
    "winners_export",
]
