"""Every model, imported in one place for Alembic and the app factory."""

from .accounts.models import ApiToken, Invitation, Organization, User
from .fx.models import ExchangeRate
from .listings.models import Listing
from .warehouses.models import TemperatureZone, Warehouse

__all__ = [
    "ApiToken",
    "ExchangeRate",
    "Invitation",
    "Listing",
    "Organization",
    "TemperatureZone",
    "User",
    "Warehouse",
]
