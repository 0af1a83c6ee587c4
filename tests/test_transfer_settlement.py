"""A transfer taken over and paid: the lease splits at the effective day with capacity held
without a gap or a double count, the releases follow the days they pay for, and the tenant is
owed the price less the platform's fee. Every step is a balanced posting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import OperatorFactory, OrganizationFactory, UserFactory
from tests.helpers import api_token, goods, login
from tests.test_booking_state_machine import check_escrow
from tests.test_concurrency import check_ledger
from tests.transfer_support import (
    EFFECTIVE,
    END,
    NOW,
    START,
    TODAY,
    goods_json,
    offer,
    offer_json,
    paid_lease,
    receipt,
)
from warehouse_exchange.bookings import capacity
from warehouse_exchange.bookings.jobs import advance_leases
from warehouse_exchange.bookings.models import Booking
from warehouse_exchange.errors import Conflict, Forbidden, InvalidInput
from warehouse_exchange.escrow.cards import start_card_payment
from warehouse_exchange.escrow.queries import escrow_summary, refunds_due
from warehouse_exchange.escrow.refunds import send_refund
from warehouse_exchange.escrow.releases import booking_releases, run_due_releases
from warehouse_exchange.extensions import db
from warehouse_exchange.ledger import services as ledger
from warehouse_exchange.ledger.models import LedgerEntry
from warehouse_exchange.money import Money
from warehouse_exchange.notifications.models import Notification
from warehouse_exchange.transfers.commands import (
    approve_transfer,
    offer_transfer,
    refuse_transfer,
    request_transfer,
)
from warehouse_exchange.transfers.jobs import expire_transfers
from warehouse_exchange.transfers.queries import unreleased_value
from warehouse_exchange.transfers.settlement import record_transfer_receipt
from warehouse_exchange.trust import blacklist


@pytest.fixture
def taker(app):
    return UserFactory(organization=OrganizationFactory(kind="exporter", country="DE"))


def held(booking, day) -> int:
    return capacity.held_by_day(booking.listing, day, day).get(day, 0)


def kinds_told(organization_id) -> list[str]:
    return db.session.scalars(
        select(Notification.kind)
        .where(Notification.organization_id == organization_id)
        .order_by(Notification.id)
    ).all()


def test_a_partial_transfer_splits_the_lease_and_its_escrow(app, owner, exporter, taker):
    booking = paid_lease(owner, exporter)
    operator = OperatorFactory()
    moving = [r.amount_minor for r in booking_releases(booking.id) if r.due_on >= EFFECTIVE]
    guide = unreleased_value(booking, EFFECTIVE, 4).amount_minor
    fees_before = ledger.balance(ledger.fees("EUR")).amount_minor
    transfer = offer_transfer(exporter, offer(booking, quantity=4), NOW, TODAY)
    request_transfer(taker, transfer.id, goods(category="electronics"), NOW, TODAY)
    with pytest.raises(Conflict, match="owner's approval"):
        record_transfer_receipt(operator, receipt(transfer), NOW, TODAY)
    approve_transfer(owner, transfer.id, NOW, TODAY)

    record_transfer_receipt(operator, receipt(transfer), NOW, TODAY)

    assert transfer.state == "completed"
    new, kept = transfer.new_booking, transfer.continuation
    assert (booking.end_date, booking.original_end_date) == (EFFECTIVE - timedelta(days=1), END)
    assert (new.tenant_id, new.quantity, new.start_date, new.end_date, new.state) == (
        taker.organization_id, 4, EFFECTIVE, END, "confirmed"
    )  # fmt: skip
    assert (kept.tenant_id, kept.quantity, kept.start_date, kept.end_date) == (
        exporter.organization_id, 6, EFFECTIVE, END
    )  # fmt: skip
    assert new.transferred_from_id == kept.transferred_from_id == booking.id
    assert new.category == "electronics" and kept.category == "general"
    for day in (START, EFFECTIVE - timedelta(days=1), EFFECTIVE, END):
        assert held(booking, day) == 10  # no gap, never counted twice
    assert held(booking, END + timedelta(days=1)) == 0
    # the releases from the effective day left the lease and now pay the new ones
    assert all(r.due_on < EFFECTIVE for r in booking_releases(booking.id))
    assert new.subtotal_minor == guide
    assert new.subtotal_minor + kept.subtotal_minor == sum(moving)
    for lease in (new, kept):
        assert sum(r.amount_minor for r in booking_releases(lease.id)) == lease.subtotal_minor
        summary = escrow_summary(owner, lease.id, TODAY)
        assert summary.in_escrow.amount_minor == lease.subtotal_minor
        assert summary.outstanding.amount_minor == 0
    # the price: the platform's fee, the rest owed to the tenant
    fee = 50_000 * app.config["TRANSFER_FEE_BP"] // 10_000
    assert transfer.fee_minor == fee
    assert ledger.balance(ledger.fees("EUR")).amount_minor == fees_before + fee
    (refund,) = refunds_due(operator)
    assert (refund.booking_id, refund.amount_minor) == (booking.id, 50_000 - fee)
    assert ledger.balance(ledger.escrow(taker.organization_id, "EUR"), booking.id).amount_minor == 0
    send_refund(operator, refund.id, "PAID-TENANT", NOW)
    check_ledger()
    check_escrow()
    # the replayed receipt changes nothing: it is the receipt recorded before
    entries_before = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    replayed = record_transfer_receipt(operator, receipt(transfer), NOW, TODAY)
    assert replayed.transfer_id == transfer.id and replayed.bank_reference == f"TAKER-{transfer.id}"
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == entries_before
    assert "transfer_completed" in kinds_told(taker.organization_id)
    assert "transfer_completed" in kinds_told(owner.organization_id)
    assert kinds_told(exporter.organization_id).count("transfer_answered") == 1


def test_the_new_leases_run_and_release_on_their_own_schedule(app, owner, exporter, taker):
    booking = paid_lease(owner, exporter, consent=False)
    transfer = offer_transfer(exporter, offer(booking, quantity=10), NOW, TODAY)
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    record_transfer_receipt(OperatorFactory(), receipt(transfer), NOW, TODAY)  # no consent asked
    new = transfer.new_booking
    assert transfer.continuation is None and booking.quantity == 10
    from warehouse_exchange.escrow.reconciliation import reconciliation

    (prices,) = [
        line
        for line in reconciliation(OperatorFactory())
        if line.movement == "lease transfer prices in"
    ]
    assert prices.recorded == prices.ledger == Money(transfer.price_minor, "EUR")

    for day in (START, EFFECTIVE, END + timedelta(days=1), END + timedelta(days=2)):
        advance_leases(NOW.replace(year=day.year, month=day.month, day=day.day))
        run_due_releases(NOW.replace(year=day.year, month=day.month, day=day.day))

    assert (booking.state, new.state) == ("completed", "completed")
    payable = ledger.balance(ledger.payable(owner.organization_id, "EUR")).amount_minor
    assert payable == booking.subtotal_minor  # the owner's rent in full, nothing twice
    for lease in (booking, new):
        assert ledger.balance(ledger.escrow(lease.tenant_id, "EUR"), lease.id).amount_minor == (
            sum(r.amount_minor for r in refunds_due(OperatorFactory()) if r.booking_id == lease.id)
        )
    check_ledger()


def test_a_lease_already_released_hands_on_no_escrow(client, owner, exporter, taker):
    # a lease of a single month is released on its first day: nothing is left to follow
    booking = paid_lease(owner, exporter, consent=False, end=START + timedelta(days=20))
    transfer = offer_transfer(
        exporter, offer(booking, quantity=10, effective=START + timedelta(days=5)), NOW, TODAY
    )
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    record_transfer_receipt(OperatorFactory(), receipt(transfer), NOW, TODAY)
    new = transfer.new_booking
    assert (new.subtotal_minor, new.total_minor, transfer.escrow_moved_minor) == (0, 0, 0)
    assert escrow_summary(taker, new.id, TODAY).outstanding.amount_minor == 0
    check_ledger()
    check_escrow()
    login(client, taker)
    assert client.get(f"/bookings/{new.id}").status_code == 200
    with pytest.raises(Conflict, match="paid in full"):  # nothing to pay: never a 500
        start_card_payment(taker, new.id, gateway=None)


def test_requests_that_cannot_be_taken_are_refused(client, owner, exporter, taker, operator):
    booking = paid_lease(owner, exporter)
    transfer = offer_transfer(exporter, offer(booking), NOW, TODAY)
    url = f"/api/v1/transfers/{transfer.id}/request"
    attempts = [
        (exporter, goods_json(), 403),  # its own lease
        (owner, goods_json(), 403),  # not an exporter
        (taker, goods_json(category="food"), 422),
        (taker, goods_json(unit_weight_kg=5000), 422),
        (taker, goods_json(hazmat_class=3), 422),
        (taker, {"sku_profile": {"category": "general"}}, 422),
    ]
    for user, body, status in attempts:
        answer = client.post(url, json=body, headers=api_token(client, user))
        assert answer.status_code == status, (body, answer.json)
    db.session.expire_all()
    assert (transfer.state, transfer.taker_id) == ("offered", None)

    blocked = UserFactory(organization=OrganizationFactory(kind="exporter"))
    blacklist.blacklist_organization(operator, blocked.organization_id, "Fraud", None, NOW)
    answer = client.post(url, json=goods_json(), headers=api_token(client, blocked))
    assert answer.status_code == 403 and "blacklist" in answer.json["error"]["message"]

    assert client.post(url, json=goods_json(), headers=api_token(client, taker)).status_code == 200
    other = UserFactory(organization=OrganizationFactory(kind="exporter"))
    late = client.post(url, json=goods_json(), headers=api_token(client, other))
    assert late.status_code == 404  # asked for: only its parties see it now


def test_the_owner_answers_and_only_the_owner(client, owner, exporter, taker, other_owner):
    booking = paid_lease(owner, exporter)
    transfer = offer_transfer(exporter, offer(booking), NOW, TODAY)
    with pytest.raises(Conflict, match="nobody has asked to take it over yet"):
        approve_transfer(owner, transfer.id, NOW, TODAY)
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    for user in (other_owner, exporter, taker):
        with pytest.raises(Forbidden):
            approve_transfer(user, transfer.id, NOW, TODAY)
    with pytest.raises(InvalidInput):
        refuse_transfer(owner, transfer.id, " ", NOW)
    headers = api_token(client, owner)
    refused = client.post(
        f"/api/v1/transfers/{transfer.id}/refuse", json={"reason": "Unknown"}, headers=headers
    )
    assert refused.json["state"] == "refused" and refused.json["reason"] == "Unknown"
    again = client.post(f"/api/v1/transfers/{transfer.id}/approve", headers=headers)
    assert again.status_code == 409
    with pytest.raises(Conflict):
        record_transfer_receipt(OperatorFactory(), receipt(transfer), NOW, TODAY)
    assert booking.end_date == END
    assert "transfer_answered" in kinds_told(taker.organization_id)


def test_payments_other_than_the_price_are_refused(app, owner, exporter, taker):
    booking = paid_lease(owner, exporter, consent=False)
    transfer = offer_transfer(exporter, offer(booking), NOW, TODAY)
    operator = OperatorFactory()
    with pytest.raises(Conflict, match="requested"):  # nobody asked for it yet
        record_transfer_receipt(operator, receipt(transfer), NOW, TODAY)
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    for data, error in (
        (receipt(transfer, amount=49_999), Conflict),
        (receipt(transfer, amount=50_001), Conflict),
        (receipt(transfer, bank_reference=f"TRANSFER-{booking.id}"), Conflict),  # the lease's
        (receipt(transfer, when=NOW + timedelta(days=1)), InvalidInput),
    ):
        with pytest.raises(error):
            record_transfer_receipt(operator, data, NOW, TODAY)
    with pytest.raises(Forbidden):
        record_transfer_receipt(exporter, receipt(transfer), NOW, TODAY)
    assert (transfer.state, booking.end_date) == ("requested", END)
    check_ledger()


def test_open_transfers_expire_on_their_effective_day(app, owner, exporter, taker):
    first = paid_lease(owner, exporter)
    second = paid_lease(owner, exporter)
    offered = offer_transfer(exporter, offer(first), NOW, TODAY)
    requested = offer_transfer(exporter, offer(second), NOW, TODAY)
    request_transfer(taker, requested.id, goods(), NOW, TODAY)
    day_before = NOW + timedelta(days=(EFFECTIVE - TODAY).days - 1)
    assert expire_transfers(day_before) == 0

    on_the_day = day_before + timedelta(days=1)
    with pytest.raises(Conflict, match="lapsed"):  # before the job has run
        request_transfer(taker, offered.id, goods(), on_the_day, on_the_day.date())
    assert expire_transfers(on_the_day) == 2
    assert expire_transfers(on_the_day) == 0

    assert (offered.state, requested.state) == ("expired", "expired")
    assert "transfer_ended" in kinds_told(taker.organization_id)


def test_a_lease_changed_since_the_offer_does_not_complete(app, owner, exporter, taker):
    booking = paid_lease(owner, exporter, consent=False)
    transfer = offer_transfer(exporter, offer(booking), NOW, TODAY)
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    booking.end_date = EFFECTIVE - timedelta(days=2)  # e.g. ended early meanwhile
    db.session.commit()
    with pytest.raises(Conflict, match="no longer fits"):
        record_transfer_receipt(OperatorFactory(), receipt(transfer), NOW, TODAY)
    taken_over = select(Booking.id).where(Booking.transferred_from_id.is_not(None))
    assert db.session.scalar(taken_over) is None


def test_a_lease_that_handed_days_on_can_no_longer_be_cancelled(app, owner, exporter, taker):
    from warehouse_exchange.bookings.commands import cancel_booking

    booking = paid_lease(owner, exporter, consent=False)
    transfer = offer_transfer(exporter, offer(booking), NOW, TODAY)
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    record_transfer_receipt(OperatorFactory(), receipt(transfer), NOW, TODAY)
    assert booking.state == "confirmed"  # it has not started yet

    with pytest.raises(Conflict, match="transferred to another lease"):
        cancel_booking(exporter, booking.id, "Changed plans", NOW, TODAY)
    assert booking.state == "confirmed"
    cancel_booking(taker, transfer.new_booking_id, "Changed plans", NOW, TODAY)
    assert transfer.new_booking.state == "cancelled"
    check_ledger()
    check_escrow()


def test_the_whole_transfer_through_the_api(client, owner, exporter, taker, operator):
    booking = paid_lease(owner, exporter)
    tenant_h, taker_h, owner_h = (api_token(client, u) for u in (exporter, taker, owner))
    made = client.post("/api/v1/transfers", json=offer_json(booking), headers=tenant_h).json
    url = f"/api/v1/transfers/{made['id']}"
    assert client.get(url, headers=taker_h).json["state"] == "offered"
    assert client.post(f"{url}/request", json=goods_json(), headers=taker_h).status_code == 200
    stranger = UserFactory(organization=OrganizationFactory(kind="exporter"))
    assert client.get(url, headers=api_token(client, stranger)).status_code == 404
    assert client.post(f"{url}/approve", headers=owner_h).json["state"] == "owner_approved"
    body = {
        "reference": made["payment_reference"],
        "amount": made["price"],
        "received_on": TODAY.isoformat(),
        "bank_reference": "API-1",
    }
    refused = client.post("/api/v1/transfers/receipts", json=body, headers=taker_h)
    assert refused.status_code == 403
    wrong = {**body, "reference": "WT000000000"}
    assert (
        client.post(
            "/api/v1/transfers/receipts", json=wrong, headers=api_token(client, operator)
        ).status_code
        == 422
    )

    paid = client.post("/api/v1/transfers/receipts", json=body, headers=api_token(client, operator))

    assert paid.status_code == 201 and paid.json["transfer_state"] == "completed"
    again = client.post(
        "/api/v1/transfers/receipts", json=body, headers=api_token(client, operator)
    )
    assert again.status_code == 200 and again.json == paid.json  # a replay changes nothing
    done = client.get(url, headers=taker_h).json
    assert done["fee"]["amount_minor"] == 1_500 and done["new_booking_id"]
    lease = client.get(f"/api/v1/bookings/{done['new_booking_id']}", headers=taker_h).json
    assert (lease["state"], lease["quantity"], lease["start"]) == (
        "confirmed", 4, EFFECTIVE.isoformat()
    )  # fmt: skip
    mine = client.get("/api/v1/transfers?mine=true", headers=owner_h).json
    assert [t["id"] for t in mine["results"]] == [made["id"]]
    assert client.get("/api/v1/transfers", headers=taker_h).json["results"] == []


def test_the_takers_first_release_waits_for_its_goods_where_the_listing_says_so(
    app, owner, exporter, taker
):
    from warehouse_exchange.shipments.signals import goods_checked_in

    booking = paid_lease(owner, exporter, consent=False, first_release="check_in")
    transfer = offer_transfer(exporter, offer(booking, quantity=4), NOW, TODAY)
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    record_transfer_receipt(OperatorFactory(), receipt(transfer), NOW, TODAY)

    taken, kept = transfer.new_booking, transfer.continuation
    first = booking_releases(taken.id)[0]
    wait = timedelta(days=app.config["RELEASE_CHECK_IN_WAIT_DAYS"])
    assert first.awaits_check_in and first.due_on <= EFFECTIVE + wait
    assert not booking_releases(kept.id)[0].awaits_check_in  # the tenant stays where it was
    goods_checked_in.send(taken, at=NOW.replace(hour=12) + (EFFECTIVE - TODAY))
    assert (first.awaits_check_in, first.due_on) == (False, EFFECTIVE)


def test_the_goods_in_stock_follow_the_lease_the_tenant_keeps(client, owner, exporter, taker):
    from tests.test_goods_api import counts, post_check_in
    from tests.test_shipments import announce, line
    from warehouse_exchange.shipments.stock import lease_stock

    booking = paid_lease(owner, exporter, consent=False)
    tenant_headers, owner_headers = api_token(client, exporter), api_token(client, owner)
    shipment = announce(client, tenant_headers, booking.id, lines=[line(units=100)])
    early = {"from_date": TODAY.isoformat()}  # the lease starts later; the owner lets goods in
    client.put(f"/api/v1/bookings/{booking.id}/early-arrival", json=early, headers=owner_headers)
    checked = post_check_in(client, owner_headers, shipment["id"], counts(("BT-SPK-01", 98, 2)))
    assert checked.status_code == 201, checked.json
    transfer = offer_transfer(exporter, offer(booking, quantity=4), NOW, TODAY)
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    record_transfer_receipt(OperatorFactory(), receipt(transfer), NOW, TODAY)

    kept = lease_stock(exporter, transfer.continuation.id)
    (item,) = kept.items
    assert (item.sku, item.received_good, item.received_damaged) == ("BT-SPK-01", 98, 2)
    assert lease_stock(exporter, booking.id).items == []
    assert lease_stock(taker, transfer.new_booking.id).items == []
