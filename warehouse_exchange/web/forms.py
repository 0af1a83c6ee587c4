"""Form pieces shared by the pages of several areas."""

from __future__ import annotations

import functools
import math
from decimal import Decimal

import pycountry
import wtforms
from babel.numbers import list_currencies
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, ValidationError, widgets
from wtforms.validators import AnyOf, NumberRange, StopValidation

from ..errors import InvalidInput
from ..money import NOT_MONEY
from .bounds import INTEGER_BOUNDS, NUMBER_BOUNDS, year_problem


def finite_number(_form, field) -> None:
    """WTForms validator: NaN and the infinities are not numbers. It stops the chain, so that
    no later validator compares one (a signalling NaN raises when compared)."""
    data = field.data
    if isinstance(data, Decimal) and not data.is_finite():
        raise StopValidation("Must be a number.")
    if isinstance(data, float) and not math.isfinite(data):
        raise StopValidation("Must be a number.")


class WithinBounds:
    """WTForms validator: a number (or each number of a multiple choice) the database column
    behind the field can hold; text is left to the field's other checks."""

    def __init__(self, low, high) -> None:
        self.low, self.high = low, high

    def __call__(self, _form, field) -> None:
        values = field.data if isinstance(field.data, list) else [field.data]
        for value in values:
            is_number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
            if is_number and not self.low <= value <= self.high:
                raise ValidationError(f"Must be between {self.low:,} and {self.high:,}.")


def plausible_year(_form, field) -> None:
    """WTForms validator: a date in the years web/bounds.py allows."""
    problem = year_problem(field.data)
    if problem:
        raise ValidationError(problem)


_NUMBER_FIELDS = (wtforms.DecimalField, wtforms.FloatField)
_DATE_FIELDS = (wtforms.DateField, wtforms.DateTimeField, wtforms.DateTimeLocalField)


def add_default_bounds(field: wtforms.Field) -> None:
    """Refuse, as a field error, any number NaN, infinite or beyond the column's range when
    the field declares no range of its own, and dates centuries away."""
    bounded = any(isinstance(v, NumberRange | AnyOf) for v in field.validators)
    added_before, added_after = [], []
    if isinstance(field, _NUMBER_FIELDS):
        added_before.append(finite_number)
        if not bounded:
            added_after.append(WithinBounds(*NUMBER_BOUNDS))
    elif isinstance(field, wtforms.IntegerField | wtforms.SelectFieldBase) and not bounded:
        added_after.append(WithinBounds(*INTEGER_BOUNDS))  # a select may coerce to int
    elif isinstance(field, _DATE_FIELDS):
        added_after.append(plausible_year)
    if added_before or added_after:
        field.validators = [*added_before, *field.validators, *added_after]


class BoundedFields:
    """A form Meta that gives every field its default bounds as the form binds it."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        add_default_bounds(field)
        return field


class Form(FlaskForm):
    """The base of every page form: number and date fields are bounded (see BoundedFields)."""

    class Meta(BoundedFields):
        pass


class SubForm(wtforms.Form):
    """The base of a form repeated inside another (a FieldList of FormFields), bounded too."""

    class Meta(BoundedFields):
        pass


@functools.cache
def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda c: c[1])


@functools.cache
def currency_choices() -> list[tuple[str, str]]:
    codes = sorted(
        c for c in list_currencies() if c not in NOT_MONEY and pycountry.currencies.get(alpha_3=c)
    )
    return [(code, f"{code} — {pycountry.currencies.get(alpha_3=code).name}") for code in codes]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def show_errors(form: wtforms.Form, error: InvalidInput, aliases: dict[str, str] | None = None):
    """Put a service's error on top of the form, and its field errors beside the fields."""
    aliases = aliases or {}
    for name, message in error.fields.items():
        field = getattr(form, aliases.get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
    form.form_errors.append(error.message)


def positive(_form, field) -> None:
    """WTForms validator: a finite number above zero."""
    if field.data is None:
        return
    if isinstance(field.data, Decimal) and not field.data.is_finite():
        raise ValidationError("Must be a number.")
    if field.data <= 0:
        raise ValidationError("Must be more than zero.")


def not_negative(_form, field) -> None:
    """WTForms validator: a finite number, zero or more."""
    if field.data is None:
        return
    if isinstance(field.data, Decimal) and not field.data.is_finite():
        raise ValidationError("Must be a number.")
    if field.data < 0:
        raise ValidationError("Must not be negative.")


def render_form(template: str, form: wtforms.Form, **context):
    """Render a form page; a submitted form with errors answers 422, never 200."""
    from flask import render_template, request

    failed = request.method == "POST" and bool(form.errors or form.form_errors)
    return render_template(template, form=form, **context), 422 if failed else 200
