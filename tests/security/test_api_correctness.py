"""The API answers like HTTP says (405 with Allow), an upload without a file is a field
error, a dispute thread cannot be flooded, and images that declare absurd sizes or do not
decode are refused before anything is stored."""

from __future__ import annotations

import io
import os
import random
import struct
import zlib
from datetime import timedelta

import pytest
from flask import current_app
from PIL import Image
from sqlalchemy import func, select, update

from tests.dispute_support import open_on, running_lease
from tests.factories import OperatorFactory
from tests.helpers import api_token, login
from tests.uploads import PNG
from warehouse_exchange.adapters.clock import utc_now
from warehouse_exchange.disputes.models import DisputeMessage
from warehouse_exchange.extensions import db
from warehouse_exchange.files.models import StoredFile

# 405: what is allowed


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("put", "/api/v1/me", {"GET"}),
        ("post", "/api/v1/me", {"GET"}),
        ("patch", "/api/v1/tokens", {"GET", "POST"}),
        ("get", "/api/v1/tokens/1", {"DELETE"}),
        ("delete", "/api/v1/disputes", {"GET", "POST"}),
        ("put", "/api/v1/disputes/1/evidence", {"POST"}),
    ],
)
def test_a_405_on_the_api_says_what_is_allowed(client, method, path, allowed):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
    named = {m.strip() for m in response.headers["Allow"].split(",")}
    assert allowed <= named and method.upper() not in named


def test_a_405_on_a_page_still_says_what_is_allowed(client):
    response = client.put("/login")
    assert response.status_code == 405 and {"GET", "POST"} <= set(
        m.strip() for m in response.headers["Allow"].split(",")
    )


def test_api_401s_name_the_bearer_scheme(client):
    for path in ("/api/v1/me", "/api/v1/tokens", "/api/v1/disputes"):
        response = client.get(path)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"


# disputes: a party, its thread, its files


@pytest.fixture
def dispute(owner, exporter):
    """A tenant's dispute opened just now on a running lease."""
    return open_on(running_lease(owner, exporter), exporter, now=utc_now())


def messages(dispute_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(DisputeMessage)
        .where(DisputeMessage.dispute_id == dispute_id)
    )


def stored_files() -> tuple[int, int]:
    """Rows of stored files, and files in the upload folder."""
    folder = current_app.config["UPLOAD_FOLDER"]
    on_disk = sum(len(names) for _, _, names in os.walk(folder))
    return db.session.scalar(select(func.count()).select_from(StoredFile)), on_disk


#: multipart forms without a usable file, and what the `files` field error says
FORMS_WITHOUT_A_FILE = {
    "no file at all": (lambda: {"body": "See attached"}, "Choose at least one file."),
    "an empty file": (lambda: {"files": (io.BytesIO(b""), "empty.png")}, "not empty"),
    "a wrong field name": (lambda: {"file": (io.BytesIO(PNG), "door.png")}, "at least one"),
    "a nameless empty part": (lambda: {"files": (io.BytesIO(b""), "")}, "not empty"),
    "an empty form": (lambda: {}, "Choose at least one file."),
}


@pytest.mark.parametrize("case", FORMS_WITHOUT_A_FILE)
def test_evidence_without_a_file_is_a_field_error(client, dispute, exporter, case):
    form, problem = FORMS_WITHOUT_A_FILE[case]
    before, files_before = messages(dispute.id), stored_files()
    response = client.post(
        f"/api/v1/disputes/{dispute.id}/evidence",
        data=form(),
        headers=api_token(client, exporter),
    )
    assert response.status_code == 422
    assert problem in response.json["error"]["fields"]["files"]
    assert messages(dispute.id) == before and stored_files() == files_before


def test_evidence_with_a_file_is_still_accepted(client, dispute, exporter):
    form = {"body": "Door", "files": (io.BytesIO(PNG), "door.png")}
    response = client.post(
        f"/api/v1/disputes/{dispute.id}/evidence", data=form, headers=api_token(client, exporter)
    )
    assert response.status_code == 201 and len(response.json["files"]) == 1


@pytest.mark.parametrize("page", ["thread", "opening"])
def test_an_empty_evidence_file_on_the_pages_is_a_field_error(client, owner, exporter, page):
    booking = running_lease(owner, exporter)
    empty = [(io.BytesIO(b""), "empty.png")]
    if page == "thread":
        dispute = open_on(booking, exporter, now=utc_now())
        url, form = f"/disputes/{dispute.id}/messages", {"body": "Look", "evidence": empty}
    else:
        url = f"/bookings/{booking.id}/disputes/new"
        form = {"category": "goods_damaged", "description": "Crushed", "claimed": "10",
                "evidence": empty}  # fmt: skip
    login(client, exporter)
    files_before = stored_files()
    response = client.post(url, data=form)
    assert response.status_code == 422
    assert "Choose a file that is not empty." in response.get_data(as_text=True)
    assert stored_files() == files_before


def test_check_in_photos_and_verification_documents_need_a_file(client, owner):
    headers = api_token(client, owner)
    wrong_name = {"document": (io.BytesIO(PNG), "extract.png")}
    verification = {
        "registration_number": "HRB 1", "registration_country": "DE", "address": "Hafen 1",
        "contact_name": "Greta", "contact_email": "greta@example.com", **wrong_name,
    }  # fmt: skip
    response = client.post("/api/v1/verifications", data=verification, headers=headers)
    assert response.status_code == 422 and "documents" in response.json["error"]["fields"]
    no_photo = client.post("/api/v1/shipments/999999/check-in/photos", data={}, headers=headers)
    assert no_photo.status_code in (404, 422)


# disputes: a flood of messages


def post_messages(client, dispute_id, headers, count):
    return [
        client.post(
            f"/api/v1/disputes/{dispute_id}/messages", json={"body": f"{n}"}, headers=headers
        )
        for n in range(count)
    ]


def test_a_party_flooding_a_thread_gets_429_and_the_other_party_does_not(
    client, dispute, owner, exporter
):
    tenant, owner_headers = api_token(client, exporter), api_token(client, owner)
    # the opening message counts: 29 more make the 30 an hour allows
    answers = post_messages(client, dispute.id, tenant, 29)
    assert [a.status_code for a in answers] == [201] * 29

    refused = post_messages(client, dispute.id, tenant, 3)

    assert {a.status_code for a in refused} == {429}
    body = refused[0].json["error"]
    assert body["code"] == "too_many_messages" and "30 messages" in body["message"]
    assert 3000 < int(refused[0].headers["Retry-After"]) <= 3600
    assert messages(dispute.id) == 30
    reply = client.post(
        f"/api/v1/disputes/{dispute.id}/messages", json={"body": "Ours"}, headers=owner_headers
    )
    assert reply.status_code == 201


@pytest.fixture
def five_an_hour(app):
    app.config["DISPUTE_MESSAGES_PER_HOUR"] = 5
    yield
    app.config["DISPUTE_MESSAGES_PER_HOUR"] = 30


def test_the_limit_counts_pages_api_and_evidence_together(client, dispute, exporter, five_an_hour):
    tenant = api_token(client, exporter)
    assert [a.status_code for a in post_messages(client, dispute.id, tenant, 2)] == [201, 201]
    evidence = {"body": "Photo", "files": (io.BytesIO(PNG), "door.png")}
    url = f"/api/v1/disputes/{dispute.id}/evidence"
    assert client.post(url, data=evidence, headers=tenant).status_code == 201
    login(client, exporter)
    assert client.post(f"/disputes/{dispute.id}/messages", data={"body": "5th"}).status_code == 302

    page = client.post(f"/disputes/{dispute.id}/messages", data={"body": "6th"})

    assert page.status_code == 429 and int(page.headers["Retry-After"]) > 0
    assert "5 messages" in page.get_data(as_text=True)
    files_before = stored_files()
    more = {"body": "Photo", "files": (io.BytesIO(PNG), "door.png")}
    assert client.post(url, data=more, headers=tenant).status_code == 429
    assert messages(dispute.id) == 5 and stored_files() == files_before


def test_another_member_of_the_flooding_party_is_limited_too_and_operators_are_not(
    client, dispute, exporter, five_an_hour
):
    from tests.factories import UserFactory

    colleague = UserFactory(organization=exporter.organization, role="member")
    post_messages(client, dispute.id, api_token(client, exporter), 4)
    assert post_messages(client, dispute.id, api_token(client, colleague), 1)[0].status_code == 429
    operator = api_token(client, OperatorFactory())
    assert {a.status_code for a in post_messages(client, dispute.id, operator, 6)} == {201}


def test_a_party_may_write_again_once_the_hour_has_passed(client, dispute, exporter, five_an_hour):
    tenant = api_token(client, exporter)
    post_messages(client, dispute.id, tenant, 4)
    assert post_messages(client, dispute.id, tenant, 1)[0].status_code == 429
    db.session.execute(
        update(DisputeMessage)
        .where(DisputeMessage.dispute_id == dispute.id)
        .values(created_at=utc_now() - timedelta(minutes=61))
    )
    db.session.commit()
    assert post_messages(client, dispute.id, tenant, 1)[0].status_code == 201


# images: declared size and decoding


def png(width: int, height: int, pixel_rows: bytes) -> bytes:
    """A PNG of 1-bit grey pixels whose header declares width × height."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixel_rows, 9))
        + chunk(b"IEND", b"")
    )


def png_bomb() -> bytes:
    """The original finding: about 19 kB declaring 100000 × 100000 pixels."""
    row = b"\x00" * (1 + 100_000 // 8)
    return png(100_000, 100_000, row * 1500)


def saved(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def noise(size=(64, 64)) -> Image.Image:
    generator = random.Random(7)
    return Image.frombytes(
        "RGB", size, bytes(generator.randrange(256) for _ in range(size[0] * size[1] * 3))
    )


def jpeg_declaring(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header is rewritten to declare width × height."""
    data = bytearray(saved(noise((16, 16)), "JPEG"))
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def webp_declaring(width: int, height: int) -> bytes:
    """A real small lossless WebP whose VP8L header is rewritten to declare width × height."""
    data = bytearray(saved(noise((16, 16)), "WEBP", lossless=True))
    start = data.index(b"VP8L") + 8 + 1  # chunk name, chunk size, signature byte
    (bits,) = struct.unpack("<I", data[start : start + 4])
    bits = (bits & ~((1 << 28) - 1)) | (width - 1) | ((height - 1) << 14)
    data[start : start + 4] = struct.pack("<I", bits)
    return bytes(data)


def truncated_png() -> bytes:
    whole = saved(noise(), "PNG")
    return whole[: len(whole) * 2 // 3]


def corrupt_png() -> bytes:
    """A valid header and a complete structure, with flipped bytes in the pixel data."""
    data = bytearray(saved(noise(), "PNG"))
    middle = data.index(b"IDAT") + 200
    data[middle : middle + 16] = bytes(16)
    return bytes(data)


def truncated_jpeg() -> bytes:
    whole = saved(noise((256, 256)), "JPEG", quality=95)
    return whole[: len(whole) // 2]


REFUSED_IMAGES = {
    "png bomb 100000x100000": (png_bomb, "pixels"),
    "png 7000x7000 (49 MP)": (
        lambda: png(7000, 7000, b"\x00" * (1 + 7000 // 8) * 50),
        "7000 × 7000",
    ),
    "png 20000x10 (side)": (
        lambda: png(20_000, 10, b"\x00" * (1 + 20_000 // 8) * 10),
        "20000 × 10",
    ),
    "jpeg declaring 65000x65000": (lambda: jpeg_declaring(65_000, 65_000), "pixels"),
    "jpeg declaring 9000x9000": (lambda: jpeg_declaring(9000, 9000), "9000 × 9000"),
    "webp declaring 12000x12000": (lambda: webp_declaring(12_000, 12_000), "pixels"),
    "truncated png": (truncated_png, "damaged or incomplete"),
    "corrupt png": (corrupt_png, "damaged or incomplete"),
    "truncated jpeg": (truncated_jpeg, "damaged or incomplete"),
}


@pytest.mark.parametrize("name", REFUSED_IMAGES)
def test_absurd_or_broken_images_are_refused_and_nothing_is_stored(client, dispute, exporter, name):
    make, problem = REFUSED_IMAGES[name]
    data = make()
    assert len(data) < 5_000_000
    before, files_before = messages(dispute.id), stored_files()
    form = {"body": name, "files": (io.BytesIO(data), "photo.png")}

    response = client.post(
        f"/api/v1/disputes/{dispute.id}/evidence", data=form, headers=api_token(client, exporter)
    )

    assert response.status_code == 422, response.json
    message = response.json["error"]["fields"]["files"]
    assert problem in message
    if "pixels" in problem or "×" in problem:
        assert "40 megapixels and 10000 pixels a side" in message
    assert messages(dispute.id) == before and stored_files() == files_before


def test_the_png_bomb_is_refused_on_the_page_and_for_verification(client, dispute, owner, exporter):
    login(client, exporter)
    page = client.post(
        f"/disputes/{dispute.id}/messages",
        data={"body": "Bomb", "evidence": [(io.BytesIO(png_bomb()), "bomb.png")]},
    )
    assert page.status_code == 422 and "40 megapixels" in page.get_data(as_text=True)
    verification = {
        "registration_number": "HRB 1", "registration_country": "DE", "address": "Hafen 1",
        "contact_name": "Greta", "contact_email": "greta@example.com",
        "documents": (io.BytesIO(png_bomb()), "extract.png"),
    }  # fmt: skip
    response = client.post(
        "/api/v1/verifications", data=verification, headers=api_token(client, owner)
    )
    assert response.status_code == 422 and "40 megapixels" in response.json["error"]["message"]


@pytest.mark.parametrize("image", ["png", "jpeg", "webp"])
def test_ordinary_photos_pass(client, dispute, exporter, image):
    picture = noise((400, 300))  # under 500 kB, which werkzeug keeps in memory
    data = saved(picture, image.upper())
    form = {"body": image, "files": (io.BytesIO(data), f"photo.{image}")}
    response = client.post(
        f"/api/v1/disputes/{dispute.id}/evidence", data=form, headers=api_token(client, exporter)
    )
    assert response.status_code == 201, response.json
    assert response.json["files"][0]["content_type"] == f"image/{image}"


def test_the_image_limits_are_configurable(app, client, dispute, exporter):
    app.config.update(UPLOAD_MAX_IMAGE_PIXELS=1000, UPLOAD_MAX_IMAGE_SIDE=100)
    try:
        tenant = api_token(client, exporter)
        url = f"/api/v1/disputes/{dispute.id}/evidence"
        large = {"files": (io.BytesIO(saved(noise((40, 40)), "PNG")), "a.png")}
        small = {"files": (io.BytesIO(saved(noise((20, 20)), "PNG")), "b.png")}
        refused = client.post(url, data=large, headers=tenant)
        accepted = client.post(url, data=small, headers=tenant)
    finally:
        app.config.update(UPLOAD_MAX_IMAGE_PIXELS=40_000_000, UPLOAD_MAX_IMAGE_SIDE=10_000)
    assert refused.status_code == 422
    assert "0.001 megapixels and 100 pixels a side" in refused.json["error"]["fields"]["files"]
    assert accepted.status_code == 201
