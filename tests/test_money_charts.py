"""Money you can see: a booking's escrow timeline, an owner's earnings by month and the
guarantee reserve with its cover, as their query functions compute them and as the pages
show them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.dispute_support import FIRST_DAY, LATER, decision, open_on, running_lease
from tests.factories import OperatorFactory
from tests.helpers import api_token, fund_reserve, login, pay_in_full
from tests.test_escrow import START, TODAY, accepted_booking, at_noon
from tests.test_payment_plans import monthly_booking, pay, schedule
from warehouse_exchange.bookings.jobs import advance_leases
from warehouse_exchange.disputes.commands import decide_dispute, take_dispute
from warehouse_exchange.disputes.settlement import frozen_minor
from warehouse_exchange.errors import Forbidden
from warehouse_exchange.escrow.queries import owner_earnings
from warehouse_exchange.escrow.releases import booking_releases, run_due_releases
from warehouse_exchange.escrow.timeline import escrow_timeline
from warehouse_exchange.escrow.trends import owner_monthly_earnings, reserve_history
from warehouse_exchange.ledger import services as ledger
from warehouse_exchange.money import Money


def statuses(timeline, lane):
    return [marker.status for marker in timeline.lane(lane)]


def released_by_ledger(booking) -> int:
    balances = ledger.booking_balances(booking.id)
    return balances.get("owner_payable", 0) + balances.get("owner_paid_out", 0)


def test_a_release_run_moves_the_timeline_and_its_progress_bar(owner, exporter):
    booking = accepted_booking(owner, exporter)
    pay_in_full(OperatorFactory(), booking, f"PAID-{booking.id}")
    advance_leases(FIRST_DAY)
    first, *rest = booking_releases(booking.id)

    before = escrow_timeline(exporter, booking.id, START)
    assert statuses(before, "payment") == ["paid"]
    assert statuses(before, "release") == ["due"] + ["upcoming"] * len(rest)
    assert before.released == Money(0, "EUR") and before.released_percent == 0
    assert before.owner_share == Money(booking.subtotal_minor, "EUR")

    run_due_releases(FIRST_DAY)
    after = escrow_timeline(owner, booking.id, START)
    assert statuses(after, "release") == ["released"] + ["upcoming"] * len(rest)
    assert (
        after.released
        == Money(first.amount_minor, "EUR")
        == Money(released_by_ledger(booking), "EUR")
    )
    assert after.held.amount_minor == before.held.amount_minor - first.amount_minor
    assert after.released_percent == first.amount_minor * 100 // booking.subtotal_minor > 0
    # the released marker sits on the day it was released, inside the lease
    released_marker = after.lane("release")[0]
    assert released_marker.day == START and 0 <= released_marker.position <= 100


def test_an_open_dispute_marks_the_unreleased_instalments_frozen(owner, exporter):
    booking = running_lease(owner, exporter)
    due_later = FIRST_DAY.date() + timedelta(days=40)
    assert "frozen" not in statuses(escrow_timeline(owner, booking.id, due_later), "release")

    open_on(booking, exporter)
    frozen = escrow_timeline(owner, booking.id, due_later)
    assert frozen.frozen
    assert statuses(frozen, "release")[0] == "released"
    assert set(statuses(frozen, "release")[1:]) == {"frozen"}
    # and the release run agrees: nothing moves while the dispute is open
    assert run_due_releases(FIRST_DAY + timedelta(days=40)) == 0


def test_a_decided_dispute_ends_the_timeline_with_the_owners_share(owner, exporter):
    booking = running_lease(owner, exporter)
    dispute = open_on(booking, exporter)
    operator = OperatorFactory()
    take_dispute(operator, dispute.id, FIRST_DAY)
    frozen = frozen_minor(booking)
    tenant_share = frozen // 4
    decide_dispute(operator, dispute.id, decision(tenant_share, frozen - tenant_share), LATER)

    timeline = escrow_timeline(owner, booking.id, LATER.date())
    assert not timeline.frozen
    assert statuses(timeline, "release") == ["released"], "the settled releases are gone"
    assert timeline.released == Money(released_by_ledger(booking), "EUR")
    assert timeline.owner_share == timeline.released and timeline.released_percent == 100
    # the tenant's share is a refund due, held in escrow until an operator sends it
    assert statuses(timeline, "refund") == ["due"]
    assert timeline.held == Money(tenant_share, "EUR")


def test_a_monthly_lease_shows_payments_due_overdue_and_releases_waiting_for_them(owner, exporter):
    booking = monthly_booking(owner, exporter)
    first, second, *_ = schedule(booking)
    pay(OperatorFactory(), booking, first.amount_minor, f"FIRST-{booking.id}")

    timeline = escrow_timeline(exporter, booking.id, TODAY)
    assert statuses(timeline, "payment") == ["paid", "due", "due", "due"]
    assert statuses(timeline, "release") == ["upcoming"] + ["waiting_for_payment"] * 3

    late = escrow_timeline(exporter, booking.id, second.due_on + timedelta(days=1))
    assert statuses(late, "payment")[1] == "overdue"
    assert late.first_day <= timeline.start <= late.last_day


def test_a_booking_outsider_cannot_read_its_timeline(owner, exporter, other_owner):
    from warehouse_exchange.errors import NotFound

    booking = accepted_booking(owner, exporter)
    with pytest.raises((Forbidden, NotFound)):
        escrow_timeline(other_owner, booking.id, TODAY)


def test_earnings_by_month_add_up_to_the_ledger(owner, exporter):
    booking = running_lease(owner, exporter)
    (series,) = owner_monthly_earnings(owner, TODAY)
    assert series.currency == "EUR" and len(series.months) == 12
    first, *rest = booking_releases(booking.id)

    released_months = [m for m in series.months if m.released.amount_minor]
    assert [m.month for m in released_months] == [FIRST_DAY.date().replace(day=1)]
    assert series.released_total == Money(released_by_ledger(booking), "EUR")
    assert series.released_total == Money(first.amount_minor, "EUR")
    (earnings,) = owner_earnings(owner)
    assert series.scheduled_total == earnings.pending
    assert series.scheduled_total == Money(sum(r.amount_minor for r in rest), "EUR")
    # each unreleased instalment sits in the month it is due
    for release in rest:
        month = next(m for m in series.months if m.month == release.due_on.replace(day=1))
        assert month.scheduled.amount_minor >= release.amount_minor
    # the tenant has no earnings
    assert owner_monthly_earnings(exporter, TODAY) == []


def test_the_reserve_history_and_its_cover_of_the_rent_at_risk(owner, exporter):
    fund_reserve(10_000, "EUR")
    booking = monthly_booking(owner, exporter)
    first, second, *later = schedule(booking)
    pay(OperatorFactory(), booking, first.amount_minor, f"FIRST-{booking.id}")

    (cover,) = reserve_history(OperatorFactory(), TODAY)
    reserve_now = ledger.balance(ledger.reserve("EUR"))
    assert cover.balance == reserve_now == Money(10_000 + first.guarantee_fee_minor, "EUR")
    assert len(cover.months) == 12 and cover.months[-1].balance == reserve_now
    at_risk = second.rent_minor + sum(p.rent_minor for p in later)
    assert cover.at_risk == Money(at_risk, "EUR")
    assert cover.cover_percent == reserve_now.amount_minor * 100 // at_risk

    pay(OperatorFactory(), booking, second.amount_minor, f"SECOND-{booking.id}")
    (paid_more,) = reserve_history(OperatorFactory(), TODAY)
    assert paid_more.at_risk == Money(at_risk - second.rent_minor, "EUR")
    assert paid_more.balance.amount_minor == reserve_now.amount_minor + second.guarantee_fee_minor


def test_nothing_at_risk_has_no_cover_ratio(app):
    fund_reserve(500, "JPY")
    (cover,) = reserve_history(OperatorFactory(), TODAY)
    assert cover.currency == "JPY" and cover.at_risk == Money(0, "JPY")
    assert cover.cover_percent is None


def test_only_operators_read_the_reserve_history(owner):
    with pytest.raises(Forbidden):
        reserve_history(owner, TODAY)


def test_every_party_sees_the_timeline_on_the_booking_page(client, owner, exporter):
    booking = running_lease(owner, exporter)
    for user in (exporter, owner, OperatorFactory()):
        login(client, user)
        page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
        assert 'id="escrow-timeline"' in page and 'role="img"' in page
        assert 'data-lane="release" data-status="released"' in page
        assert "charts.css" in page
        client.post("/logout")


def test_the_earnings_and_reserve_pages_show_their_charts(client, owner, exporter):
    running_lease(owner, exporter)
    login(client, owner)
    earnings = client.get("/earnings").get_data(as_text=True)
    assert 'id="earnings-chart-EUR"' in earnings and "<table" in earnings
    client.post("/logout")
    login(client, OperatorFactory())
    reserve = client.get("/operator/reserve").get_data(as_text=True)
    assert 'id="reserve-chart-EUR"' in reserve and "nothing at risk" in reserve


def test_the_api_gives_the_timeline_the_page_draws_and_it_moves_with_a_release(
    client, owner, exporter, other_owner
):
    booking = accepted_booking(owner, exporter, start=TODAY)
    pay_in_full(OperatorFactory(), booking, f"PAID-{booking.id}")
    advance_leases(at_noon(TODAY))
    path = f"/api/v1/bookings/{booking.id}/escrow/timeline"
    tenant = api_token(client, exporter)

    before = client.get(path, headers=tenant)
    assert before.status_code == 200, before.json
    releases = [m for m in before.json["markers"] if m["lane"] == "release"]
    assert releases[0]["status"] == "due" and before.json["released_percent"] == 0
    assert before.json["owner_share"] == {"amount_minor": booking.subtotal_minor, "currency": "EUR"}

    run_due_releases(at_noon(TODAY))
    after = client.get(path, headers=api_token(client, owner)).json
    assert [m["status"] for m in after["markers"] if m["lane"] == "release"][0] == "released"
    assert after["released"]["amount_minor"] == released_by_ledger(booking) > 0
    assert after["held"]["amount_minor"] < before.json["held"]["amount_minor"]

    outsider = client.get(path, headers=api_token(client, other_owner))
    assert outsider.status_code in (403, 404) and "markers" not in outsider.json
    assert client.get(path).status_code == 401
