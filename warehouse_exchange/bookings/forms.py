"""Forms of the booking pages."""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..catalog import (
    CATEGORIES,
    HAZMAT_CLASSES,
    MAX_QUANTITY,
    MAX_SKU_COUNT,
    MAX_TEMPERATURE_C,
    MAX_UNIT_SIDE_CM,
    MAX_UNIT_WEIGHT_KG,
    MIN_TEMPERATURE_C,
)
from ..errors import InvalidInput
from ..listings.models import Listing
from ..web.forms import Form
from .commands import BookingRequest
from .queries import ChosenSpace
from .rules import SkuProfile

#: what a link may fill in on a booking request: a search's quantity, dates and goods
PREFILLED = (
    "quantity",
    "start",
    "end",
    "unit_length_cm",
    "unit_width_cm",
    "unit_height_cm",
    "unit_weight_kg",
    "temperature_min_c",
    "temperature_max_c",
    "hazmat_class",
    "category",
)


def prefilled(args: MultiDict) -> dict[str, str]:
    """The booking request fields a link's arguments give."""
    return {name: args[name] for name in PREFILLED if args.get(name)}


#: the link's arguments the listing's availability calendar marks
CHOSEN_SPACE = ("start", "end", "quantity")


def chosen_space(args: MultiDict) -> ChosenSpace | None:
    """The dates and quantity a link chose (as search passes them), or None when it chose
    none; InvalidInput when they are there but cannot be read."""
    given = {name: args.get(name, "").strip() for name in CHOSEN_SPACE}
    if not any(given.values()):
        return None
    if not all(given.values()):
        missing = [name for name, value in given.items() if not value]
        raise InvalidInput(
            "Give the first day, the last day and the units to see them on the calendar.",
            dict.fromkeys(missing, "Missing."),
        )
    try:
        start, end = date.fromisoformat(given["start"]), date.fromisoformat(given["end"])
    except ValueError:
        raise InvalidInput(
            "Dates are written YYYY-MM-DD.", {"start": "Not a date.", "end": "Not a date."}
        ) from None
    if not given["quantity"].isdigit():
        raise InvalidInput("Units are a whole number.", {"quantity": "Not a whole number."})
    return ChosenSpace(start, end, int(given["quantity"]))


def _count(label: str, maximum: int, default=None) -> IntegerField:
    return IntegerField(
        label, default=default, validators=[InputRequired(), NumberRange(1, maximum)]
    )


class BookingForm(Form):
    quantity = _count("Units", MAX_QUANTITY)
    start = DateField("First day", validators=[DataRequired()])
    end = DateField("Last day", validators=[DataRequired()])
    unit_length_cm = _count("Unit length (cm)", MAX_UNIT_SIDE_CM, 120)
    unit_width_cm = _count("Unit width (cm)", MAX_UNIT_SIDE_CM, 80)
    unit_height_cm = _count("Unit height (cm)", MAX_UNIT_SIDE_CM, 150)
    unit_weight_kg = _count("Unit weight (kg)", MAX_UNIT_WEIGHT_KG)
    temperature_min_c = IntegerField(
        "Goods tolerate from °C",
        default=5,
        validators=[InputRequired(), NumberRange(MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)],
    )
    temperature_max_c = IntegerField(
        "to °C",
        default=30,
        validators=[InputRequired(), NumberRange(MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)],
    )
    hazmat_class = SelectField(
        "Hazard class",
        choices=[("", "Not dangerous goods")]
        + [(str(k), f"{k} — {v}") for k, v in HAZMAT_CLASSES.items()],
        validators=[Optional()],
    )
    category = SelectField("Category", choices=list(CATEGORIES.items()))
    sku_count = _count("Number of SKUs", MAX_SKU_COUNT, 1)
    payment_plan = SelectField(
        "How you pay",
        choices=[
            ("upfront", "Up front: the whole total when the owner accepts"),
            ("monthly", "Monthly: one instalment per month of the lease"),
        ],
        default="upfront",
    )
    #: a fresh key per form, so that a double-submitted form books once
    idempotency_key = HiddenField(validators=[Optional(), Length(max=64)])

    @classmethod
    def for_listing(cls, listing: Listing, args: MultiDict | None = None) -> BookingForm:
        """The form for a listing: on a first visit filled in from the link's arguments,
        the quantity at least the listing's minimum, and a category it takes."""
        if args is None:  # a submitted form
            form = cls()
        else:
            form = cls(formdata=MultiDict(prefilled(args)))
            if form.quantity.data is None:
                form.quantity.data = listing.min_quantity
        form.category.choices = [(name, CATEGORIES[name]) for name in listing.categories]
        # a category the listing refuses gets the listing's answer, which names what it takes
        form.category.validate_choice = False
        return form

    def to_request(self, listing_id: int) -> BookingRequest:
        return BookingRequest(
            listing_id,
            self.quantity.data,
            self.start.data,
            self.end.data,
            goods_of(self),
            self.idempotency_key.data or None,
            self.payment_plan.data,
        )


def goods_of(form: Form) -> SkuProfile:
    """The SKU profile declared in a form with the booking form's goods fields."""
    return SkuProfile(
        unit_length_cm=form.unit_length_cm.data,
        unit_width_cm=form.unit_width_cm.data,
        unit_height_cm=form.unit_height_cm.data,
        unit_weight_kg=form.unit_weight_kg.data,
        temperature_min_c=form.temperature_min_c.data,
        temperature_max_c=form.temperature_max_c.data,
        hazmat_class=int(form.hazmat_class.data) if form.hazmat_class.data else None,
        category=form.category.data,
        sku_count=form.sku_count.data,
    )


class ReasonForm(Form):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])
