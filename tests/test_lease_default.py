"""A tenant in default: the owner ends the lease early. The month of its last day stays the
owner's, later months are no longer owed, their space is free, and what the tenant paid for
them comes back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import OperatorFactory
from tests.helpers import api_token, fund_reserve, login
from tests.test_payment_plans import START, at_noon, monthly_booking, pay, schedule
from warehouse_exchange.bookings import capacity
from warehouse_exchange.bookings.jobs import advance_leases
from warehouse_exchange.errors import Conflict, Forbidden, InvalidInput
from warehouse_exchange.escrow.defaults import end_lease_after_default
from warehouse_exchange.escrow.queries import escrow_summary, refunds_due
from warehouse_exchange.escrow.releases import (
    booking_releases,
    cover_missed_instalments,
    run_due_releases,
)
from warehouse_exchange.escrow.rules import add_months
from warehouse_exchange.extensions import db
from warehouse_exchange.ledger import services as ledger
from warehouse_exchange.notifications.models import Notification


def defaulted_lease(app, owner, exporter):
    """Four months, the first paid, the second missed and covered by the reserve; returns
    the booking and the moment just after the cover."""
    operator = OperatorFactory()
    booking = monthly_booking(owner, exporter)
    first, second, *_ = schedule(booking)
    pay(operator, booking, first.amount_minor, "FIRST")
    advance_leases(at_noon(START))
    run_due_releases(at_noon(START))
    covered = at_noon(second.due_on + timedelta(days=app.config["PAYMENT_GRACE_DAYS"]))
    fund_reserve(second.rent_minor)
    assert cover_missed_instalments(covered) == 1
    run_due_releases(covered)
    return booking, covered


def free_on(booking, day) -> int:
    return capacity.free_quantity(booking.listing, day, day)


def test_ending_a_defaulted_lease_frees_later_months_and_keeps_the_notice_month(
    app, owner, exporter
):
    booking, now = defaulted_lease(app, owner, exporter)
    old_end = booking.end_date
    last_day = now.date() + timedelta(days=3)  # inside month two
    _first, second, third, fourth = schedule(booking)
    assert free_on(booking, last_day + timedelta(days=1)) == 90

    end_lease_after_default(owner, booking.id, last_day, "Two months unpaid", now, now.date())

    assert (booking.end_date, booking.original_end_date) == (last_day, old_end)
    assert free_on(booking, last_day + timedelta(days=1)) == 100
    assert free_on(booking, last_day) == 90
    assert [p.status(now.date()) for p in schedule(booking)] == [
        "paid", "covered", "cancelled", "cancelled"
    ]  # fmt: skip
    releases = booking_releases(booking.id)
    assert [r.sequence for r in releases] == [1, 2]
    assert releases[1].released_at is not None  # month two, paid by the reserve, is the owner's
    assert refunds_due(OperatorFactory()) == []  # the tenant had paid nothing beyond it
    assert escrow_summary(owner, booking.id).in_escrow.amount_minor == 0
    assert escrow_summary(owner, booking.id).outstanding.amount_minor == second.amount_minor

    later = at_noon(third.due_on + timedelta(days=30))
    assert cover_missed_instalments(later) == 0  # months no longer owed are never covered
    advance_leases(at_noon(last_day + timedelta(days=1)))
    assert booking.state == "completed"
    told = db.session.scalars(
        select(Notification.organization_id).where(Notification.kind == "lease_shortened")
    ).all()
    assert told == [exporter.organization_id]
    assert fourth.cancelled_at == now


def test_months_paid_ahead_are_refunded_with_their_fees(app, owner, exporter):
    booking, now = defaulted_lease(app, owner, exporter)
    _first, second, third, _fourth = schedule(booking)
    pay(OperatorFactory(), booking, second.amount_minor + third.amount_minor, "LATE", now)
    reserve = ledger.balance(ledger.reserve("EUR")).amount_minor
    fees = ledger.balance(ledger.fees("EUR")).amount_minor

    last_day = now.date() + timedelta(days=1)
    end_lease_after_default(owner, booking.id, last_day, "Repeated default", now, now.date())

    (refund,) = refunds_due(OperatorFactory())
    assert refund.amount_minor == third.amount_minor  # rent, commission and guarantee fee
    assert ledger.balance(ledger.reserve("EUR")).amount_minor == reserve - third.guarantee_fee_minor
    assert ledger.balance(ledger.fees("EUR")).amount_minor == fees - third.commission_minor
    held = escrow_summary(owner, booking.id).in_escrow.amount_minor
    assert held == refund.amount_minor  # nothing else left: month two was released


def test_only_the_owner_of_a_running_defaulted_lease_ends_it_and_only_ahead(
    app, owner, exporter, other_owner
):
    booking, now = defaulted_lease(app, owner, exporter)
    today, end = now.date(), booking.end_date
    attempts = [
        (exporter, today + timedelta(days=2), Forbidden),
        (other_owner, today + timedelta(days=2), Forbidden),
        (owner, today - timedelta(days=1), InvalidInput),
        (owner, end, InvalidInput),
        (owner, end + timedelta(days=5), InvalidInput),
        (owner, "2030-01-01", InvalidInput),
    ]
    for actor, last_day, error in attempts:
        with pytest.raises(error):
            end_lease_after_default(actor, booking.id, last_day, "Unpaid", now, today)
        db.session.refresh(booking)
        assert (booking.end_date, booking.original_end_date) == (end, None)
    with pytest.raises(InvalidInput):
        end_lease_after_default(owner, booking.id, today + timedelta(days=2), " ", now, today)


def test_a_lease_without_a_default_cannot_be_ended_early(owner, exporter):
    booking = monthly_booking(owner, exporter)
    pay(OperatorFactory(), booking, schedule(booking)[0].amount_minor, "FIRST")
    now = at_noon(add_months(START, 1))

    with pytest.raises(Conflict, match="defaulted"):
        end_lease_after_default(owner, booking.id, now.date(), "I changed my mind", now, now.date())
    assert booking.original_end_date is None


def test_the_owner_ends_it_from_the_booking_page_and_the_api(app, client, owner, exporter):
    booking, now = defaulted_lease(app, owner, exporter)
    login(client, owner)
    page = client.get(f"/bookings/{booking.id}")
    assert b"End the lease early" in page.data and b"in default" in page.data

    url = f"/bookings/{booking.id}/end-early"
    past = client.post(url, data={"last_day": "2020-01-01", "reason": "Unpaid"})
    assert past.status_code == 422 and b"in the past" in past.data
    assert booking.original_end_date is None

    headers = api_token(client, exporter)
    body = {"last_day": booking.end_date.isoformat(), "reason": "Unpaid"}
    refused = client.post(f"/api/v1{url}", json=body, headers=headers)
    assert refused.status_code == 403

    owner_headers = api_token(client, owner)
    body["last_day"] = (booking.end_date - timedelta(days=1)).isoformat()
    ended = client.post(f"/api/v1{url}", json=body, headers=owner_headers)
    assert ended.status_code == 200, ended.json
    assert ended.json["end"] == body["last_day"]
    again = client.post(f"/api/v1{url}", json=body, headers=owner_headers)
    assert again.status_code == 422  # the lease now ends on that day: nothing to shorten


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_late_payment_and_the_owner_ending_the_lease_at_once_settle_the_same(backend, tmp_path):
    """Whichever goes first, the tenant gets back exactly what it paid for the month that no
    longer comes, the reserve is repaid the month it covered, and escrow holds what is still
    to be released."""
    from tests.concurrency_support import isolated_app, run_at_once
    from tests.factories import OrganizationFactory, UserFactory
    from tests.test_concurrency import check_ledger
    from warehouse_exchange.accounts.models import User
    from warehouse_exchange.escrow.bank_receipts import ReceiptData, record_bank_receipt
    from warehouse_exchange.escrow.rules import payment_reference

    with isolated_app(backend, tmp_path) as app:
        with app.app_context():
            owner = UserFactory(organization=OrganizationFactory(kind="owner"))
            exporter = UserFactory(organization=OrganizationFactory(kind="exporter"))
            booking, now = defaulted_lease(app, owner, exporter)
            _first, second, third, _fourth = schedule(booking)
            late = ReceiptData(
                payment_reference(booking.id), second.amount_minor + third.amount_minor, "EUR",
                now.date(), "LATE-RACE",
            )  # fmt: skip
            ids = (booking.id, owner.id, OperatorFactory().id, third.amount_minor)
            reserve = ledger.balance(ledger.reserve("EUR")).amount_minor + second.rent_minor
            fees = ledger.balance(ledger.fees("EUR")).amount_minor + second.commission_minor
        booking_id, owner_id, operator_id, third_amount = ids
        last_day = now.date() + timedelta(days=1)
        tasks = iter(["pay", "end"])

        def work():
            task = next(tasks)
            if task == "pay":
                record_bank_receipt(db.session.get(User, operator_id), late, now, now.date())
            else:
                end_lease_after_default(
                    db.session.get(User, owner_id), booking_id, last_day, "Default", now, now.date()
                )
            return task

        assert sorted(run_at_once(app, work)) == ["end", "pay"]
        with app.app_context():
            (refund,) = refunds_due(db.session.get(User, operator_id))
            assert refund.amount_minor == third_amount
            assert ledger.balance(ledger.reserve("EUR")).amount_minor == (
                reserve + second.guarantee_fee_minor
            )
            assert ledger.balance(ledger.fees("EUR")).amount_minor == fees
            summary = escrow_summary(db.session.get(User, owner_id), booking_id)
            pending = sum(r.amount_minor for r in summary.instalments if r.released_at is None)
            assert summary.in_escrow.amount_minor == pending + refund.amount_minor
            check_ledger()
