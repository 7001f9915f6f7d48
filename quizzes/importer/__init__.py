"""The question bank's spreadsheet format: read, preview (`parse`), import (`apply`).

A row names an existing topic, the question, two to six choices A-F and the letter
of the correct one. A question already exists when its topic holds a question with
the same text (NFC, case-insensitive): it is updated, its choices replaced and a new
revision published, so attempts keep the revision they drew. Importing the same
file twice changes nothing the second time.

The template's example row is skipped while it is still exactly the example, and a
row that kept its mark but was edited is refused (quizzes.import_template decides).
`preview` gives what the admin's preview shows beside the plan: each question's
choices with the correct one marked, the reason when no single correct one can be
told, and the example rows skipped.

`length_warnings` (the preview) and `bank_length_warnings` (the bank's list) tell
authors when a topic's correct answers stand out by being the longest choice: a
warning, never an error, decided by quizzes.answer_bias over active questions.

One module per subject: columns, rows (one row read), plan (read, parse, apply),
preview, length_warnings, template; the public names are here.
"""

from quizzes.importer.columns import (
    ACTIVE,
    CHOICES,
    CORRECT,
    EXPLANATION,
    HEADERS,
    LETTERS,
    MAX_ROWS,
    REQUIRED,
    TEXT,
    TOPIC,
)
from quizzes.importer.length_warnings import bank_length_warnings, length_warnings
from quizzes.importer.plan import apply, parse, read
from quizzes.importer.preview import (
    ChoicePreview,
    ImportPreview,
    QuestionPreview,
    preview,
)
from quizzes.importer.template import template

__all__ = [
    "ACTIVE",
    "CHOICES",
    "CORRECT",
    "EXPLANATION",
    "HEADERS",
    "LETTERS",
    "MAX_ROWS",
    "REQUIRED",
    "TEXT",
    "TOPIC",
    "ChoicePreview",
    "ImportPreview",
    "QuestionPreview",
    "apply",
    "bank_length_warnings",
    "length_warnings",
    "parse",
    "preview",
    "read",
    "template",
]
