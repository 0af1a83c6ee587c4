"""Forms of dispute pages: opening one, writing in its thread, and the operator's decision."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf.file import MultipleFileField
from wtforms import DecimalField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..errors import InvalidInput
from ..money import Money
from ..web.forms import Form, not_negative
from .commands import Decision
from .rules import CATEGORIES, MAX_TEXT

EVIDENCE_HINT = "Photos (JPEG, PNG, WebP) or PDF documents, up to 5 files of 5 MB each."


def to_minor(value: Decimal, currency: str, field_name: str) -> int:
    """Major units as typed into minor units; a field error when it has too many decimals."""
    try:
        return Money.from_decimal(value, currency).amount_minor
    except InvalidInput as error:
        raise InvalidInput(
            error.message, {field_name: next(iter(error.fields.values()))}
        ) from error


class DisputeForm(Form):
    category = SelectField(
        "What went wrong", choices=[("", "Choose…"), *CATEGORIES.items()],
        validators=[DataRequired()],
    )  # fmt: skip
    description = TextAreaField(
        "What happened", validators=[DataRequired(), Length(max=MAX_TEXT)],
        description="The other party and the operators read it.",
    )  # fmt: skip
    claimed = DecimalField(
        "Amount claimed", places=None, validators=[InputRequired(), not_negative]
    )
    evidence = MultipleFileField("Evidence", description=EVIDENCE_HINT)


class MessageForm(Form):
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=MAX_TEXT)])
    evidence = MultipleFileField("Evidence", description=EVIDENCE_HINT)


class DecisionForm(Form):
    tenant_share = DecimalField(
        "Back to the tenant", places=None, validators=[InputRequired(), not_negative]
    )
    owner_share = DecimalField(
        "Released to the owner", places=None, validators=[InputRequired(), not_negative]
    )
    reserve_payout = DecimalField(
        "Paid to the tenant by the guarantee reserve", places=None, default=Decimal(0),
        validators=[InputRequired(), not_negative],
        description="Only when the owner failed to provide the space and the escrow does not"
        " cover the tenant's proven loss.",
    )  # fmt: skip
    reasons = TextAreaField(
        "Reasons", validators=[DataRequired(), Length(max=MAX_TEXT)],
        description="Both parties read them.",
    )  # fmt: skip

    def to_decision(self, currency: str) -> Decision:
        return Decision(
            to_minor(self.tenant_share.data, currency, "tenant_share"),
            to_minor(self.owner_share.data, currency, "owner_share"),
            to_minor(self.reserve_payout.data, currency, "reserve_payout"),
            currency,
            self.reasons.data,
        )
