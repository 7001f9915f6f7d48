"""A list of choices stored as JSON and edited as choices, never as JSON text.

Organizers pick criteria, levels and occupations from Vietnamese labels: ticked
boxes where the order does not matter, numbered drop-downs where it does.
"""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

Choices = Sequence[tuple[str, Any]]


class OrderedChoicesWidget(forms.MultiWidget):
    """One drop-down per position, first to last, each named by its position."""

    def __init__(self, choices: Choices, size: int, attrs=None) -> None:
        options = [("", "—"), *choices]
        super().__init__(
            [
                forms.Select(
                    choices=options,
                    attrs={"aria-label": _("Thứ %(n)d") % {"n": n}, "title": n},
                )
                for n in range(1, size + 1)
            ],
            attrs,
        )

    def decompress(self, value) -> list:
        value = list(value or [])
        return value + [""] * (len(self.widgets) - len(value))


class OrderedChoicesField(forms.MultiValueField):
    """An ordered list of distinct choices; empty positions are skipped."""

    def __init__(self, *, choices: Choices, required: bool = True, **kwargs) -> None:
        self.item_choices = list(choices)
        size = len(self.item_choices)
        fields = [
            forms.ChoiceField(choices=[("", "—"), *self.item_choices], required=False)
            for _ in range(size)
        ]
        kwargs.pop("max_length", None)
        super().__init__(
            fields=fields,
            widget=OrderedChoicesWidget(self.item_choices, size),
            require_all_fields=False,
            required=required,
            **kwargs,
        )

    def compress(self, data_list) -> list[str]:
        chosen = [value for value in data_list or [] if value]
        if len(set(chosen)) != len(chosen):
            raise ValidationError(
                _("Mỗi lựa chọn chỉ được chọn một lần."), code="repeated_choice"
            )
        return chosen


class ChoiceListField(models.JSONField):
    """A JSON list whose items are codes from `item_choices`, validated as such."""

    def __init__(
        self, *args, item_choices: Choices = (), ordered: bool = False, **kwargs
    ) -> None:
        self.item_choices = list(item_choices)
        self.ordered = ordered
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["item_choices"] = [
            (code, str(label)) for code, label in self.item_choices
        ]
        if self.ordered:
            kwargs["ordered"] = True
        return name, path, args, kwargs

    def validate(self, value, model_instance) -> None:
        super().validate(value, model_instance)
        known = {code for code, _label in self.item_choices}
        if not isinstance(value, list) or not set(value) <= known:
            raise ValidationError(_("Lựa chọn không hợp lệ."), code="invalid_choice")
        if len(set(value)) != len(value):
            raise ValidationError(
                _("Mỗi lựa chọn chỉ được chọn một lần."), code="repeated_choice"
            )

    def labels(self, value) -> list[str]:
        """The Vietnamese labels of the stored codes, in stored order."""
        names = dict(self.item_choices)
        return [str(names.get(code, code)) for code in value or []]

    def formfield(self, **kwargs):
        defaults = {
            "required": not self.blank,
            "label": capfirst(self.verbose_name),
            "help_text": self.help_text,
        }
        if self.ordered:
            return OrderedChoicesField(choices=self.item_choices, **defaults)
        return forms.TypedMultipleChoiceField(
            choices=self.item_choices,
            widget=forms.CheckboxSelectMultiple,
            **defaults,
        )
