"""Transfer pages: offer a lease, the offers, one transfer with the step each party takes."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..adapters.clock import utc_now, utc_today
from ..adapters.payments import CARD_UNSUPPORTED_CURRENCIES, PaymentDeclined
from ..errors import Conflict, DomainError, InvalidInput
from ..escrow import cards as escrow_cards
from ..escrow.views import card_page
from ..web.auth import actor
from ..web.forms import render_form, show_errors
from ..web.query_args import page_arg
from . import cards, commands, queries, settlement
from .forms import OfferForm, ReasonForm, TakeOverForm, TransferReceiptForm
from .rules import payable_state, transfer_reference

bp = Blueprint("transfers", __name__)


@bp.app_context_processor
def transfer_helpers() -> dict:
    """For the listing and booking pages: offers at a listing, transfers of a lease, and how
    a completed transfer split a lease."""
    return {
        "listing_offers": lambda listing_id: queries.offers(utc_today(), 1, 20, listing_id).items,
        "lease_transfers": queries.offers_on_lease,
        "transfer_refusal": commands.transfer_refusal,
        "lease_splits": queries.lease_splits,
    }


def _offer_page(booking, form, status=None):
    today = utc_today()
    effective = form.effective_date.data or max(today + timedelta(days=1), booking.start_date)
    asked = form.quantity.data if isinstance(form.quantity.data, int) else booking.quantity
    quantity = max(1, min(asked, booking.quantity))
    refusal = commands.transfer_refusal(booking)
    body, code = render_form(
        "transfers/offer.html",
        form,
        booking=booking,
        refusal=refusal,
        guide=queries.unreleased_value(booking, effective, quantity),
        guide_day=effective,
        guide_quantity=quantity,
        left_over=queries.goods_left_over(booking, quantity),
    )
    return body, status or (409 if refusal and request.method == "POST" else code)


@bp.route("/bookings/<id:booking_id>/transfer", methods=["GET", "POST"])
@login_required
def offer(booking_id: int):
    booking = queries.lease_to_offer(actor(), booking_id)
    form = OfferForm()
    if request.method == "GET":
        form.quantity.data = booking.quantity
    if form.validate_on_submit():
        try:
            offer = form.to_offer(booking.id, booking.currency)
            transfer = commands.offer_transfer(actor(), offer, utc_now(), utc_today())
        except InvalidInput as error:
            show_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
            return _offer_page(queries.lease_to_offer(actor(), booking_id), form, 409)
        else:
            flash(f"Transfer #{transfer.id} is on offer.", "success")
            return redirect(url_for("transfers.show", transfer_id=transfer.id))
    return _offer_page(booking, form)


@bp.route("/transfers")
@login_required
def index() -> str:
    per_page = current_app.config["LIST_PER_PAGE"]
    page = page_arg()
    return render_template(
        "transfers/index.html",
        offers=queries.offers(utc_today(), page, per_page),
        mine=queries.my_transfers(actor(), 1, per_page),
        to_pay=queries.awaiting_payment(actor()) if actor().is_operator else [],
    )


def _show(transfer_id: int, take_form=None, receipt_form=None, status: int = 200):
    user = actor()
    transfer = queries.get_transfer(user, transfer_id)
    owner_id = queries.owner_of(transfer)
    if receipt_form is None:
        receipt_form = TransferReceiptForm(formdata=None, received_on=utc_today())
    page = render_template(
        "transfers/show.html",
        transfer=transfer,
        is_tenant=user.organization_id == transfer.tenant_id,
        is_taker=transfer.taker_id is not None and user.organization_id == transfer.taker_id,
        is_owner=user.organization_id == owner_id,
        is_operator=user.is_operator,
        can_take=transfer.state == "offered"
        and user.organization is not None
        and user.organization.rents_space
        and user.organization_id != transfer.tenant_id,
        take_form=take_form or TakeOverForm(formdata=None),
        receipt_form=receipt_form,
        reason_form=ReasonForm(formdata=None),
        reference=transfer_reference(transfer.id),
        payable=transfer.state == payable_state(transfer.consent_required),
        bank=current_app.config["ESCROW_BANK_ACCOUNT"],
        guide=_guide(transfer),
        cards_enabled=escrow_cards.configured_gateway() is not None
        and transfer.currency not in CARD_UNSUPPORTED_CURRENCIES,
        price_payments=cards.price_payments(user, transfer),
        left_over=queries.goods_left_over_of(user, transfer),
    )
    return page, status


def _guide(transfer):
    booking = transfer.booking
    quantity = min(transfer.quantity, booking.quantity)
    return queries.unreleased_value(booking, transfer.effective_date, quantity)


@bp.route("/transfers/<id:transfer_id>")
@login_required
def show(transfer_id: int):
    return _show(transfer_id)


@bp.post("/transfers/<id:transfer_id>/request")
@login_required
def take(transfer_id: int):
    form = TakeOverForm()
    if not form.validate_on_submit():
        return _show(transfer_id, take_form=form, status=422)
    try:
        commands.request_transfer(actor(), transfer_id, form.to_goods(), utc_now(), utc_today())
    except InvalidInput as error:
        show_errors(form, error)
        return _show(transfer_id, take_form=form, status=422)
    flash("Your request was sent.", "success")
    return redirect(url_for("transfers.show", transfer_id=transfer_id))


@bp.post("/transfers/<id:transfer_id>/<any(approve, refuse, withdraw):action>")
@login_required
def answer(transfer_id: int, action: str):
    reason = ReasonForm().reason.data or ""
    try:
        if action == "approve":
            transfer = commands.approve_transfer(actor(), transfer_id, utc_now(), utc_today())
        elif action == "refuse":
            transfer = commands.refuse_transfer(actor(), transfer_id, reason, utc_now())
        else:
            transfer = commands.withdraw_transfer(actor(), transfer_id, reason, utc_now())
    except (Conflict, InvalidInput) as error:
        flash(error.message, "error")
        return _show(transfer_id, status=error.status)
    flash(f"Transfer #{transfer.id} is now {transfer.state.replace('_', ' ')}.", "success")
    return redirect(url_for("transfers.show", transfer_id=transfer_id))


@bp.post("/transfers/<id:transfer_id>/pay-by-card")
@login_required
def pay_by_card(transfer_id: int) -> str | Response:
    gateway = escrow_cards.required_gateway()
    try:
        payment = cards.start_price_card_payment(actor(), transfer_id, gateway, utc_today())
    except (Conflict, PaymentDeclined) as error:
        flash(error.message, "error")
        return redirect(url_for("transfers.show", transfer_id=transfer_id))
    return card_page(
        payment,
        f"Pay the price of transfer #{transfer_id} by card",
        "The lease is yours from its effective day as soon as the card payment succeeds.",
        url_for("transfers.show", transfer_id=transfer_id, _external=True),
        "Back to the transfer",
    )


@bp.post("/transfers/<id:transfer_id>/receipt")
@login_required
def receipt(transfer_id: int):
    form = TransferReceiptForm()
    transfer = queries.get_transfer(actor(), transfer_id)
    if not form.validate_on_submit():
        return _show(transfer_id, receipt_form=form, status=422)
    try:
        data = form.to_data(transfer_reference(transfer_id), transfer.currency)
        settlement.record_transfer_receipt(actor(), data, utc_now(), utc_today())
    except InvalidInput as error:
        show_errors(form, error)
        return _show(transfer_id, receipt_form=form, status=422)
    except DomainError as error:
        if error.status != 409:
            raise
        form.form_errors.append(error.message)
        return _show(transfer_id, receipt_form=form, status=409)
    flash(f"Payment recorded: transfer #{transfer_id} is completed.", "success")
    return redirect(url_for("transfers.show", transfer_id=transfer_id))
