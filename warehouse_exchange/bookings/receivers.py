"""Bookings follow what listings announce: a listing made smaller or shorter must still fit
the leases that hold its capacity."""

from __future__ import annotations

from datetime import date

from ..listings.models import Listing
from . import capacity


def refuse_resize_over_leases(listing: Listing, *, quantity: int, start: date, end: date, **_):
    capacity.check_resize(listing, quantity, start, end)
