"""Every model, imported in one place for Alembic and the app factory."""

from .accounts.models import ApiToken, Invitation, Organization, User
from .bookings.models import Booking, BookingEvent, CapacityDay
from .fx.models import ExchangeRate
from .listings.models import Listing
from .warehouses.models import TemperatureZone, Warehouse

__all__ = [
    "ApiToken",
    "Booking",
    "BookingEvent",
    "CapacityDay",
    "ExchangeRate",
    "Invitation",
    "Listing",
    "Organization",
    "TemperatureZone",
    "User",
    "Warehouse",
]
