"""The search form (GET, no CSRF: it changes nothing), and its conversion to a SearchQuery."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import Length, NumberRange, Optional

from ..catalog import (
    CATEGORIES,
    HAZMAT_CLASSES,
    MAX_QUANTITY,
    MAX_TEMPERATURE_C,
    MIN_TEMPERATURE_C,
    RATING_TIERS,
    UNITS,
)
from ..errors import InvalidInput
from ..money import Money
from ..web.forms import Form, MultiCheckboxField, country_choices, currency_choices, positive
from .query import SearchQuery
from .rules import MAX_SIZE_FILTER

ANY = [("", "Any")]

#: search field -> the booking request field it fills in
BOOKING_NAMES = {
    "quantity": "quantity",
    "start": "start",
    "end": "end",
    "unit_length_cm": "unit_length_cm",
    "unit_width_cm": "unit_width_cm",
    "unit_height_cm": "unit_height_cm",
    "unit_weight_kg": "unit_weight_kg",
    "temperature_min": "temperature_min_c",
    "temperature_max": "temperature_max_c",
    "hazmat_class": "hazmat_class",
    "category": "category",
}


def _optional_int(label: str, low: int, high: int) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(low, high)])


class SearchForm(Form):
    class Meta:
        csrf = False

    near = StringField(
        "Near",
        validators=[Optional(), Length(max=200)],
        render_kw={"placeholder": "City or port, e.g. Rotterdam, NL"},
    )
    radius_km = FloatField("Within (km)", validators=[Optional(), NumberRange(0, 20_000)])
    country = MultiCheckboxField("Countries")
    bbox = StringField(
        "Map area",
        validators=[Optional(), Length(max=200)],
        description="West, south, east, north in degrees, as the map's “Search this area” sets.",
    )
    unit = SelectField("Unit", choices=ANY + list(UNITS.items()), validators=[Optional()])
    quantity = _optional_int("Quantity", 1, MAX_QUANTITY)
    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
    temperature_min = _optional_int("Goods tolerate from °C", MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)
    temperature_max = _optional_int("to °C", MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)
    hazmat_class = SelectField(
        "Hazard class",
        choices=ANY + [(str(k), f"{k} — {v}") for k, v in HAZMAT_CLASSES.items()],
        validators=[Optional()],
    )
    category = SelectField(
        "Category", choices=ANY + list(CATEGORIES.items()), validators=[Optional()]
    )
    unit_length_cm = _optional_int("Length (cm)", 1, MAX_SIZE_FILTER)
    unit_width_cm = _optional_int("Width (cm)", 1, MAX_SIZE_FILTER)
    unit_height_cm = _optional_int("Height (cm)", 1, MAX_SIZE_FILTER)
    unit_weight_kg = _optional_int("Weight (kg)", 1, MAX_SIZE_FILTER)
    max_price = DecimalField(
        "Max price per unit per week",
        places=None,
        validators=[Optional(), positive],
    )
    currency = SelectField("Currency", validators=[Optional()])
    min_tier = SelectField(
        "Owner rated at least",
        choices=ANY + [(tier, tier) for tier in RATING_TIERS],
        validators=[Optional()],
    )
    verified_only = BooleanField("Verified owners only")
    transfers_on_offer = BooleanField("Leases on offer for transfer only")
    sort = SelectField(
        "Sort by",
        choices=[("price", "Price"), ("distance", "Distance"), ("rating", "Rating")],
        default="price",
    )

    def __init__(self, *args, countries: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        offered = set(countries or []) | set(self.country.data or [])
        self.country.choices = [c for c in country_choices() if c[0] in offered]
        self.currency.choices = [("", "Listing's own"), *currency_choices()]

    def booking_prefill(self) -> dict[str, str]:
        """What a result's link carries to the listing's booking request: the quantity, the
        dates and the goods searched for, under the booking form's names."""
        values = {booked: self[searched].data for searched, booked in BOOKING_NAMES.items()}
        return {name: str(value) for name, value in values.items() if value not in (None, "")}

    def to_query(self, page: int, per_page: int) -> SearchQuery:
        max_price_minor = None
        if self.max_price.data is not None:
            if not self.currency.data:
                raise InvalidInput(
                    "Say which currency the ceiling is in.",
                    {"currency": "Required with a price ceiling."},
                )
            max_price_minor = Money.from_decimal(
                self.max_price.data, self.currency.data, "max_price"
            ).amount_minor
        return SearchQuery(
            countries=self.country.data or [],
            near=self.near.data or None,
            bbox=self.bbox.data or None,
            radius_km=self.radius_km.data,
            unit=self.unit.data or None,
            quantity=self.quantity.data,
            start=self.start.data,
            end=self.end.data,
            temperature_min=self.temperature_min.data,
            temperature_max=self.temperature_max.data,
            hazmat_class=int(self.hazmat_class.data) if self.hazmat_class.data else None,
            category=self.category.data or None,
            unit_length_cm=self.unit_length_cm.data,
            unit_width_cm=self.unit_width_cm.data,
            unit_height_cm=self.unit_height_cm.data,
            unit_weight_kg=self.unit_weight_kg.data,
            max_price_minor=max_price_minor,
            currency=self.currency.data or None,
            min_tier=self.min_tier.data or None,
            verified_only=bool(self.verified_only.data),
            transfers_on_offer=bool(self.transfers_on_offer.data),
            sort=self.sort.data or "price",
            page=page,
            per_page=per_page,
        )
