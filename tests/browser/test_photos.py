"""Photos in headless Chromium, on the demo marketplace: an owner uploads a photo of a listing,
it shows in the listing's gallery and, once made the cover, as the listing's picture in search;
an HTML file named .jpg and a decompression-bomb PNG are refused beside their field. Desktop
and phone screenshots of the gallery and the results go to /tmp/photos-shots/. No request may
leave 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy import select

from tests.photo_support import HTML_AS_JPEG, gps_jpeg, png_bomb
from warehouse_exchange.demo import ORGANIZATIONS, PASSWORD
from warehouse_exchange.listings.models import Listing
from warehouse_exchange.warehouses.models import Warehouse

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/photos-shots")
NEAR_ROTTERDAM = "/?near=Rotterdam%2C+NL&radius_km=10"
DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}


@pytest.fixture
def desktop(browser):
    # the shared browser refuses, and fails the test on, any request beyond 127.0.0.1
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def rotterdam_listing(demo_site) -> int:
    """A listing of the first demo owner in Rotterdam, the search's centre below."""
    with demo_site.app.app_context():
        from warehouse_exchange.extensions import db

        query = (
            select(Listing.id)
            .join(Warehouse, Listing.warehouse_id == Warehouse.id)
            .where(Warehouse.name == "Waalhaven Cold Store", Listing.status == "active")
            .order_by(Listing.id)
        )
        return db.session.scalars(query).first()


def log_in(page, site, email: str) -> None:
    page.goto(f"{site.url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site.url}/home")


def all_images_loaded(page, selector: str, timeout: float = 15_000) -> bool:
    """Whether every image the selector finds has loaded, waiting for lazy ones: they load
    once scrolled near, and a busy machine may take a while."""
    page.locator(selector).last.scroll_into_view_if_needed()
    check = """selector => {
        const imgs = [...document.querySelectorAll(selector)];
        imgs.forEach(i => { i.loading = "eager"; });
        return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0);
    }"""
    try:
        page.wait_for_function(check, arg=selector, timeout=timeout)
    except PlaywrightTimeoutError:
        return False
    return True


def upload(page, tmp_path, content: bytes, name: str, alt: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    page.set_input_files("#photo_1", str(path))
    page.fill("#alt_text_1", alt)
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state()


def test_an_uploaded_photo_shows_in_the_gallery_and_as_the_search_cover(
    desktop, demo_site, rotterdam_listing, tmp_path
):
    page = desktop
    log_in(page, demo_site, ORGANIZATIONS[0][4])
    page.goto(f"{demo_site.url}/listings/{rotterdam_listing}")
    page.click("main a:has-text('Photos')")
    before = page.locator(".photo-admin > li").count()

    upload(page, tmp_path, HTML_AS_JPEG, "dock.jpg", "Looks like a photo")
    assert "Not a JPEG, PNG or WebP image." in page.inner_text(".field.has-error")
    upload(page, tmp_path, png_bomb(), "bomb.png", "A huge picture")
    assert "too many pixels" in page.inner_text(".field.has-error")
    assert page.locator(".photo-admin > li").count() == before

    upload(page, tmp_path, gps_jpeg(1200, 800), "racks.jpg", "Our new racking, bay 7")
    assert "1 photo added." in page.inner_text(".flash.success")
    added = page.locator(".photo-admin > li").last
    assert added.locator("img").get_attribute("alt") == "Our new racking, bay 7"
    added.locator("button:has-text('Make cover')").click()
    page.wait_for_load_state()
    assert page.locator(".photo-admin > li").last.locator(".badge:has-text('cover')").count()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "manage-desktop.png"), full_page=True)

    page.goto(f"{demo_site.url}/listings/{rotterdam_listing}")
    slide = page.locator(".gallery-slide img[alt='Our new racking, bay 7']")
    assert slide.count() == 1
    slide.scroll_into_view_if_needed()
    assert all_images_loaded(page, ".gallery-thumbs img")
    thumb = page.locator(".gallery-thumbs a:has(img[alt$='Our new racking, bay 7'])")
    thumb.focus()
    page.keyboard.press("Enter")  # the strip scrolls to the photo the thumbnail names
    page.wait_for_function(
        "() => { const t = document.querySelector('.gallery-track');"
        " const s = document.querySelector(`.gallery-slide img[alt='Our new racking, bay 7']`);"
        " return Math.abs(s.getBoundingClientRect().left - t.getBoundingClientRect().left) < 2; }"
    )

    page.goto(f"{demo_site.url}{NEAR_ROTTERDAM}")
    result = page.locator(f"article.result[data-listing-id='{rotterdam_listing}']")
    cover = result.locator("img.result-cover")
    assert cover.get_attribute("alt") == "Our new racking, bay 7"
    assert cover.get_attribute("loading") == "lazy"
    assert (cover.get_attribute("width"), cover.get_attribute("height")) == ("160", "120")
    cover.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=cover.element_handle()
    )


def test_gallery_and_results_on_desktop_and_phone(desktop, phone, demo_site, rotterdam_listing):
    SHOTS.mkdir(exist_ok=True)
    for page, device in [(desktop, "desktop"), (phone, "phone")]:
        page.goto(f"{demo_site.url}/listings/{rotterdam_listing}")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.gallery-slide img')].slice(0, 1)"
            ".every(i => i.complete && i.naturalWidth > 0)"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        page.screenshot(path=str(SHOTS / f"listing-gallery-{device}.png"))
        page.goto(f"{demo_site.url}{NEAR_ROTTERDAM}")
        for img in page.locator("img.result-cover").all():
            img.scroll_into_view_if_needed()
        page.evaluate("window.scrollTo(0, 0)")
        assert all_images_loaded(page, "img.result-cover")
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        page.screenshot(path=str(SHOTS / f"search-{device}.png"), full_page=True)

    track = phone.locator(".gallery-track")
    phone.goto(f"{demo_site.url}/listings/{rotterdam_listing}")
    snap = track.evaluate("t => getComputedStyle(t).scrollSnapType")
    assert snap.startswith("x")
    width = track.evaluate("t => t.clientWidth")
    track.evaluate("t => t.scrollBy({left: t.clientWidth * 0.7, behavior: 'instant'})")
    phone.wait_for_function(
        "w => { const t = document.querySelector('.gallery-track');"
        " return Math.abs(t.scrollLeft - w) < 2; }",
        arg=width,
    )
