"""The demo clock: a lease taken to its end without waiting, on pages, the CLI and the jobs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.concurrency_support import isolated_app
from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import booking_terms, goods, login, pay_in_full
from warehouse_exchange import create_app
from warehouse_exchange.adapters.clock import clock_offset, utc_now, utc_today
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.bookings.models import Booking
from warehouse_exchange.escrow.models import ReleaseInstalment
from warehouse_exchange.extensions import db
from warehouse_exchange.scheduler import jobs
from warehouse_exchange.scheduler.models import DemoClock, JobRun


def paid_lease(owner, exporter, operator, days: int) -> Booking:
    listing = ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))
    start = utc_today() + timedelta(days=1)
    request = BookingRequest(listing.id, 2, start, start + timedelta(days=days - 1), goods())
    booking = request_booking(exporter, request, booking_terms(), utc_now(), utc_today())
    accept_booking(owner, booking.id, utc_now())
    pay_in_full(operator, booking)
    return booking


def advance(app, days: str):
    return app.test_cli_runner().invoke(args=["demo", "advance", "--days", days])


def test_advancing_runs_every_job_for_each_day_and_takes_a_lease_to_its_end(
    app, owner, exporter, operator
):
    booking = paid_lease(owner, exporter, operator, days=10)
    real_today = utc_today()
    result = advance(app, "13")
    assert result.exit_code == 0, result.output
    assert f"Today is {real_today + timedelta(days=13)}" in result.output
    assert clock_offset() == timedelta(days=13)
    assert db.session.get(DemoClock, 1).offset_days == 13
    runs = db.session.scalar(select(func.count()).select_from(JobRun))
    assert runs == 13 * len(jobs.JOBS)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).state == "completed"
    releases = db.session.scalars(
        select(ReleaseInstalment).where(ReleaseInstalment.booking_id == booking.id)
    ).all()
    assert releases and all(release.released_at is not None for release in releases)


def test_pages_read_the_same_day_as_the_jobs(app, client, operator):
    advance(app, "2")
    from warehouse_exchange.adapters.clock import set_clock_offset

    set_clock_offset(timedelta(0))  # another process that has not yet read the clock
    login(client, operator)
    page = client.get("/operator/jobs/").get_data(as_text=True)
    assert clock_offset() == timedelta(days=2)
    assert "2 days ahead of the real date" in page
    assert f"{utc_today():%d %b %Y}" in page


@pytest.mark.parametrize("days", ["0", "367", "-1", "many", ""])
def test_the_cli_refuses_a_bad_number_of_days(app, days):
    result = advance(app, days)
    assert result.exit_code != 0
    assert db.session.get(DemoClock, 1) is None and clock_offset() == timedelta(0)


def test_an_operator_advances_the_clock_from_the_jobs_page(client, operator):
    login(client, operator)
    response = client.post("/operator/jobs/advance-clock", data={"days": "3"})
    assert response.status_code == 302
    page = client.get("/operator/jobs/").get_data(as_text=True)
    assert "3 days ahead" in page and "The demo clock now reads" in page
    assert db.session.get(DemoClock, 1).offset_days == 3


@pytest.mark.parametrize("days", ["0", "400", "x", ""])
def test_the_page_shows_a_bad_number_at_its_field_and_changes_nothing(client, operator, days):
    login(client, operator)
    response = client.post("/operator/jobs/advance-clock", data={"days": days})
    assert response.status_code == 422
    assert 'id="demo-clock"' in response.get_data(as_text=True)
    assert db.session.get(DemoClock, 1) is None


def test_only_operators_move_the_clock(client, owner):
    login(client, owner)
    assert client.post("/operator/jobs/advance-clock", data={"days": "1"}).status_code == 403
    assert db.session.get(DemoClock, 1) is None


def test_production_has_no_demo_clock(database_url):
    app = create_app(
        "production", {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x" * 32}
    )
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo", "advance", "--days", "1"])
        db.engine.dispose()
    assert result.exit_code != 0 and "production runs on the real clock" in result.output
    assert clock_offset() == timedelta(0)
    processors = {function.__name__ for function in app.template_context_processors[None]}
    assert "demo_clock_reading" not in processors
    hooks = {function.__name__ for function in app.before_request_funcs[None]}
    assert "load_offset" not in hooks


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_command_leaves_the_jobs_free_to_write_on_their_own_connections(backend, tmp_path):
    """Outside the per-test transaction, as `flask demo advance` runs: the jobs write through
    connections of their own, which the command's session must not keep waiting."""
    with isolated_app(backend, tmp_path, SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 2}}
                      if backend == "sqlite" else {}) as app:  # fmt: skip
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["demo", "advance", "--days", "2"])
            assert result.exit_code == 0, result.output
            assert "failed" not in result.output
            runs = db.session.scalars(select(JobRun)).all()
        assert len(runs) == 2 * len(jobs.JOBS) and all(run.succeeded for run in runs)
