"""Journey 4: a tenant disputes a paid lease with evidence, the owner answers with evidence of
their own, an operator decides a split of the frozen escrow (a wrong one first), and every page
of the case then opens for all three roles and tells the same story of the money."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.browser.journeys import Person
from tests.uploads import PNG

pytestmark = pytest.mark.browser

TENANT = "both@atlastrade.example"  # Atlas Trade & Storage SA, tenant of demo booking 7
OWNER = "owner@nordsee.example"  # Nordsee Logistik GmbH, owner of its listing
OPERATOR = "operator@warehouse-exchange.example"
LEASE = "Ambient cubic metres, Neo Ikonio Depot"


def euros(text: str) -> Decimal:
    """The first euro amount in a text, e.g. '€1,234.50' → Decimal('1234.50')."""
    found = re.search(r"€\s?([\d,]+\.\d{2})", text)
    assert found, f"no euro amount in {text!r}"
    return Decimal(found.group(1).replace(",", ""))


def released_euros(owner: Person) -> Decimal:
    owner.menu("Earnings")
    return euros(
        owner.text(
            "main tr:has(td[data-label=Currency]:text-is('EUR')) [data-label='Released to you']"
        )
    )


def open_the_lease(tenant: Person) -> None:
    tenant.menu("My leases")
    row = tenant.page.locator("main tr", has_text=LEASE).first
    row.locator("a:has-text('#')").first.click()
    tenant.page.wait_for_load_state()
    assert tenant.sees("Booking #7"), tenant.text()


def open_dispute(tenant: Person, photo) -> str:
    open_the_lease(tenant)
    assert tenant.sees("confirmed")
    tenant.click("main a:has-text('Open a dispute')")
    page = tenant.page
    page.select_option("#category", "space_not_available")
    page.fill("#claimed", "120.00")
    page.fill("#description", "The depot told our driver the space was let to someone else.")
    page.set_input_files("#evidence", str(photo))
    tenant.submit("Open the dispute")
    assert "the booking's escrow is frozen" in tenant.flash(), tenant.text()
    return page.url


def owner_answers(owner: Person, photo, dispute_id: str) -> None:
    owner.menu("Disputes")
    owner.click(f"main table a:text-is('#{dispute_id}')")
    assert owner.sees("space was let to someone else")
    page = owner.page
    page.fill("#body", "The space was free and waiting; here is the photo of the empty bay.")
    page.set_input_files("#evidence", str(photo))
    owner.submit("Send")
    assert "Message sent." in owner.flash()
    assert page.locator(".thread .message").count() == 2
    assert page.locator(".thread .message img").count() == 2, "both photos show in the thread"


def operator_decides(operator: Person, dispute_id: str) -> tuple[Decimal, Decimal]:
    """Decides the case from the operator's home page; returns (tenant share, owner share)."""
    assert operator.sees(f"Dispute #{dispute_id}", "#disputes")
    operator.click("#disputes a:has-text('Dispute queue')")
    operator.click(f"main table a:text-is('#{dispute_id}')")
    operator.submit("Take the case")
    assert f"You took dispute #{dispute_id}" in operator.flash()
    page = operator.page
    frozen = euros(operator.text("#decide strong"))
    limit_shown = page.locator("#owner-limit").count()  # shown only when below the frozen sum
    owner_limit = euros(operator.text("#owner-limit")) if limit_shown else frozen
    operator.shot("dispute-decision-form")
    owner_share = min(frozen - Decimal("100.00"), owner_limit)
    tenant_share = frozen - owner_share

    page.fill("#tenant_share", f"{tenant_share:.2f}")
    page.fill("#owner_share", f"{owner_share + 1:.2f}")  # one euro too many
    page.fill("#reasons", "The depot's gate log shows the bay was free; the notice was late.")
    operator.submit("Decide and execute")
    assert "must add up to" in operator.text(".field:has(#tenant_share)"), operator.text()
    assert page.input_value("#reasons").startswith("The depot's gate log")
    assert operator.sees("under review") and page.locator("#decision").count() == 0
    assert euros(operator.text("#decide strong")) == frozen, "the escrow is still frozen"
    assert not operator.sees("dispute award"), "the booking's ledger has not moved"
    operator.shot("dispute-decision-refused", phone=False)

    page.fill("#owner_share", f"{owner_share:.2f}")
    operator.submit("Decide and execute")
    assert "the ledger has moved the money" in operator.flash(), operator.text()
    return tenant_share, owner_share


def reads_the_decided_case(person: Person, case_url: str, shares) -> None:
    """Every page of the decided case, as this person reaches it, answers and agrees."""
    tenant_share, owner_share = shares
    page = person.page
    decision = person.text("#decision")
    assert f"€{tenant_share:,.2f}" in decision and f"€{owner_share:,.2f}" in decision
    assert "gate log shows the bay was free" in decision
    assert person.sees("settled by the decision below")
    assert person.sees("The thread is closed.")
    files = page.locator(".thread .evidence a")
    assert files.count() == 2, "the tenant's and the owner's photo"
    for link in files.all():
        response = page.request.get(person.site.url + link.get_attribute("href"))
        assert response.status == 200, response.url
        assert response.headers["content-type"] == "image/png" and response.body() == PNG

    person.open(case_url.removeprefix(person.site.url) + "/decision")
    if person.email == OPERATOR:  # the case record, with the decision in place of the form
        assert page.url == f"{case_url}/decision" and page.locator("#decide").count() == 0
    else:  # a party reads the decision on the case page
        assert page.url == f"{case_url}#decision"
    assert "gate log shows the bay was free" in person.text("#decision")
    if person.email == OPERATOR:
        person.click("main a:has-text('thread')")

    person.click("main p.muted a:has-text('booking #7')")
    assert person.sees("Booking #7")
    escrow = person.text("main .card:has(dt:text-is('In escrow'))")
    assert "not paid through escrow" not in escrow, "the lease was paid through escrow"
    assert "settled by the decision of dispute #" in escrow, escrow
    assert f"€{tenant_share:,.2f} — Dispute #" in escrow, "the refund shows on the lease"
    person.click("main .settled-by a")
    assert page.url.endswith("#decision") and person.sees("Decision")

    person.click("header a.inbox")
    if person.email != OPERATOR:
        notice = page.locator("li.notice", has_text="is decided").first
        assert f"€{tenant_share:,.2f}" in notice.inner_text()
        notice.locator("a").first.click()
        page.wait_for_load_state()
        assert page.url.startswith(case_url) and person.sees("Decision")


def test_a_dispute_is_decided_and_every_page_of_the_case_agrees(browser, demo_site, tmp_path):
    tenant_photo, owner_photo = tmp_path / "no-space.png", tmp_path / "empty-bay.png"
    tenant_photo.write_bytes(PNG)
    owner_photo.write_bytes(PNG)

    owner = Person(browser, demo_site, OWNER)
    owner.log_in()
    released_before = released_euros(owner)

    tenant = Person(browser, demo_site, TENANT)
    tenant.log_in()
    case_url = open_dispute(tenant, tenant_photo)
    dispute_id = case_url.rstrip("/").rsplit("/", 1)[1]

    owner.menu("Home")
    owner_answers(owner, owner_photo, dispute_id)

    operator = Person(browser, demo_site, OPERATOR)
    operator.log_in()
    shares = operator_decides(operator, dispute_id)
    operator.shot("dispute-case-decided")
    operator.menu("Home")
    assert operator.sees("No open dispute.", "#disputes")

    for person in (tenant, owner, operator):
        person.menu("Home")
        person.menu("Disputes")
        row = person.page.locator("main tr", has_text=f"#{dispute_id}")
        if person is operator:  # the open queue is empty of it: it is among the closed cases
            assert row.count() == 0
            person.click("main a:has-text('closed cases')")
        person.click(f"main table a:text-is('#{dispute_id}')")
        if person is operator:  # the queue leads to the case record
            operator.shot("dispute-decision-decided")
            operator.click("main a:has-text('thread')")
        reads_the_decided_case(person, case_url, shares)
    open_the_lease(tenant)
    tenant.shot("dispute-lease-decided")
    tenant.click("main .settled-by a")
    tenant.shot("dispute-case-decided-tenant")

    tenant_share, owner_share = shares
    operator.menu("Escrow")
    refund = operator.page.locator("#refunds ~ table tr", has_text=f"Dispute #{dispute_id}")
    assert refund.count() == 1, operator.text("main")
    assert "Atlas Trade & Storage SA" in refund.inner_text()
    assert euros(refund.locator("[data-label=Amount]").inner_text()) == tenant_share
    refund.locator("[aria-label^='Bank reference of refund']").fill("NBG-REFUND-0007")
    refund.locator("button:has-text('Mark sent')").click()
    operator.page.wait_for_load_state()
    assert operator.page.locator("tr", has_text=f"Dispute #{dispute_id}").count() == 0
    open_the_lease(tenant)  # the refund has left escrow for the tenant's bank
    money = tenant.text("main .card:has(dt:text-is('In escrow'))")
    assert re.search(rf"In escrow\s+€0\.00\s+Released to the owner\s+€{owner_share:,.2f}", money)
    assert re.search(rf"Refunded\s+€{tenant_share:,.2f}", money), money
    assert released_euros(owner) == released_before + owner_share
    award = owner.page.locator("#dispute-awards tr", has_text=f"#{dispute_id}")
    assert euros(award.locator("[data-label='Released to you']").inner_text()) == owner_share
    owner.shot("dispute-owner-earnings")
    for person in (tenant, owner, operator):
        person.close()
