"""When the owner's first release falls due: on the first day, or at the first check-in of
the goods when the listing says so (at the latest RELEASE_CHECK_IN_WAIT_DAYS later)."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import ListingFactory, OperatorFactory, WarehouseFactory
from tests.helpers import booking_terms, goods, pay_in_full
from tests.test_escrow import NOW, START, TODAY, at_noon
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.bookings.jobs import advance_leases
from warehouse_exchange.escrow.releases import booking_releases, run_due_releases
from warehouse_exchange.escrow.rules import add_months
from warehouse_exchange.shipments.signals import goods_checked_in

END = add_months(START, 3) - timedelta(days=1)


def paid_lease(owner, exporter, first_release: str):
    listing = ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization),
        quantity=100,
        price_minor=700,
        available_from=TODAY,
        available_to=TODAY + timedelta(days=400),
        first_release=first_release,
    )
    request = BookingRequest(listing.id, 10, START, END, goods())
    booking = request_booking(exporter, request, booking_terms(), NOW, TODAY)
    accept_booking(owner, booking.id, NOW)
    pay_in_full(OperatorFactory(), booking)
    return booking


def test_a_start_day_listing_releases_on_the_first_day_whatever_the_goods(owner, exporter):
    booking = paid_lease(owner, exporter, "start_day")
    first = booking_releases(booking.id)[0]

    assert (first.due_on, first.awaits_check_in) == (START, False)
    goods_checked_in.send(booking, at=at_noon(START + timedelta(days=3)))
    assert first.due_on == START


def test_a_check_in_listing_waits_for_the_goods_then_releases_on_the_check_in_day(
    app, owner, exporter
):
    booking = paid_lease(owner, exporter, "check_in")
    first = booking_releases(booking.id)[0]
    wait = timedelta(days=app.config["RELEASE_CHECK_IN_WAIT_DAYS"])
    assert (first.due_on, first.awaits_check_in) == (START + wait, True)

    advance_leases(at_noon(START))
    assert run_due_releases(at_noon(START + timedelta(days=2))) == 0  # no goods yet

    checked_in = at_noon(START + timedelta(days=3))
    goods_checked_in.send(booking, at=checked_in)
    assert (first.due_on, first.awaits_check_in) == (checked_in.date(), False)
    assert run_due_releases(checked_in) == 1
    assert first.released_at == checked_in


def test_goods_in_before_the_first_day_release_on_the_first_day(owner, exporter):
    booking = paid_lease(owner, exporter, "check_in")

    goods_checked_in.send(booking, at=at_noon(START - timedelta(days=2)))

    assert booking_releases(booking.id)[0].due_on == START


def test_without_goods_the_owner_is_paid_after_the_wait(app, owner, exporter):
    paid_lease(owner, exporter, "check_in")
    latest = START + timedelta(days=app.config["RELEASE_CHECK_IN_WAIT_DAYS"])

    advance_leases(at_noon(START))
    assert run_due_releases(at_noon(latest - timedelta(days=1))) == 0
    assert run_due_releases(at_noon(latest)) == 1


def test_the_listing_page_and_api_say_when_the_owner_is_paid(client, owner, exporter):
    listing = paid_lease(owner, exporter, "check_in").listing

    page = client.get(f"/listings/{listing.id}")
    assert b"When the tenant&#39;s goods are first checked in" in page.data
    assert client.get(f"/api/v1/listings/{listing.id}").json["first_release"] == "check_in"
