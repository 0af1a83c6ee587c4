"""Journey 3: a lease handed on by transfer, paid by bank through the escrow console, first in
part and then whole.

Saigon Home Goods leases six pallets in Valencia (as in journey 2) and offers three of them from
a later day; Anatolia Textiles finds the offer through search, asks for it declaring its goods;
Nordsee, whose listing asks its consent, approves knowing the taker's goods and credit rating;
the taker reads how to pay; an operator records the bank transfer from the console's list and
the transfer completes; each of the three leases says what happened to it; the same bank
transfer entered again changes nothing. Then Saigon offers all of the three pallets it kept,
Andes Coffee takes them the same way, and Saigon is owed the price less the platform's fee.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.browser.journeys import Person
from tests.browser.test_journey_lease import (
    EXPORTER,
    LISTING,
    OPERATOR,
    OWNER,
    accept_from_home,
    read_how_to_pay,
    record_receipt_from_the_list,
    request_space,
)
from warehouse_exchange.adapters.clock import utc_today

pytestmark = pytest.mark.browser

FIRST_TAKER = ("exporter@anatoliatextiles.example", "Anatolia Textiles")
SECOND_TAKER = ("exporter@andescoffee.example", "Andes Coffee Exporters")
TENANT = "Saigon Home Goods"


def lease_page_from_home(person: Person, booking_id: int) -> None:
    person.menu("Home")
    person.click(f"#leases a:has-text('#{booking_id}')")


def offer_from_the_lease(tenant: Person, booking_id: int, effective, quantity: int, price: str):
    lease_page_from_home(tenant, booking_id)
    tenant.click("#transfers a:has-text('Offer it for transfer')")
    assert tenant.sees(r"As a guide: the rent you paid", "#guide")
    tenant.page.fill("#effective_date", effective.isoformat())
    tenant.page.fill("#quantity", str(quantity))
    tenant.page.fill("#price", price)
    tenant.shot(f"transfer-offer-{quantity}-from-{booking_id}")
    tenant.submit("Offer for transfer")
    assert "is on offer" in tenant.flash(), tenant.flash() or tenant.text()
    return int(re.search(r"/transfers/(\d+)", tenant.page.url).group(1))


def find_and_ask_for_it(taker: Person, transfer_id: int) -> None:
    """The taker searches Valencia for leases on offer only, and asks for the one offered."""
    taker.log_in()
    taker.menu("Find space")
    taker.page.fill("#near", "Valencia, ES")
    taker.page.fill("#radius_km", "30")
    taker.page.check("#transfers_on_offer")
    taker.click("#filters button:has-text('Search')")
    result = f"section[aria-label=Results] article:has-text('{LISTING}')"
    assert taker.sees("1 lease on offer for transfer", result)
    taker.shot(f"transfer-search-{transfer_id}")
    taker.click(f"{result} a.badge.transfer")
    taker.click(f"#transfers a:text-is('#{transfer_id}')")
    page = taker.page
    page.fill("#unit_length_cm", "100")
    page.fill("#unit_width_cm", "80")
    page.fill("#unit_height_cm", "110")
    page.fill("#unit_weight_kg", "240")
    page.select_option("#category", "general")
    page.fill("#sku_count", "12")
    taker.shot(f"transfer-take-over-{transfer_id}")
    taker.submit("Ask to take it over")
    assert "Your request was sent." in taker.flash(), taker.flash() or taker.text()
    assert taker.sees("The owner is asked to approve you")


def approve_knowing_the_taker(owner: Person, transfer_id: int, taker_name: str) -> None:
    owner.menu("Home")
    waiting = "#transfers-to-approve"
    assert owner.sees(f"{taker_name} would take 3 pallet positions", waiting)
    owner.shot(f"transfer-owner-home-{transfer_id}")
    owner.click(f"{waiting} a:has-text('Transfer #{transfer_id}')")
    taker = owner.text("#taker")
    assert taker_name in taker, taker
    assert "100 × 80 × 110 cm, 240 kg" in taker and "12 SKUs of general" in taker, taker
    assert owner.text("#taker-credit").strip(), "the taker's credit rating is shown"
    owner.shot(f"transfer-owner-approves-{transfer_id}")
    owner.submit("Approve the taker")
    assert f"Transfer #{transfer_id} is now owner approved." in owner.flash(), owner.flash()


def read_how_to_pay_the_price(taker: Person, transfer_id: int) -> tuple[str, str]:
    taker.menu("Home")
    taker.click(f"#transfers a:has-text('Transfer #{transfer_id}')")
    pay = taker.text("#pay")
    reference = taker.page.locator("#pay code").inner_text()
    assert re.fullmatch(r"WT\d{9}", reference), reference
    assert "BIC" in pay and "ABNANL2A" in pay, "the escrow bank's details"
    price = taker.page.locator("#pay p strong").first.inner_text()
    taker.shot(f"transfer-taker-how-to-pay-{transfer_id}")
    return reference, price


def record_the_price(operator: Person, transfer_id: int, reference: str, price: str) -> None:
    operator.menu("Home")
    assert operator.sees(f"Transfer #{transfer_id}", "#awaiting-money")
    operator.click("#awaiting-money a:has-text('Escrow console')")
    row = f"main tr:has-text('{reference}')"
    assert operator.sees(f"Transfer #{transfer_id}", row)
    operator.click(f"{row} a:has-text('Pick')")
    assert operator.page.input_value("#reference") == reference
    assert operator.page.input_value("#amount") == price.lstrip("€").replace(",", "")
    operator.page.fill("#received_on", utc_today().isoformat())
    operator.page.fill("#bank_reference", f"CAIXA-WT-{transfer_id}")
    operator.shot(f"transfer-operator-picks-{transfer_id}", phone=False)
    operator.submit("Record transfer")
    assert f"recorded for transfer #{transfer_id}, which is now completed" in operator.flash(), (
        operator.flash() or operator.text()
    )
    assert reference not in operator.text("#awaiting ~ table, #awaiting ~ p")


def console_lines(operator: Person, without: str = "") -> list[str]:
    """The console's text, line by line, less the message of the last step."""
    return [line for line in operator.text("main").splitlines() if line and line != without]


def replay_the_bank_transfer(operator: Person, transfer_id: int, reference: str, price: str):
    """The same line of the bank statement entered again, by hand: nothing changes."""
    operator.menu("Escrow")
    before = console_lines(operator)
    page = operator.page
    page.fill("#reference", reference)
    page.fill("#amount", price.lstrip("€").replace(",", ""))
    page.select_option("#currency", "EUR")
    page.fill("#received_on", utc_today().isoformat())
    page.fill("#bank_reference", f"CAIXA-WT-{transfer_id}")
    operator.submit("Record transfer")
    flash = operator.flash()
    assert f"Bank transfer CAIXA-WT-{transfer_id} is already recorded" in flash, flash
    assert "nothing changed" in flash
    operator.shot(f"transfer-operator-replay-{transfer_id}", phone=False)
    assert console_lines(operator, without=flash) == before, (
        "the console reads the same: balances, receipts, refunds"
    )


def open_transfer(person: Person, transfer_id: int) -> None:
    """The transfer's page, from the person's list of their transfers."""
    person.menu("Transfers")
    person.click(f"main a:text-is('#{transfer_id}')")


def receipts_with(app, bank_reference: str) -> int:
    from warehouse_exchange.escrow.models import BankReceipt
    from warehouse_exchange.extensions import db

    with app.app_context():
        return db.session.scalar(
            select(func.count()).where(BankReceipt.bank_reference == bank_reference)
        )


def price_owed_to(app, organization: str) -> list[tuple[str, int]]:
    """The tenant's shares of transfer prices, as the books hold them: (state, amount)."""
    from warehouse_exchange.accounts.models import Organization
    from warehouse_exchange.escrow.models import Refund
    from warehouse_exchange.extensions import db

    with app.app_context():
        rows = db.session.execute(
            select(Refund.state, Refund.amount_minor)
            .join(Organization, Organization.id == Refund.payee_id)
            .where(Organization.name == organization, Refund.reason.like("Price of transfer%"))
            .order_by(Refund.id)
        )
        return [tuple(row) for row in rows]


def test_a_lease_transferred_in_part_then_whole(browser, demo_site):
    tenant = Person(browser, demo_site, EXPORTER)
    owner = Person(browser, demo_site, OWNER)
    operator = Person(browser, demo_site, OPERATOR)
    first_taker = Person(browser, demo_site, FIRST_TAKER[0])
    second_taker = Person(browser, demo_site, SECOND_TAKER[0])
    start = utc_today() + timedelta(days=16)
    end = start + timedelta(days=89)  # three months, paid up front, released month by month

    tenant.log_in()
    lease_id = request_space(tenant, start, end)
    accept_from_home(owner, lease_id)
    reference, amount = read_how_to_pay(tenant, lease_id)
    record_receipt_from_the_list(operator, lease_id, reference, amount)

    # (a) half the lease, from a day in its second month: its third month's release moves
    handover = start + timedelta(days=40)
    first = offer_from_the_lease(tenant, lease_id, handover, 3, "150")
    find_and_ask_for_it(first_taker, first)
    approve_knowing_the_taker(owner, first, FIRST_TAKER[1])
    wt_reference, price = read_how_to_pay_the_price(first_taker, first)
    assert price == "€150.00"
    record_the_price(operator, first, wt_reference, price)

    open_transfer(tenant, first)
    assert tenant.sees("completed", "h1")
    tenant.shot(f"transfer-completed-{first}")
    tenant.click(f"main dd a:text-is('#{lease_id}')")
    original = tenant.text("#split-original")
    assert f"3 of 6 pallet positions handed over to {FIRST_TAKER[1]}" in original, original
    assert tenant.sees(f"{handover - timedelta(days=1)}"), "the original lease ends the day before"
    moved = tenant.text("#split-total-original")
    assert f"the rent not yet released for the days from {handover}, followed" in moved, moved
    tenant.shot("transfer-original-lease")
    kept_id = int(re.search(r"lease #(\d+)\.", original).group(1))
    tenant.click(f"#split-original a:text-is('#{kept_id}')")
    assert "Taken over from" not in tenant.text("main")
    assert tenant.sees(f"3 of lease #{lease_id}'s 6 pallet positions, kept by {TENANT}")
    assert "moved here" in tenant.text("#split-total-kept")
    tenant.shot("transfer-kept-lease")

    open_transfer(first_taker, first)
    first_taker.click("main dt:text-is('New lease') + dd a")
    taken = first_taker.text("main")
    assert f"Taken over from lease #{lease_id} of {TENANT}" in taken
    total = first_taker.text("main dt:text-is('Total') + dd strong")
    explained = first_taker.text("#split-total-taken")
    assert total != "€0.00" and "that lease's escrow not yet released" in explained, explained
    assert f"It is not the transfer's price: {FIRST_TAKER[1]} paid {TENANT} €150.00" in explained
    first_taker.shot("transfer-takers-lease")

    replay_the_bank_transfer(operator, first, wt_reference, price)
    assert receipts_with(demo_site.app, f"CAIXA-WT-{first}") == 1

    # (b) all the rest: the three pallets the tenant kept, from their eleventh day: the
    # kept lease's second month's release moves
    later = handover + timedelta(days=10)
    second = offer_from_the_lease(tenant, kept_id, later, 3, "120")
    find_and_ask_for_it(second_taker, second)
    approve_knowing_the_taker(owner, second, SECOND_TAKER[1])
    wt_reference, price = read_how_to_pay_the_price(second_taker, second)
    record_the_price(operator, second, wt_reference, price)

    owed = "€116.40"  # €120.00 less the platform's 3%
    rows = operator.page.locator("#refunds ~ table tr", has_text=TENANT).all_inner_texts()
    assert any(owed in row and f"Price of transfer #{second}, less the fee" in row
               for row in rows), rows  # fmt: skip
    operator.shot("transfer-operator-refund-due")

    lease_page_from_home(tenant, kept_id)
    assert tenant.sees(f"{owed} — Price of transfer #{second}, less the fee — due")
    whole = tenant.text("#split-original")
    assert f"3 of 3 pallet positions handed over to {SECOND_TAKER[1]}" in whole, whole
    assert "keeps the other" not in whole, "nothing is kept"
    assert "followed those days" in tenant.text("#split-total-original")
    tenant.shot("transfer-whole-lease-handed-on")
    open_transfer(tenant, second)
    assert tenant.text("main dt:text-is('Platform fee') + dd") == "€3.60"
    assert price_owed_to(demo_site.app, TENANT) == [("due", 14_550), ("due", 11_640)]

    for person in (tenant, owner, operator, first_taker, second_taker):
        person.close()
