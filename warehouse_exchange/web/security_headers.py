"""Security headers on every response (pages, the API, error pages, static and uploaded files),
set by Flask-Talisman.

The Content-Security-Policy runs scripts only from this site, from Stripe.js, and inline when
they carry the request's nonce (`<script nonce="{{ csp_nonce() }}">`); inline event handlers and
`javascript:` URLs never run, so an injected attribute or link cannot run script. Styles may be
inline (`style="..."` attributes): they cannot run script, and the pages size a few boxes with
them. No other site may frame a page (`frame-ancestors 'none'`, and X-Frame-Options for older
browsers), forms post only here or to Stripe's onboarding, and HSTS is sent where
STRICT_TRANSPORT_SECURITY is on (production) and only over HTTPS. Images come only from this
site, and from the map tile server when MAP_TILE_URL names one (with data: images, which
Leaflet swaps in for tiles it stops loading).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from flask_talisman import DENY, Talisman

#: Stripe.js and the frames it opens (card fields, 3-D Secure), as Stripe documents for CSP.
STRIPE_SCRIPTS = ("https://js.stripe.com", "https://*.js.stripe.com")
STRIPE_FRAMES = (*STRIPE_SCRIPTS, "https://hooks.stripe.com")
STRIPE_API = "https://api.stripe.com"
#: Stripe Connect onboarding: the "get paid" form redirects there.
STRIPE_CONNECT = "https://connect.stripe.com"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def tile_origin(tile_url: str) -> str:
    """The origin map tiles come from; a {s} subdomain placeholder becomes a wildcard."""
    parts = urlsplit(tile_url.replace("{s}", "*"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RuntimeError(f"MAP_TILE_URL must be an http(s) URL template, not {tile_url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(config) -> dict[str, list[str]]:
    """The policy, with the Stripe API the app is configured for (a local fake in tests) and
    the map tile server, when one is configured."""
    stripe_api = sorted({STRIPE_API, _origin(config["STRIPE_API_BASE"])})
    # Leaflet cancels a tile it no longer needs by pointing it at a blank data: image
    tile_url = config.get("MAP_TILE_URL")
    tiles = [tile_origin(tile_url), "data:"] if tile_url else []
    return {
        "default-src": ["'self'"],
        "img-src": ["'self'", *tiles],
        "script-src": ["'self'", *STRIPE_SCRIPTS],  # plus the request's nonce
        "style-src": ["'self'", "'unsafe-inline'"],
        "connect-src": ["'self'", *stripe_api],
        "frame-src": list(STRIPE_FRAMES),
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", STRIPE_CONNECT],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }


def register(app: Flask) -> None:
    """Register before any other request hook, so that the nonce exists even when a later
    hook (CSRF, rate limits) stops the request and an error page is rendered."""
    app.extensions["talisman"] = Talisman(
        app,
        content_security_policy=content_security_policy(app.config),
        content_security_policy_nonce_in=["script-src"],
        frame_options=DENY,
        referrer_policy="strict-origin-when-cross-origin",
        strict_transport_security=app.config["STRICT_TRANSPORT_SECURITY"],
        # TLS ends at the proxy, which redirects plain HTTP; the app must still answer plain
        # HTTP from it and from the metrics scraper.
        force_https=False,
        # The cookie settings live in config/ (SESSION_COOKIE_SECURE in production).
        session_cookie_secure=False,
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
    )
