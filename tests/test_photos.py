"""Photos of warehouses and listings: what the use cases keep (renditions without EXIF, order,
one cover), what they refuse (changing nothing), and who sees the pictures."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.factories import ListingFactory, WarehouseFactory
from tests.photo_support import GPS_IFD, HTML_AS_JPEG, gps_jpeg, png_bomb, png_of
from warehouse_exchange.errors import Conflict, Forbidden, InvalidInput, NotFound
from warehouse_exchange.extensions import db
from warehouse_exchange.files.models import StoredFile
from warehouse_exchange.files.services import file_store
from warehouse_exchange.photos import services
from warehouse_exchange.photos.models import Photo
from warehouse_exchange.photos.services import PhotoChanges, PhotoUpload


@pytest.fixture
def warehouse(owner):
    return WarehouseFactory(organization=owner.organization)


@pytest.fixture
def listing(warehouse):
    return ListingFactory(warehouse=warehouse)


def upload(data: bytes = None, alt: str = "Loading docks", name: str = "dock.png") -> PhotoUpload:
    return PhotoUpload(name, png_of() if data is None else data, alt)


def kept_bytes(stored: StoredFile) -> bytes:
    kept = file_store().open(stored.storage_key)
    try:
        return b"".join(iter(lambda: kept.stream.read(65536), b""))
    finally:
        kept.stream.close()


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Photo)),
        db.session.scalar(select(func.count()).select_from(StoredFile)),
    )


def test_a_photo_is_kept_upright_without_exif_in_three_sizes(app, owner, warehouse):
    (photo,) = services.add_photos(
        owner, "warehouses", warehouse.id, [upload(gps_jpeg(3000, 2000), "Racking")]
    )

    assert (photo.width, photo.height) == (2000, 3000)  # orientation 6 applied: now portrait
    assert photo.is_cover and photo.position == 0
    for size, longest in [("original", 3000), ("display", 1600), ("thumb", 400)]:
        stored = photo.file(size)
        data = kept_bytes(stored)
        with Image.open(io.BytesIO(data)) as image:
            assert max(image.size) == longest and image.height > image.width
            assert image.format == "JPEG" and stored.content_type == "image/jpeg"
            exif = image.getexif()
            assert not exif and not exif.get_ifd(GPS_IFD), size
            assert "exif" not in image.info
        assert b"SN-4471" not in data and b"Exif" not in data


def test_png_and_its_transparency_survive_as_png_with_jpeg_display_sizes(app, owner, warehouse):
    out = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 255, 0)).save(out, "PNG")
    (photo,) = services.add_photos(owner, "warehouses", warehouse.id, [upload(out.getvalue())])
    assert photo.original_file.content_type == "image/png"
    with Image.open(io.BytesIO(kept_bytes(photo.original_file))) as image:
        assert image.mode == "RGBA"
    assert photo.thumb_file.content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("data", "alt", "field", "message"),
    [
        (HTML_AS_JPEG, "Docks", "files", "Not a JPEG, PNG or WebP image."),
        (b"", "Docks", "files", "Choose a file that is not empty."),
        (png_bomb(), "Docks", "files", "too many pixels"),
        (b"%PDF-1.4\n%%EOF\n", "Docks", "files", "Not a JPEG, PNG or WebP image."),
        (png_of(), "  ", "alt_text", "Say what the photo shows"),
        (png_of(), "x" * 201, "alt_text", "At most 200 characters."),
    ],
    ids=["html-named-jpg", "empty", "bomb", "pdf", "no-alt", "long-alt"],
)
def test_a_bad_upload_is_refused_beside_its_field_and_adds_nothing(
    app, owner, warehouse, data, alt, field, message
):
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        services.add_photos(
            owner, "warehouses", warehouse.id, [upload(), upload(data, alt, "evil.jpg")]
        )
    assert message in refused.value.fields[field]
    assert counts() == before


def test_no_more_than_the_configured_number_of_photos(app, owner, warehouse):
    app.config["PHOTOS_PER_PARENT"] = 3
    try:
        services.add_photos(owner, "warehouses", warehouse.id, [upload(), upload()])
        before = counts()
        with pytest.raises(InvalidInput) as refused:
            services.add_photos(owner, "warehouses", warehouse.id, [upload(), upload()])
        assert "room for 1 more" in refused.value.fields["files"]
        assert counts() == before
    finally:
        app.config["PHOTOS_PER_PARENT"] = 20


def test_only_the_owning_organization_adds_or_changes_photos(
    app, owner, other_owner, exporter, warehouse, listing
):
    (photo,) = services.add_photos(owner, "listings", listing.id, [upload()])
    before = counts()
    for stranger in (other_owner, exporter):
        with pytest.raises(Forbidden):
            services.add_photos(stranger, "warehouses", warehouse.id, [upload()])
        with pytest.raises(Forbidden):
            services.add_photos(stranger, "listings", listing.id, [upload()])
        with pytest.raises(Forbidden):
            services.change_photo(stranger, photo.id, PhotoChanges(alt_text="Mine now"))
        with pytest.raises(Forbidden):
            services.delete_photo(stranger, photo.id)
    assert counts() == before and photo.alt_text == "Loading docks"


def test_an_archived_listing_takes_no_new_photos(app, owner, listing):
    listing.status = "archived"
    db.session.commit()
    with pytest.raises(Conflict):
        services.add_photos(owner, "listings", listing.id, [upload()])


def alts(kind: str, parent_id: int) -> list[str]:
    return [p.alt_text for p in services.photos_of(kind, parent_id)]


def test_photos_are_reordered_and_the_cover_moves(app, owner, warehouse):
    a, b, c = services.add_photos(
        owner, "warehouses", warehouse.id, [upload(alt="a"), upload(alt="b"), upload(alt="c")]
    )
    assert [a.is_cover, b.is_cover, c.is_cover] == [True, False, False]

    services.change_photo(owner, c.id, PhotoChanges(position=0))
    assert alts("warehouses", warehouse.id) == ["c", "a", "b"]
    services.change_photo(owner, c.id, PhotoChanges(position=2, is_cover=True))
    assert alts("warehouses", warehouse.id) == ["a", "b", "c"]
    assert [p.is_cover for p in services.photos_of("warehouses", warehouse.id)] == [
        False,
        False,
        True,
    ]

    opening = services.cover_first(services.photos_of("warehouses", warehouse.id))
    assert [p.alt_text for p in opening] == ["c", "a", "b"]  # galleries open on the cover

    with pytest.raises(InvalidInput):
        services.change_photo(owner, a.id, PhotoChanges(position=3))
    with pytest.raises(InvalidInput):
        services.change_photo(owner, c.id, PhotoChanges(is_cover=False))

    services.delete_photo(owner, c.id)  # the cover: the first left takes over
    left = services.photos_of("warehouses", warehouse.id)
    assert [(p.alt_text, p.position, p.is_cover) for p in left] == [("a", 0, True), ("b", 1, False)]
    with pytest.raises(NotFound):  # deleting it again changes nothing
        services.delete_photo(owner, c.id)


def test_the_database_refuses_two_covers_and_a_shared_position(app, owner, warehouse):
    a, b = services.add_photos(owner, "warehouses", warehouse.id, [upload(), upload()])
    b.is_cover = True
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    b = db.session.get(Photo, b.id)
    b.position = 0
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    b = db.session.get(Photo, b.id)
    b.listing_id = ListingFactory(warehouse=warehouse).id  # two parents at once
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_search_covers_fall_back_to_the_warehouse_cover(app, owner, warehouse, listing):
    bare = ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))
    (of_warehouse,) = services.add_photos(owner, "warehouses", warehouse.id, [upload()])
    assert services.covers([listing, bare]) == {listing.id: of_warehouse}
    (of_listing,) = services.add_photos(owner, "listings", listing.id, [upload()])
    assert services.covers([listing, bare]) == {listing.id: of_listing}
    assert services.gallery(None, listing) == [of_listing, of_warehouse]


def image_urls(html: str) -> list[str]:
    return re.findall(r'src="(/photos/[^"]+)"', html)


def test_the_listing_page_and_search_show_the_photos_cached_for_good(app, client, owner, listing):
    services.add_photos(owner, "listings", listing.id, [upload(gps_jpeg(), "Cold room")])
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    urls = image_urls(page)
    assert urls and 'alt="Cold room"' in page
    image = client.get(urls[0])
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert b"Exif" not in image.data
    image.close()

    assert client.get(re.sub(r"-[0-9a-f]{16}\.", "-0000000000000000.", urls[0])).status_code == 404

    results = client.get("/").get_data(as_text=True)
    assert 'class="result-cover"' in results and 'alt="Cold room"' in results


def test_photos_of_an_archived_listing_are_for_its_owner_only(app, client, owner, listing):
    (photo,) = services.add_photos(owner, "listings", listing.id, [upload()])
    from warehouse_exchange.photos.schemas import photo_url

    with app.test_request_context():
        url = photo_url(photo, "thumb")
    listing.status = "archived"
    db.session.commit()
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/listings/{listing.id}/photos").status_code == 404
    from tests.helpers import login

    login(client, owner)
    seen = client.get(url)
    assert seen.status_code == 200 and seen.headers["Cache-Control"].startswith("private,")
    seen.close()


def test_the_demo_shows_a_cover_for_every_listing_in_little_space(app):
    from datetime import date

    from warehouse_exchange.demo import load_demo_data
    from warehouse_exchange.demo_gallery import FOLDER
    from warehouse_exchange.listings.models import Listing

    shipped = sum(path.stat().st_size for path in FOLDER.glob("*.jpg"))
    assert 0 < shipped < 300_000
    load_demo_data(app.extensions["geocoder"], date(2026, 11, 25))
    listings = db.session.scalars(select(Listing)).all()
    covered = services.covers(listings)
    assert set(covered) == {listing.id for listing in listings}
    assert any(photo.listing_id for photo in covered.values())  # some of their own
    assert all(photo.alt_text for photo in covered.values())


@pytest.mark.parametrize("format_", ["PNG", "WEBP"])
def test_exif_is_stripped_from_png_and_webp_originals_too(app, owner, warehouse, format_):
    with Image.open(io.BytesIO(gps_jpeg(120, 80))) as source:
        exif = source.getexif()
        out = io.BytesIO()
        source.save(out, format_, exif=exif)
    assert b"SN-4471" in out.getvalue()
    (photo,) = services.add_photos(owner, "warehouses", warehouse.id, [upload(out.getvalue())])
    data = kept_bytes(photo.original_file)
    assert photo.original_file.content_type == f"image/{format_.lower()}"
    assert b"SN-4471" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif() and image.size == (80, 120)
