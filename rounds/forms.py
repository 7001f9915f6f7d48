import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_PREDICTION = 10**12
_WHOLE_NUMBER = re.compile(r"\d{1,13}")
# Answers are q<position>; any other field the client adds is ignored.
_ANSWER_FIELD = re.compile(r"q\d+")


def parse_prediction(raw: str | None) -> int | None:
    """A whole number >= 0 from what the contestant typed; None when blank.

    Grouped digits ("1.000", "1 000") are read as the thousands a Vietnamese
    reader means; full-width digits are accepted; anything else is refused.
    """
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return None
    digits = re.sub(r"(?<=\d)[.\s](?=\d{3}(\D|$))", "", text)
    if not _WHOLE_NUMBER.fullmatch(digits) or int(digits) > MAX_PREDICTION:
        raise forms.ValidationError(
            _("Dự đoán phải là một số nguyên không âm, ví dụ 1250."),
            code="invalid_prediction",
        )
    return int(digits)


class SubmitForm(forms.Form):
    """The attempt page's one form: q<position> = shown choice index, plus prediction."""

    prediction = forms.CharField(required=False, max_length=40)

    def __init__(self, *args: Any, question_count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question_count = question_count

    def clean_prediction(self) -> int | None:
        return parse_prediction(self.cleaned_data.get("prediction"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        answers, malformed = _read_answers(self.data, self.question_count)
        if malformed:
            raise forms.ValidationError(
                _("Phương án trả lời không hợp lệ."), code="invalid_choice"
            )
        cleaned["answers"] = answers
        return cleaned

    def posted_answers(self) -> dict[int, int]:
        """The well-formed answers of the post, even when the form is refused, so a
        refused page can show them ticked again; malformed ones are dropped."""
        return _read_answers(self.data, self.question_count)[0]


def _read_answers(data: Any, question_count: int) -> tuple[dict[int, int], bool]:
    """(position -> shown choice for each well-formed answer, was any malformed)."""
    answers: dict[int, int] = {}
    malformed = False
    for key in data:
        if not _ANSWER_FIELD.fullmatch(key):
            continue
        values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
        position = _small_int(key[1:])
        shown = _small_int(values[-1]) if len(values) == 1 else None
        if position is None or shown is None or position >= question_count:
            malformed = True
        else:
            answers[position] = shown
    return answers, malformed


def _small_int(value: str) -> int | None:
    return (
        int(value) if value.isascii() and value.isdigit() and len(value) <= 3 else None
    )


@dataclass(frozen=True, slots=True)
class SaveData:
    """One click saved by the page's script: a position and a choice, or the prediction."""

    seq: int
    position: int | None
    choice: int | None
    prediction: int | None


# The whole numbers a save sends, and their largest values.
_SAVE_NUMBERS = {"seq": 2**31 - 1, "position": 999, "choice": 25}
_SAVE_NUMBER = re.compile(r"\s*\d{1,10}\s*")
_PREDICTION_MAX_CHARS = 40


def parse_save(data: Mapping[str, str]) -> SaveData | None:
    """The save's fields, or None when any is malformed: a number out of range or not
    a whole number, a position without a choice (or the reverse), no sequence number,
    a prediction that is not a whole number >= 0. A plain function rather than a
    form: a save is 30 of an attempt's 35 requests, and a form's set-up costs more
    than the statement that saves."""
    numbers: dict[str, int | None] = {}
    for name, largest in _SAVE_NUMBERS.items():
        raw = data.get(name) or ""
        if not raw.strip():
            numbers[name] = None
        elif _SAVE_NUMBER.fullmatch(raw) and int(raw) <= largest:
            numbers[name] = int(raw)
        else:
            return None
    if numbers["seq"] is None or (numbers["position"] is None) != (
        numbers["choice"] is None
    ):
        return None
    raw_prediction = data.get("prediction") or ""
    if len(raw_prediction) > _PREDICTION_MAX_CHARS:
        return None
    try:
        prediction = parse_prediction(raw_prediction)
    except forms.ValidationError:
        return None
    return SaveData(
        seq=numbers["seq"],
        position=numbers["position"],
        choice=numbers["choice"],
        prediction=prediction,
    )
