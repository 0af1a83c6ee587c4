"""Every model, imported in one place for Alembic and the app factory."""

from .accounts.models import ApiToken, Invitation, Organization, User
from .bookings.models import Booking, BookingEvent, CapacityDay
from .escrow.models import (
    BankReceipt,
    CardPayment,
    ConnectedAccount,
    GatewayCustomer,
    GatewayEvent,
    Refund,
    ReleaseInstalment,
)
from .fx.models import ExchangeRate
from .ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from .listings.models import Listing
from .warehouses.models import TemperatureZone, Warehouse

__all__ = [
    "ApiToken",
    "BankReceipt",
    "Booking",
    "BookingEvent",
    "CapacityDay",
    "CardPayment",
    "ConnectedAccount",
    "ExchangeRate",
    "GatewayCustomer",
    "GatewayEvent",
    "Invitation",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerTransaction",
    "Listing",
    "Organization",
    "Refund",
    "ReleaseInstalment",
    "TemperatureZone",
    "User",
    "Warehouse",
]
