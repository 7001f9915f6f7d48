"""The question file's columns and how many rows one file may hold."""

from quizzes.models import MAX_CHOICES, MIN_CHOICES

LETTERS = "ABCDEF"[:MAX_CHOICES]
TOPIC = "Chủ đề"
TEXT = "Câu hỏi"
CHOICES = tuple(f"Phương án {letter}" for letter in LETTERS)
CORRECT = "Đáp án đúng"
EXPLANATION = "Giải thích"
ACTIVE = "Đang sử dụng"
# Each row costs about a dozen queries through the services (~7 ms on PostgreSQL):
# 3,000 rows stay well inside one request and gunicorn's 30 s worker timeout.
MAX_ROWS = 3000
HEADERS = (TOPIC, TEXT, *CHOICES, CORRECT, EXPLANATION, ACTIVE)
REQUIRED = (TOPIC, TEXT, *CHOICES[:MIN_CHOICES], CORRECT)
# Topics named in a refusal and in the template's notes.
TOPICS_LISTED = 15
