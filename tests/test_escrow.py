"""Escrow through bank transfers: receipts, fees, the release schedule, refunds, exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.concurrency_support import isolated_app, run_at_once
from tests.factories import (
    ListingFactory,
    OperatorFactory,
    OrganizationFactory,
    UserFactory,
    WarehouseFactory,
)
from tests.helpers import booking_terms, goods
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.bookings.jobs import advance_leases
from warehouse_exchange.bookings.models import Booking
from warehouse_exchange.errors import Conflict, Forbidden, InvalidInput
from warehouse_exchange.escrow.bank_receipts import ReceiptData, record_bank_receipt
from warehouse_exchange.escrow.models import BankReceipt, Refund, ReleaseInstalment
from warehouse_exchange.escrow.queries import escrow_summary, refunds_due
from warehouse_exchange.escrow.refunds import send_refund
from warehouse_exchange.escrow.releases import run_due_releases
from warehouse_exchange.escrow.rules import (
    add_months,
    booking_id_of,
    payment_reference,
    release_schedule,
)
from warehouse_exchange.extensions import db
from warehouse_exchange.ledger import services as ledger
from warehouse_exchange.ledger.models import LedgerEntry
from warehouse_exchange.money import Money

NOW = datetime.now(UTC)
TODAY = NOW.date()
START = TODAY + timedelta(days=10)
END = add_months(START, 3) - timedelta(days=1)  # three whole months


def at_noon(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)


def accepted_booking(owner, exporter, start=START, end=END, quantity=10):
    listing = ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization),
        quantity=100,
        price_minor=700,
        available_from=TODAY,
        available_to=TODAY + timedelta(days=400),
    )
    request = BookingRequest(listing.id, quantity, start, end, goods())
    booking = request_booking(exporter, request, booking_terms(), NOW, TODAY)
    return accept_booking(owner, booking.id, NOW)


def receipt(booking, amount, bank_reference, currency="EUR", received_on=TODAY):
    return ReceiptData(payment_reference(booking.id), amount, currency, received_on, bank_reference)


def mistyped(reference: str) -> str:
    """The reference with its last check digit changed: the check digits catch it."""
    return reference[:-1] + str((int(reference[-1]) + 1) % 10)


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def test_payment_reference_round_trip_and_typos():
    assert payment_reference(42).startswith("WX0000042") and len(payment_reference(42)) == 11
    assert booking_id_of(payment_reference(42)) == 42
    assert booking_id_of(" wx-0000042 " + payment_reference(42)[-2:]) == 42
    good = payment_reference(1234567)
    for typo in (good[:3] + "9" + good[4:], good[:-2] + "00", "WX12", "", "ZZ000004200"):
        assert booking_id_of(typo) is None, typo


@given(
    share=st.integers(min_value=1, max_value=10**12),
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=800),
)
def test_release_schedule_adds_up_and_ends_after_the_lease(share, start, days):
    end = start + timedelta(days=days)
    schedule = release_schedule(share, start, end)
    assert sum(i.amount_minor for i in schedule) == share
    assert all(i.amount_minor > 0 for i in schedule)
    due = [i.due_on for i in schedule]
    assert due == sorted(due) and due[0] >= start
    assert all(day <= end or day == end + timedelta(days=1) for day in due)
    if add_months(start, 1) <= end and share >= 1000:  # every month has a part to hold back
        assert due[-1] == end + timedelta(days=1)


def test_pay_in_two_transfers_confirm_refund_excess_and_release_monthly(owner, exporter):
    operator = OperatorFactory()
    booking = accepted_booking(owner, exporter)
    total, subtotal = booking.total_minor, booking.subtotal_minor
    record_bank_receipt(operator, receipt(booking, total - 1000, "BANK-1"), NOW, TODAY)
    assert booking.state == "accepted"
    summary = escrow_summary(exporter, booking.id)
    assert (
        summary.outstanding == Money(1000, "EUR") and summary.in_escrow.amount_minor == total - 1000
    )

    record_bank_receipt(operator, receipt(booking, 1500, "BANK-2"), NOW, TODAY)
    assert booking.state == "confirmed"
    (refund,) = refunds_due(operator)
    assert refund.amount == Money(500, "EUR")
    schedule = [(i.due_on, i.amount_minor) for i in escrow_summary(owner, booking.id).instalments]
    assert [day for day, _ in schedule] == [START, add_months(START, 1), END + timedelta(days=1)]
    assert sum(amount for _, amount in schedule) == subtotal
    assert ledger.balance(ledger.fees("EUR")) == booking.money(booking.commission_minor)
    assert ledger.balance(ledger.reserve("EUR")) == booking.money(booking.guarantee_fee_minor)

    send_refund(operator, refund.id, "BANK-OUT-1", NOW)
    assert escrow_summary(exporter, booking.id).in_escrow == Money(subtotal, "EUR")
    assert ledger.balance(ledger.clearing("bank", "EUR")) == Money(-total, "EUR")
    with pytest.raises(Conflict):
        send_refund(operator, refund.id, "BANK-OUT-2", NOW)

    assert run_due_releases(at_noon(START)) == 0  # the lease has not been started yet
    advance_leases(at_noon(START))
    assert run_due_releases(at_noon(START)) == 1
    assert run_due_releases(at_noon(START)) == 0
    assert run_due_releases(at_noon(add_months(START, 1))) == 1
    after_end = at_noon(END + timedelta(days=1))
    advance_leases(after_end)
    assert booking.state == "completed" and run_due_releases(after_end) == 1
    owner_id = owner.organization_id
    assert ledger.balance(ledger.payable(owner_id, "EUR")) == Money(subtotal, "EUR")
    summary = escrow_summary(owner, booking.id)
    assert summary.in_escrow == Money(0, "EUR") and summary.released == Money(subtotal, "EUR")
    assert summary.refunded == Money(500, "EUR") and summary.paid == Money(total + 500, "EUR")


def test_bad_receipts_are_refused_and_change_nothing(owner, exporter):
    operator = OperatorFactory()
    booking = accepted_booking(owner, exporter)
    record_bank_receipt(operator, receipt(booking, 100, "BANK-A"), NOW, TODAY)
    before = (entries(), db.session.scalar(select(func.count()).select_from(BankReceipt)))
    reference = payment_reference(booking.id)
    bad = [
        (ReceiptData(mistyped(reference), 100, "EUR", TODAY, "B1"), InvalidInput, "reference"),
        (ReceiptData(payment_reference(99999), 100, "EUR", TODAY, "B2"), InvalidInput, "reference"),
        (receipt(booking, 0, "B3"), InvalidInput, "amount"),
        (receipt(booking, -5, "B4"), InvalidInput, "amount"),
        (receipt(booking, 10**13, "B5"), InvalidInput, "amount"),
        (receipt(booking, "12", "B6"), InvalidInput, "amount"),
        (receipt(booking, 100, "B7", currency="USD"), InvalidInput, "currency"),
        (receipt(booking, 100, "B8", currency="XXQ"), InvalidInput, "currency"),
        (
            receipt(booking, 100, "B9", received_on=TODAY + timedelta(days=1)),
            InvalidInput,
            "received_on",
        ),
        (receipt(booking, 100, ""), InvalidInput, "bank_reference"),
        # the same bank transfer with another amount: it paid 100 already
        (receipt(booking, 50, "BANK-A"), Conflict, "bank_reference"),
    ]
    for data, error, field in bad:
        with pytest.raises(error) as raised:
            record_bank_receipt(operator, data, NOW, TODAY)
        if field:
            assert field in raised.value.fields, (data, raised.value.fields)
    with pytest.raises(Forbidden):
        record_bank_receipt(owner, receipt(booking, 100, "B10"), NOW, TODAY)
    # the same transfer entered again is the receipt recorded before: nothing changes
    first = db.session.scalar(select(BankReceipt))
    assert record_bank_receipt(operator, receipt(booking, 100, "BANK-A"), NOW, TODAY) is first
    after = (entries(), db.session.scalar(select(func.count()).select_from(BankReceipt)))
    assert after == before


def test_only_accepted_bookings_take_payments(owner, exporter):
    operator = OperatorFactory()
    listing = ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))
    request = BookingRequest(listing.id, 5, START, START + timedelta(days=13), goods())
    requested = request_booking(exporter, request, booking_terms(), NOW, TODAY)
    with pytest.raises(Conflict, match="only accepted bookings"):
        record_bank_receipt(operator, receipt(requested, 100, "EARLY"), NOW, TODAY)
    assert entries() == 0


def test_strangers_cannot_read_a_bookings_escrow(owner, exporter):
    booking = accepted_booking(owner, exporter)
    stranger = UserFactory(organization=OrganizationFactory(kind="exporter"))
    from warehouse_exchange.errors import NotFound

    with pytest.raises(NotFound):
        escrow_summary(stranger, booking.id)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_runners_release_each_instalment_exactly_once(backend, tmp_path):
    with isolated_app(backend, tmp_path) as app:
        with app.app_context():
            owner = UserFactory(organization=OrganizationFactory(kind="owner"))
            owner_id = owner.organization_id
            operator = OperatorFactory()
            for n in range(12):
                tenant = UserFactory(organization=OrganizationFactory(kind="exporter"))
                start = TODAY + timedelta(days=1 + n)
                booking = accepted_booking(owner, tenant, start, add_months(start, 2))
                data = receipt(booking, booking.total_minor, f"RACE-{n}")
                record_bank_receipt(operator, data, NOW, TODAY)
            later = at_noon(TODAY + timedelta(days=80))
            advance_leases(later)
            due = db.session.scalar(select(func.count()).select_from(ReleaseInstalment))
        counts = run_at_once(app, lambda: run_due_releases(later))
        assert sum(counts) == due == 36, counts
        with app.app_context():
            unreleased = db.session.scalar(
                select(func.count())
                .select_from(ReleaseInstalment)
                .where(ReleaseInstalment.released_at.is_(None))
            )
            payable = ledger.balance(ledger.payable(owner_id, "EUR"))
            shares = db.session.scalar(select(func.sum(ReleaseInstalment.amount_minor)))
            assert unreleased == 0
            assert payable == Money(int(shares), "EUR")


def test_an_unpaid_booking_lapses_frees_its_space_and_owes_back_what_was_paid(owner, exporter):
    from warehouse_exchange.bookings.jobs import expire_unpaid_bookings
    from warehouse_exchange.bookings.models import CapacityDay

    operator = OperatorFactory()
    booking = accepted_booking(owner, exporter)
    assert booking.expires_at == NOW + timedelta(hours=72)
    record_bank_receipt(operator, receipt(booking, 2500, "PART-1"), NOW, TODAY)
    assert expire_unpaid_bookings(NOW + timedelta(hours=71)) == 0
    assert expire_unpaid_bookings(NOW + timedelta(hours=73)) == 1
    assert booking.state == "expired" and not booking.holds_capacity
    held = db.session.scalar(
        select(func.max(CapacityDay.held)).where(CapacityDay.listing_id == booking.listing_id)
    )
    assert held == 0
    (refund,) = refunds_due(operator)
    assert (
        refund.amount == Money(2500, "EUR") and refund.reason == "Booking not paid in full in time"
    )
    with pytest.raises(Conflict, match="only accepted bookings"):
        record_bank_receipt(operator, receipt(booking, 100, "LATE-1"), NOW, TODAY)


@pytest.mark.parametrize(
    ("policy", "notice_days", "refund_bp"),
    [
        ("flexible", 1, 10_000),
        ("flexible", 0, 0),
        ("moderate", 14, 10_000),
        ("moderate", 13, 5_000),
        ("strict", 30, 5_000),
        ("strict", 29, 0),
    ],
)
def test_cancellation_policies_refund_by_notice(policy, notice_days, refund_bp):
    from warehouse_exchange.listings.rules import CANCELLATION_POLICIES

    start = date(2027, 6, 1)
    cancelled_on = start - timedelta(days=notice_days)
    assert CANCELLATION_POLICIES[policy].refund_bp(cancelled_on, start) == refund_bp


@pytest.mark.parametrize(("policy", "refunded_share"), [("flexible", 1), ("moderate", 0.5)])
def test_a_tenant_cancelling_a_paid_lease_gets_the_rent_its_policy_refunds(
    owner, exporter, policy, refunded_share
):
    from tests.helpers import pay_in_full
    from warehouse_exchange.bookings.commands import cancel_booking

    operator = OperatorFactory()
    booking = accepted_booking(owner, exporter)  # starts in 10 days
    booking.listing.cancellation_policy = policy
    pay_in_full(operator, booking)
    cancel_booking(exporter, booking.id, "Order cancelled", NOW, TODAY)
    rent = booking.subtotal_minor
    (refund,) = refunds_due(operator)
    assert refund.amount_minor == int(rent * refunded_share)
    assert refund.reason == "Booking cancelled by the tenant"
    payable = ledger.balance(ledger.payable(owner.organization_id, "EUR"))
    assert payable.amount_minor == rent - refund.amount_minor
    assert ledger.balance(ledger.fees("EUR")) == booking.money(booking.commission_minor)
    send_refund(operator, refund.id, "OUT-POLICY", NOW)
    assert escrow_summary(exporter, booking.id).in_escrow == Money(0, "EUR")


def test_an_owner_cancelling_a_paid_lease_refunds_everything_and_pays_a_penalty(owner, exporter):
    from tests.helpers import pay_in_full
    from warehouse_exchange.bookings.commands import cancel_booking

    operator = OperatorFactory()
    booking = accepted_booking(owner, exporter)
    pay_in_full(operator, booking)
    cancel_booking(owner, booking.id, "Roof repairs", NOW, TODAY)
    (refund,) = refunds_due(operator)
    assert refund.amount_minor == booking.total_minor
    penalty = booking.subtotal_minor // 10
    assert ledger.balance(ledger.payable(owner.organization_id, "EUR")) == Money(-penalty, "EUR")
    assert ledger.balance(ledger.reserve("EUR")) == Money(penalty, "EUR")
    assert ledger.balance(ledger.fees("EUR")) == Money(0, "EUR")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_tenant_and_owner_cancelling_at_once_cancel_once(backend, tmp_path):
    from warehouse_exchange.bookings.commands import cancel_booking
    from warehouse_exchange.bookings.models import BookingEvent, CapacityDay
    from warehouse_exchange.errors import DomainError

    with isolated_app(backend, tmp_path) as app:
        with app.app_context():
            owner = UserFactory(organization=OrganizationFactory(kind="owner"))
            tenant = UserFactory(organization=OrganizationFactory(kind="exporter"))
            operator = OperatorFactory()
            booking = accepted_booking(owner, tenant)
            record_bank_receipt(operator, receipt(booking, booking.total_minor, "RACE"), NOW, TODAY)
            ids = (booking.id, owner.id, tenant.id, booking.listing_id)

        def cancel(user_id):
            from warehouse_exchange.accounts.models import User

            def work():
                try:
                    cancel_booking(db.session.get(User, user_id), ids[0], "Changed", NOW, TODAY)
                    return "cancelled"
                except DomainError:
                    return "refused"

            return work

        parties = [ids[1], ids[2]] * 4
        works = iter([cancel(user_id) for user_id in parties])
        outcomes = run_at_once(app, lambda: next(works)(), runners=len(parties))
        assert outcomes.count("cancelled") == 1, outcomes
        with app.app_context():
            events = db.session.scalars(
                select(BookingEvent.to_state).where(BookingEvent.booking_id == ids[0])
            ).all()
            assert events.count("cancelled") == 1
            held = db.session.scalar(
                select(func.max(CapacityDay.held)).where(CapacityDay.listing_id == ids[3])
            )
            assert held == 0
            owed = db.session.scalar(select(func.sum(Refund.amount_minor)))
            escrow = ledger.balance(ledger.escrow(db.session.get(Booking, ids[0]).tenant_id, "EUR"))
            assert owed == escrow.amount_minor  # never more owed back than escrow holds
