"""Journey 2: one lease from request to payout, across exporter, owner and operator.

Saigon Home Goods asks for pallets in Valencia; Nordsee accepts from its home page; the
exporter reads how to pay; an operator records the bank transfer from the console's list of
payments awaiting money; the exporter announces a shipment; the owner sees it arrive on its
home page and checks it in on the first day; the demo clock takes the lease to its end; every
release reaches the owner; the operator pays the owner out; and both statements agree with
the ledger.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.browser.journeys import Person
from warehouse_exchange.adapters.clock import utc_today
from warehouse_exchange.money import exponent

pytestmark = pytest.mark.browser

LISTING = "Ambient pallet positions, Zona de Actividades Logísticas 4"
EXPORTER = "exporter@saigonhome.example"
OWNER = "owner@nordsee.example"
OPERATOR = "operator@warehouse-exchange.example"


def request_space(exporter: Person, start, end) -> int:
    exporter.menu("Find space")
    page = exporter.page
    page.fill("#near", "Valencia, ES")
    page.fill("#radius_km", "30")
    page.select_option("#unit", "pallet")
    page.fill("#quantity", "6")
    page.fill("#start", start.isoformat())
    page.fill("#end", end.isoformat())
    page.select_option("#category", "general")
    exporter.click("#filters button:has-text('Search')")
    exporter.click(f"section[aria-label=Results] a:has-text('{LISTING}')")
    exporter.click("main a:has-text('Request space')")
    assert exporter.page.input_value("#quantity") == "6"
    exporter.page.fill("#unit_weight_kg", "180")
    exporter.submit("Get a quote")
    exporter.submit("Send request")
    assert "sent to Nordsee Logistik GmbH" in exporter.flash()
    return int(re.search(r"/bookings/(\d+)", exporter.page.url).group(1))


def accept_from_home(owner: Person, booking_id: int) -> None:
    owner.log_in()
    assert owner.page.url.endswith("/home")
    owner.click(f"#requests a:has-text('#{booking_id}')")
    owner.shot("lease-owner-reads-request", phone=False)
    owner.submit("Accept")
    assert "accepted" in owner.flash().lower(), owner.flash()


def read_how_to_pay(exporter: Person, booking_id: int) -> tuple[str, str]:
    exporter.menu("Home")
    payment = exporter.page.locator("#payments li", has_text=f"#{booking_id}")
    reference = payment.locator("code").inner_text()
    amount = payment.locator("strong").inner_text()
    exporter.click(f"#payments a:has-text('#{booking_id}')")
    panel = exporter.text()
    assert reference in panel and "ABNANL2A" in panel, "reference and the escrow bank's BIC"
    exporter.shot("lease-exporter-how-to-pay")
    return reference, amount


def record_receipt_from_the_list(
    operator: Person, booking_id: int, reference: str, amount: str
) -> None:
    operator.log_in()
    operator.shot("lease-operator-home")
    operator.click("#awaiting-money a:has-text('Escrow console')")
    operator.shot("lease-operator-console", phone=False)
    operator.click(f"main tr:has-text('{reference}') a:has-text('Pick')")
    assert operator.page.input_value("#reference") == reference
    assert operator.page.input_value("#amount") == amount.lstrip("€").replace(",", "")
    operator.page.fill("#received_on", utc_today().isoformat())
    operator.page.fill("#bank_reference", "CAIXA-2026-7781")
    operator.shot("lease-operator-picks-payment")
    operator.submit("Record transfer")
    assert "confirmed" in operator.flash(), operator.flash()
    assert reference not in operator.text("main"), "no longer awaiting money"


def announce_shipment(exporter: Person, booking_id: int, arrival) -> None:
    exporter.menu("Home")
    exporter.click(f"#leases a:has-text('#{booking_id}')")
    exporter.click("main a:has-text('Shipments to this lease')")
    exporter.click("main .page-head a:has-text('Announce a shipment')")
    page = exporter.page
    page.fill("#carrier", "Maersk")
    page.fill("#tracking_number", "MAEU5512340")
    page.select_option("#mode", "sea")
    page.fill("#expected_arrival", arrival.isoformat())
    page.fill("#lines-0-sku", "SHG-LAMP-01")
    page.fill("#lines-0-description", "Rattan table lamps")
    page.fill("#lines-0-units", "240")
    page.fill("#lines-0-unit_length_cm", "40")
    page.fill("#lines-0-unit_width_cm", "40")
    page.fill("#lines-0-unit_height_cm", "60")
    page.fill("#lines-0-unit_weight_kg", "4")
    page.fill("#lines-0-declared_value", "9600")
    page.select_option("#lines-0-currency", "EUR")
    page.fill("#lines-0-hs_code", "940540")
    exporter.submit("Announce shipment")
    assert "announced" in exporter.flash(), (
        exporter.shot("lease-announce-refused")
        or exporter.page.locator(".field:has(.error), .field:has(.errors)").all_inner_texts()
    )
    assert exporter.sees("€9,600.00")


def advance_clock(operator: Person, days: int) -> None:
    operator.menu("Jobs")
    operator.page.fill("#days", str(days))
    operator.submit("Advance the clock")
    assert "The demo clock now reads" in operator.flash(), operator.flash()
    assert "Failed" not in operator.flash()


def check_in_from_home(owner: Person) -> None:
    owner.menu("Home")
    assert owner.sees("MAEU5512340", "#arrivals")
    owner.click("#arrivals a:has-text('All arrivals')")
    owner.shot("lease-owner-arrivals")
    owner.click("main tr:has-text('MAEU5512340') a:has-text('Check in')")
    owner.page.fill("input[name$='received_good']", "240")
    owner.submit("Check in")
    assert "checked in" in owner.flash().lower(), owner.flash()


def statement(person: Person) -> list[dict]:
    with person.page.expect_download() as download:
        person.click("main a:has-text('Download your statement (CSV)')")
    return list(csv.DictReader(io.StringIO(download.value.path().read_text())))


def ledger_balance(app, organization: str, kind: str, currency: str) -> int:
    from warehouse_exchange.accounts.models import Organization
    from warehouse_exchange.extensions import db
    from warehouse_exchange.ledger.models import LedgerAccount, LedgerEntry

    with app.app_context():
        return db.session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
            .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
            .join(Organization, Organization.id == LedgerAccount.organization_id)
            .where(Organization.name == organization, LedgerAccount.kind == kind)
            .where(LedgerAccount.currency == currency)
        )


def test_a_lease_from_request_to_payout(browser, demo_site):
    exporter = Person(browser, demo_site, EXPORTER)
    owner = Person(browser, demo_site, OWNER)
    operator = Person(browser, demo_site, OPERATOR)
    start = utc_today() + timedelta(days=16)
    end = start + timedelta(days=13)

    exporter.log_in()
    booking_id = request_space(exporter, start, end)
    accept_from_home(owner, booking_id)
    reference, amount = read_how_to_pay(exporter, booking_id)
    record_receipt_from_the_list(operator, booking_id, reference, amount)

    exporter.open(f"/bookings/{booking_id}")
    assert exporter.sees("confirmed")
    announce_shipment(exporter, booking_id, start)
    owner.menu("Home")
    owner.shot("lease-owner-home")

    advance_clock(operator, 16)
    check_in_from_home(owner)
    exporter.menu("Stock")
    assert exporter.sees("SHG-LAMP-01") and exporter.sees("240")
    exporter.shot("lease-exporter-stock")

    advance_clock(operator, 15)
    owner.menu("Earnings")
    owner.shot("lease-owner-earnings")
    releases = owner.page.locator(f"main tr:has(a:text-is('#{booking_id}'))").all_inner_texts()
    assert releases and all("released" in row for row in releases), releases

    operator.menu("Escrow")
    payout = operator.page.locator("main tr:has(form[action$='/payouts'])", has_text="Nordsee")
    paid = payout.locator("td.num").inner_text()
    payout.locator("input[name=bank_reference]").fill("NORDSEE-PAYOUT-1")
    payout.locator("button").click()
    operator.page.wait_for_load_state()
    assert f"Payout of {paid} to Nordsee Logistik GmbH recorded" in operator.flash()
    owner.menu("Earnings")
    assert owner.text("main table tr:has-text('EUR')").split()[-1] == paid, "paid out in full"

    owner_lines = statement(owner)
    exporter.menu("My leases")
    exporter_lines = statement(exporter)
    for organization, lines in (("Nordsee Logistik GmbH", owner_lines),
                                ("Saigon Home Goods", exporter_lines)):  # fmt: skip
        for kind, currency in {(line["account"], line["currency"]) for line in lines}:
            last = [line for line in lines if (line["account"], line["currency"]) ==
                    (kind, currency)][-1]  # fmt: skip
            minor = int(Decimal(last["balance"]).scaleb(exponent(currency)))
            assert minor == ledger_balance(demo_site.app, organization, kind, currency)
    lease_lines = [line for line in owner_lines if line["booking"] == str(booking_id)]
    assert lease_lines, "the owner's statement shows the lease's releases"

    for person in (exporter, owner, operator):
        person.close()
