"""Lists an official prints, signs and files: the winners of a round and the units
awarded collective prizes, as .xlsx set up for printing and as PDF.

Both files carry the same paper (reports.printed.lists builds it): the official
header, the title, the table, the date line and signature blocks the contest sets,
and for an approved list its checksum, the full address where anyone can check it
and a QR code of that address. These lists are short (a round's prizes), so the
workbook is written with openpyxl, which sets up printing and embeds the QR image;
the long exports stay with our own streaming writer (reports.xlsx). The full
ranking, which can run to 100,000 rows and more, prints through reports.printed.
long_pdf, a PDF written page by page with flat memory.
"""

from reports.printed.lists import (
    ranking_pdf_inline_max_rows,
    round_ranking_paper,
    round_winners_paper,
    unit_winners_paper,
)
from reports.printed.long_pdf import long_paper_pdf, ranking_pdf
from reports.printed.pdf import paper_pdf
from reports.printed.workbook import paper_xlsx

__all__ = [
    "long_paper_pdf",
    "paper_pdf",
    "paper_xlsx",
    "ranking_pdf",
    "ranking_pdf_inline_max_rows",
    "round_ranking_paper",
    "round_winners_paper",
    "unit_winners_paper",
]
