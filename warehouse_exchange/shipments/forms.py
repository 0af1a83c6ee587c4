"""Forms of the shipment pages."""

from __future__ import annotations

from datetime import UTC

from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..catalog import HAZMAT_CLASSES, MAX_UNIT_SIDE_CM, MAX_UNIT_WEIGHT_KG
from ..errors import InvalidInput
from ..money import Money
from ..web.forms import Form, SubForm, currency_choices, not_negative
from .amendments import ShipmentChange
from .commands import CheckInData, CountData, EventData, LineData, ShipmentData, Upload
from .rules import (
    CARRIER_TOKEN_DAYS,
    CARRIER_TOKEN_DEFAULT_DAYS,
    MAX_CANCEL_REASON,
    MAX_CARRIER,
    MAX_CHECK_IN_NOTE,
    MAX_DESCRIPTION,
    MAX_EVENT_PLACE,
    MAX_NOTE,
    MAX_OUTBOUND_REFERENCE,
    MAX_SKU,
    MAX_TOKEN_NAME,
    MAX_TRACKING_NUMBER,
    MAX_UNITS,
    MAX_VALUE_MINOR,
    MODES,
    REPORTED_KINDS,
)
from .stock import OutboundData

#: goods rows on the announce form; blank ones are ignored
LINE_ROWS = 5


def _count(label: str, maximum: int) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(1, maximum)])


class LineForm(SubForm):
    """One goods row. A blank row is skipped; a row with anything in it needs every field."""

    sku = StringField("SKU", validators=[Optional(), Length(max=MAX_SKU)])
    description = StringField("Description", validators=[Optional(), Length(max=MAX_DESCRIPTION)])
    units = _count("Units", MAX_UNITS)
    unit_length_cm = _count("Length cm", MAX_UNIT_SIDE_CM)
    unit_width_cm = _count("Width cm", MAX_UNIT_SIDE_CM)
    unit_height_cm = _count("Height cm", MAX_UNIT_SIDE_CM)
    unit_weight_kg = _count("Weight kg", MAX_UNIT_WEIGHT_KG)
    declared_value = DecimalField(
        "Declared value (all units)",
        validators=[Optional(), not_negative, NumberRange(max=MAX_VALUE_MINOR // 100)],
        places=None,
    )
    currency = SelectField("Currency", validators=[Optional()])
    hs_code = StringField("HS code", validators=[Optional(), Length(max=20)])
    hazmat_class = SelectField(
        "Hazard class",
        choices=[("", "None")] + [(str(k), f"{k} — {v}") for k, v in HAZMAT_CLASSES.items()],
        validators=[Optional()],
    )

    TYPED = (
        "sku", "description", "units", "unit_length_cm", "unit_width_cm", "unit_height_cm",
        "unit_weight_kg", "declared_value", "hs_code",
    )  # fmt: skip
    REQUIRED = (*TYPED, "currency")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency.choices = [("", "Choose…"), *currency_choices()]

    def is_blank(self) -> bool:
        return all(not (self[name].raw_data or [""])[0].strip() for name in self.TYPED)

    def validate(self, extra_validators=None) -> bool:
        if self.is_blank():
            return True
        valid = super().validate(extra_validators)
        for name in self.REQUIRED:
            field = self[name]
            if not field.errors and field.data in (None, ""):
                field.errors.append("Required.")
                valid = False
        if valid:
            try:
                self._declared_minor()
            except InvalidInput as error:
                self.declared_value.errors.append(next(iter(error.fields.values())))
                valid = False
        return valid

    def _declared_minor(self) -> int:
        """The value as typed (in the chosen currency's major units) in minor units."""
        return Money.from_decimal(self.declared_value.data, self.currency.data).amount_minor

    def to_data(self) -> LineData:
        return LineData(
            self.sku.data,
            self.description.data,
            self.units.data,
            self.unit_length_cm.data,
            self.unit_width_cm.data,
            self.unit_height_cm.data,
            self.unit_weight_kg.data,
            self._declared_minor(),
            self.currency.data,
            self.hs_code.data,
            int(self.hazmat_class.data) if self.hazmat_class.data else None,
        )


class ShipmentForm(Form):
    carrier = StringField("Carrier", validators=[DataRequired(), Length(max=MAX_CARRIER)])
    tracking_number = StringField(
        "Tracking number", validators=[DataRequired(), Length(max=MAX_TRACKING_NUMBER)]
    )
    mode = SelectField("Mode", choices=[("", "Choose…"), *MODES.items()],
                       validators=[DataRequired()])  # fmt: skip
    expected_arrival = DateField("Expected arrival", validators=[DataRequired()])
    lines = FieldList(FormField(LineForm), min_entries=LINE_ROWS, max_entries=LINE_ROWS)

    def filled_rows(self) -> list[int]:
        """Indexes of the goods rows with something in them."""
        return [index for index, row in enumerate(self.lines) if not row.form.is_blank()]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.filled_rows():
            self.form_errors.append("Add at least one goods line.")
            valid = False
        return valid

    def to_data(self, booking_id: int) -> ShipmentData:
        return ShipmentData(
            booking_id,
            self.carrier.data,
            self.tracking_number.data,
            self.mode.data,
            self.expected_arrival.data,
            [self.lines[index].form.to_data() for index in self.filled_rows()],
        )


class EventForm(Form):
    kind = SelectField("Event", choices=[("", "Choose…"), *REPORTED_KINDS.items()],
                       validators=[DataRequired()])  # fmt: skip
    at = DateTimeLocalField(
        "When (UTC)", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[InputRequired()]
    )
    place = StringField("Place", validators=[Optional(), Length(max=MAX_EVENT_PLACE)])
    note = StringField("Note", validators=[Optional(), Length(max=MAX_NOTE)])

    def to_data(self) -> EventData:
        return EventData(
            self.kind.data,
            self.at.data.replace(tzinfo=UTC),
            self.place.data or "",
            self.note.data or "",
        )


class CountForm(SubForm):
    """The owner's count of one announced SKU."""

    sku = HiddenField()
    received_good = IntegerField(
        "In good order", validators=[InputRequired(), NumberRange(0, MAX_UNITS)]
    )
    damaged = IntegerField("Damaged", default=0,
                           validators=[InputRequired(), NumberRange(0, MAX_UNITS)])  # fmt: skip


class CheckInForm(Form):
    lines = FieldList(FormField(CountForm), min_entries=0, max_entries=50)
    note = TextAreaField("Note", validators=[Optional(), Length(max=MAX_CHECK_IN_NOTE)])
    photos = MultipleFileField("Photos or documents", description="JPEG, PNG, WebP or PDF.")

    @classmethod
    def for_shipment(cls, shipment) -> CheckInForm:
        """Every announced SKU, its count filled in as announced, to be corrected."""
        rows = [{"sku": line.sku, "received_good": line.units, "damaged": 0}
                for line in shipment.lines]  # fmt: skip
        return cls(formdata=None, data={"lines": rows})

    def to_data(self, uploads: list[Upload]) -> CheckInData:
        counts = [
            CountData(row.form.sku.data, row.form.received_good.data, row.form.damaged.data)
            for row in self.lines
        ]
        return CheckInData(counts, self.note.data or "", uploads)


class OutboundForm(Form):
    sku = SelectField("SKU", validators=[DataRequired()])
    units = IntegerField("Units", validators=[InputRequired(), NumberRange(1, MAX_UNITS)])
    shipped_on = DateField("Shipped on", validators=[DataRequired()])
    reference = StringField(
        "Carrier and reference", validators=[DataRequired(), Length(max=MAX_OUTBOUND_REFERENCE)]
    )
    note = StringField("Note", validators=[Optional(), Length(max=MAX_NOTE)])

    def to_data(self) -> OutboundData:
        return OutboundData(
            self.sku.data,
            self.units.data,
            self.shipped_on.data,
            self.reference.data,
            self.note.data or "",
        )


class CarrierTokenForm(Form):
    name = StringField("For", validators=[DataRequired(), Length(max=MAX_TOKEN_NAME)],
                       description="The carrier's name, to know the token again.")  # fmt: skip
    days = IntegerField(
        "Valid for (days)",
        default=CARRIER_TOKEN_DEFAULT_DAYS,
        validators=[InputRequired(), NumberRange(*CARRIER_TOKEN_DAYS)],
    )


class EarlyArrivalForm(Form):
    from_date = DateField(
        "Goods may come in from",
        validators=[DataRequired()],
        description="A day before the lease's first day; you check the goods in from then.",
    )


class ShipmentChangeForm(Form):
    """The tenant's corrections to a shipment on its way."""

    expected_arrival = DateField("Expected arrival", validators=[DataRequired()])
    carrier = StringField("Carrier", validators=[DataRequired(), Length(max=MAX_CARRIER)])
    tracking_number = StringField(
        "Tracking number", validators=[DataRequired(), Length(max=MAX_TRACKING_NUMBER)]
    )

    @classmethod
    def for_shipment(cls, shipment) -> ShipmentChangeForm:
        return cls(formdata=None, obj=shipment)

    def to_change(self) -> ShipmentChange:
        return ShipmentChange(self.expected_arrival.data, self.carrier.data,
                              self.tracking_number.data)  # fmt: skip


class CancelShipmentForm(Form):
    reason = StringField(
        "Reason (told to the owner)", validators=[Optional(), Length(max=MAX_CANCEL_REASON)]
    )
