"""Trust pages and their API twins: who may see and do what, and each refusal a clear 4xx."""

from __future__ import annotations

from io import BytesIO

from tests.helpers import api_token, login
from tests.uploads import PDF, PNG, TEXT_AS_IMAGE
from warehouse_exchange.blacklist.models import BlacklistEntry
from warehouse_exchange.extensions import db
from warehouse_exchange.trust.models import VerificationRequest

FIELDS = {
    "registration_number": "KVK 1234",
    "registration_country": "NL",
    "address": "Europaweg 1, Rotterdam",
    "contact_name": "Anna",
    "contact_email": "anna@example.com",
}


def test_verification_page_keeps_input_and_refuses_a_fake_image(client, owner):
    login(client, owner)
    refused = client.post(
        "/trust/verification",
        data={**FIELDS, "documents": [(BytesIO(TEXT_AS_IMAGE), "scan.png")]},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert b"Not an image or a PDF." in refused.data and b"KVK 1234" in refused.data
    sent = client.post(
        "/trust/verification",
        data={**FIELDS, "documents": [(BytesIO(PDF), "extract.pdf"), (BytesIO(PNG), "a.png")]},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    assert db.session.query(VerificationRequest).one().state == "pending"


def test_operators_approve_on_the_page_and_others_are_refused(client, owner, operator):
    login(client, owner)
    client.post(
        "/trust/verification",
        data={**FIELDS, "documents": [(BytesIO(PDF), "extract.pdf")]},
        content_type="multipart/form-data",
    )
    request = db.session.query(VerificationRequest).one()
    assert client.get("/trust/operator/verifications").status_code == 403
    forbidden = client.post(f"/trust/operator/verifications/{request.id}/approve", data={})
    assert forbidden.status_code == 403
    document = client.get(f"/trust/verifications/{request.id}/documents/{request.documents[0].id}")
    assert document.status_code == 200 and document.data == PDF
    document.close()
    client.post("/logout")
    login(client, operator)
    queue = client.get("/trust/operator/verifications")
    assert owner.organization.name.encode() in queue.data
    no_reason = client.post(f"/trust/operator/verifications/{request.id}/reject", data={})
    assert no_reason.status_code == 422
    approved = client.post(f"/trust/operator/verifications/{request.id}/approve", data={})
    assert approved.status_code == 302
    db.session.expire_all()
    assert owner.organization.verified
    profile = client.get(f"/organizations/{owner.organization_id}")
    assert b"Verified" in profile.data and b"Credit rating" in profile.data


def test_api_verification_with_the_same_permissions(client, owner, other_owner, operator):
    made = client.post(
        "/api/v1/verifications",
        data={**FIELDS, "documents": [(BytesIO(PDF), "extract.pdf")]},
        content_type="multipart/form-data",
        headers=api_token(client, owner),
    )
    assert made.status_code == 201, made.json
    request_id = made.json["id"]
    stranger = api_token(client, other_owner)
    assert client.get(f"/api/v1/verifications/{request_id}", headers=stranger).status_code == 404
    not_operator = client.post(
        f"/api/v1/verifications/{request_id}/approve", json={}, headers=stranger
    )
    assert not_operator.status_code == 403
    rejected = client.post(
        f"/api/v1/verifications/{request_id}/reject",
        json={"reason": "Blurred"},
        headers=api_token(client, operator),
    )
    assert rejected.status_code == 200 and rejected.json["state"] == "rejected"
    organization = client.get(f"/api/v1/organizations/{owner.organization_id}").json
    assert organization["verified"] is False and organization["rating_tier"] == "unrated"


def test_blacklist_page_api_and_public_credit_page(client, owner, exporter, operator):
    login(client, owner)
    assert client.get("/trust/operator/blacklist").status_code == 403
    client.post("/logout")
    login(client, operator)
    missing_reason = client.post(
        "/trust/operator/blacklist", data={"organization_id": str(exporter.organization_id)}
    )
    assert missing_reason.status_code == 422 and b"Required." in missing_reason.data
    listed = client.post(
        "/trust/operator/blacklist",
        data={"organization_id": str(exporter.organization_id), "reason": "Forged documents"},
    )
    assert listed.status_code == 302
    public = client.get("/credit")
    assert b"Forged documents" in public.data and exporter.organization.name.encode() in public.data
    api = client.get("/api/v1/blacklist").json
    assert [e["reason"] for e in api["current"]] == ["Forged documents"]
    entry = db.session.query(BlacklistEntry).one()
    refused = client.post(
        "/api/v1/blacklist",
        json={"organization_id": owner.organization_id, "reason": "No"},
        headers=api_token(client, owner),
    )
    assert refused.status_code == 403
    lifted = client.post(
        f"/api/v1/blacklist/{entry.id}/lift",
        json={"reason": "Documents were genuine"},
        headers=api_token(client, operator),
    )
    assert lifted.status_code == 200 and lifted.json["lifted_at"]
