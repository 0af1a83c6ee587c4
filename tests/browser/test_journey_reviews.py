"""Journey 5: a short lease taken to its end with the demo clock; then the tenant and the owner
review each other, answer the reviews on their profiles, and the credit page and the profiles
show the ratings the nightly job keeps."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.browser.journeys import DESKTOP, PHONE, Person
from warehouse_exchange.extensions import db
from warehouse_exchange.trust.models import Review

pytestmark = pytest.mark.browser

TENANT = "exporter@brightelectronics.example"
OWNER = "owner@pacificgateway.example"
OPERATOR = "operator@warehouse-exchange.example"
TENANT_NAME = "Shenzhen Bright Electronics Co."
OWNER_NAME = "Pacific Gateway Warehousing Inc."
LISTING = "Ambient pallet positions, Chicago South Intermodal DC"
# the listing takes a week's lease from eight days on; the clock passes the lease's last day
# in Chicago, hours behind UTC, with a day to spare
FIRST_DAY_IN = 9
LEASE_DAYS = 7
CLOCK_DAYS = FIRST_DAY_IN + LEASE_DAYS + 1
OWNER_WORDS = "Racked on arrival, counted right, and the dock answered every call."
OWNER_ANSWER = "Thank you: come back for the spring peak."
TENANT_ANSWER = "Thank you for the smooth hand-over."
TENANT_WORDS = "Goods came labelled as announced and were collected on the agreed day."


def completed_leases(person: Person) -> int:
    """The count of completed leases a profile's rating says it was raised by."""
    found = re.search(r"(\d+) completed lease", person.text("main .factors"))
    return int(found.group(1)) if found else 0


def open_lease(tenant: Person, lease: str) -> None:
    tenant.menu("My leases")
    tenant.click(f"main a[href='{lease}']")


def completed_leases_of_both(tenant: Person, lease: str) -> dict[str, int]:
    """From the lease page, each party's profile: the completed leases its rating counts."""
    counts = {}
    for party in (TENANT_NAME, OWNER_NAME):
        open_lease(tenant, lease)
        tenant.click(f"main p.muted a:has-text('{party}')")
        counts[party] = completed_leases(tenant)
    return counts


def assert_tier_as_the_credit_page_says(person: Person) -> None:
    """On a profile: its tier badge is the one the credit page gives its score."""
    line = person.page.locator("main .rating-line")
    tier = line.locator(".badge.tier").inner_text().strip()
    score = int(line.locator("strong").first.inner_text())
    person.click("footer a:has-text('Credit ratings and the blacklist')")
    assert person.sees("How ratings work")
    floors = []
    for row in person.page.locator("#tiers ~ .card tbody tr").all_inner_texts():
        found = re.match(r"\s*(\w+)\s+(\d+) and above", row)
        if found:
            floors.append((int(found.group(2)), found.group(1)))
    expected = next((name for floor, name in sorted(floors, reverse=True) if score >= floor), "C")
    assert tier == expected, (tier, score, floors)


def assert_rating_time_on_one_line_on_a_phone(person: Person) -> None:
    """A profile read on a phone keeps the time its rating was computed whole, the date
    not broken at a hyphen."""
    person.page.set_viewport_size(PHONE)
    lines = person.page.locator("main .rating-line .computed").evaluate(
        "span => span.getClientRects().length"
    )
    person.page.set_viewport_size(DESKTOP)
    assert lines == 1


def request_a_week(tenant: Person) -> str:
    """Search, open the listing, get a quote and send the request; returns the lease page."""
    today = datetime.now(UTC).date()
    start = today + timedelta(days=FIRST_DAY_IN)
    end = start + timedelta(days=LEASE_DAYS - 1)
    tenant.menu("Find space")
    page = tenant.page
    page.fill("#near", "Chicago")
    page.fill("#radius_km", "50")
    page.select_option("#unit", "pallet")
    page.fill("#quantity", "10")
    page.fill("#start", start.isoformat())
    page.fill("#end", end.isoformat())
    page.fill("#temperature_min", "10")
    page.fill("#temperature_max", "30")
    page.select_option("#category", "electronics")
    page.fill("#unit_length_cm", "120")
    page.fill("#unit_width_cm", "100")
    page.fill("#unit_height_cm", "150")
    page.fill("#unit_weight_kg", "420")
    tenant.click("#filters button:has-text('Search')")
    results = tenant.text("section[aria-label=Results]")
    assert LISTING in results, results
    tenant.click(f"section[aria-label=Results] a:has-text('{LISTING}')")
    tenant.click("main a:has-text('Request space')")
    page.fill("#sku_count", "8")
    tenant.submit("Get a quote")
    assert not page.locator("main .error").count(), tenant.text(".field:has(.error)")
    tenant.submit("Send request")
    assert tenant.sees("Waiting for the owner|waits for the owner|Requested"), tenant.text()
    return page.url.removeprefix(tenant.site.url)


def accept_from_home(owner: Person) -> None:
    owner.log_in()
    owner.click(f"#requests a:has-text('{LISTING}'), main a:has-text('{LISTING}')")
    assert owner.sees(TENANT_NAME)
    owner.submit("Accept")
    assert owner.sees("accepted"), owner.text()


def pay_into_escrow(operator: Person, reference: str, total: str, currency: str) -> None:
    operator.menu("Escrow")
    page = operator.page
    page.fill("#reference", reference)
    page.fill("#amount", total)
    page.select_option("#currency", currency)
    page.fill("#bank_reference", "CHASE-55120")
    operator.submit("Record transfer")
    page.wait_for_selector("text=which is now confirmed")


def advance_the_clock(operator: Person, days: int) -> None:
    operator.menu("Jobs")
    operator.page.fill("#days", str(days))
    operator.submit("Advance the clock")
    assert "The demo clock now reads" in operator.flash(), operator.flash()
    assert "Failed" not in operator.flash()


def write_review(
    person: Person, party: str, stars: tuple[int, int, int], words: str, shot: str = ""
) -> None:
    """From the lease page: a review sent without stars is refused at the fields, keeping the
    words; with the stars it is published."""
    person.click(f"main a.button:has-text('Review {party}')")
    page = person.page
    assert person.sees(f"How was {re.escape(party)}")
    page.fill("#comment", words)
    person.submit("Publish review")
    assert "give 1 to 5 stars" in person.text(".field:has(#aspect_1)")
    assert "give 1 to 5 stars" in person.text(".field:has(#communication)")
    assert page.input_value("#comment") == words, "the words are kept"
    if shot:
        person.shot(shot)
    for field, count in zip(("#aspect_1", "#aspect_2", "#communication"), stars, strict=True):
        page.select_option(field, str(count))
    person.submit("Publish review")
    assert "Thank you for your review." in person.flash()
    assert person.sees(re.escape(words), "#reviews ~ article")


def answer_review(person: Person, author: str, words: str) -> None:
    """On one's own profile, answer a review once."""
    review = person.page.locator("article.review", has_text=author).first
    review.locator("textarea[name=text]").fill(words)
    review.locator("button:has-text('Answer')").click()
    person.page.wait_for_load_state()
    assert "Your answer is published." in person.flash()
    assert person.sees(f"Answer from .*: {re.escape(words)}", "#reviews ~ article")


def test_both_parties_review_a_finished_lease_and_the_ratings_follow(browser, demo_site):
    tenant = Person(browser, demo_site, TENANT)
    tenant.log_in()
    lease = request_a_week(tenant)

    owner = Person(browser, demo_site, OWNER)
    accept_from_home(owner)

    open_lease(tenant, lease)
    reference = tenant.text(".reference")
    total = tenant.text("main dt:has-text('Total') + dd strong")
    currency = "USD"
    amount = re.sub(r"[^\d.]", "", total)
    assert total.startswith("$"), total

    before = completed_leases_of_both(tenant, lease)

    operator = Person(browser, demo_site, OPERATOR)
    operator.log_in()
    pay_into_escrow(operator, reference, amount, currency)
    advance_the_clock(operator, CLOCK_DAYS)

    open_lease(tenant, lease)
    assert tenant.page.is_visible("h1 .badge.state-completed"), tenant.text("h1")
    tenant.shot("reviews-lease-completed", phone=False)
    write_review(tenant, OWNER_NAME, (5, 4, 5), OWNER_WORDS, "reviews-form")
    tenant.shot("reviews-owner-profile")
    open_lease(tenant, lease)
    assert tenant.page.locator(f"main a.button:has-text('Review {OWNER_NAME}')").count() == 0
    assert tenant.sees(f"Your organization reviewed {re.escape(OWNER_NAME)}")

    owner.menu("Home")
    owner.click("header a.inbox")
    owner.click(f"main a:has-text('Lease #{lease.rsplit('/', 1)[1]} is completed')")
    assert owner.page.is_visible("h1 .badge.state-completed"), owner.text("h1")
    write_review(owner, TENANT_NAME, (4, 5, 4), TENANT_WORDS)
    owner.click("header a.inbox")
    owner.click(f"main a:has-text('{TENANT_NAME} reviewed you')")
    answer_review(owner, TENANT_NAME, OWNER_ANSWER)
    assert owner.sees(re.escape(OWNER_WORDS), "#reviews ~ article")

    tenant.click("header a.inbox")
    tenant.click(f"main a:has-text('{OWNER_NAME} reviewed you')")
    answer_review(tenant, OWNER_NAME, TENANT_ANSWER)
    assert tenant.sees(re.escape(TENANT_WORDS), "#reviews ~ article")
    assert_rating_time_on_one_line_on_a_phone(tenant)
    tenant.shot("reviews-tenant-profile")

    operator.menu("Jobs")
    row = operator.page.locator("main tbody tr", has_text="rate-organizations")
    row.locator("button:has-text('Run now')").click()
    operator.page.wait_for_selector("text=rate-organizations ran:")
    assert re.search(r"\d+ items changed", row.inner_text()), row.inner_text()

    after = completed_leases_of_both(tenant, lease)
    assert after == {party: count + 1 for party, count in before.items()}
    for party in (TENANT_NAME, OWNER_NAME):
        open_lease(tenant, lease)
        tenant.click(f"main p.muted a:has-text('{party}')")
        assert_tier_as_the_credit_page_says(tenant)
    tenant.shot("reviews-credit-page")

    for person in (tenant, owner, operator):
        person.close()
    with demo_site.app.app_context():
        booking_id = int(lease.rsplit("/", 1)[1])
        reviews = db.session.scalars(select(Review).where(Review.booking_id == booking_id)).all()
        assert sorted(r.comment for r in reviews) == sorted([OWNER_WORDS, TENANT_WORDS])
        assert all(r.reply for r in reviews)
