"""The listing form, and its conversion to and from ListingData."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..catalog import (
    CATEGORIES,
    HAZMAT_CLASSES,
    MAX_QUANTITY,
    MAX_TEMPERATURE_C,
    MAX_UNIT_SIDE_CM,
    MAX_UNIT_WEIGHT_KG,
    MIN_TEMPERATURE_C,
    UNITS,
)
from ..errors import InvalidInput
from ..money import Money
from ..web.forms import Form, MultiCheckboxField, currency_choices, positive
from .models import Listing
from .rules import CANCELLATION_POLICIES, FIRST_RELEASES
from .services import PLAIN_TERMS, ListingData


def _count(label: str, default=None, maximum=MAX_QUANTITY):
    return IntegerField(
        label, default=default, validators=[InputRequired(), NumberRange(1, maximum)]
    )


class ListingForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    unit = SelectField("Unit", choices=list(UNITS.items()))
    quantity = _count("Quantity on offer")
    available_from = DateField("Available from", validators=[DataRequired()])
    available_to = DateField("Available to (last day)", validators=[DataRequired()])
    price = DecimalField(
        "Price per unit per week",
        places=None,
        validators=[InputRequired(), positive],
    )
    currency = SelectField("Currency", default="EUR")
    min_quantity = _count("Minimum quantity", default=1)
    min_term_days = _count("Minimum term (days)", default=7, maximum=3660)
    max_unit_length_cm = _count("Max unit length (cm)", default=120, maximum=MAX_UNIT_SIDE_CM)
    max_unit_width_cm = _count("Max unit width (cm)", default=100, maximum=MAX_UNIT_SIDE_CM)
    max_unit_height_cm = _count("Max unit height (cm)", default=180, maximum=MAX_UNIT_SIDE_CM)
    max_unit_weight_kg = _count("Max unit weight (kg)", default=1000, maximum=MAX_UNIT_WEIGHT_KG)
    temperature_min_c = IntegerField(
        "Kept from °C",
        default=15,
        validators=[InputRequired(), NumberRange(MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)],
    )
    temperature_max_c = IntegerField(
        "Kept to °C",
        default=25,
        validators=[InputRequired(), NumberRange(MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)],
    )
    hazmat_classes = MultiCheckboxField(
        "Hazardous classes accepted", coerce=int, choices=list(HAZMAT_CLASSES.items())
    )
    categories = MultiCheckboxField("Categories accepted", choices=list(CATEGORIES.items()))
    instant_book = BooleanField("Instant booking (no approval step)")
    cancellation_policy = SelectField(
        "Cancellation policy",
        choices=[
            (key, f"{key.title()}: {p.description}") for key, p in CANCELLATION_POLICIES.items()
        ],
        default="moderate",
    )
    first_release = SelectField(
        "Owner's first release from escrow",
        choices=list(FIRST_RELEASES.items()),
        default="start_day",
    )
    transfer_consent = BooleanField(
        "Approve the taker when a tenant transfers a lease", default=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency.choices = currency_choices()

    def to_data(self) -> ListingData:
        try:
            price = Money.from_decimal(self.price.data, self.currency.data)
        except InvalidInput as error:
            raise InvalidInput(error.message, {"price": error.fields["price"]}) from error
        return ListingData(
            **{name: getattr(self, name).data for name in PLAIN_TERMS},
            title=self.title.data,
            description=self.description.data,
            instant_book=self.instant_book.data,
            cancellation_policy=self.cancellation_policy.data,
            first_release=self.first_release.data,
            transfer_consent=self.transfer_consent.data,
            price_minor=price.amount_minor,
            currency=price.currency,
            hazmat_classes=self.hazmat_classes.data or [],
            categories=self.categories.data or [],
        )

    @classmethod
    def for_listing(cls, listing: Listing) -> ListingForm:
        return cls(
            obj=listing,
            price=listing.unit_price.decimal,
            hazmat_classes=listing.hazmat_classes,
            categories=listing.categories,
        )
