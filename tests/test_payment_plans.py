"""Payment plans: up front or monthly instalments, fees split per instalment, releases that
wait for their month's payment, the guarantee reserve covering a missed instalment, and
reminders before an instalment falls due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.concurrency_support import isolated_app, run_at_once
from tests.factories import (
    ListingFactory,
    OperatorFactory,
    OrganizationFactory,
    UserFactory,
    WarehouseFactory,
)
from tests.helpers import api_token, booking_terms, fund_reserve, goods, login
from warehouse_exchange.bookings.commands import (
    BookingRequest,
    accept_booking,
    cancel_booking,
    preview_booking,
    request_booking,
)
from warehouse_exchange.bookings.jobs import advance_leases
from warehouse_exchange.bookings.models import Booking
from warehouse_exchange.errors import Conflict, InvalidInput
from warehouse_exchange.escrow.bank_receipts import ReceiptData, record_bank_receipt
from warehouse_exchange.escrow.models import PaymentInstalment, ReleaseInstalment
from warehouse_exchange.escrow.queries import escrow_summary, refunds_due
from warehouse_exchange.escrow.releases import cover_missed_instalments, run_due_releases
from warehouse_exchange.escrow.rules import add_months, payment_reference, release_schedule
from warehouse_exchange.extensions import db
from warehouse_exchange.ledger import services as ledger
from warehouse_exchange.ledger.models import LedgerTransaction
from warehouse_exchange.money import Money
from warehouse_exchange.notifications.models import Notification
from warehouse_exchange.notifications.reminders import remind_instalments_due

NOW = datetime.now(UTC)
TODAY = NOW.date()
START = TODAY + timedelta(days=10)
END = add_months(START, 4) - timedelta(days=1)  # four whole months
SHORT_END = add_months(START, 3) - timedelta(days=1)  # three: too short for monthly


def at_noon(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)


def make_listing(owner):
    return ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization),
        quantity=100,
        price_minor=700,
        available_from=TODAY,
        available_to=TODAY + timedelta(days=400),
    )


def ask(exporter, listing, plan="monthly", end=END):
    request = BookingRequest(listing.id, 10, START, end, goods(), payment_plan=plan)
    return request_booking(exporter, request, booking_terms(), NOW, TODAY)


def monthly_booking(owner, exporter, plan="monthly"):
    booking = ask(exporter, make_listing(owner), plan)
    return accept_booking(owner, booking.id, NOW)


def pay(operator, booking, amount, reference, when=NOW):
    data = ReceiptData(payment_reference(booking.id), amount, "EUR", when.date(), reference)
    return record_bank_receipt(operator, data, when, when.date())


def schedule(booking) -> list[PaymentInstalment]:
    return list(
        db.session.scalars(
            select(PaymentInstalment)
            .where(PaymentInstalment.booking_id == booking.id)
            .order_by(PaymentInstalment.sequence)
        )
    )


def fee_postings(booking) -> list[str]:
    return list(
        db.session.scalars(
            select(LedgerTransaction.idempotency_key)
            .where(LedgerTransaction.booking_id == booking.id, LedgerTransaction.kind == "fees")
            .order_by(LedgerTransaction.id)
        )
    )


def test_monthly_is_refused_for_a_short_lease_and_unknown_plans(owner, exporter):
    listing = make_listing(owner)
    for plan, end in (("monthly", SHORT_END), ("weekly", END)):
        with pytest.raises(InvalidInput) as refused:
            ask(exporter, listing, plan, end)
        assert "payment_plan" in refused.value.fields
    with pytest.raises(InvalidInput, match="longer than 3 months"):
        ask(exporter, listing, "monthly", SHORT_END)
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    assert ask(exporter, listing, "upfront", SHORT_END).payment_plan == "upfront"
    assert ask(exporter, listing, "monthly", SHORT_END + timedelta(days=1)).payment_plan == (
        "monthly"
    )


def test_acceptance_makes_the_schedule_that_adds_up_month_by_month(owner, exporter, app):
    booking = monthly_booking(owner, exporter)
    instalments = schedule(booking)
    assert [i.sequence for i in instalments] == [1, 2, 3, 4]
    assert sum(i.amount_minor for i in instalments) == booking.total_minor
    assert sum(i.rent_minor for i in instalments) == booking.subtotal_minor
    assert sum(i.commission_minor for i in instalments) == booking.commission_minor
    assert sum(i.guarantee_fee_minor for i in instalments) == booking.guarantee_fee_minor
    releases = release_schedule(booking.subtotal_minor, booking.start_date, booking.end_date)
    assert [i.rent_minor for i in instalments] == [r.amount_minor for r in releases]
    due_days = app.config["PAYMENT_DUE_DAYS_BEFORE"]
    assert instalments[0].due_on == booking.expires_at.date() == (NOW + timedelta(hours=72)).date()
    assert [i.due_on for i in instalments[1:]] == [
        add_months(START, n) - timedelta(days=due_days) for n in (1, 2, 3)
    ]
    upfront = monthly_booking(owner, exporter, "upfront")
    (single,) = schedule(upfront)
    assert single.amount_minor == upfront.total_minor and single.due_on == upfront.expires_at.date()


def test_the_first_instalment_confirms_and_fees_are_split_per_instalment(owner, exporter):
    operator = OperatorFactory()
    booking = monthly_booking(owner, exporter)
    first, second, third, fourth = schedule(booking)
    with pytest.raises(Conflict, match="only accepted"):
        pay(operator, ask(exporter, booking.listing, "upfront"), 100, "EARLY")
    pay(operator, booking, first.amount_minor - 1, "PART")
    assert booking.state == "accepted" and fee_postings(booking) == []
    pay(operator, booking, 1, "REST-OF-FIRST")
    assert booking.state == "confirmed" and first.paid_at is not None
    assert fee_postings(booking) == [f"fees:{booking.id}:1"]
    assert ledger.balance(ledger.fees("EUR")).amount_minor == first.commission_minor
    summary = escrow_summary(exporter, booking.id, TODAY)
    assert summary.next_instalment.id == second.id and summary.next_amount.amount_minor == (
        second.amount_minor
    )
    assert summary.outstanding.amount_minor == booking.total_minor - first.amount_minor

    # more than the next instalment, less than the rest: it pays on in order
    pay(operator, booking, second.amount_minor + 100, "TWO-AND-A-BIT")
    assert second.paid_at is not None and third.paid_at is None
    summary = escrow_summary(exporter, booking.id, TODAY)
    assert summary.next_amount.amount_minor == third.amount_minor - 100
    pay(operator, booking, third.amount_minor + fourth.amount_minor - 100 + 700, "ALL-AND-MORE")
    assert all(i.paid_at is not None for i in schedule(booking))
    assert fee_postings(booking) == [f"fees:{booking.id}:{n}" for n in (1, 2, 3, 4)]
    assert ledger.balance(ledger.fees("EUR")) == booking.money(booking.commission_minor)
    assert ledger.balance(ledger.reserve("EUR")) == booking.money(booking.guarantee_fee_minor)
    (refund,) = refunds_due(operator)
    assert refund.amount == Money(700, "EUR")
    assert escrow_summary(exporter, booking.id).in_escrow.amount_minor == (
        booking.subtotal_minor + 700
    )
    with pytest.raises(Conflict, match="paid in full"):
        pay(operator, booking, 100, "TOO-MUCH")


def test_releases_wait_for_their_months_payment_and_a_missed_one_is_covered_once(
    owner, exporter, app
):
    operator = OperatorFactory()
    booking = monthly_booking(owner, exporter)
    first, second, third, _fourth = schedule(booking)
    pay(operator, booking, first.amount_minor, "FIRST")
    advance_leases(at_noon(START))
    assert run_due_releases(at_noon(START)) == 1  # month one is paid
    fund_reserve(second.rent_minor)

    month_two = add_months(START, 1)
    assert run_due_releases(at_noon(month_two)) == 0  # its payment is missing
    grace = app.config["PAYMENT_GRACE_DAYS"]
    before_grace = at_noon(second.due_on + timedelta(days=grace - 1))
    assert cover_missed_instalments(before_grace) == 0
    reserve_before = ledger.balance(ledger.reserve("EUR")).amount_minor
    after_grace = at_noon(second.due_on + timedelta(days=grace))
    assert cover_missed_instalments(after_grace) == 1
    assert cover_missed_instalments(after_grace) == 0  # exactly once
    assert second.covered_at is not None and second.paid_at is None
    assert booking.defaulted_at is not None
    assert ledger.balance(ledger.reserve("EUR")).amount_minor == (
        reserve_before - second.rent_minor
    )
    told = db.session.scalars(
        select(Notification.organization_id).where(Notification.kind == "instalment_covered")
    ).all()
    assert sorted(told) == sorted([owner.organization_id, exporter.organization_id])
    assert run_due_releases(after_grace) == 1  # the reserve paid month two: it is released
    payable = ledger.balance(ledger.payable(owner.organization_id, "EUR")).amount_minor
    assert payable == first.rent_minor + second.rent_minor
    summary = escrow_summary(exporter, booking.id, after_grace.date())
    assert [p.status(summary.as_of) for p in summary.payments][:3] == ["paid", "covered", "due"]
    assert summary.in_escrow.amount_minor == 0

    # the tenant pays late: month two goes back to the reserve, then month three is paid
    pay(operator, booking, second.amount_minor + third.amount_minor, "LATE", after_grace)
    assert second.paid_at is not None and third.paid_at is not None
    assert ledger.balance(ledger.reserve("EUR")).amount_minor == (
        reserve_before + second.guarantee_fee_minor + third.guarantee_fee_minor
    )
    assert run_due_releases(at_noon(add_months(START, 2))) == 1


def test_an_owner_cancelling_a_monthly_lease_returns_exactly_the_fees_split_off(owner, exporter):
    operator = OperatorFactory()
    booking = monthly_booking(owner, exporter)
    first = schedule(booking)[0]
    pay(operator, booking, first.amount_minor, "FIRST")
    cancel_booking(owner, booking.id, "Roof repairs", NOW, TODAY)
    (refund,) = refunds_due(operator)
    assert refund.amount_minor == first.amount_minor
    assert ledger.balance(ledger.fees("EUR")) == Money(0, "EUR")
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(PaymentInstalment)
            .where(PaymentInstalment.covered_at.is_not(None))
        )
        == 0
    )
    assert cover_missed_instalments(at_noon(END)) == 0  # a cancelled lease is not covered


def test_a_tenant_hears_three_days_before_an_instalment_once(owner, exporter):
    operator = OperatorFactory()
    booking = monthly_booking(owner, exporter)
    first, second, *_ = schedule(booking)
    pay(operator, booking, first.amount_minor, "FIRST")
    assert remind_instalments_due(at_noon(second.due_on - timedelta(days=4))) == 0
    three_before = at_noon(second.due_on - timedelta(days=3))
    assert remind_instalments_due(three_before) == 1
    assert remind_instalments_due(three_before + timedelta(hours=1)) == 0
    (notification,) = db.session.scalars(
        select(Notification).where(Notification.kind == "instalment_due")
    ).all()
    assert notification.organization_id == exporter.organization_id
    assert second.amount.format() in notification.body


def test_the_quote_shows_monthly_instalments(owner, exporter):
    listing = make_listing(owner)
    request = BookingRequest(listing.id, 10, START, END, goods(), payment_plan="monthly")
    price = preview_booking(exporter, request, booking_terms(), TODAY)
    assert len(price.instalments) == 4
    assert sum(amount.amount_minor for _, _, amount in price.instalments) == (
        price.total.amount_minor
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_runners_cover_each_missed_instalment_exactly_once(backend, tmp_path):
    with isolated_app(backend, tmp_path) as app:
        with app.app_context():
            owner = UserFactory(organization=OrganizationFactory(kind="owner"))
            operator = OperatorFactory()
            listing = make_listing(owner)
            for n in range(6):
                tenant = UserFactory(organization=OrganizationFactory(kind="exporter"))
                booking = accept_booking(owner, ask(tenant, listing).id, NOW)
                pay(operator, booking, schedule(booking)[0].amount_minor, f"RACE-{n}")
            fund_reserve(10**9)
            later = at_noon(END + timedelta(days=30))
            missed = db.session.scalar(
                select(func.count())
                .select_from(PaymentInstalment)
                .where(PaymentInstalment.paid_at.is_(None))
            )
            reserve_before = ledger.balance(ledger.reserve("EUR")).amount_minor
        counts = run_at_once(app, lambda: cover_missed_instalments(later))
        assert sum(counts) == missed == 18, counts
        with app.app_context():
            rents = db.session.scalar(
                select(func.sum(PaymentInstalment.rent_minor)).where(
                    PaymentInstalment.covered_at.is_not(None)
                )
            )
            reserve = ledger.balance(ledger.reserve("EUR")).amount_minor
            assert reserve == reserve_before - int(rents)
            covers = db.session.scalar(
                select(func.count())
                .select_from(LedgerTransaction)
                .where(LedgerTransaction.kind == "cover")
            )
            assert covers == 18
            notified = db.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.kind == "instalment_covered")
            )
            assert notified == 36
            advance_leases(later)
            run_due_releases(later)
            unreleased = db.session.scalar(
                select(func.count())
                .select_from(ReleaseInstalment)
                .where(ReleaseInstalment.released_at.is_(None))
            )
            assert unreleased == 0


# --- pages and API


def booking_form(plan: str, end: date = END) -> dict:
    return {
        "quantity": "10",
        "start": START.isoformat(),
        "end": end.isoformat(),
        "unit_length_cm": "120",
        "unit_width_cm": "80",
        "unit_height_cm": "150",
        "unit_weight_kg": "300",
        "temperature_min_c": "10",
        "temperature_max_c": "30",
        "hazmat_class": "",
        "category": "general",
        "sku_count": "3",
        "payment_plan": plan,
        "idempotency_key": f"plan-{plan}-{end}",
    }


def test_the_request_page_offers_monthly_and_refuses_it_for_short_leases(client, owner, exporter):
    listing = make_listing(owner)
    login(client, exporter)
    page = client.get(f"/listings/{listing.id}/book").get_data(as_text=True)
    assert "Monthly: one instalment per month" in page and "longer than 3 months" in page
    refused = client.post(
        f"/listings/{listing.id}/book",
        data={**booking_form("monthly", SHORT_END), "action": "quote"},
    )
    assert refused.status_code == 422
    assert "Only for leases longer than 3 months." in refused.get_data(as_text=True)
    quoted = client.post(
        f"/listings/{listing.id}/book", data={**booking_form("monthly"), "action": "quote"}
    )
    text = quoted.get_data(as_text=True)
    assert quoted.status_code == 200 and 'id="monthly-instalments"' in text
    assert "when the owner accepts" in text
    sent = client.post(
        f"/listings/{listing.id}/book", data={**booking_form("monthly"), "action": "send"}
    )
    assert sent.status_code == 302
    booking = db.session.scalar(select(Booking))
    assert booking.payment_plan == "monthly"


def test_the_booking_page_and_api_show_the_payment_schedule(client, owner, exporter):
    operator = OperatorFactory()
    booking = monthly_booking(owner, exporter)
    first, second, *_ = schedule(booking)
    login(client, exporter)
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert 'id="payment-schedule"' in page and "the first monthly instalment" in page
    assert first.amount.format() in page
    pay(operator, booking, first.amount_minor, "FIRST")
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "Pay the next instalment" in page and second.amount.format() in page
    assert "paid " in page

    token = api_token(client, exporter)
    body = client.get(f"/api/v1/bookings/{booking.id}", headers=token).json
    assert body["payment_plan"] == "monthly"
    statuses = [item["status"] for item in body["payment_schedule"]]
    assert statuses == ["paid", "due", "due", "due"]
    assert body["payment_schedule"][1]["amount"] == second.amount.as_json()
    summary = client.get(f"/api/v1/bookings/{booking.id}/escrow", headers=token).json
    assert summary["payment_plan"] == "monthly"
    assert summary["next_amount"] == second.amount.as_json()

    listing = make_listing(owner)
    request = {
        "listing_id": listing.id,
        "quantity": 10,
        "start": START.isoformat(),
        "end": SHORT_END.isoformat(),
        "payment_plan": "monthly",
        "sku_profile": {
            "unit_length_cm": 120,
            "unit_width_cm": 80,
            "unit_height_cm": 150,
            "unit_weight_kg": 300,
            "temperature_min_c": 10,
            "temperature_max_c": 30,
            "category": "general",
        },
    }
    refused = client.post("/api/v1/bookings", json=request, headers=token)
    assert refused.status_code == 422 and "payment_plan" in refused.json["error"]["fields"]
    made = client.post(
        "/api/v1/bookings", json={**request, "payment_plan": "upfront"}, headers=token
    )
    assert made.status_code == 201 and made.json["payment_plan"] == "upfront"
    assert made.json["payment_schedule"] == []  # made when the owner accepts


def test_each_instalment_has_its_own_reference_that_pays_the_booking(client, owner, exporter):
    from warehouse_exchange.escrow.rules import booking_id_of, instalment_reference

    booking = monthly_booking(owner, exporter)
    first, second, *_ = schedule(booking)
    reference = instalment_reference(booking.id, 2)
    assert booking_id_of(reference) == booking.id
    assert booking_id_of(reference.replace("-02-", "-03-")) is None  # the check digits catch it
    assert booking_id_of(instalment_reference(booking.id, 3)) == booking.id

    operator = OperatorFactory()
    data = ReceiptData(instalment_reference(booking.id, 1), first.amount_minor, "EUR", TODAY, "B1")
    record_bank_receipt(operator, data, NOW, TODAY)
    assert first.paid_at is not None and booking.state == "confirmed"
    login(client, exporter)
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    quoted = f'quoting <strong class="reference" data-copy="payment reference">{reference}</strong>'
    assert quoted in page
    remind_instalments_due(at_noon(second.due_on - timedelta(days=3)))
    told = db.session.scalar(select(Notification).where(Notification.kind == "instalment_due"))
    assert reference in told.body


def test_a_reserve_too_low_leaves_the_cover_for_later_and_never_goes_negative(owner, exporter, app):
    from warehouse_exchange.work_items import failed_items

    operator = OperatorFactory()
    booking = monthly_booking(owner, exporter)
    first, second, *_ = schedule(booking)
    pay(operator, booking, first.amount_minor, "FIRST")
    after_grace = at_noon(second.due_on + timedelta(days=app.config["PAYMENT_GRACE_DAYS"]))
    held = ledger.balance(ledger.reserve("EUR")).amount_minor
    assert held < second.rent_minor  # only the first month's guarantee fee

    failed_items()  # forget what earlier steps left
    assert cover_missed_instalments(after_grace) == 0
    (failure,) = failed_items()
    assert "waits for more money" in failure
    assert second.covered_at is None and booking.defaulted_at is None
    assert ledger.balance(ledger.reserve("EUR")).amount_minor == held

    fund_reserve(second.rent_minor - held, reference="TOP-UP-1")
    assert cover_missed_instalments(after_grace) == 1
    assert ledger.balance(ledger.reserve("EUR")).amount_minor == 0


def test_operators_add_the_platforms_money_to_the_reserve_once(client, operator, exporter):
    login(client, exporter)
    body = {"amount": "100.00", "currency": "EUR", "bank_reference": "OWN-1"}
    assert client.post("/operator/reserve/fund", data=body).status_code == 403
    client.post("/logout")
    login(client, operator)
    page = client.get("/operator/reserve").get_data(as_text=True)
    assert "Add the platform&#39;s money" in page or "Add the platform's money" in page
    bad = client.post("/operator/reserve/fund", data={**body, "amount": "-5"})
    assert bad.status_code == 422
    assert ledger.balance(ledger.reserve("EUR")).amount_minor == 0
    added = client.post("/operator/reserve/fund", data=body)
    assert added.status_code == 302
    again = client.post("/operator/reserve/fund", data=body)
    assert again.status_code == 422 and b"already in the reserve" in again.data
    assert ledger.balance(ledger.reserve("EUR")) == Money(10000, "EUR")

    headers = api_token(client, operator)
    api_body = {"amount": {"amount_minor": 2500, "currency": "EUR"}, "bank_reference": "OWN-2"}
    assert client.post("/api/v1/escrow/reserve", json=api_body, headers=headers).status_code == 201
    replay = client.post("/api/v1/escrow/reserve", json=api_body, headers=headers)
    assert replay.status_code == 409
    assert ledger.balance(ledger.reserve("EUR")) == Money(12500, "EUR")
    assert ledger.balance(ledger.clearing("bank", "EUR")) == Money(-12500, "EUR")
