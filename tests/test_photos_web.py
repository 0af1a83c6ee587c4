"""The photo pages and their API twins: owners upload, describe, reorder, choose the cover and
delete; every bad input is a clear error beside its field and changes nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import api_token, login
from tests.photo_support import HTML_AS_JPEG, gps_jpeg, png_bomb, png_of
from warehouse_exchange.extensions import db
from warehouse_exchange.files.models import StoredFile
from warehouse_exchange.photos import services
from warehouse_exchange.photos.models import Photo


@pytest.fixture
def warehouse(owner):
    return WarehouseFactory(organization=owner.organization)


@pytest.fixture
def listing(warehouse):
    return ListingFactory(warehouse=warehouse)


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Photo)),
        db.session.scalar(select(func.count()).select_from(StoredFile)),
    )


def page_upload(client, kind: str, parent_id: int, *rows):
    data = {}
    for number, (content, filename, alt) in enumerate(rows, start=1):
        if content is not None:
            data[f"photo_{number}"] = (io.BytesIO(content), filename)
        data[f"alt_text_{number}"] = alt
    return client.post(f"/{kind}/{parent_id}/photos", data=data, content_type="multipart/form-data")


def test_an_owner_uploads_two_photos_and_they_show_on_the_listing_page(app, client, owner, listing):
    login(client, owner)
    response = page_upload(
        client,
        "listings",
        listing.id,
        (gps_jpeg(), "cold.jpg", "Cold room at -20 °C"),
        (png_of(), "racks.png", "Racking, six levels"),
    )
    assert response.status_code == 303
    photos = services.photos_of("listings", listing.id)
    assert [(p.alt_text, p.is_cover) for p in photos] == [
        ("Cold room at -20 °C", True),
        ("Racking, six levels", False),
    ]
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert 'class="gallery"' in page and 'alt="Racking, six levels"' in page
    manage = client.get(f"/listings/{listing.id}/photos").get_data(as_text=True)
    assert "2 of at most 20 photos" in manage


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ((HTML_AS_JPEG, "photo.jpg", "Docks"), "Not a JPEG, PNG or WebP image."),
        ((b"", "empty.png", "Docks"), "Choose a file that is not empty."),
        ((png_bomb(), "bomb.png", "Docks"), "too many pixels"),
        ((png_of(), "dock.png", ""), "Say what the photo shows"),
        ((None, "", "Alt text without a photo"), "Choose a file."),
    ],
    ids=["html-named-jpg", "empty", "bomb", "no-alt", "alt-only"],
)
def test_a_bad_row_is_a_field_error_and_nothing_is_kept(
    app, client, owner, warehouse, row, message
):
    login(client, owner)
    before = counts()
    response = page_upload(
        client, "warehouses", warehouse.id, (png_of(), "fine.png", "A fine photo"), row
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert counts() == before


def test_nothing_chosen_is_a_clear_error(app, client, owner, warehouse):
    login(client, owner)
    response = page_upload(client, "warehouses", warehouse.id)
    assert response.status_code == 422
    assert "Choose at least one photo." in response.get_data(as_text=True)


def test_too_many_photos_are_refused_on_the_page(app, client, owner, warehouse):
    app.config["PHOTOS_PER_PARENT"] = 1
    try:
        login(client, owner)
        rows = [(png_of(), "a.png", "One"), (png_of(), "b.png", "Two")]
        response = page_upload(client, "warehouses", warehouse.id, *rows)
        assert response.status_code == 422
        assert "At most 1 photos; room for 1 more." in response.get_data(as_text=True)
        assert counts()[0] == 0
    finally:
        app.config["PHOTOS_PER_PARENT"] = 20


def test_someone_elses_warehouse_is_forbidden(app, client, other_owner, exporter, warehouse):
    for stranger in (other_owner, exporter):
        login(client, stranger)
        assert client.get(f"/warehouses/{warehouse.id}/photos").status_code == 403
        response = page_upload(client, "warehouses", warehouse.id, (png_of(), "a.png", "Docks"))
        assert response.status_code == 403
        client.post("/logout")
    assert counts()[0] == 0


def test_reorder_cover_alt_text_and_a_replayed_delete_on_the_page(app, client, owner, warehouse):
    a, b = services.add_photos(
        owner,
        "warehouses",
        warehouse.id,
        [
            services.PhotoUpload("a.png", png_of(), "a"),
            services.PhotoUpload("b.png", png_of(), "b"),
        ],
    )
    login(client, owner)
    base = f"/warehouses/{warehouse.id}/photos/{b.id}"
    assert client.post(f"{base}/up", data={"position": "1"}).status_code == 303
    assert [p.alt_text for p in services.photos_of("warehouses", warehouse.id)] == ["b", "a"]
    assert client.post(f"{base}/cover").status_code == 303
    assert db.session.get(Photo, b.id).is_cover and not db.session.get(Photo, a.id).is_cover

    refused = client.post(f"{base}/alt-text", data={"alt_text": " "}, follow_redirects=True)
    assert "Say what the photo shows" in refused.get_data(as_text=True)
    assert db.session.get(Photo, b.id).alt_text == "b"
    client.post(f"{base}/alt-text", data={"alt_text": "Dock 4 with leveller"})
    assert db.session.get(Photo, b.id).alt_text == "Dock 4 with leveller"

    assert client.post(f"{base}/delete").status_code == 303
    replayed = client.post(f"{base}/delete", follow_redirects=True)
    assert replayed.status_code == 200
    assert "not there any more; nothing was changed" in replayed.get_data(as_text=True)
    left = services.photos_of("warehouses", warehouse.id)
    assert [(p.alt_text, p.position, p.is_cover) for p in left] == [("a", 0, True)]

    other = ListingFactory(warehouse=warehouse)  # a photo id under a parent it is not of
    moved = client.post(f"/listings/{other.id}/photos/{a.id}/down", data={"position": "0"})
    assert moved.status_code == 303 and db.session.get(Photo, a.id).position == 0


def test_the_api_uploads_lists_changes_and_deletes(app, client, owner, other_owner, listing):
    headers = api_token(client, owner)
    sent = client.post(
        f"/api/v1/listings/{listing.id}/photos",
        data={
            "files": [(io.BytesIO(gps_jpeg()), "cold.jpg"), (io.BytesIO(png_of()), "r.png")],
            "alt_text": ["Cold room", "Racking"],
        },
        headers=headers,
    )
    assert sent.status_code == 201, sent.json
    first, second = sent.json
    assert first["is_cover"] and first["urls"]["thumb"].startswith(f"/photos/{first['id']}/")
    assert set(first["urls"]) == {"original", "display", "thumb"}

    listed = client.get(f"/api/v1/listings/{listing.id}/photos")
    assert [p["alt_text"] for p in listed.json] == ["Cold room", "Racking"]

    changed = client.patch(
        f"/api/v1/photos/{second['id']}",
        json={"position": 0, "is_cover": True, "alt_text": "Racking, six levels"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["position"] == 0 and changed.json["is_cover"]

    stranger = api_token(client, other_owner)
    assert client.delete(f"/api/v1/photos/{first['id']}", headers=stranger).status_code == 403
    assert client.delete(f"/api/v1/photos/{first['id']}", headers=headers).status_code == 204
    assert client.delete(f"/api/v1/photos/{first['id']}", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("files", "alt_text", "field"),
    [
        ([(HTML_AS_JPEG, "x.jpg")], ["Docks"], "files"),
        ([(png_bomb(), "x.png")], ["Docks"], "files"),
        ([(png_of(), "x.png")], [], "alt_text"),
        ([], [], "files"),
    ],
    ids=["html-named-jpg", "bomb", "no-alt", "no-file"],
)
def test_the_api_refuses_bad_uploads_with_field_errors(
    app, client, owner, warehouse, files, alt_text, field
):
    before = counts()
    response = client.post(
        f"/api/v1/warehouses/{warehouse.id}/photos",
        data={"files": [(io.BytesIO(data), name) for data, name in files], "alt_text": alt_text},
        headers=api_token(client, owner),
    )
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert counts() == before
