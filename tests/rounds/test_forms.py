import pytest
from django import forms

from rounds.forms import SaveData, parse_prediction, parse_save


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("1250", 1250, id="plain"),
        pytest.param("1.250", 1250, id="dot-grouped-thousands"),
        pytest.param("1 250", 1250, id="space-grouped-thousands"),
        pytest.param("１２５０", 1250, id="full-width-digits"),
        pytest.param("  7 ", 7, id="surrounding-spaces"),
        pytest.param("0", 0, id="zero"),
        pytest.param("", None, id="blank"),
        pytest.param("   ", None, id="only-spaces"),
        pytest.param(None, None, id="missing"),
    ],
)
def test_a_prediction_is_read_as_a_whole_number(raw, expected):
    value = parse_prediction(raw)

    assert value == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("-1", id="negative"),
        pytest.param("1e3", id="exponent"),
        pytest.param("abc", id="letters"),
        pytest.param("NaN", id="not-a-number"),
        pytest.param("1,5", id="decimal-comma"),
        pytest.param("1.5", id="decimal-dot"),
        pytest.param("99999999999999", id="too-large"),
    ],
)
def test_a_prediction_that_is_not_a_whole_number_is_refused(raw):
    with pytest.raises(forms.ValidationError) as error:
        parse_prediction(raw)

    assert error.value.code == "invalid_prediction"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"seq": "3", "position": "0", "choice": "2"}, SaveData(3, 0, 2, None)),
        ({"seq": " 7 ", "position": "29", "choice": "0"}, SaveData(7, 29, 0, None)),
        ({"seq": "4", "prediction": "1.250"}, SaveData(4, None, None, 1250)),
        # A prediction cleared: blank fields are absent ones, as the form read them.
        (
            {"seq": "4", "position": "", "choice": "", "prediction": ""},
            SaveData(4, None, None, None),
        ),
        ({"seq": "", "position": "0", "choice": "1"}, None),
        ({"position": "0", "choice": "1"}, None),
        ({"seq": "1", "position": "0"}, None),
        ({"seq": "1", "choice": "1"}, None),
        ({"seq": "-1", "position": "0", "choice": "1"}, None),
        ({"seq": "2147483648", "position": "0", "choice": "1"}, None),
        ({"seq": "1", "position": "1000", "choice": "1"}, None),
        ({"seq": "1", "position": "0", "choice": "26"}, None),
        ({"seq": "1.5", "position": "0", "choice": "1"}, None),
        ({"seq": "1", "position": "0\x00", "choice": "1"}, None),
        ({"seq": "1", "prediction": "abc"}, None),
        ({"seq": "1", "prediction": "1" * 41}, None),
    ],
)
def test_a_save_is_read_or_refused_whole(data, expected):
    assert parse_save(data) == expected
