"""Every model, imported in one place for Alembic and the app factory."""

from .accounts.models import ApiToken, Invitation, LoginThrottle, Organization, User
from .audit.models import AuditEntry
from .blacklist.models import BlacklistEntry
from .bookings.models import Booking, BookingEvent, CapacityDay
from .disputes.models import Dispute, DisputeMessage
from .escrow import booking_instalments  # noqa: F401  (attaches Booking.payment_instalments)
from .escrow.models import (
    BankReceipt,
    CardPayment,
    ConnectedAccount,
    GatewayCustomer,
    GatewayEvent,
    PaymentInstalment,
    Refund,
    ReleaseInstalment,
)
from .files.models import StoredFile
from .fx.models import ExchangeRate
from .ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from .listings.models import Listing
from .notifications.models import EmailOptOut, Notification, OutboxEmail
from .photos.models import Photo
from .scheduler.models import DemoClock, JobRun
from .shipments.models import (
    CarrierToken,
    CheckIn,
    CheckInLine,
    OutboundRelease,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
    StockItem,
)
from .transfers.models import Transfer
from .trust.models import (
    CreditRating,
    Review,
    VerificationDocument,
    VerificationRequest,
)
from .warehouses.models import TemperatureZone, Warehouse

__all__ = [
    "ApiToken",
    "AuditEntry",
    "BankReceipt",
    "BlacklistEntry",
    "Booking",
    "BookingEvent",
    "CapacityDay",
    "CardPayment",
    "CarrierToken",
    "CheckIn",
    "CheckInLine",
    "ConnectedAccount",
    "CreditRating",
    "DemoClock",
    "Dispute",
    "DisputeMessage",
    "EmailOptOut",
    "ExchangeRate",
    "GatewayCustomer",
    "GatewayEvent",
    "Invitation",
    "JobRun",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerTransaction",
    "Listing",
    "LoginThrottle",
    "Notification",
    "Organization",
    "OutboundRelease",
    "OutboxEmail",
    "PaymentInstalment",
    "Photo",
    "Refund",
    "ReleaseInstalment",
    "Review",
    "Shipment",
    "ShipmentEvent",
    "ShipmentLine",
    "StockItem",
    "StoredFile",
    "TemperatureZone",
    "Transfer",
    "User",
    "VerificationDocument",
    "VerificationRequest",
    "Warehouse",
]
