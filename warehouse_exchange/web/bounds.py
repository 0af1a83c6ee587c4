"""What a number or a date sent to the site may be when its field declares nothing tighter:
what the database column behind it can hold. Forms (web/forms.py) and API schemas
(web/schema.py) add these bounds to every field that has none of its own."""

from __future__ import annotations

from ..models_base import INTEGER_MAX, INTEGER_MIN

#: an integer field without its own range: what an INTEGER column holds
INTEGER_BOUNDS = (INTEGER_MIN, INTEGER_MAX)
#: a decimal or floating-point field without its own range: no quantity of ours comes near,
#: and a float still counts whole units exactly up to here
NUMBER_BOUNDS = (-(10**15), 10**15)
#: no lease, payment, rate or shipment is dated centuries away; date arithmetic (the day
#: after a lease, the end of its month) then never runs off the calendar's end in year 9999
YEAR_BOUNDS = (1900, 2999)


def year_problem(value) -> str | None:
    """Why a date or datetime is out of bounds, or None."""
    low, high = YEAR_BOUNDS
    if value is not None and not low <= value.year <= high:
        return f"Must be a date in the years {low} to {high}."
    return None
