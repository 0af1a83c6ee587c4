"""The base of every API schema. A number or date a client sends is refused, as a field error,
unless the column behind it can hold it: a field that declares no range of its own gets the
column's (web/bounds.py), so that no query or insert overflows, whatever the schema forgot."""

from __future__ import annotations

import marshmallow
from marshmallow import ValidationError, fields, validate

from .bounds import INTEGER_BOUNDS, NUMBER_BOUNDS, year_problem


class Schema(marshmallow.Schema):
    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        super().on_bind_field(field_name, field_obj)
        add_default_bounds(field_obj)


class DecimalWithin:
    """A Range for decimals sent as strings: the OpenAPI document cannot state a string's
    numeric bounds, so this one is left out of it (apispec documents validate.Range)."""

    def __init__(self, low, high) -> None:
        self.low, self.high = low, high

    def __call__(self, value) -> None:
        if not self.low <= value <= self.high:
            raise ValidationError(f"Must be between {self.low:,} and {self.high:,}.")


def plausible_year(value) -> None:
    problem = year_problem(value)
    if problem:
        raise ValidationError(problem)


#: validators that already confine a field to known values
_BOUNDING = (validate.Range, validate.OneOf, DecimalWithin)


def _default_bound(field: fields.Field):
    if isinstance(field, fields.Integer):
        return validate.Range(*INTEGER_BOUNDS)
    if isinstance(field, fields.Decimal):
        return DecimalWithin(*NUMBER_BOUNDS)
    if isinstance(field, fields.Float):
        return validate.Range(*NUMBER_BOUNDS)
    if isinstance(field, (fields.DateTime, fields.Date)):
        return plausible_year
    return None


def _inner_fields(field: fields.Field) -> list[fields.Field]:
    if isinstance(field, fields.List):
        return [field.inner]
    if isinstance(field, fields.Tuple):
        return list(field.tuple_fields)
    if isinstance(field, fields.Mapping):
        return [f for f in (field.key_field, field.value_field) if f is not None]
    return []


def add_default_bounds(field: fields.Field) -> None:
    """Give `field`, and the fields inside a list, tuple or mapping, the column's bounds when
    they declare none. Nested schemas derive from Schema and bound their own fields."""
    for inner in _inner_fields(field):
        add_default_bounds(inner)
    bound = _default_bound(field)
    if bound is not None and not any(isinstance(v, _BOUNDING) for v in field.validators):
        field.validators = [*field.validators, bound]
