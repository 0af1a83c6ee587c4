"""Disputes through the pages and the API: every flow and every refusal, with the same
permission rules on both."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.dispute_support import (
    CASE_STATES,
    claim,
    decision,
    dispute_in,
    open_on,
    running_lease,
)
from tests.factories import OperatorFactory
from tests.helpers import api_token, login, pay_in_full
from tests.test_escrow import NOW, accepted_booking
from tests.uploads import PDF, PNG, TEXT_AS_IMAGE
from warehouse_exchange.disputes.commands import decide_dispute, take_dispute
from warehouse_exchange.disputes.models import Dispute, DisputeMessage
from warehouse_exchange.disputes.settlement import frozen_minor
from warehouse_exchange.escrow.queries import refunds_due
from warehouse_exchange.extensions import db


def disputes() -> int:
    return db.session.scalar(select(func.count()).select_from(Dispute))


def opening_form(**changes) -> dict:
    return {
        "category": "goods_damaged",
        "description": "Three pallets arrived crushed.",
        "claimed": "120.50",
        **changes,
    }


def test_the_tenant_opens_a_dispute_with_evidence_from_the_booking_page(
    app, client, owner, exporter
):
    booking = running_lease(owner, exporter)
    login(client, exporter)
    page = client.get(f"/bookings/{booking.id}")
    assert b"Open a dispute" in page.data
    form = opening_form(evidence=[(io.BytesIO(PNG), "crushed.png"), (io.BytesIO(PDF), "r.pdf")])
    response = client.post(f"/bookings/{booking.id}/disputes/new", data=form)
    assert response.status_code == 302
    dispute = db.session.scalar(select(Dispute))
    assert (dispute.claimed_minor, dispute.currency) == (12050, "EUR")
    shown = client.get(response.location)
    assert b"Three pallets arrived crushed." in shown.data and b"crushed.png" in shown.data
    files = dispute.messages[0].files
    served = client.get(f"/disputes/{dispute.id}/files/{files[0].id}")
    assert served.data == PNG and served.headers["Cache-Control"] == "private, no-store"
    served.close()
    assert b"Escrow frozen" in client.get(f"/bookings/{booking.id}").data


def test_bad_openings_keep_the_input_and_change_nothing(app, client, owner, exporter):
    booking = running_lease(owner, exporter)
    login(client, exporter)
    url = f"/bookings/{booking.id}/disputes/new"
    bad = [
        opening_form(claimed="-5"),
        opening_form(claimed="1.234"),
        opening_form(category="bored"),
        opening_form(description=""),
        opening_form(evidence=[(io.BytesIO(TEXT_AS_IMAGE), "fake.png")]),
        opening_form(evidence=[(io.BytesIO(PNG + b"0" * 2000), "big.png")]),
    ]
    app.config["UPLOAD_MAX_BYTES"] = 1000  # small enough for the upload to stay in memory
    for data in bad:
        response = client.post(url, data=data)
        assert response.status_code == 422, data
        assert b"Three pallets arrived crushed." in response.data or not data["description"]
        assert disputes() == 0
    app.config["UPLOAD_MAX_BYTES"] = 5_000_000
    open_on(booking, owner)
    response = client.post(url, data=opening_form())
    assert response.status_code == 422 and b"already has an open dispute" in response.data


def test_strangers_get_404_and_non_operators_cannot_decide(
    app, client, owner, exporter, other_owner
):
    booking = running_lease(owner, exporter)
    dispute = open_on(booking, exporter, claim(files=[("hall.png", PNG)]))
    file_id = dispute.messages[0].files[0].id
    login(client, other_owner)
    assert client.get(f"/bookings/{booking.id}/disputes/new").status_code == 404
    assert client.get(f"/disputes/{dispute.id}").status_code == 404
    assert client.get(f"/disputes/{dispute.id}/files/{file_id}").status_code == 404
    assert client.post(f"/disputes/{dispute.id}/messages", data={"body": "hi"}).status_code == 404
    assert client.get(f"/disputes/{dispute.id}/decision").status_code == 404
    assert client.post(f"/disputes/{dispute.id}/decision", data={}).status_code == 404
    client.post("/logout")
    login(client, owner)
    assert client.post(f"/disputes/{dispute.id}/decision", data={}).status_code == 403
    assert client.post(f"/disputes/{dispute.id}/take").status_code == 403
    assert client.post(f"/disputes/{dispute.id}/withdraw").status_code == 403
    assert client.get("/operator/disputes").status_code == 403
    assert client.get("/operator/reserve").status_code == 403
    served = client.get(f"/disputes/{dispute.id}/files/{file_id}")
    assert served.status_code == 200
    served.close()
    assert dispute.state == "awaiting_response"


def test_thread_take_and_decide_through_the_pages(app, client, owner, exporter):
    booking = running_lease(owner, exporter)
    dispute = open_on(booking, exporter)
    login(client, owner)
    response = client.post(
        f"/disputes/{dispute.id}/messages",
        data={"body": "The hall was free.", "evidence": [(io.BytesIO(PNG), "free.png")]},
    )
    assert response.status_code == 302 and dispute.state == "under_review"
    client.post("/logout")

    operator = OperatorFactory()
    login(client, operator)
    queue = client.get("/operator/disputes")
    assert queue.status_code == 200 and f"#{dispute.id}".encode() in queue.data
    assert client.post(f"/disputes/{dispute.id}/take").status_code == 302
    frozen = frozen_minor(booking)
    page = client.get(f"/disputes/{dispute.id}/decision")
    assert b"Frozen escrow" in page.data and b"Ledger of the booking" in page.data
    url = f"/disputes/{dispute.id}/decision"
    too_much = {"tenant_share": f"{frozen / 100:.2f}", "owner_share": "1", "reserve_payout": "0",
                "reasons": "Split"}  # fmt: skip
    response = client.post(url, data=too_much)
    assert response.status_code == 422 and b"split exactly" in response.data
    negative = {**too_much, "owner_share": "-1"}
    assert client.post(url, data=negative).status_code == 422
    payout = {**too_much, "owner_share": "0", "reserve_payout": "999999"}
    response = client.post(url, data=payout)
    assert response.status_code == 422 and b"pays at most" in response.data
    assert dispute.state == "under_review"

    half = frozen // 200  # major units: a round half in euros
    data = {"tenant_share": str(half), "owner_share": f"{frozen / 100 - half:.2f}",
            "reserve_payout": "0", "reasons": "The photos show crushed pallets."}  # fmt: skip
    response = client.post(url, data=data)
    assert response.status_code == 302, response.data
    db.session.expire_all()
    assert db.session.get(Dispute, dispute.id).state == "resolved"
    (refund,) = refunds_due(operator)
    assert refund.amount_minor == half * 100
    client.post("/logout")
    login(client, exporter)
    shown = client.get(f"/disputes/{dispute.id}")
    assert b"The photos show crushed pallets." in shown.data and b"thread is closed" in shown.data
    response = client.post(f"/disputes/{dispute.id}/messages", data={"body": "More"})
    assert response.status_code == 409


def test_the_opener_withdraws_from_the_page(app, client, owner, exporter):
    booking = running_lease(owner, exporter)
    dispute = open_on(booking, exporter)
    login(client, exporter)
    assert client.post(f"/disputes/{dispute.id}/withdraw").status_code == 302
    assert dispute.state == "withdrawn"
    assert b"withdrawn" in client.get("/disputes").data
    assert client.post(f"/disputes/{dispute.id}/withdraw").status_code == 409


def test_the_api_twins(app, client, owner, exporter, other_owner):
    booking = running_lease(owner, exporter)
    tenant, stranger = api_token(client, exporter), api_token(client, other_owner)
    body = {"booking_id": booking.id, "category": "space_not_available",
            "description": "No space on arrival", "claimed": {"amount_minor": 900,
                                                              "currency": "EUR"}}  # fmt: skip
    assert client.post("/api/v1/disputes", json=body, headers=stranger).status_code == 404
    wrong = {**body, "claimed": {"amount_minor": 900, "currency": "USD"}}
    assert client.post("/api/v1/disputes", json=wrong, headers=tenant).status_code == 422
    negative = {**body, "claimed": {"amount_minor": -1, "currency": "EUR"}}
    assert client.post("/api/v1/disputes", json=negative, headers=tenant).status_code == 422
    assert disputes() == 0
    created = client.post("/api/v1/disputes", json=body, headers=tenant)
    assert created.status_code == 201 and created.json["state"] == "awaiting_response"
    dispute_id = created.json["id"]
    assert client.post("/api/v1/disputes", json=body, headers=tenant).status_code == 409

    url = f"/api/v1/disputes/{dispute_id}"
    evidence = {"body": "Photo", "files": (io.BytesIO(PNG), "door.png")}
    assert client.post(f"{url}/evidence", data=evidence, headers=tenant).status_code == 201
    fake = {"files": (io.BytesIO(TEXT_AS_IMAGE), "fake.png")}
    assert client.post(f"{url}/evidence", data=fake, headers=tenant).status_code == 422
    owner_token = api_token(client, owner)
    reply = client.post(f"{url}/messages", json={"body": "Not true"}, headers=owner_token)
    assert reply.status_code == 201
    messages = client.get(f"{url}/messages", headers=tenant).json
    assert [m["body"] for m in messages] == ["No space on arrival", "Photo", "Not true"]
    assert messages[1]["files"][0]["content_type"] == "image/png"
    assert client.get(url, headers=stranger).status_code == 404
    assert client.get("/api/v1/disputes", headers=owner_token).json["total"] == 1

    decision = {"currency": "EUR", "tenant_share_minor": 0, "reasons": "Space was there",
                "owner_share_minor": frozen_minor(booking)}  # fmt: skip
    assert client.post(f"{url}/decision", json=decision, headers=owner_token).status_code == 403
    operator = api_token(client, OperatorFactory())
    assert client.post(f"{url}/take", headers=operator).status_code == 200
    bad = {**decision, "owner_share_minor": decision["owner_share_minor"] + 1}
    assert client.post(f"{url}/decision", json=bad, headers=operator).status_code == 422
    decided = client.post(f"{url}/decision", json=decision, headers=operator)
    assert decided.status_code == 200 and decided.json["state"] == "resolved"
    assert client.post(f"{url}/withdraw", headers=tenant).status_code == 409
    assert client.post(f"{url}/messages", json={"body": "x"}, headers=tenant).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(DisputeMessage)) == 3


def test_the_reserve_page_shows_balance_and_movements(app, client, owner, exporter):
    running_lease(owner, exporter)
    login(client, OperatorFactory())
    page = client.get("/operator/reserve")
    assert page.status_code == 200 and b"EUR" in page.data and b"fees" in page.data


def test_escalated_cases_lead_the_queue(app, client, owner, exporter, other_owner):
    from warehouse_exchange.disputes.jobs import escalate_overdue

    late = open_on(running_lease(owner, exporter), exporter)
    escalate_overdue(late.review_by)
    fresh = open_on(running_lease(other_owner, exporter), exporter, now=late.review_by)
    login(client, OperatorFactory())
    page = client.get("/operator/disputes").get_data(as_text=True)
    assert page.index(f"#{late.id}<") < page.index(f"#{fresh.id}<")
    assert 'badge late">escalated' in page


CASE_PAGES = ("case", "decision", "evidence")
CASE_ROLES = ("tenant", "owner", "operator", "stranger")


def _case_url(dispute, page: str) -> str:
    url = f"/disputes/{dispute.id}"
    if page == "decision":
        return f"{url}/decision"
    if page == "evidence":
        return f"{url}/files/{dispute.messages[0].files[0].id}"
    return url


@pytest.mark.parametrize("page", CASE_PAGES)
@pytest.mark.parametrize("role", CASE_ROLES)
@pytest.mark.parametrize("state", CASE_STATES)
def test_every_page_of_a_case_answers_every_role_in_every_state(
    app, client, owner, exporter, other_owner, state, role, page
):
    operator = OperatorFactory()
    dispute = dispute_in(state, owner, exporter, operator, files=[("hall.png", PNG)])
    users = {"tenant": exporter, "owner": owner, "operator": operator, "stranger": other_owner}
    login(client, users[role])
    response = client.get(_case_url(dispute, page))
    response.close()
    if role == "stranger":
        assert response.status_code == 404
    elif page == "decision" and role != "operator":  # a party reads it on the case page
        assert response.status_code == 302
        assert response.location.endswith(f"/disputes/{dispute.id}#decision")
        response = client.get(response.location)
    assert response.status_code in (200, 404) and response.status_code != 500
    if role != "stranger":
        assert response.status_code == 200
    if role != "stranger" and page != "evidence" and state == "resolved":
        assert b"Photos show the hall was full." in response.data


def _ledger_rows() -> int:
    from warehouse_exchange.ledger.models import LedgerEntry

    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def test_an_api_client_reads_the_bounds_and_decides_to_the_minor_unit(app, client, owner, exporter):
    operator = OperatorFactory()
    dispute = dispute_in("under_review", owner, exporter, operator)
    frozen = frozen_minor(dispute.booking)
    assert frozen > 0
    token = api_token(client, operator)
    url = f"/api/v1/disputes/{dispute.id}"
    assert client.post(f"{url}/take", headers=token).status_code == 200
    read = client.get(url, headers=token).json
    assert read["frozen"] == {"amount_minor": frozen, "currency": "EUR"}
    limit = read["owner_share_limit"]["amount_minor"]
    assert 0 < limit <= frozen
    assert read["reserve_payout_limit"]["currency"] == "EUR"
    tenant_reads = client.get(url, headers=api_token(client, exporter)).json
    assert tenant_reads["frozen"]["amount_minor"] == frozen

    rows, refunds = _ledger_rows(), len(refunds_due(operator))
    split = {"currency": "EUR", "reasons": "Half each", "owner_share_minor": limit // 2}
    short = {**split, "tenant_share_minor": frozen - limit // 2 - 1}
    refused = client.post(f"{url}/decision", json=short, headers=token)
    assert refused.status_code == 422 and "split exactly" in refused.json["error"]["message"]
    over = {**split, "owner_share_minor": limit + 1, "tenant_share_minor": frozen - limit - 1}
    assert client.post(f"{url}/decision", json=over, headers=token).status_code == 422
    db.session.expire_all()
    assert db.session.get(Dispute, dispute.id).state == "under_review"
    assert (_ledger_rows(), len(refunds_due(operator))) == (rows, refunds)

    exact = {**split, "tenant_share_minor": frozen - limit // 2}
    decided = client.post(f"{url}/decision", json=exact, headers=token)
    assert decided.status_code == 200, decided.json
    assert decided.json["frozen"]["amount_minor"] == frozen
    assert decided.json["owner_share_limit"] is None


def test_a_decision_page_with_shares_that_do_not_add_up_changes_nothing(
    app, client, owner, exporter
):
    operator = OperatorFactory()
    dispute = dispute_in("under_review", owner, exporter, operator)
    login(client, operator)
    assert client.post(f"/disputes/{dispute.id}/take").status_code == 302
    frozen = frozen_minor(dispute.booking)
    rows = _ledger_rows()
    wrong = {"tenant_share": f"{(frozen - 1) / 100:.2f}", "owner_share": "0",
             "reserve_payout": "0", "reasons": "Most to the tenant"}  # fmt: skip
    response = client.post(f"/disputes/{dispute.id}/decision", data=wrong)
    assert response.status_code == 422 and b"must add up to" in response.data
    db.session.expire_all()
    assert db.session.get(Dispute, dispute.id).state == "under_review"
    assert _ledger_rows() == rows and refunds_due(operator) == []


def test_the_lease_page_says_a_decision_settled_the_escrow(app, client, owner, exporter):
    operator = OperatorFactory()
    booking = accepted_booking(owner, exporter)
    pay_in_full(operator, booking, f"PAID-{booking.id}")
    dispute = open_on(booking, exporter, now=NOW)
    take_dispute(operator, dispute.id, NOW)
    frozen = frozen_minor(booking)
    decide_dispute(operator, dispute.id, decision(frozen // 2, frozen - frozen // 2), NOW)
    for user in (exporter, owner, operator):
        login(client, user)
        page = client.get(f"/bookings/{booking.id}").data.decode()
        assert "not paid through escrow" not in page
        assert "Nothing more to release: the escrow was settled by the decision of" in page
        assert f'href="/disputes/{dispute.id}#decision">dispute #{dispute.id}</a>' in page
        client.post("/logout")


def test_a_running_lease_keeps_its_released_months_beside_the_decision(
    app, client, owner, exporter
):
    operator = OperatorFactory()
    dispute = dispute_in("resolved", owner, exporter, operator)
    login(client, owner)
    page = client.get(f"/bookings/{dispute.booking_id}").data.decode()
    assert "Release schedule" in page and "not paid through escrow" not in page
    assert f'was settled by the decision of <a href="/disputes/{dispute.id}#decision">' in page


def _decided_before_the_start(owner, exporter, operator):
    """A lease paid up front, disputed before it starts, and decided half to each side."""
    booking = accepted_booking(owner, exporter)
    pay_in_full(operator, booking, f"PAID-{booking.id}")
    dispute = open_on(booking, exporter, now=NOW)
    take_dispute(operator, dispute.id, NOW)
    frozen = frozen_minor(booking)
    decide_dispute(operator, dispute.id, decision(frozen // 2, frozen - frozen // 2), NOW)
    return booking


def _owner_payable(booking) -> int:
    from warehouse_exchange.ledger import services as ledger

    return ledger.balance(ledger.payable(booking.owner_id, booking.currency)).amount_minor


@pytest.mark.parametrize("through", ["page", "api"])
def test_cancelling_after_a_decision_moves_none_of_the_divided_rent(
    app, client, owner, exporter, through
):
    operator = OperatorFactory()
    booking = _decided_before_the_start(owner, exporter, operator)
    payable, (refund,) = _owner_payable(booking), refunds_due(operator)
    url, reason = f"/bookings/{booking.id}/cancel", {"reason": "We no longer need it."}
    if through == "page":
        login(client, exporter)
        response = client.post(url, data=reason)
    else:
        response = client.post(f"/api/v1{url}", json=reason, headers=api_token(client, exporter))
    assert response.status_code in (200, 302), response.data
    db.session.expire_all()
    assert booking.state == "cancelled"
    assert _owner_payable(booking) == payable, "the owner keeps only the decided share"
    assert [(r.id, r.amount_minor) for r in refunds_due(operator)] == [
        (refund.id, refund.amount_minor)
    ]
    assert frozen_minor(booking) == 0


def test_the_owners_earnings_list_the_share_a_decision_released(
    app, client, owner, exporter, other_owner
):
    operator = OperatorFactory()
    booking = _decided_before_the_start(owner, exporter, operator)
    dispute = db.session.scalar(select(Dispute))
    login(client, owner)
    page = client.get("/earnings").data.decode()
    assert "Released by dispute decisions" in page
    award = page.split('id="dispute-awards"')[1]
    assert f'href="/bookings/{booking.id}">#{booking.id}</a>' in award
    assert f'href="/disputes/{dispute.id}#decision">#{dispute.id}</a>' in award
    assert dispute.money(dispute.owner_share_minor).format() in award
    lines = client.get("/api/v1/statement", headers=api_token(client, owner)).json
    (award_line,) = [line for line in lines if line["movement"] == "dispute_award"]
    assert award_line["booking_id"] == booking.id and f"Dispute #{dispute.id}" in award_line["memo"]
    assert award_line["amount"]["amount_minor"] == dispute.owner_share_minor
    client.post("/logout")
    login(client, other_owner)
    assert "Released by dispute decisions" not in client.get("/earnings").data.decode()
