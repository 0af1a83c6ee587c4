"""Forms of the transfer pages."""

from __future__ import annotations

from datetime import date

from wtforms import DateField, DecimalField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..bookings.forms import BookingForm, goods_of
from ..bookings.rules import SkuProfile
from ..catalog import MAX_QUANTITY
from ..errors import InvalidInput
from ..escrow.bank_receipts import ReceiptData
from ..money import Money
from ..web.forms import Form, positive
from .commands import Offer


class OfferForm(Form):
    effective_date = DateField(
        "Taker's first day", validators=[DataRequired()],
        description="After today; your lease keeps the days before it.",
    )  # fmt: skip
    quantity = IntegerField("Units", validators=[InputRequired(), NumberRange(1, MAX_QUANTITY)])
    price = DecimalField("Asking price", places=None, validators=[InputRequired(), positive])

    def to_offer(self, booking_id: int, currency: str) -> Offer:
        price = Money.from_decimal(self.price.data, currency)
        return Offer(
            booking_id, self.effective_date.data, self.quantity.data, price.amount_minor, currency
        )


class TakeOverForm(Form):
    """The goods the taker will store: the booking form's fields, checked the same way."""

    unit_length_cm = BookingForm.unit_length_cm
    unit_width_cm = BookingForm.unit_width_cm
    unit_height_cm = BookingForm.unit_height_cm
    unit_weight_kg = BookingForm.unit_weight_kg
    temperature_min_c = BookingForm.temperature_min_c
    temperature_max_c = BookingForm.temperature_max_c
    hazmat_class = BookingForm.hazmat_class
    category = BookingForm.category
    sku_count = BookingForm.sku_count

    def to_goods(self) -> SkuProfile:
        return goods_of(self)


class ReasonForm(Form):
    reason = StringField("Reason", validators=[Optional(), Length(max=500)])


class TransferReceiptForm(Form):
    amount = DecimalField("Amount received", places=None, validators=[InputRequired(), positive])
    received_on = DateField("Received on", validators=[DataRequired()])
    bank_reference = StringField(
        "Bank reference", validators=[DataRequired(), Length(max=80)],
        description="The bank's own reference of the transfer: it is recorded once.",
    )  # fmt: skip

    def to_data(self, reference: str, currency: str) -> ReceiptData:
        try:
            amount = Money.from_decimal(self.amount.data, currency)
        except InvalidInput as error:
            raise InvalidInput(error.message, {"amount": "Too many decimals."}) from error
        received: date = self.received_on.data
        return ReceiptData(
            reference, amount.amount_minor, currency, received, self.bank_reference.data
        )
