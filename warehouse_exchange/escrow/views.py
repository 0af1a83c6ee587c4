"""Escrow pages: the operator's console, and the owner's earnings."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required
from werkzeug.wrappers import Response

from ..accounts.services import get_organization
from ..adapters.clock import utc_now, utc_today
from ..adapters.payments import PaymentDeclined
from ..bookings.queries import get_booking
from ..disputes.records import reserve_overview
from ..errors import Conflict, InvalidInput
from ..money import Money
from ..permissions import require_operator
from ..transfers import receipts
from ..web.auth import actor
from ..web.csv_response import csv_response
from ..web.forms import show_errors
from ..web.query_args import page_arg
from . import cards, payouts, queries, reconciliation, refunds, reserve, timeline, trends
from .defaults import end_lease_after_default
from .forms import EndLeaseForm, PayoutForm, ReceiptForm, RefundSentForm, ReserveFundingForm

bp = Blueprint("escrow", __name__)


@bp.route("/operator/escrow", methods=["GET", "POST"])
@login_required
def console() -> tuple[str, int] | Response:
    require_operator(actor())
    form = ReceiptForm()
    if request.method == "GET":
        form.prefill(request.args, utc_today())
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            recorded = receipts.record_receipt(actor(), form.to_data(), utc_now(), utc_today())
        except InvalidInput as error:
            show_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
            status = 409
        else:
            flash(*_recorded_message(recorded))
            return redirect(url_for("escrow.console"))
    return _console_page(form), status


def _recorded_message(recorded: receipts.RecordedReceipt) -> tuple[str, str]:
    """The flash after recording: what the money paid, or that it was recorded before."""
    receipt = recorded.receipt
    if recorded.replayed:
        message = (
            f"Bank transfer {receipt.bank_reference} is already recorded (receipt {receipt.id},"
            f" {receipt.amount.format()} for {receipt.paid_what}); nothing changed."
        )
        return message, "info"
    paid = receipt.transfer if receipt.transfer_id is not None else receipt.booking
    state = paid.state.replace("_", " ")
    message = f"{receipt.amount.format()} recorded for {receipt.paid_what}, which is now {state}."
    return message, "success"


def _console_page(form: ReceiptForm) -> str:
    user, page = actor(), page_arg()
    return render_template(
        "escrow/console.html",
        form=form,
        payments_due=receipts.payments_awaiting_money(user, utc_today(), max(page, 1), 10),
        today=utc_today(),
        refund_form=RefundSentForm(),
        refunds=queries.refunds_due(user),
        payouts=payouts.payouts_due(user),
        receipts=queries.recent_receipts(user),
        balances=queries.platform_totals(user),
        cards_enabled=cards.configured_gateway() is not None,
        unmatched=reconciliation.unmatched_gateway_events(user),
        reconciliation=reconciliation.reconciliation(user),
    )


@bp.post("/operator/escrow/refunds/<id:refund_id>/sent")
@login_required
def refund_sent(refund_id: int) -> Response:
    form = RefundSentForm()
    if not form.validate_on_submit():
        flash("Give the bank reference of the refund transfer.", "error")
        return redirect(url_for("escrow.console"))
    try:
        refund = refunds.send_refund(actor(), refund_id, form.bank_reference.data, utc_now())
    except (InvalidInput, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(f"Refund {refund.id} of {refund.amount.format()} marked sent.", "success")
    return redirect(url_for("escrow.console"))


@bp.post("/operator/escrow/payouts")
@login_required
def payout() -> Response:
    form = PayoutForm()
    if not form.validate_on_submit():
        flash("Give the bank reference of the payout transfer.", "error")
        return redirect(url_for("escrow.console"))
    try:
        payouts.record_payout(
            actor(),
            form.organization_id.data,
            form.currency.data,
            form.amount_minor.data,
            form.bank_reference.data,
        )
    except (InvalidInput, Conflict) as error:
        flash(error.message, "error")
    else:
        paid = Money(form.amount_minor.data, form.currency.data)
        payee = get_organization(form.organization_id.data).name
        reference = form.bank_reference.data.strip()
        flash(f"Payout of {paid} to {payee} recorded (bank transfer {reference}).", "success")
    return redirect(url_for("escrow.console"))


@bp.route("/statement.csv")
@login_required
def statement_csv() -> Response:
    """Every movement on the organization's accounts, for its books."""
    header = ["time_utc", "movement", "booking", "account", "memo", "amount", "currency", "balance"]
    rows = map(_statement_row, queries.organization_statement(actor()))
    return csv_response("statement.csv", header, rows)


def _statement_row(line) -> list:
    return [
        line.at.strftime("%Y-%m-%d %H:%M:%S"), line.transaction_kind, line.booking_id or "",
        line.account_kind, line.memo, line.amount.decimal, line.amount.currency,
        line.balance.decimal,
    ]  # fmt: skip


@bp.post("/bookings/<id:booking_id>/pay-by-card")
@login_required
def pay_by_card(booking_id: int) -> str | Response:
    gateway = cards.required_gateway()
    try:
        payment = cards.start_card_payment(actor(), booking_id, gateway)
    except (Conflict, PaymentDeclined) as error:
        flash(error.message, "error")
        return redirect(url_for("bookings.show", booking_id=booking_id))
    return card_page(
        payment,
        f"Pay booking #{booking_id} by card",
        "The booking is confirmed as soon as the card payment succeeds.",
        url_for("bookings.show", booking_id=booking_id, _external=True),
        "Back to the booking",
    )


def card_page(payment, heading: str, outcome: str, back_url: str, back_label: str) -> str:
    """The page where Stripe.js takes the card for a payment just started; Stripe sends the
    payer back to `back_url` when the card needs a further step."""
    return render_template(
        "escrow/card.html",
        payment=payment,
        publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        heading=heading,
        outcome=outcome,
        back_url=back_url,
        back_label=back_label,
    )


@bp.post("/operator/escrow/refunds/<id:refund_id>/card")
@login_required
def refund_to_card(refund_id: int) -> Response:
    gateway = cards.required_gateway()
    try:
        refund = cards.refund_to_card(actor(), refund_id, gateway, utc_now())
    except (Conflict, PaymentDeclined) as error:
        flash(error.message, "error")
    else:
        flash(f"Refund {refund.id} of {refund.amount.format()} sent back to the card.", "success")
    return redirect(url_for("escrow.console"))


@bp.route("/get-paid", methods=["GET", "POST"])
@login_required
def get_paid() -> str | Response:
    """Owners connect the account their releases are sent to (Stripe Connect onboarding)."""
    gateway = cards.configured_gateway()
    if request.method == "POST" and gateway is not None:
        link = cards.start_onboarding(
            actor(),
            gateway,
            return_url=url_for("escrow.get_paid", _external=True),
            refresh_url=url_for("escrow.get_paid", _external=True),
        )
        return redirect(link.url)
    return render_template(
        "escrow/get_paid.html",
        cards_enabled=gateway is not None,
        account=cards.connected_account(actor()),
    )


@bp.route("/earnings")
@login_required
def earnings() -> str:
    page = queries.owner_instalments(actor(), page_arg(), 20)
    return render_template(
        "escrow/earnings.html",
        earnings=queries.owner_earnings(actor()),
        monthly=trends.owner_monthly_earnings(actor(), utc_today()),
        instalments=page,
    )


@bp.app_template_global()
def booking_escrow_timeline(booking_id: int) -> timeline.EscrowTimeline:
    """The booking page's escrow timeline, for whoever may read the booking."""
    return timeline.escrow_timeline(actor(), booking_id, utc_today())


@bp.app_template_global()
def reserve_cover() -> list[trends.ReserveCover]:
    """The reserve page's chart: the reserve per currency by month, and its cover."""
    return trends.reserve_history(actor(), utc_today())


@bp.route("/bookings/<id:booking_id>/end-early", methods=["GET", "POST"])
@login_required
def end_early(booking_id: int) -> str | Response:
    """The owner of a lease in default ends it before its last day."""
    booking = get_booking(actor(), booking_id)
    form = EndLeaseForm()
    if form.validate_on_submit():
        try:
            end_lease_after_default(
                actor(), booking_id, form.last_day.data, form.reason.data, utc_now(), utc_today()
            )
        except InvalidInput as error:
            show_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
        else:
            flash(f"Booking #{booking_id} now ends on {form.last_day.data}.", "success")
            return redirect(url_for("bookings.show", booking_id=booking_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("escrow/end_early.html", booking=booking, form=form), status


@bp.post("/operator/reserve/fund")
@login_required
def fund_reserve() -> str | Response:
    """The platform's own money into the guarantee reserve."""
    require_operator(actor())
    form = ReserveFundingForm()
    if form.validate_on_submit():
        try:
            posting = reserve.fund_reserve(actor(), form.to_data(), utc_now())
        except InvalidInput as error:
            show_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
        else:
            flash(f"Added to the guarantee reserve: {posting.memo}.", "success")
            return redirect(url_for("disputes.reserve"))
    return render_template(
        "disputes/reserve.html", reserves=reserve_overview(actor()), funding_form=form
    ), 422
