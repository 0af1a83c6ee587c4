"""Jinja filters and globals: money in its currency, country names, vocabularies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask, request, url_for
from flask_login import current_user
from markupsafe import Markup

from .. import catalog
from ..bookings.rules import month_starts
from ..escrow.rules import instalment_reference
from ..listings.rules import CANCELLATION_POLICIES, FIRST_RELEASES
from ..money import Money
from ..validation import country_name


def money(value: Money | None) -> str:
    return value.format() if value is not None else "—"


def units(count: int, unit: str) -> str:
    """ "1 pallet position", "12 cubic metres"."""
    one, many = catalog.UNIT_NOUNS[unit]
    return f"{count} {one if count == 1 else many}"


def utc_time(value: datetime | None) -> Markup | str:
    """A moment as UTC text in a <time> element, which app.js follows with the viewer's local
    time: "2026-12-08 14:00 UTC (15:00 your time)"."""
    if value is None:
        return "—"
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return Markup('<time datetime="{}" data-local-time>{} UTC</time>').format(
        moment.strftime("%Y-%m-%dT%H:%M:%SZ"), moment.strftime("%Y-%m-%d %H:%M")
    )


def url_for_page(page: int) -> str:
    """The current URL with another page number, keeping every other argument."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["units"] = units
    app.jinja_env.filters["country_name"] = country_name
    app.jinja_env.filters["utc_time"] = utc_time
    app.jinja_env.globals.update(
        catalog=catalog,
        url_for_page=url_for_page,
        cancellation_policies=CANCELLATION_POLICIES,
        first_releases=FIRST_RELEASES,
        instalment_reference=instalment_reference,
        lease_month_starts=month_starts,
        timedelta_days=lambda n: timedelta(days=n),
    )

    @app.context_processor
    def navigation():
        user = current_user if current_user.is_authenticated else None
        organization = getattr(user, "organization", None)
        roles = {
            "is_operator": bool(user and user.is_operator),
            "is_owner": bool(organization and organization.owns_warehouses),
            "is_exporter": bool(organization and organization.rents_space),
        }
        # the menu reads its own names: a page may pass is_owner of the record it shows
        return roles | {f"nav_{name[3:]}": value for name, value in roles.items()}
