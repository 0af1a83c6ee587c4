"""The transfer pages: offer from the lease, see offers on the listing, take over, approve,
refuse, withdraw, and the operator's record of the taker's payment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import OperatorFactory, OrganizationFactory, UserFactory
from tests.helpers import api_token, goods, login
from tests.test_payment_plans import pay, schedule
from tests.transfer_support import (
    EFFECTIVE,
    NOW,
    START,
    TODAY,
    offer,
    paid_lease,
    receipt,
    transfer_count,
)
from warehouse_exchange.extensions import db
from warehouse_exchange.money import Money
from warehouse_exchange.notifications.models import Notification
from warehouse_exchange.transfers.commands import (
    offer_transfer,
    request_transfer,
    withdraw_transfer,
)


def notification_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Notification))


@pytest.fixture
def taker(app):
    return UserFactory(organization=OrganizationFactory(kind="exporter", country="DE"))


def offer_form(**changes):
    return {"effective_date": EFFECTIVE.isoformat(), "quantity": "4", "price": "500", **changes}


def test_the_tenant_offers_from_the_lease_page(client, owner, exporter):
    booking = paid_lease(owner, exporter)
    login(client, exporter)
    lease = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "Offer it for transfer" in lease

    page = client.get(f"/bookings/{booking.id}/transfer").get_data(as_text=True)
    assert "As a guide" in page and "€" in page
    assert f"units from {booking.start_date})" in page  # not before the lease starts

    bad = client.post(f"/bookings/{booking.id}/transfer", data=offer_form(quantity="11"))
    assert bad.status_code == 422 and "Must be between 1 and 10" in bad.get_data(as_text=True)
    past = client.post(
        f"/bookings/{booking.id}/transfer", data=offer_form(effective_date=TODAY.isoformat())
    )
    assert past.status_code == 422 and b"After today" in past.data
    cents = client.post(f"/bookings/{booking.id}/transfer", data=offer_form(price="5.001"))
    assert cents.status_code == 422 and b"at most 2 decimals" in cents.data
    assert b'value="5.001"' in cents.data  # the input is kept
    assert transfer_count() == 0

    made = client.post(f"/bookings/{booking.id}/transfer", data=offer_form())
    assert made.status_code == 302
    shown = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "offered" in shown and "€500.00" in shown and "Withdraw the offer" in shown
    listing = client.get(f"/listings/{booking.listing_id}").get_data(as_text=True)
    assert "on offer for transfer" in listing and "€500.00" in listing
    twice = client.post(f"/bookings/{booking.id}/transfer", data=offer_form())
    assert twice.status_code == 409 and b"already offered" in twice.data


def test_a_lease_with_months_to_pay_says_so_on_the_page(client, owner, exporter):
    booking = paid_lease(owner, exporter, plan="monthly")
    pay(OperatorFactory(), booking, schedule(booking)[0].amount_minor, "FIRST")
    login(client, exporter)
    page = client.get(f"/bookings/{booking.id}/transfer")
    assert page.status_code == 200
    assert b"cannot be offered now" in page.data and b"once every instalment is paid" in page.data
    assert b"As a guide" not in page.data  # no value to guide by for months not paid
    lease = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "cannot be offered for transfer now" in lease and "Offer it for transfer" not in lease
    refused = client.post(f"/bookings/{booking.id}/transfer", data=offer_form())
    assert refused.status_code == 409 and b"once every instalment is paid" in refused.data
    assert transfer_count() == 0


def test_a_taker_asks_the_owner_approves_and_the_operator_records_payment(
    client, owner, exporter, taker
):
    booking = paid_lease(owner, exporter)
    transfer = offer_transfer(exporter, offer(booking), NOW, TODAY)
    url = f"/transfers/{transfer.id}"
    login(client, taker)
    assert b"Ask to take it over" in client.get(url).data
    fields = {k: ("" if v is None else str(v)) for k, v in vars(goods()).items()}
    refused = client.post(f"{url}/request", data={**fields, "category": "food"})
    assert refused.status_code == 422 and b"This category is not accepted" in refused.data
    assert client.post(f"{url}/request", data=fields).status_code == 302
    assert b"asked to approve you" in client.get(url).data

    client.get("/logout")
    login(client, owner)
    assert b"Approve the taker" in client.get(url).data
    client.post(f"{url}/approve")
    db.session.expire_all()
    assert transfer.state == "owner_approved"

    client.get("/logout")
    login(client, taker)
    assert b"Pay the price into escrow" in client.get(url).data

    client.get("/logout")
    login(client, OperatorFactory())
    day = TODAY.isoformat()
    short = client.post(
        f"{url}/receipt", data={"amount": "400", "received_on": day, "bank_reference": "B1"}
    )
    assert short.status_code == 409 and b"exactly" in short.data
    paid = client.post(
        f"{url}/receipt", data={"amount": "500", "received_on": day, "bank_reference": "B1"}
    )
    assert paid.status_code == 302
    db.session.expire_all()
    assert transfer.state == "completed" and booking.end_date == EFFECTIVE - timedelta(days=1)
    assert b"New lease" in client.get(url).data
    for lease in (transfer.new_booking_id, transfer.continuation_id, booking.id):
        assert client.get(f"/bookings/{lease}").status_code == 200
    client.get("/logout")
    login(client, taker)
    lease = client.get(f"/bookings/{transfer.new_booking_id}").get_data(as_text=True)
    assert f"Taken over from lease #{booking.id}" in lease
    assert client.get(f"/bookings/{booking.id}/transfer").status_code == 404  # not a party
    client.get("/logout")
    login(client, owner)
    assert client.get(f"/bookings/{booking.id}/transfer").status_code == 403


def test_the_owner_refuses_and_the_tenant_withdraws_from_the_page(client, owner, exporter, taker):
    first = offer_transfer(exporter, offer(paid_lease(owner, exporter)), NOW, TODAY)
    second = offer_transfer(exporter, offer(paid_lease(owner, exporter)), NOW, TODAY)
    request_transfer(taker, first.id, goods(), NOW, TODAY)
    login(client, owner)
    client.post(f"/transfers/{first.id}/refuse", data={"reason": ""})
    db.session.expire_all()
    assert first.state == "requested"  # a refusal needs a reason
    client.post(f"/transfers/{first.id}/refuse", data={"reason": "No hazmat history"})
    assert client.post(f"/transfers/{second.id}/withdraw").status_code == 403  # not the owner's
    client.get("/logout")
    login(client, exporter)
    client.post(f"/transfers/{second.id}/withdraw", data={"reason": "Need it after all"})
    db.session.expire_all()
    assert (first.state, second.state) == ("refused", "withdrawn")
    assert b"#" + str(second.id).encode() in client.get("/transfers").data  # among ours
    assert b"withdrawn" in client.get(f"/transfers/{second.id}").data


def test_search_finds_listings_with_transfers_on_offer(client, owner, exporter):
    from tests.factories import ListingFactory, WarehouseFactory

    booking = paid_lease(owner, exporter)
    ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))
    offer_transfer(exporter, offer(booking), NOW, TODAY)

    everything = client.get("/api/v1/search").json["results"]
    assert len(everything) == 2
    assert {hit["listing_id"]: hit["transfers_on_offer"] for hit in everything} == {
        booking.listing_id: 1,
        everything[0]["listing_id"] if everything[0]["listing_id"] != booking.listing_id
        else everything[1]["listing_id"]: 0,
    }  # fmt: skip
    only = client.get("/api/v1/search?transfers_on_offer=true").json["results"]
    assert [hit["listing_id"] for hit in only] == [booking.listing_id]
    page = client.get("/?transfers_on_offer=y").get_data(as_text=True)
    assert "1 lease on offer for transfer" in page and "1 listing" in page


def test_operators_see_the_transfers_awaiting_payment(client, owner, exporter, taker, operator):
    booking = paid_lease(owner, exporter, consent=False)
    transfer = offer_transfer(exporter, offer(booking), NOW, TODAY)
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    login(client, operator)
    page = client.get("/transfers").get_data(as_text=True)
    assert "Awaiting the taker's payment" in page and f"/transfers/{transfer.id}" in page
    assert "Record the taker's bank transfer" in client.get(f"/transfers/{transfer.id}").get_data(
        as_text=True
    )
    client.get("/logout")
    login(client, owner)
    assert b">Transfers</a>" in client.get("/").data
    assert b"Awaiting the taker" not in client.get("/transfers").data


def _rated(user, tier="A", score=720):
    user.organization.rating_tier, user.organization.credit_score = tier, score
    db.session.commit()
    return user


def test_the_owner_approves_knowing_the_takers_goods_and_rating(client, owner, exporter, taker):
    booking = paid_lease(owner, exporter)
    transfer = offer_transfer(exporter, offer(booking), NOW, TODAY)
    request_transfer(_rated(taker), transfer.id, goods(hazmat_class=None), NOW, TODAY)
    url = f"/transfers/{transfer.id}"
    login(client, owner)
    page = client.get(url).get_data(as_text=True)
    assert "General merchandise".lower() in page and "120 × 80 × 150 cm, 400 kg" in page
    assert "10 °C to 30 °C" in page and "Hazardous goods" in page
    assert "score 720 of 1000" in page and "<strong>A</strong>" in page
    assert f'href="/organizations/{taker.organization_id}#rating"' in page
    assert "Needed: the owner approves" in page

    assert client.post(f"{url}/approve").status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert f"Given on {TODAY.isoformat()}" in page and "Needed:" not in page
    client.get("/logout")
    login(client, taker)
    paying = client.get(url).get_data(as_text=True)
    assert "Pay the price into escrow" in paying and "<dt>BIC</dt><dd>ABNANL2A</dd>" in paying


def test_the_transfer_api_gives_the_takers_goods_rating_and_consent_day(
    client, owner, exporter, taker
):
    booking = paid_lease(owner, exporter)
    transfer = offer_transfer(exporter, offer(booking), NOW, TODAY)
    headers = api_token(client, owner)
    url = f"/api/v1/transfers/{transfer.id}"
    before = client.get(url, headers=headers).json
    assert (before["taker"], before["taker_goods"], before["approved_at"]) == (None, None, None)
    request_transfer(_rated(taker, "BBB", 560), transfer.id, goods(), NOW, TODAY)
    read = client.get(url, headers=headers).json
    assert (read["taker"]["rating_tier"], read["taker"]["credit_score"]) == ("BBB", 560)
    assert read["taker"]["id"] == taker.organization_id
    assert read["taker_goods"] == {**vars(goods())}
    approved = client.post(f"{url}/approve", headers=headers)
    assert approved.status_code == 200 and approved.json["approved_at"].startswith(str(TODAY))


def test_approving_a_withdrawn_transfer_is_a_409_and_changes_nothing(
    client, owner, exporter, taker
):
    transfers = []
    for _ in range(2):
        transfer = offer_transfer(exporter, offer(paid_lease(owner, exporter)), NOW, TODAY)
        request_transfer(taker, transfer.id, goods(), NOW, TODAY)
        withdraw_transfer(exporter, transfer.id, "Need it after all", NOW)
        transfers.append(transfer)
    page_one, api_one = transfers
    notices = notification_count()
    login(client, owner)
    page = client.post(f"/transfers/{page_one.id}/approve")
    assert page.status_code == 409
    assert f"Transfer #{page_one.id} cannot be approved: the tenant withdrew it" in page.get_data(
        as_text=True
    )
    answer = client.post(
        f"/api/v1/transfers/{api_one.id}/approve", headers=api_token(client, owner)
    )
    assert answer.status_code == 409 and "the tenant withdrew it" in answer.json["error"]["message"]
    db.session.expire_all()
    for transfer in transfers:
        assert (transfer.state, transfer.approved_at) == ("withdrawn", None)
        assert transfer.reason == "Need it after all"
    assert notification_count() == notices


def _complete(transfer):
    from warehouse_exchange.transfers.settlement import record_transfer_receipt

    record_transfer_receipt(OperatorFactory(), receipt(transfer), NOW, TODAY)
    db.session.expire_all()
    return transfer


def test_each_lease_of_a_partial_transfer_says_what_became_of_it(client, owner, exporter, taker):
    booking = paid_lease(owner, exporter, consent=False)
    transfer = offer_transfer(exporter, offer(booking, quantity=4), NOW, TODAY)
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    _complete(transfer)
    kept, taken = transfer.continuation, transfer.new_booking
    login(client, exporter)
    original = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert (
        f'4 of 10 pallet positions handed over to <a href="/organizations/{taker.organization_id}'
        f'">{taker.organization.name}</a> on {TODAY}' in original
    )
    assert f"transfer #{transfer.id}" in original and "the other 6 as lease" in original
    assert f"handed on from {EFFECTIVE}" in original and "ended early" not in original
    moved = Money(transfer.escrow_moved_minor, "EUR").format()
    assert f"{moved} of it, the rent not yet released for the days from {EFFECTIVE}" in original

    remainder = client.get(f"/bookings/{kept.id}").get_data(as_text=True)
    assert "Taken over from" not in remainder and "6 pallet positions" in remainder
    kept_by = f"kept by {exporter.organization.name} from {EFFECTIVE} when 4 were handed over"
    assert kept_by in remainder
    assert f'lease <a href="/bookings/{booking.id}">#{booking.id}</a>' in remainder
    client.get("/logout")
    login(client, taker)
    lease = client.get(f"/bookings/{taken.id}").get_data(as_text=True)
    total = taken.money(taken.total_minor).format()
    assert f"<strong>{total}</strong>" in lease and total != "€500.00"
    assert f"rent for the remaining days at lease #{booking.id}'s rate" in lease  # no link:
    assert f'href="/bookings/{booking.id}"' not in lease  # the original is not the taker's
    assert f"paid {exporter.organization.name} €500.00 for" in lease


def test_the_booking_api_says_where_a_split_lease_came_from(client, owner, exporter, taker):
    booking = paid_lease(owner, exporter, consent=False)
    transfer = offer_transfer(exporter, offer(booking, quantity=4), NOW, TODAY)
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    _complete(transfer)
    headers = api_token(client, exporter)
    original = client.get(f"/api/v1/bookings/{booking.id}", headers=headers).json
    assert original["original_end_date"] == str(transfer.booking.original_end_date)
    kept = client.get(f"/api/v1/bookings/{transfer.continuation_id}", headers=headers).json
    assert (kept["transferred_from_id"], kept["quantity"]) == (booking.id, 6)
    read = client.get(f"/api/v1/transfers/{transfer.id}", headers=headers).json
    assert read["escrow_moved"] == {"amount_minor": transfer.escrow_moved_minor, "currency": "EUR"}
    assert read["quantity"] + original["quantity"] - read["quantity"] == 10


def _check_in_goods(client, owner, exporter, booking):
    from tests.test_goods_api import counts, post_check_in
    from tests.test_shipments import announce, line

    tenant_headers, owner_headers = api_token(client, exporter), api_token(client, owner)
    shipment = announce(client, tenant_headers, booking.id, lines=[line(units=500)])
    early = {"from_date": TODAY.isoformat()}  # the lease starts later; the owner agrees
    agreed = client.put(
        f"/api/v1/bookings/{booking.id}/early-arrival", json=early, headers=owner_headers
    )
    assert agreed.status_code == 200, agreed.json
    checked = post_check_in(client, owner_headers, shipment["id"], counts(("BT-SPK-01", 500, 0)))
    assert checked.status_code == 201, checked.json


def test_the_offer_and_approval_pages_warn_of_goods_the_kept_units_cannot_hold(
    client, owner, exporter, taker
):
    from warehouse_exchange.shipments.stock import lease_space_used

    booking = paid_lease(owner, exporter)
    _check_in_goods(client, owner, exporter, booking)
    used = lease_space_used(booking)
    assert 1 < used <= 9
    login(client, exporter)
    form = client.get(f"/bookings/{booking.id}/transfer").get_data(as_text=True)
    assert 'id="goods-left-over"' in form and "you would keep no space here" in form
    one = client.post(  # refused for its price: the form shows again for one unit
        f"/bookings/{booking.id}/transfer", data=offer_form(quantity="1", price="5.001")
    )
    assert one.status_code == 422 and b'id="goods-left-over"' not in one.data  # 9 hold them

    too_many = int(10 - used) + 1  # the units left could not hold the goods
    transfer = offer_transfer(exporter, offer(booking, quantity=too_many), NOW, TODAY)
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    client.get("/logout")
    login(client, owner)
    page = client.get(f"/transfers/{transfer.id}").get_data(as_text=True)
    assert 'id="goods-left-over"' in page and "cannot hold them" in page
    client.get("/logout")
    login(client, taker)  # the tenant's stock is not the taker's business
    assert b'id="goods-left-over"' not in client.get(f"/transfers/{transfer.id}").data

    url = f"/api/v1/transfers/{transfer.id}"
    warned = client.get(url, headers=api_token(client, owner)).json["goods_left_over"]
    assert warned["units_kept"] == 10 - too_many and float(warned["space_used"]) >= float(used)
    assert client.get(url, headers=api_token(client, taker)).json["goods_left_over"] is None


def test_no_warning_when_nothing_is_checked_in(client, owner, exporter):
    booking = paid_lease(owner, exporter)
    login(client, exporter)
    assert b'id="goods-left-over"' not in client.get(f"/bookings/{booking.id}/transfer").data


def test_a_transfer_of_a_lease_released_on_its_first_day_says_no_escrow_followed(
    client, owner, exporter, taker
):
    """A lease of a month or less is released in one part on its first day: a transfer from a
    later day moves no escrow, and no page claims the rent was released or that escrow moved."""
    booking = paid_lease(owner, exporter, consent=False, end=START + timedelta(days=13))
    handover = START + timedelta(days=4)
    transfer = offer_transfer(exporter, offer(booking, quantity=4, effective=handover), NOW, TODAY)
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    _complete(transfer)
    assert transfer.escrow_moved_minor == 0
    login(client, exporter)
    original = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert f"no release of this lease was due from {handover} on" in original
    assert "released already" not in original
    kept = client.get(f"/bookings/{transfer.continuation_id}").get_data(as_text=True)
    assert f"rent for the days from {handover} fell in releases due before that day" in kept
    assert "moved here" not in kept
    client.get("/logout")
    login(client, taker)
    taken = client.get(f"/bookings/{transfer.new_booking_id}").get_data(as_text=True)
    assert "No rent is paid on this lease" in taken and "which followed them here" not in taken
    assert f"paid {exporter.organization.name} €500.00 for" in taken
