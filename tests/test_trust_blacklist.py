"""Verification and the blacklist: only operators decide; a listed organization cannot publish,
book or accept, its open requests are declined, its running leases go on but are flagged."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import booking_terms, goods, pay_in_full
from tests.uploads import PDF, PNG, TEXT_AS_IMAGE
from warehouse_exchange.blacklist.guards import OrganizationBlacklisted, require_not_blacklisted
from warehouse_exchange.blacklist.models import BlacklistEntry
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.errors import Conflict, Forbidden, InvalidInput
from warehouse_exchange.extensions import db
from warehouse_exchange.listings.services import change_listing_status, create_listing
from warehouse_exchange.notifications.models import Notification
from warehouse_exchange.trust import blacklist, verification
from warehouse_exchange.trust.models import VerificationRequest
from warehouse_exchange.trust.verification import VerificationData

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()
START = TODAY + timedelta(days=5)


@pytest.fixture
def listing(owner):
    return ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))


def ask(tenant, listing, quantity=4):
    request = BookingRequest(listing.id, quantity, START, START + timedelta(days=13), goods())
    return request_booking(tenant, request, booking_terms(), NOW, TODAY)


def papers(**changes):
    data = {
        "registration_number": "HRB 12345",
        "registration_country": "NL",
        "address": "Europaweg 1, Rotterdam",
        "contact_name": "Anna de Vries",
        "contact_email": "anna@example.com",
        "documents": [("extract.pdf", PDF), ("licence.png", PNG)],
    }
    return VerificationData(**{**data, **changes})


# verification


def test_an_approved_request_verifies_the_organization_and_tells_it(owner, operator):
    request = verification.request_verification(owner, papers(), NOW)
    assert [d.content_type for d in request.documents] == ["application/pdf", "image/png"]
    assert not owner.organization.verified

    verification.approve_verification(operator, request.id, "", NOW)

    assert owner.organization.verified and request.state == "approved"
    told = db.session.scalars(
        select(Notification.kind).where(Notification.organization_id == owner.organization_id)
    ).all()
    assert told == ["verification_decided"]


def test_a_rejection_needs_a_reason_and_leaves_the_organization_unverified(owner, operator):
    request = verification.request_verification(owner, papers(), NOW)
    with pytest.raises(InvalidInput) as refused:
        verification.reject_verification(operator, request.id, " ", NOW)
    assert refused.value.fields == {"reason": "Required."}

    verification.reject_verification(operator, request.id, "The extract is unreadable", NOW)
    assert request.state == "rejected" and not owner.organization.verified
    again = verification.request_verification(owner, papers(), NOW)
    assert again.state == "pending"


def test_only_operators_decide_and_only_once(owner, other_owner, operator):
    request = verification.request_verification(owner, papers(), NOW)
    for someone in (owner, other_owner):
        with pytest.raises(Forbidden):
            verification.approve_verification(someone, request.id, "", NOW)
    assert request.state == "pending" and not owner.organization.verified
    verification.approve_verification(operator, request.id, "", NOW)
    with pytest.raises(Conflict):
        verification.reject_verification(operator, request.id, "Changed my mind", NOW)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"documents": []}, "documents"),
        ({"documents": [("notes.png", TEXT_AS_IMAGE)]}, "documents"),
        ({"registration_country": "XX"}, "registration_country"),
        ({"contact_email": "nobody"}, "contact_email"),
        ({"registration_number": ""}, "registration_number"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_kept(owner, changes, field):
    with pytest.raises(InvalidInput) as refused:
        verification.request_verification(owner, papers(**changes), NOW)
    assert field in refused.value.fields
    assert db.session.query(VerificationRequest).count() == 0


def test_a_second_request_waits_for_the_first(owner):
    verification.request_verification(owner, papers(), NOW)
    with pytest.raises(Conflict):
        verification.request_verification(owner, papers(), NOW)


def test_documents_are_for_the_organization_and_operators_only(owner, other_owner, operator):
    request = verification.request_verification(owner, papers(), NOW)
    document = request.documents[0]
    assert verification.verification_document(operator, request.id, document.id) == document
    assert verification.verification_document(owner, request.id, document.id) == document
    with pytest.raises(Exception) as hidden:
        verification.verification_document(other_owner, request.id, document.id)
    assert hidden.value.status == 404


# blacklist


def test_only_operators_blacklist_and_lift(owner, exporter, operator):
    with pytest.raises(Forbidden):
        blacklist.blacklist_organization(owner, exporter.organization_id, "Fraud", None, NOW)
    entry = blacklist.blacklist_organization(operator, exporter.organization_id, "Fraud", None, NOW)
    with pytest.raises(Forbidden):
        blacklist.lift_blacklisting(owner, entry.id, "Sorry", NOW)
    assert exporter.organization.blacklisted


def test_a_listed_tenant_cannot_book_and_its_open_requests_are_declined(
    owner, exporter, operator, listing
):
    waiting = ask(exporter, listing)
    blacklist.blacklist_organization(
        operator, exporter.organization_id, "Unpaid invoices", None, NOW
    )
    assert waiting.state == "declined"
    assert "Unpaid invoices" in waiting.events[-1].reason
    with pytest.raises(OrganizationBlacklisted) as refused:
        ask(exporter, listing)
    assert refused.value.status == 403 and "Unpaid invoices" in refused.value.message


def test_a_listed_owner_cannot_publish_resume_accept_or_be_booked(
    owner, exporter, operator, listing
):
    waiting = ask(exporter, listing)
    change_listing_status(owner, listing.id, "paused", TODAY)
    blacklist.blacklist_organization(operator, owner.organization_id, "Fake warehouse", None, NOW)
    assert waiting.state == "declined"
    with pytest.raises(OrganizationBlacklisted):
        change_listing_status(owner, listing.id, "active", TODAY)
    with pytest.raises(OrganizationBlacklisted):
        create_listing(owner, listing.warehouse_id, None, TODAY)
    other = ListingFactory(warehouse=listing.warehouse)
    with pytest.raises(OrganizationBlacklisted) as refused:
        ask(exporter, other)
    assert refused.value.message.startswith("The owner's organization is on the blacklist")


def test_a_listed_owner_cannot_accept(owner, exporter, operator, listing):
    waiting = ask(exporter, listing)
    entry = BlacklistEntry(
        organization_id=owner.organization_id, reason="Fraud", starts_on=TODAY,
        listed_by_id=operator.id,
    )  # fmt: skip
    db.session.add(entry)
    db.session.commit()
    with pytest.raises(OrganizationBlacklisted):
        accept_booking(owner, waiting.id, NOW)
    assert waiting.state == "requested"


def test_running_leases_go_on_and_the_other_party_is_told(owner, exporter, operator, listing):
    lease = accept_booking(owner, ask(exporter, listing).id, NOW)
    pay_in_full(operator, lease)
    blacklist.blacklist_organization(operator, exporter.organization_id, "Fraud", None, NOW)
    assert lease.state == "confirmed"
    told = db.session.scalars(
        select(Notification).where(Notification.kind == "party_blacklisted")
    ).all()
    assert [(n.organization_id, n.link) for n in told] == [
        (owner.organization_id, f"/bookings/{lease.id}")
    ]
    assert blacklist.flagged_leases(operator) == [lease]


def test_an_end_date_ends_the_listing_and_lifting_ends_it_at_once(exporter, operator, listing):
    ends = TODAY + timedelta(days=10)
    entry = blacklist.blacklist_organization(operator, exporter.organization_id, "Late", ends, NOW)
    with pytest.raises(Conflict):
        blacklist.blacklist_organization(operator, exporter.organization_id, "Again", None, NOW)
    require_not_blacklisted(exporter.organization_id, ends + timedelta(days=1))
    with pytest.raises(OrganizationBlacklisted):
        require_not_blacklisted(exporter.organization_id, ends)
    later = datetime.combine(ends + timedelta(days=1), time(1), tzinfo=UTC)
    assert blacklist.end_lapsed_blacklistings(later) == 1
    assert not exporter.organization.blacklisted
    public = blacklist.public_blacklist(later.date())
    assert public.current == [] and public.earlier == [entry]


def test_lifting_ends_a_listing_at_once(exporter, operator):
    entry = blacklist.blacklist_organization(operator, exporter.organization_id, "Fraud", None, NOW)
    blacklist.lift_blacklisting(operator, entry.id, "Paid in full", NOW)
    assert not exporter.organization.blacklisted and entry.lift_reason == "Paid in full"
    require_not_blacklisted(exporter.organization_id, TODAY)
    with pytest.raises(Conflict):
        blacklist.lift_blacklisting(operator, entry.id, "Twice", NOW)


def test_an_end_date_in_the_past_is_refused(exporter, operator):
    with pytest.raises(InvalidInput) as refused:
        blacklist.blacklist_organization(
            operator, exporter.organization_id, "Late", TODAY - timedelta(days=1), NOW
        )
    assert "ends_on" in refused.value.fields
    assert not exporter.organization.blacklisted
