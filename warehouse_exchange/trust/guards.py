"""The blacklist check moved to blacklist/guards.py, below the areas that make it; this name
stays for bookings/services.py until it imports the check from there."""

from ..blacklist.guards import OrganizationBlacklisted, require_not_blacklisted

__all__ = ["OrganizationBlacklisted", "require_not_blacklisted"]
