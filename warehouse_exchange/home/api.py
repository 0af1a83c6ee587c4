"""API twin of the home page."""

from __future__ import annotations

from ..adapters.clock import utc_today
from ..web.api import ApiBlueprint
from ..web.auth import api_actor, api_login_required
from . import services
from .schemas import HomeSchema

blp = ApiBlueprint("home_api", __name__, url_prefix="/home", description="What waits for you")


@blp.get("")
@api_login_required
@blp.response(200, HomeSchema)
def summary():
    """The counts of your home page, per role of your organization (null for a role it does
    not have): an owner's requests, arrivals, occupancy and earnings; an exporter's payments
    due, leases, shipments and transfers; an operator's queues."""
    return services.home(api_actor(), utc_today())
