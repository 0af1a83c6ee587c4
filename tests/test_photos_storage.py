"""Photos in either file store, the disk folder and an S3 bucket (moto's server on 127.0.0.1):
the three renditions land in the configured store and are read back through the app."""

from __future__ import annotations

import io

from PIL import Image

from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import api_token
from tests.photo_support import gps_jpeg
from tests.test_file_storage import app, kept_keys  # noqa: F401  (the fixture, on both stores)
from warehouse_exchange.extensions import db
from warehouse_exchange.photos.models import Photo


def test_photos_are_kept_in_the_configured_store_and_served_from_it(app, client, owner):  # noqa: F811
    listing = ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))
    sent = client.post(
        f"/api/v1/listings/{listing.id}/photos",
        data={"files": [(io.BytesIO(gps_jpeg(2400, 1200)), "dock.jpg")], "alt_text": ["Docks"]},
        headers=api_token(client, owner),
    )
    assert sent.status_code == 201, sent.json
    photo = db.session.get(Photo, sent.json[0]["id"])
    keys = {photo.file(size).storage_key for size in ("original", "display", "thumb")}
    assert keys <= kept_keys()

    for size, longest in [("original", 2400), ("display", 1600), ("thumb", 400)]:
        response = client.get(sent.json[0]["urls"][size])
        assert response.status_code == 200
        assert response.headers["Cache-Control"].startswith("public, max-age=")
        with Image.open(io.BytesIO(response.data)) as image:
            assert max(image.size) == longest and not image.getexif()
        response.close()
