"""Form pieces shared by the pages of several areas."""

from __future__ import annotations

import functools
from decimal import Decimal

import pycountry
from babel.numbers import list_currencies
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, ValidationError, widgets

from ..errors import InvalidInput
from ..money import NOT_MONEY


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


def show_errors(form: FlaskForm, error: InvalidInput, aliases: dict[str, str] | None = None):
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


def render_form(template: str, form: FlaskForm, **context):
    """Render a form page; a submitted form with errors answers 422, never 200."""
    from flask import render_template, request

    failed = request.method == "POST" and bool(form.errors or form.form_errors)
    return render_template(template, form=form, **context), 422 if failed else 200
