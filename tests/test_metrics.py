"""Prometheus metrics at /metrics: requests by endpoint, business counters fed by the areas'
signals, escrow held from the ledger; not public; summed over processes in multiprocess mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.databases import migrated_sqlite_database
from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import api_token, app_with
from warehouse_exchange.escrow.rules import payment_reference

ROOT = Path(__file__).resolve().parent.parent
START = date.today() + timedelta(days=7)


def scrape(client, **kwargs) -> dict:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.data
    return samples(response.get_data(as_text=True))


def samples(text: str) -> dict:
    """{(sample name, (label, value)...): value}"""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def booking_body(listing) -> dict:
    return {
        "listing_id": listing.id,
        "quantity": 10,
        "start": START.isoformat(),
        "end": (START + timedelta(days=27)).isoformat(),
        "sku_profile": {
            "unit_length_cm": 120, "unit_width_cm": 80, "unit_height_cm": 150,
            "unit_weight_kg": 400, "temperature_min_c": 10, "temperature_max_c": 30,
            "category": "general", "sku_count": 4,
        },
    }  # fmt: skip


def test_a_booking_moves_the_counts_and_its_payment_the_escrow_held(
    client, owner, exporter, operator
):
    listing = ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization),
        quantity=50,
        price_minor=700,
        currency="GBP",
    )
    before = scrape(client)
    tenant = api_token(client, exporter)
    created = client.post("/api/v1/bookings", json=booking_body(listing), headers=tenant)
    assert created.status_code == 201, created.json
    booking = created.json
    client.post(f"/api/v1/bookings/{booking['id']}/accept", headers=api_token(client, owner))
    paid = client.post(
        "/api/v1/escrow/receipts",
        json={
            "reference": payment_reference(booking["id"]),
            "amount": booking["quote"]["total"],
            "received_on": date.today().isoformat(),
            "bank_reference": "METRICS-1",
        },
        headers=api_token(client, operator),
    )
    assert paid.status_code == 201, paid.json
    after = scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    request = {"method": "POST", "endpoint": "bookings_api.create"}
    assert moved("wx_http_requests_total", status="201", **request) == 1
    assert moved("wx_http_request_duration_seconds_count", **request) == 1
    assert moved("wx_booking_requests_total") == 1
    assert moved("wx_booking_moves_total", from_state="requested", to_state="accepted") == 1
    assert moved("wx_booking_moves_total", from_state="accepted", to_state="confirmed") == 1
    # the rent; commission and guarantee fee go to the platform's accounts on receipt
    assert moved("wx_escrow_held_minor", currency="GBP") == 28000
    assert moved("wx_bank_receipts_total", currency="GBP") == 1
    assert value(after, "wx_database_figures_up") == 1


def test_metrics_are_not_shown_to_other_addresses(client):
    elsewhere = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
    assert client.get("/metrics", **elsewhere).status_code == 404
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1


def test_a_token_opens_metrics_to_any_address(_app, database_url):
    elsewhere = {"REMOTE_ADDR": "203.0.113.9"}
    with app_with(database_url, METRICS_TOKEN="s3cret-scraper-token") as app:
        client = app.test_client()
        right = {"Authorization": "Bearer s3cret-scraper-token"}
        assert client.get("/metrics", headers=right, environ_base=elsewhere).status_code == 200
        wrong = {"Authorization": "Bearer guess"}
        assert client.get("/metrics", headers=wrong, environ_base=elsewhere).status_code == 404


def test_allowed_networks_are_configurable(_app, database_url):
    with app_with(database_url, METRICS_ALLOWED_ADDRESSES="10.0.0.0/8, 192.0.2.7") as app:
        client = app.test_client()
        for address, status in (("10.1.2.3", 200), ("192.0.2.7", 200), ("127.0.0.1", 404)):
            answer = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
            assert answer.status_code == status, address


def test_a_job_run_is_counted(app):
    from warehouse_exchange.scheduler import jobs

    client = app.test_client()
    before = scrape(client)
    job = next(job for job in jobs.JOBS if job.name == "expire-requests")
    jobs.run(app, job)
    after = scrape(client)
    labels = {"job": "expire-requests", "outcome": "ok"}
    assert value(after, "wx_job_runs_total", **labels) - value(
        before, "wx_job_runs_total", **labels
    )
    assert value(after, "wx_job_duration_seconds_count", job="expire-requests") > value(
        before, "wx_job_duration_seconds_count", job="expire-requests"
    )


WORKER = textwrap.dedent(
    """
    import sys
    from warehouse_exchange import create_app

    url, requests, scrape = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "scrape"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    for _ in range(requests):
        assert client.get("/healthz").status_code == 200
    if scrape:
        sys.stdout.write(client.get("/metrics").get_data(as_text=True))
    """
)


def test_multiprocess_mode_adds_up_every_process(tmp_path):
    """Gunicorn's workers are processes: whichever answers the scrape shows all their counts."""
    counts = tmp_path / "prometheus"
    counts.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(counts), "WX_ENV": "testing"}
    url = migrated_sqlite_database(tmp_path / "shared.sqlite3")
    first = [sys.executable, "-c", WORKER, url, "3", "no"]
    subprocess.run(first, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    second = [sys.executable, "-c", WORKER, url, "2", "scrape"]
    output = subprocess.run(
        second, cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=120
    ).stdout
    found = samples(output)
    labels = {"method": "GET", "endpoint": "health.healthz", "status": "200"}
    assert value(found, "wx_http_requests_total", **labels) == 5, json.dumps(
        [k for k in found if k[0].startswith("wx_http")], default=str
    )
    assert len(list(counts.glob("*.db"))) >= 2  # a file per process
