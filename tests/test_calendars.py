"""Calendar heat maps: the share scale, the exporter's availability calendar with chosen dates,
and the owner's occupancy calendars (held and used, per listing and per warehouse) with their
monthly figures; on both databases."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import booking_terms, goods, pay_in_full
from warehouse_exchange.bookings.calendar import calendar_window, share_level
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.bookings.queries import ChosenSpace, availability_calendar
from warehouse_exchange.errors import Forbidden, InvalidInput, NotFound
from warehouse_exchange.extensions import db
from warehouse_exchange.shipments.models import StockItem
from warehouse_exchange.shipments.occupancy import (
    listing_occupancy_calendar,
    warehouse_occupancy_calendars,
)

NOW = datetime.now(UTC)
CHOSEN_DAY = re.compile(r'class="day [^"]*chosen')
TODAY = NOW.date()


@pytest.mark.parametrize(
    ("part", "whole", "level"),
    [
        (0, 2000, 0),
        (20, 2000, 1),  # a little is never drawn as nothing
        (500, 2000, 1),
        (501, 2000, 2),
        (1000, 2000, 2),
        (1500, 2000, 3),
        (1999, 2000, 4),  # nearly all is never drawn as all
        (2000, 2000, 5),
        (Decimal("0.01"), 100, 1),
        (5, 0, None),  # nothing on offer
    ],
)
def test_share_levels_keep_none_some_and_all_apart(part, whole, level):
    assert share_level(part, whole) == level


def test_the_window_runs_from_the_first_of_this_month_through_twelve_months():
    assert calendar_window(date(2026, 3, 14)) == (date(2026, 3, 1), date(2027, 2, 28))
    assert calendar_window(date(2026, 1, 31)) == (date(2026, 1, 1), date(2026, 12, 31))


def _listing(owner, **changes):
    return ListingFactory(
        warehouse=changes.pop("warehouse", None)
        or WarehouseFactory(organization=owner.organization),
        quantity=changes.pop("quantity", 100),
        available_from=TODAY,
        available_to=TODAY + timedelta(days=200),
        **changes,
    )


def _book(owner, exporter, listing, quantity, start, days=30):
    """A booking the owner accepted: its units are held on each of its days."""
    request = BookingRequest(listing.id, quantity, start, start + timedelta(days=days - 1), goods())
    booking = request_booking(exporter, request, booking_terms(), NOW, TODAY)
    return accept_booking(owner, booking.id, NOW)


def _cells(calendar) -> dict[date, object]:
    return {c.day: c for m in calendar.months for c in m.days}


def test_free_capacity_per_day_and_a_booking_changes_the_colours(app, owner, exporter):
    listing = _listing(owner)
    start = TODAY + timedelta(days=10)
    before = _cells(availability_calendar(listing.id, TODAY))
    assert len(before) in range(365, 367 + 31)
    assert before[TODAY].free == 100 and before[TODAY].free_level == 5
    assert not before[TODAY + timedelta(days=201)].open  # past the listing's last day
    if TODAY.day > 1:
        assert not before[TODAY - timedelta(days=1)].open  # the past is not on offer

    _book(owner, exporter, listing, 40, start)
    after = _cells(availability_calendar(listing.id, TODAY))
    assert (after[start].free, after[start].capacity, after[start].free_level) == (60, 100, 3)
    assert after[start + timedelta(days=29)].free == 60
    assert after[start + timedelta(days=30)].free_level == 5  # the day after the lease
    assert after[start - timedelta(days=1)].free_level == 5


def test_chosen_days_are_marked_and_those_short_of_the_quantity_named(app, owner, exporter):
    listing = _listing(owner)
    start = TODAY + timedelta(days=10)
    _book(owner, exporter, listing, 40, start, days=7)
    fits = availability_calendar(listing.id, TODAY, ChosenSpace(start, start + timedelta(9), 60))
    assert fits.short_days == [] and fits.chosen_days == 10
    chosen = [c for c in _cells(fits).values() if c.chosen]
    assert [c.day for c in chosen] == [start + timedelta(days=n) for n in range(10)]

    too_many = availability_calendar(
        listing.id, TODAY, ChosenSpace(start - timedelta(2), start + timedelta(9), 61)
    )
    assert [(c.day, c.free) for c in too_many.short_days] == [
        (start + timedelta(days=n), 60) for n in range(7)
    ]
    assert all(c.short for c in too_many.short_days)


def test_chosen_days_past_the_listings_window_or_the_twelve_months_do_not_fit(app, owner, exporter):
    listing = _listing(owner)
    end = TODAY + timedelta(days=420)
    late = availability_calendar(listing.id, TODAY, ChosenSpace(TODAY + timedelta(190), end, 1))
    assert late.short_days[0].day == TODAY + timedelta(days=201)
    assert late.short_days[-1].day == end  # named even beyond the calendar shown
    assert late.short_days[0].free == 0 and not late.short_days[0].open


@pytest.mark.parametrize(
    ("chosen", "field"),
    [
        (ChosenSpace(TODAY + timedelta(5), TODAY + timedelta(4), 1), "end"),
        (ChosenSpace(TODAY - timedelta(1), TODAY + timedelta(4), 1), "start"),
        (ChosenSpace(TODAY, TODAY + timedelta(800), 1), "end"),
        (ChosenSpace(TODAY, TODAY + timedelta(4), 0), "quantity"),
    ],
)
def test_impossible_choices_are_refused_by_name(app, owner, chosen, field):
    listing = _listing(owner)
    with pytest.raises(InvalidInput) as refused:
        availability_calendar(listing.id, TODAY, chosen)
    assert field in refused.value.fields


def test_an_unknown_listing_has_no_calendar(app):
    with pytest.raises(NotFound):
        availability_calendar(999_999, TODAY)


def _stock(booking, units):
    """Goods on hand: 120 x 80 x 150 cm, 400 kg, one to a pallet position (180 cm high)."""
    db.session.add(
        StockItem(
            booking_id=booking.id,
            sku="SKU-1",
            description="Crates",
            received_good=units,
            received_damaged=0,
            released=0,
            unit_length_cm=120,
            unit_width_cm=80,
            unit_height_cm=150,
            unit_weight_kg=400,
        )  # fmt: skip
    )
    db.session.commit()


def test_owner_sees_held_and_used_shares_per_listing(app, owner, exporter, operator):
    listing = _listing(owner)
    empty = listing_occupancy_calendar(owner, listing.id, TODAY)
    assert empty.today.held == 0 and empty.today.held_level == 0
    assert empty.today.used == 0 and empty.today.used_level == 0
    assert {f.peak_held for f in empty.figures} == {0}

    lease = _book(owner, exporter, listing, 100, TODAY, days=20)  # every unit, from today
    pay_in_full(operator, lease)
    _stock(lease, 30)
    full = listing_occupancy_calendar(owner, listing.id, TODAY)
    days = _cells(full)
    assert (days[TODAY].held, days[TODAY].held_level) == (100, 5)
    assert (days[TODAY].used, days[TODAY].used_level) == (30, 2)
    last = TODAY + timedelta(days=19)
    assert days[last].used == 30 and days[last + timedelta(days=1)].used == 0
    if TODAY.day > 1:
        assert days[TODAY - timedelta(days=1)].used is None  # the past's goods are not known
    this_month = full.figures[0]
    assert this_month.capacity == 100 and this_month.peak_held == 100
    open_days = [c for c in full.months[0].days if c.open]
    held_days = sum(1 for c in open_days if c.held)
    assert this_month.average_held == round(100 * held_days / len(open_days))
    assert full.figures[-1].capacity == 0  # the listing ends before the twelfth month


def test_warehouse_adds_listings_up_per_unit_in_one_grouped_query(app, owner, exporter):
    warehouse = WarehouseFactory(organization=owner.organization)
    pallets = _listing(owner, warehouse=warehouse, quantity=60)
    more_pallets = _listing(owner, warehouse=warehouse, quantity=40)
    _listing(owner, warehouse=warehouse, quantity=500, unit="sqm")
    start = TODAY + timedelta(days=3)
    _book(owner, exporter, pallets, 20, start)
    _book(owner, exporter, more_pallets, 30, start)

    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        by_unit = warehouse_occupancy_calendars(owner, warehouse.id, TODAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    reads = [s.split("\nFROM ")[1].split()[0] for s in statements if s.startswith("SELECT")]
    # the held units in one query grouped by unit and day, the leases and their stock in one
    # each: never a query per day or per listing (the rest read the actor and the warehouse)
    assert [reads.count(t) for t in ("capacity_days", "bookings", "stock_items")] == [1, 1, 1]
    assert len(reads) <= 8, reads
    assert [(c.unit, c.title) for c in by_unit] == [
        ("pallet", "Pallet positions"),
        ("sqm", "Square metres"),
    ]
    day = _cells(by_unit[0])[start]
    assert (day.capacity, day.held, day.held_level) == (100, 50, 2)
    assert _cells(by_unit[1])[start].held == 0


def test_another_owner_sees_no_occupancy(app, owner, other_owner):
    listing = _listing(owner)
    with pytest.raises(Forbidden):
        listing_occupancy_calendar(other_owner, listing.id, TODAY)
    with pytest.raises(Forbidden):
        warehouse_occupancy_calendars(other_owner, listing.warehouse_id, TODAY)


def test_listing_page_marks_the_chosen_days_and_says_where_they_do_not_fit(client, owner, exporter):
    listing = _listing(owner)
    start = TODAY + timedelta(days=10)
    _book(owner, exporter, listing, 40, start, days=7)
    url = f"/listings/{listing.id}"
    chosen = f"start={start - timedelta(2)}&end={start + timedelta(9)}"

    fits = client.get(f"{url}?{chosen}&quantity=60").get_data(as_text=True)
    assert "60 pallet positions are free on all 12 days you chose" in fits
    assert fits.count('class="day heat-3 chosen"') == 7  # 60 of 100 free
    assert f'data-day="{start}" data-level="3"' in fits

    short = client.get(f"{url}?{chosen}&quantity=61").get_data(as_text=True)
    assert "61 pallet positions do not fit on 7 of the 12 days you chose" in short
    assert f"{start.strftime('%a %d %b %Y')}: only 60 free" in short
    assert "and 2 more." in short
    assert short.count(" chosen short") == 7

    plain = client.get(url).get_data(as_text=True)
    assert not CHOSEN_DAY.search(plain) and 'id="availability-calendar"' in plain
    label = f"{start.strftime('%a %d %b %Y')}: 60 of 100 free"
    assert f'title="{label}" aria-label="{label}"' in plain


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=tomorrow&end=2030-01-01&quantity=5", "Dates are written YYYY-MM-DD."),
        ("start=2030-01-01&quantity=5", "Give the first day, the last day and the units"),
        ("start=2030-01-05&end=2030-01-01&quantity=5", "The last day is before the first day."),
        ("start=2030-01-01&end=2030-01-05&quantity=-3", "Units are a whole number."),
    ],
)
def test_an_unreadable_choice_is_explained_and_the_calendar_still_shows(
    client, owner, query, message
):
    listing = _listing(owner)
    page = client.get(f"/listings/{listing.id}?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert message in html and 'id="availability-calendar"' in html and not CHOSEN_DAY.search(html)


def test_warehouse_occupancy_page_for_its_owner_only(client, owner, other_owner, exporter):
    from tests.helpers import login

    listing = _listing(owner, quantity=2000)
    _book(owner, exporter, listing, 20, TODAY + timedelta(days=3))
    url = f"/occupancy/warehouses/{listing.warehouse_id}"
    login(client, owner)
    page = client.get(url).get_data(as_text=True)
    day = (TODAY + timedelta(days=3)).strftime("%a %d %b %Y")
    assert f'aria-label="{day}: 20 of 2000 held, 0 used by goods"' in page
    assert 'data-level="1"' in page  # 20 of 2000 is not coloured as nothing
    assert 'id="occupancy-pallet-chart"' in page and "<svg" in page
    assert "used by goods today" in client.get(f"{url}?by=used").get_data(as_text=True).lower()
    summary = client.get("/occupancy").get_data(as_text=True)
    assert 'data-heat="held" data-level="0"' in summary  # nothing leased today: 0 of 2000
    warehouse_page = client.get(f"/warehouses/{listing.warehouse_id}").get_data(as_text=True)
    assert f'href="{url}"' in warehouse_page
    client.post("/logout")
    login(client, other_owner)
    assert client.get(url).status_code == 403
