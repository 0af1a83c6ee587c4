"""Property test: random sequences of booking, payment, dispute and transfer actions
never reach an undeclared state, never leak or double-count capacity, keep escrow's
ledger whole, and never let the guarantee reserve go below zero."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from tests.factories import ListingFactory, OrganizationFactory, UserFactory, WarehouseFactory
from tests.helpers import booking_terms, goods
from tests.test_concurrency import check_ledger
from warehouse_exchange.bookings.commands import (
    BookingRequest,
    accept_booking,
    cancel_booking,
    decline_booking,
    request_booking,
)
from warehouse_exchange.bookings.jobs import advance_leases, expire_stale_requests
from warehouse_exchange.bookings.models import Booking
from warehouse_exchange.bookings.rules import TRANSITIONS
from warehouse_exchange.disputes.commands import (
    Decision,
    DisputeData,
    decide_dispute,
    open_dispute,
    take_dispute,
    withdraw_dispute,
)
from warehouse_exchange.disputes.models import Dispute
from warehouse_exchange.disputes.rules import CATEGORIES
from warehouse_exchange.disputes.rules import TRANSITIONS as DISPUTE_TRANSITIONS
from warehouse_exchange.disputes.settlement import frozen_minor
from warehouse_exchange.errors import DomainError
from warehouse_exchange.escrow.bank_receipts import ReceiptData, record_bank_receipt
from warehouse_exchange.escrow.defaults import end_lease_after_default
from warehouse_exchange.escrow.models import BankReceipt, CardPayment, Refund, ReleaseInstalment
from warehouse_exchange.escrow.refunds import send_refund
from warehouse_exchange.escrow.releases import (
    booking_releases,
    cover_missed_instalments,
    run_due_releases,
)
from warehouse_exchange.escrow.reserve import FundingData, fund_reserve
from warehouse_exchange.escrow.rules import add_months, payment_reference
from warehouse_exchange.extensions import db
from warehouse_exchange.ledger.models import LedgerAccount, LedgerEntry
from warehouse_exchange.transfers import commands as transfers
from warehouse_exchange.transfers.jobs import expire_transfers
from warehouse_exchange.transfers.models import Transfer
from warehouse_exchange.transfers.rules import OPEN_STATES as TRANSFER_OPEN_STATES
from warehouse_exchange.transfers.rules import TRANSITIONS as TRANSFER_TRANSITIONS
from warehouse_exchange.transfers.rules import transfer_reference
from warehouse_exchange.transfers.settlement import record_transfer_receipt

NOW = datetime(2031, 3, 2, 12, tzinfo=UTC)
TRANSFER_STEPS = ("request", "approve", "pay", "withdraw")
TODAY = NOW.date()


def _sums(*columns, where=()):
    query = select(*columns[:-1], func.sum(columns[-1])).where(*where).group_by(*columns[:-1])
    return {tuple(row[:-1]): row[-1] for row in db.session.execute(query)}


def check_escrow():
    """Every posting balances; each booking's escrow is never negative and holds what was paid
    in, less what went out to the world; nothing is released twice or beyond the rent."""
    unbalanced = _sums(LedgerEntry.transaction_id, LedgerEntry.currency, LedgerEntry.amount_minor)
    assert not any(unbalanced.values()), unbalanced
    per_kind = _sums(
        LedgerEntry.booking_id,
        LedgerAccount.kind,
        LedgerEntry.amount_minor,
        where=[LedgerAccount.id == LedgerEntry.account_id, LedgerEntry.booking_id.is_not(None)],
    )
    paid = _sums(
        BankReceipt.booking_id,
        BankReceipt.amount_minor,
        where=[BankReceipt.booking_id.is_not(None)],
    )
    by_card = _sums(
        CardPayment.booking_id,
        CardPayment.amount_minor,
        where=[CardPayment.booking_id.is_not(None), CardPayment.status == "succeeded"],
    )
    for key, amount in by_card.items():
        paid[key] = paid.get(key, 0) + amount
    _add_transfers(paid)
    sent = _sums(Refund.booking_id, Refund.amount_minor, where=[Refund.state == "sent"])
    released = _sums(
        ReleaseInstalment.booking_id,
        ReleaseInstalment.amount_minor,
        where=[ReleaseInstalment.released_at.is_not(None)],
    )
    awarded = _sums(
        Dispute.booking_id, Dispute.owner_share_minor, where=[Dispute.state == "resolved"]
    )
    for booking in db.session.scalars(select(Booking)):
        key = (booking.id,)
        kinds = {kind: total for (bid, kind), total in per_kind.items() if bid == booking.id}
        assert kinds.get("tenant_escrow", 0) >= 0, (booking.id, kinds)
        assert sum(kinds.values()) == paid.get(key, 0) - sent.get(key, 0), (booking.id, kinds)
        owner_got = released.get(key, 0) + awarded.get(key, 0)  # releases, dispute awards
        assert owner_got <= booking.subtotal_minor
        if booking.state != "cancelled":  # a cancellation adds kept rent or takes a penalty
            assert kinds.get("owner_payable", 0) == owner_got
        assert kinds.get("owner_payable", 0) <= booking.subtotal_minor


def check_reserve():
    """The guarantee reserve never pays out more than it holds, through covers of missed
    instalments or dispute awards: its balance is never negative in any currency."""
    held = _sums(
        LedgerEntry.currency,
        LedgerEntry.amount_minor,
        where=[
            LedgerAccount.id == LedgerEntry.account_id,
            LedgerAccount.kind == "guarantee_reserve",
        ],
    )
    assert all(total >= 0 for total in held.values()), held


def check_disputes():
    """Disputes move only along declared transitions; a booking has one unresolved at most."""
    unresolved = set()
    for dispute in db.session.scalars(select(Dispute)):
        assert dispute.state in DISPUTE_TRANSITIONS
        if dispute.is_unresolved:
            assert dispute.booking_id not in unresolved
            unresolved.add(dispute.booking_id)
        if dispute.state == "resolved":
            assert dispute.tenant_share_minor + dispute.owner_share_minor == dispute.frozen_minor


def _add_transfers(paid: dict) -> None:
    """What a transfer brings into a lease's escrow (the taker's price into the lease handed
    on; the escrow of the days handed on into the new leases) and takes out of it."""
    price = _sums(
        Transfer.booking_id,
        BankReceipt.amount_minor,
        where=[BankReceipt.transfer_id == Transfer.id],
    )
    by_card = _sums(
        Transfer.booking_id,
        CardPayment.amount_minor,
        where=[CardPayment.transfer_id == Transfer.id, CardPayment.status == "succeeded"],
    )
    for key, amount in by_card.items():
        price[key] = price.get(key, 0) + amount
    moved_out = _sums(
        Transfer.booking_id, Transfer.escrow_moved_minor, where=[Transfer.state == "completed"]
    )
    moved_in = _sums(
        Booking.id, Booking.subtotal_minor, where=[Booking.transferred_from_id.is_not(None)]
    )
    for key in {*price, *moved_out, *moved_in}:
        paid[key] = (
            paid.get(key, 0) + price.get(key, 0) - moved_out.get(key, 0) + moved_in.get(key, 0)
        )


def check_transfers():
    """Transfers move only along declared transitions, a completed one left its lease ending
    before the effective day (the day before, or earlier if it was shortened again), and no
    lease has two open transfers."""
    open_per_lease: dict[int, int] = {}
    for transfer in db.session.scalars(select(Transfer)):
        assert transfer.state in TRANSFER_TRANSITIONS
        if transfer.is_open:
            open_per_lease[transfer.booking_id] = open_per_lease.get(transfer.booking_id, 0) + 1
        if transfer.state == "completed":
            assert transfer.booking.end_date < transfer.effective_date
            assert transfer.new_booking.start_date == transfer.effective_date
    assert all(count == 1 for count in open_per_lease.values())


def check_ended_early():
    """A lease ended early releases nothing after its new end and owes no later month."""
    for booking in db.session.scalars(
        select(Booking).where(Booking.original_end_date.is_not(None))
    ):
        after_end = booking.end_date + timedelta(days=1)
        assert all(r.due_on <= after_end for r in booking_releases(booking.id))
        for instalment in booking.payment_instalments:
            if instalment.cancelled_at is not None:
                assert instalment.covered_at is None


def test_booking_state_machine(app, owner, exporter, operator):
    taker = UserFactory(organization=OrganizationFactory(kind="exporter", country="DE"))
    listings = [
        ListingFactory(
            warehouse=WarehouseFactory(organization=owner.organization),
            quantity=10,
            instant_book=instant,
            min_quantity=1,
            min_term_days=1,
            available_from=TODAY,
            available_to=TODAY + timedelta(days=200),
        )
        for instant in (False, True)
    ]

    class Bookings(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.clock = NOW
            self.transfers = 0
            self.recorded: list[ReceiptData] = []
            # the ledger refuses deletes, so each example is undone by rolling back to here
            self.example = db.engines[None].begin_nested()
            # the platform's starting capital in the reserve: covers go ahead until it runs out
            fund_reserve(operator, FundingData(20_000, "EUR", "CAPITAL"), self.clock)

        @rule(
            listing=st.sampled_from(listings),
            quantity=st.integers(1, 12),
            offset=st.integers(0, 20),
            days=st.integers(1, 8),
        )
        def ask(self, listing, quantity, offset, days):
            start = TODAY + timedelta(days=offset)
            request = BookingRequest(
                listing.id, quantity, start, start + timedelta(days=days - 1), goods()
            )
            self._try(request_booking, exporter, request, booking_terms(), self.clock, TODAY)

        @rule(
            listing=st.sampled_from(listings),
            quantity=st.integers(1, 6),
            offset=st.integers(0, 20),
            extra_days=st.integers(0, 40),
        )
        def ask_monthly(self, listing, quantity, offset, extra_days):
            """A lease of more than three months, paid in monthly instalments."""
            start = TODAY + timedelta(days=offset)
            end = add_months(start, 4) - timedelta(days=1) + timedelta(days=extra_days)
            request = BookingRequest(
                listing.id, quantity, start, end, goods(), payment_plan="monthly"
            )
            self._try(request_booking, exporter, request, booking_terms(), self.clock, TODAY)

        @rule(
            listing=st.sampled_from(listings),
            quantity=st.integers(1, 3),
            ended_after=st.none() | st.integers(0, 60),
        )
        def a_monthly_lease_falls_behind(self, listing, quantity, ended_after):
            """A monthly lease is paid for its first month only; two months pass, and its
            owner may then end it early."""
            today = self.clock.date()
            start = today + timedelta(days=2)
            end = add_months(start, 4) - timedelta(days=1)
            request = BookingRequest(
                listing.id, quantity, start, end, goods(), payment_plan="monthly"
            )
            booking = self._try(
                request_booking, exporter, request, booking_terms(), self.clock, today
            )
            if booking is None:
                return
            if booking.state == "requested":
                self._try(accept_booking, owner, booking.id, self.clock)
            if booking.state == "accepted":
                self.transfers += 1
                first = booking.payment_instalments[0].amount_minor
                receipt = ReceiptData(
                    payment_reference(booking.id), first, "EUR", today, f"T{self.transfers}"
                )
                self._try(record_bank_receipt, operator, receipt, self.clock, today)
            for _ in range(2):
                self.a_month_passes()
            if ended_after is not None:
                last_day = self.clock.date() + timedelta(days=ended_after)
                self._try(
                    end_lease_after_default, owner, booking.id, last_day, "Default",
                    self.clock, self.clock.date(),
                )  # fmt: skip

        @rule(data=st.data(), whole=st.booleans())
        def pay_an_instalment(self, data, whole):
            """The next monthly instalment of a lease, or a part of it, arrives."""
            ids = db.session.scalars(
                select(Booking.id).where(
                    Booking.payment_plan == "monthly",
                    Booking.state.in_(("accepted", "confirmed", "active", "completed")),
                )
            ).all()
            if not ids:
                return
            booking = db.session.get(Booking, data.draw(st.sampled_from(ids)))
            unpaid = [i for i in booking.payment_instalments if i.paid_at is None]
            if not unpaid:
                return
            amount = unpaid[0].amount_minor if whole else max(1, unpaid[0].amount_minor // 2)
            self.transfers += 1
            receipt = ReceiptData(
                payment_reference(booking.id), amount, "EUR", self.clock.date(),
                f"T{self.transfers}",
            )  # fmt: skip
            self._try(record_bank_receipt, operator, receipt, self.clock, self.clock.date())
            if self._recorded(receipt):
                self.recorded.append(receipt)

        @rule(data=st.data())
        def act(self, data):
            ids = db.session.scalars(select(Booking.id)).all()
            if not ids:
                return
            booking_id = data.draw(st.sampled_from(ids))
            action = data.draw(st.sampled_from(["accept", "decline", "cancel", "pay", "refund"]))
            calls = {
                "accept": (accept_booking, owner, booking_id, self.clock),
                "decline": (decline_booking, owner, booking_id, "No room", self.clock),
                "cancel": (
                    cancel_booking,
                    exporter,
                    booking_id,
                    "Changed plans",
                    self.clock,
                    self.clock.date(),
                ),
                "pay": (record_bank_receipt, operator, self._transfer(booking_id, data)),
                "refund": (self._send_refunds,),
            }
            if action == "pay":
                calls["pay"] += (self.clock, self.clock.date())
            self._try(*calls[action])
            if action == "pay" and self._recorded(calls["pay"][2]):
                self.recorded.append(calls["pay"][2])

        def _recorded(self, receipt: ReceiptData) -> bool:
            found = select(BankReceipt.id).where(
                BankReceipt.bank_reference == receipt.bank_reference
            )
            return db.session.scalar(found) is not None

        @rule(data=st.data())
        def replay_a_transfer(self, data):
            """The same bank transfer entered again never moves money twice."""
            if not self.recorded:
                return
            receipt = data.draw(st.sampled_from(self.recorded))
            before = db.session.scalar(select(func.count()).select_from(LedgerEntry))
            self._try(record_bank_receipt, operator, receipt, self.clock, self.clock.date())
            assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == before

        def _transfer(self, booking_id: int, data) -> ReceiptData:
            total = db.session.get(Booking, booking_id).total_minor
            # now the whole total, now a part of it, now more than it
            amount = data.draw(
                st.sampled_from([total, max(1, total // 3), max(1, total // 5), total + 250])
            )
            self.transfers += 1
            reference = payment_reference(booking_id)
            return ReceiptData(reference, amount, "EUR", self.clock.date(), f"T{self.transfers}")

        def _send_refunds(self):
            for refund in db.session.scalars(select(Refund).where(Refund.state == "due")).all():
                send_refund(operator, refund.id, f"R{refund.id}", self.clock)

        @rule(data=st.data(), days=st.integers(0, 70))
        def end_a_defaulted_lease(self, data, days):
            """The owner of a lease whose tenant defaulted ends it early."""
            ids = db.session.scalars(
                select(Booking.id).where(
                    Booking.defaulted_at.is_not(None),
                    Booking.state.in_(("confirmed", "active")),
                )
            ).all()
            if not ids:
                return
            event("a defaulted lease to end")
            last_day = self.clock.date() + timedelta(days=days)
            self._try(
                end_lease_after_default, owner, data.draw(st.sampled_from(ids)), last_day,
                "Default", self.clock, self.clock.date(),
            )  # fmt: skip

        @rule(data=st.data(), by_tenant=st.booleans(), claim=st.integers(-10, 10**6))
        def open_a_dispute(self, data, by_tenant, claim):
            """Mostly on a paid lease; now and then on any booking (which is refused)."""
            paid = Booking.state.in_(("confirmed", "active", "completed"))
            ids = db.session.scalars(select(Booking.id).where(paid)).all()
            if not ids or data.draw(st.integers(0, 4)) == 0:
                ids = db.session.scalars(select(Booking.id)).all()
            if not ids:
                return
            booking_id = data.draw(st.sampled_from(ids))
            dispute = DisputeData(
                data.draw(st.sampled_from(list(CATEGORIES))), "Claim", claim, "EUR"
            )
            actor = exporter if by_tenant else owner
            self._try(open_dispute, actor, booking_id, dispute, self.clock)

        @rule(data=st.data(), by_tenant=st.booleans())
        def dispute_a_lease_once_paid(self, data, by_tenant):
            """A booking request accepted and paid in full, then disputed (and perhaps at once
            decided or withdrawn): the path to a frozen escrow in one step, so that the
            examples reach decisions often."""
            ids = db.session.scalars(
                select(Booking.id).where(Booking.state.in_(("requested", "accepted")))
            ).all()
            if not ids:  # an instant booking of a few days, if there is room
                start = TODAY + timedelta(days=data.draw(st.integers(0, 20)))
                request = BookingRequest(
                    listings[1].id, 1, start, start + timedelta(days=5), goods()
                )
                self._try(request_booking, exporter, request, booking_terms(), self.clock, TODAY)
                ids = db.session.scalars(
                    select(Booking.id).where(Booking.state == "accepted")
                ).all()
            if not ids:
                return
            booking = db.session.get(Booking, data.draw(st.sampled_from(ids)))
            if booking.state == "requested":
                self._try(accept_booking, owner, booking.id, self.clock)
            self.transfers += 1
            receipt = ReceiptData(
                payment_reference(booking.id), booking.total_minor, "EUR", self.clock.date(),
                f"T{self.transfers}",
            )  # fmt: skip
            self._try(record_bank_receipt, operator, receipt, self.clock, self.clock.date())
            if self._recorded(receipt):
                self.recorded.append(receipt)
            claim = DisputeData("space_not_available", "No space", 10**5, "EUR")
            actor = exporter if by_tenant else owner
            self._try(open_dispute, actor, booking.id, claim, self.clock)
            dispute = db.session.scalar(
                select(Dispute).where(Dispute.booking_id == booking.id, Dispute.state != "resolved",
                                      Dispute.state != "withdrawn")
            )  # fmt: skip
            then = data.draw(st.sampled_from(["wait", "wait", "decide", "withdraw"]))
            if dispute is not None and then == "decide":
                payout = data.draw(st.sampled_from([0, 50, 5_000, 10**6]))
                self._decide(dispute, data, data.draw(st.integers(0, 4)), payout)
            elif dispute is not None and then == "withdraw":
                self._try(withdraw_dispute, actor, dispute.id, self.clock)

        def _unresolved(self, data) -> Dispute | None:
            ids = db.session.scalars(
                select(Dispute.id).where(Dispute.state.not_in(("resolved", "withdrawn")))
            ).all()
            return db.session.get(Dispute, data.draw(st.sampled_from(ids))) if ids else None

        @rule(
            data=st.data(),
            tenant_part=st.integers(0, 4),
            payout=st.sampled_from([0, 0, 0, 50, 5_000, 10**6]),
        )
        def decide_a_dispute(self, data, tenant_part, payout):
            dispute = self._unresolved(data)
            if dispute is not None:
                self._decide(dispute, data, tenant_part, payout)

        def _decide(self, dispute: Dispute, data, tenant_part: int, payout: int):
            """An operator splits the frozen escrow, sometimes one unit too much of it, and
            may ask the reserve for more than it holds."""
            self._try(take_dispute, operator, dispute.id, self.clock)
            frozen = frozen_minor(dispute.booking)
            tenant = frozen * tenant_part // 4
            owner_share = frozen - tenant + data.draw(st.sampled_from([0, 0, 0, 1]))
            decision = Decision(tenant, owner_share, payout, "EUR", "Reasons")
            self._try(decide_dispute, operator, dispute.id, decision, self.clock)
            db.session.refresh(dispute)
            if dispute.state == "resolved":
                event(f"a dispute decided{' with a reserve payout' if payout else ''}")

        @rule(data=st.data())
        def withdraw_a_dispute(self, data):
            dispute = self._unresolved(data)
            if dispute is not None:
                opener = exporter if dispute.opened_by_org_id == exporter.organization_id else owner
                self._try(withdraw_dispute, opener, dispute.id, self.clock)

        @rule(amount=st.sampled_from([500, 5_000, 50_000]))
        def fund_the_reserve(self, amount):
            """The platform tops up the reserve; until it does, covers may have to wait."""
            self.transfers += 1
            data = FundingData(amount, "EUR", f"F{self.transfers}")
            self._try(fund_reserve, operator, data, self.clock)

        def _book_and_pay(self, quantity: int, offset: int, days: int) -> None:
            """A lease asked for, accepted and paid in full at once: something to hand on."""
            start = TODAY + timedelta(days=offset)
            request = BookingRequest(
                listings[0].id, quantity, start, start + timedelta(days=days), goods()
            )
            with contextlib.suppress(DomainError):
                booking = request_booking(exporter, request, booking_terms(), self.clock, TODAY)
                accept_booking(owner, booking.id, self.clock)
                self.transfers += 1
                receipt = ReceiptData(
                    payment_reference(booking.id), booking.total_minor, "EUR", self.clock.date(),
                    f"T{self.transfers}",
                )  # fmt: skip
                record_bank_receipt(operator, receipt, self.clock, self.clock.date())
                self.recorded.append(receipt)

        def _offer(self, data) -> None:
            """The tenant offers the rest of a running lease (one paid at once, if it has
            none), all of it or a part, from a day to come."""
            running = select(Booking.id).where(
                Booking.tenant_id == exporter.organization_id,
                Booking.state.in_(("confirmed", "active")),
            )
            if not db.session.scalars(running).first():
                self._book_and_pay(
                    data.draw(st.integers(1, 6)),
                    data.draw(st.integers(0, 10)),
                    data.draw(st.integers(20, 80)),
                )
            ids = db.session.scalars(running).all()
            if not ids:
                return
            booking = db.session.get(Booking, data.draw(st.sampled_from(ids)))
            whole = data.draw(st.booleans())
            quantity = booking.quantity if whole else max(1, booking.quantity // 2)
            effective = self.clock.date() + timedelta(days=data.draw(st.integers(1, 60)))
            price = data.draw(st.sampled_from([1, 999, 50_000]))
            offer = transfers.Offer(booking.id, effective, quantity, price, "EUR")
            self._try(transfers.offer_transfer, exporter, offer, self.clock, self.clock.date())

        @rule(
            data=st.data(),
            steps=st.lists(
                st.sampled_from(["next"] * 5 + [*TRANSFER_STEPS]), min_size=1, max_size=5
            ),
        )
        def hand_on_a_lease(self, data, steps):
            """A few steps of transfers: mostly each open one's next (the tenant offers, the
            taker asks, the owner approves, the operator records the price), sometimes a
            withdrawal or a step out of turn."""
            for step in steps:
                ids = db.session.scalars(
                    select(Transfer.id).where(Transfer.state.in_(TRANSFER_OPEN_STATES))
                ).all()
                if not ids:
                    self._offer(data)
                    continue
                self._move(db.session.get(Transfer, data.draw(st.sampled_from(ids))), step)

        def _move(self, transfer: Transfer, step: str) -> None:
            now, today = self.clock, self.clock.date()
            if step == "next":
                step = {"offered": "request", "requested": "approve"}.get(transfer.state, "pay")
            if step == "request":
                self._try(transfers.request_transfer, taker, transfer.id, goods(), now, today)
            elif step == "approve":
                self._try(transfers.approve_transfer, owner, transfer.id, now, today)
            elif step == "withdraw":
                self._try(transfers.withdraw_transfer, exporter, transfer.id, "", now)
            else:
                self.transfers += 1
                receipt = ReceiptData(
                    transfer_reference(transfer.id), transfer.price_minor, "EUR", today,
                    f"T{self.transfers}",
                )  # fmt: skip
                self._try(record_transfer_receipt, operator, receipt, now, today)
                if db.session.get(Transfer, transfer.id).state == "completed":
                    event("a transfer completed")

        @rule()
        def a_month_passes(self):
            """Long enough for a monthly instalment to be missed and covered."""
            self.time_passes(24 * 31)

        @rule(hours=st.integers(1, 24 * 12))
        def time_passes(self, hours):
            self.clock += timedelta(hours=hours)
            expire_stale_requests(self.clock)
            advance_leases(self.clock)
            cover_missed_instalments(self.clock)
            run_due_releases(self.clock)
            expire_transfers(self.clock)

        def _try(self, function, *args):
            # refusals are fine; what they leave behind is checked by the invariant
            with contextlib.suppress(DomainError):
                return function(*args)
            return None

        @invariant()
        def states_are_declared_and_capacity_balances(self):
            db.session.expire_all()
            for booking in db.session.scalars(select(Booking)):
                assert booking.state in TRANSITIONS
                for change in booking.events:  # a move, or new dates in the same state
                    assert (
                        change.from_state in (None, change.to_state)
                        or change.to_state in TRANSITIONS[change.from_state]
                    )
            check_ledger()
            check_escrow()
            check_ended_early()
            check_reserve()
            check_disputes()
            check_transfers()

        def teardown(self):
            db.session.rollback()
            self.example.rollback()

    run_state_machine_as_test(
        Bookings,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
