"""Booking pages: quote then send, the owner's inbox, my leases, the booking page, calendar."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import login
from warehouse_exchange.bookings.models import Booking
from warehouse_exchange.extensions import db

TODAY = date.today()
START = TODAY + timedelta(days=3)


@pytest.fixture
def listing(owner):
    return ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization),
        title="Racked pallets",
        quantity=40,
        price_minor=350,
        min_quantity=2,
    )


def form(**changes) -> dict:
    data = {
        "quantity": "8",
        "start": START.isoformat(),
        "end": (START + timedelta(days=13)).isoformat(),
        "unit_length_cm": "120",
        "unit_width_cm": "80",
        "unit_height_cm": "150",
        "unit_weight_kg": "300",
        "temperature_min_c": "5",
        "temperature_max_c": "30",
        "hazmat_class": "",
        "category": "electronics",
        "sku_count": "12",
        "idempotency_key": "form-key-1",
    }
    return {**data, **changes}


def bookings_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_quote_first_then_send(client, exporter, listing):
    login(client, exporter)
    page = client.get(f"/listings/{listing.id}/book").get_data(as_text=True)
    assert "Get a quote" in page and "Send request" not in page
    quoted = client.post(f"/listings/{listing.id}/book", data={**form(), "action": "quote"})
    text = quoted.get_data(as_text=True)
    assert quoted.status_code == 200 and bookings_count() == 0
    # 3.50 x 8 x 2 weeks = 56.00; + 8% + 2% = 61.60
    assert "€56.00" in text and "€4.48" in text and "€1.12" in text and "€61.60" in text
    sent = client.post(f"/listings/{listing.id}/book", data={**form(), "action": "send"})
    assert sent.status_code == 302 and bookings_count() == 1
    again = client.post(f"/listings/{listing.id}/book", data={**form(), "action": "send"})
    assert again.headers["Location"] == sent.headers["Location"] and bookings_count() == 1
    detail = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Waiting for the owner" in detail and "12 SKUs of electronics" in detail
    assert "Request #" in detail and "sent to" in detail


def test_an_instant_booking_says_it_is_accepted_and_paid_at_once(client, exporter, listing):
    listing.instant_book = True
    db.session.commit()
    login(client, exporter)
    quoted = client.post(f"/listings/{listing.id}/book", data={**form(), "action": "quote"})
    assert "Rent (8 pallet positions, 14 days)" in quoted.get_data(as_text=True)
    sent = client.post(f"/listings/{listing.id}/book", data={**form(), "action": "send"})
    detail = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "is accepted by" in detail and "pay to confirm it" in detail
    assert "sent to" not in detail


def test_bad_request_is_shown_beside_the_field(client, exporter, listing):
    login(client, exporter)
    cases = [
        ({"quantity": "41"}, "At most 40."),
        ({"unit_weight_kg": "5000"}, "Units up to"),
        ({"end": (START - timedelta(days=1)).isoformat()}, "Before the start."),
        ({"quantity": "1"}, "Below the minimum."),
        ({"quantity": "-1"}, "Number must be"),
    ]
    for change, message in cases:
        response = client.post(
            f"/listings/{listing.id}/book", data={**form(**change), "action": "send"}
        )
        assert response.status_code == 422, change
        assert message in response.get_data(as_text=True), change
    assert bookings_count() == 0


def test_owner_inbox_accept_decline_and_calendar(client, owner, exporter, listing):
    login(client, exporter)
    for key in ("a", "b"):
        client.post(
            f"/listings/{listing.id}/book", data={**form(idempotency_key=key), "action": "send"}
        )
    client.post("/logout")
    login(client, owner)
    inbox = client.get("/bookings/inbox").get_data(as_text=True)
    first, second = (int(n) for n in dict.fromkeys(re.findall(r"/bookings/(\d+)\"", inbox)))
    accepted = client.post(f"/bookings/{first}/accept", data={"next": "/bookings/inbox"})
    assert accepted.headers["Location"] == "/bookings/inbox"
    refused = client.post(f"/bookings/{second}/decline", data={"reason": ""})
    assert refused.status_code == 422 and db.session.get(Booking, second).state == "requested"
    shown = refused.get_data(as_text=True)
    assert 'has-error" style' in shown and "Give a reason: the other party reads it." in shown
    client.post(f"/bookings/{second}/decline", data={"reason": "Full that week"})
    db.session.expire_all()
    assert [db.session.get(Booking, n).state for n in (first, second)] == ["accepted", "declined"]
    twice = client.post(f"/bookings/{first}/accept")
    assert twice.status_code == 302
    assert "only requested bookings can" in client.get(twice.headers["Location"]).get_data(
        as_text=True
    )
    calendar = client.get(f"/listings/{listing.id}/calendar").get_data(as_text=True)
    booked_day = START.strftime("%a %d %b %Y")
    assert f'aria-label="{booked_day}: 8 of 40 held, 0 used by goods"' in calendar
    assert f"#{first}" in calendar
    months = re.findall(r"<caption>(\w+ \d{4})</caption>", calendar)
    assert len(months) == 12 and len(set(months)) == 12
    assert client.get(f"/listings/{listing.id}/calendar?by=used").status_code == 200
    assert client.get(f"/listings/{listing.id}/calendar?by=colour").status_code == 422
    assert "No requests are waiting." in client.get("/bookings/inbox").get_data(as_text=True)


def test_leases_page_and_permissions(client, owner, other_owner, exporter, listing):
    login(client, exporter)
    assert "You have no leases yet." in client.get("/bookings/mine").get_data(as_text=True)
    sent = client.post(f"/listings/{listing.id}/book", data={**form(), "action": "send"})
    booking_url = sent.headers["Location"]
    assert "Racked pallets" in client.get("/bookings/mine").get_data(as_text=True)
    assert client.get(f"/listings/{listing.id}/calendar").status_code == 403
    client.post("/logout")
    login(client, other_owner)
    assert client.get(booking_url).status_code == 404
    booking_id = int(booking_url.rsplit("/", 1)[1])
    assert client.post(f"/bookings/{booking_id}/accept").status_code == 403
    assert db.session.get(Booking, booking_id).state == "requested"


def test_the_menu_keeps_every_role_of_an_organization_on_a_booking_page(client, owner, listing):
    from tests.factories import OrganizationFactory, UserFactory
    from tests.helpers import booking_terms, goods
    from warehouse_exchange.bookings.commands import BookingRequest, request_booking

    both = UserFactory(organization=OrganizationFactory(kind="both"))
    start = date.today() + timedelta(days=7)
    request = BookingRequest(listing.id, 2, start, start + timedelta(days=29), goods())
    booking = request_booking(both, request, booking_terms(), datetime.now(UTC), date.today())
    login(client, both)
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    menu = page.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    for item in ("My warehouses", "My listings", "Requests", "Occupancy", "My leases", "Disputes"):
        assert f">{item}</a>" in menu, item


def test_every_mistake_in_a_request_is_shown_at_once(client, exporter, listing):
    login(client, exporter)
    mistakes = {"quantity": "5000", "end": (START - timedelta(days=1)).isoformat()}
    sent = client.post(f"/listings/{listing.id}/book", data={**form(**mistakes), "action": "send"})
    page = sent.get_data(as_text=True)
    assert sent.status_code == 422 and "(1 more below.)" in page
    assert "At most 40." in page and "Before the start." in page
    assert bookings_count() == 0


def field_html(page: str, name: str) -> str:
    """The `.field` block of the form field `name`."""
    match = re.search(rf'<div class="field[^"]*">\s*<label for="{name}".*?</div>', page, re.S)
    assert match, name
    return match.group(0)


def test_a_search_result_carries_its_dates_quantity_and_goods_into_the_request(
    client, exporter, listing
):
    end = START + timedelta(days=20)
    searched = {
        "quantity": "6",
        "start": START.isoformat(),
        "end": end.isoformat(),
        "unit_length_cm": "110",
        "unit_width_cm": "90",
        "unit_height_cm": "140",
        "unit_weight_kg": "450",
        "temperature_min": "10",
        "temperature_max": "28",
        "category": "electronics",
    }
    results = client.get("/", query_string=searched).get_data(as_text=True)
    link = re.search(rf'href="(/listings/{listing.id}\?[^"]+)"', results).group(1)
    link = link.replace("&amp;", "&")
    for name, value in {
        "quantity": "6",
        "start": START.isoformat(),
        "unit_weight_kg": "450",
        "temperature_min_c": "10",
        "temperature_max_c": "28",
        "category": "electronics",
    }.items():
        assert f"{name}={value}" in link, (name, link)
    shown = client.get(link).get_data(as_text=True)
    request_link = re.search(r'href="([^"]+/book\?[^"]+)"[^>]*>Request space', shown).group(1)
    login(client, exporter)
    page = client.get(request_link.replace("&amp;", "&")).get_data(as_text=True)
    assert 'value="6"' in field_html(page, "quantity")
    assert f'value="{end.isoformat()}"' in field_html(page, "end")
    assert 'value="140"' in field_html(page, "unit_height_cm")
    assert 'value="450"' in field_html(page, "unit_weight_kg")
    assert 'value="28"' in field_html(page, "temperature_max_c")
    category = field_html(page, "category")
    assert 'selected value="electronics"' in category
    assert re.findall(r'<option[^>]*value="(\w+)"', category) == ["general", "electronics"]


def test_a_refused_category_names_the_ones_the_listing_takes(client, exporter, listing):
    login(client, exporter)
    refused = client.post(
        f"/listings/{listing.id}/book", data={**form(category="food"), "action": "quote"}
    )
    assert refused.status_code == 422 and bookings_count() == 0
    category = field_html(refused.get_data(as_text=True), "category")
    assert "this listing takes General merchandise, Electronics." in category
