"""Forms of the escrow console."""

from datetime import date
from decimal import Decimal, InvalidOperation

from wtforms import DateField, DecimalField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..errors import InvalidInput
from ..money import Money
from ..web.forms import Form, currency_choices, positive
from .bank_receipts import ReceiptData
from .reserve import FundingData


class ReceiptForm(Form):
    reference = StringField(
        "Payment reference", validators=[DataRequired(), Length(max=40)],
        description="As the payer wrote it on the transfer: a booking's (WX and nine digits),"
        " one of its instalments' (WX0000021-01-03) or a lease transfer's (WT and nine digits).",
    )  # fmt: skip
    amount = DecimalField("Amount received", places=None, validators=[InputRequired(), positive])
    currency = SelectField("Currency", validators=[DataRequired()])
    received_on = DateField("Received on", validators=[DataRequired()])
    bank_reference = StringField(
        "Bank reference", validators=[DataRequired(), Length(max=80)],
        description="The bank's own reference of the transfer: it is recorded once.",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency.choices = [("", "Choose…"), *currency_choices()]

    def prefill(self, args, today: date) -> None:
        """The payment picked from those awaiting money: its reference, amount and currency;
        the operator adds what the bank statement says."""
        self.received_on.data = today
        self.reference.data = args.get("reference", "")
        self.currency.data = args.get("currency", "")
        try:
            self.amount.data = Decimal(args.get("amount", "")) if args.get("amount") else None
        except InvalidOperation:
            self.amount.data = None

    def to_data(self) -> ReceiptData:
        try:
            amount = Money.from_decimal(self.amount.data, self.currency.data)
        except InvalidInput as error:
            raise InvalidInput(
                error.message, {"amount": next(iter(error.fields.values()))}
            ) from error
        return ReceiptData(
            self.reference.data,
            amount.amount_minor,
            amount.currency,
            self.received_on.data,
            self.bank_reference.data,
        )


class RefundSentForm(Form):
    bank_reference = StringField("Bank reference", validators=[DataRequired(), Length(max=80)])


class PayoutForm(Form):
    """Pays out what is due to one owner in one currency (the amount comes from the list)."""

    organization_id = IntegerField(validators=[InputRequired(), NumberRange(1, 2**31 - 1)])
    currency = HiddenField(validators=[DataRequired()])
    amount_minor = IntegerField(validators=[InputRequired()])
    bank_reference = StringField("Bank reference", validators=[DataRequired(), Length(max=80)])


class EndLeaseForm(Form):
    last_day = DateField(
        "Last day of the lease", validators=[DataRequired()],
        description="Today at the earliest. The month it falls in stays yours in full.",
    )  # fmt: skip
    reason = StringField(
        "Reason", validators=[DataRequired(), Length(max=500)],
        description="The tenant reads it.",
    )  # fmt: skip


class ReserveFundingForm(Form):
    amount = DecimalField("Amount", places=None, validators=[InputRequired(), positive])
    currency = SelectField("Currency", validators=[DataRequired()])
    bank_reference = StringField(
        "Bank reference", validators=[DataRequired(), Length(max=80)],
        description="The platform's transfer into the escrow account: recorded once.",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency.choices = [("", "Choose…"), *currency_choices()]

    def to_data(self) -> FundingData:
        try:
            amount = Money.from_decimal(self.amount.data, self.currency.data)
        except InvalidInput as error:
            raise InvalidInput(error.message, {"amount": error.message}) from error
        return FundingData(amount.amount_minor, amount.currency, self.bank_reference.data)
