"""Exchange rates that operators maintain, used to compare prices across currencies."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import UTCDateTime, utcnow


class ExchangeRate(db.Model):
    __tablename__ = "exchange_rates"
    __table_args__ = (
        CheckConstraint("rate > 0", name="rate_positive"),
        CheckConstraint("length(currency) = 3", name="currency_alpha3"),
        UniqueConstraint("currency", "rate_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    #: units of `currency` worth one unit of the base currency (config BASE_CURRENCY)
    rate: Mapped[Decimal] = mapped_column(Numeric(20, 10, asdecimal=True))
    #: the day the rate was observed; the newest per currency is used
    rate_date: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
