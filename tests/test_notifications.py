"""Notifications: the other party hears of every booking move, in its inbox (pages and API) and
by email through the outbox, which a job sends exactly once, retrying with backoff."""

from __future__ import annotations

import logging
import socket
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.concurrency_support import isolated_app, run_at_once
from tests.factories import (
    ListingFactory,
    OperatorFactory,
    OrganizationFactory,
    UserFactory,
    WarehouseFactory,
)
from tests.helpers import api_token, booking_terms, goods, login, pay_in_full
from tests.smtp_support import SmtpSink
from warehouse_exchange.bookings.commands import (
    BookingRequest,
    accept_booking,
    cancel_booking,
    decline_booking,
    request_booking,
)
from warehouse_exchange.bookings.jobs import advance_leases, expire_stale_requests
from warehouse_exchange.escrow.releases import run_due_releases
from warehouse_exchange.extensions import db
from warehouse_exchange.notifications import services
from warehouse_exchange.notifications.kinds import KINDS
from warehouse_exchange.notifications.messages import Message
from warehouse_exchange.notifications.models import Notification, OutboxEmail
from warehouse_exchange.scheduler import jobs

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()
START = TODAY + timedelta(days=5)


@pytest.fixture
def listing(owner):
    return ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))


def ask(tenant, listing, quantity: int = 4):
    request = BookingRequest(listing.id, quantity, START, START + timedelta(days=13), goods())
    return request_booking(tenant, request, booking_terms(), NOW, TODAY)


def inbox_of(user) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.organization_id == user.organization_id)
            .order_by(Notification.id)
        )
    )


def kinds_of(user) -> list[str]:
    return [notification.kind for notification in inbox_of(user)]


def emails_to(user) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.to_address == user.email).order_by(OutboxEmail.id)
        )
    )


def use_mail_settings(app, monkeypatch, settings: dict) -> None:
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)


# --- who hears of what


def test_a_booking_request_notifies_the_owner(owner, exporter, listing):
    booking = ask(exporter, listing)
    [notification] = inbox_of(owner)
    assert notification.kind == "booking_requested" and notification.read_at is None
    assert notification.link == f"/bookings/{booking.id}"
    assert notification.subject == (
        f"New booking request #{booking.id} from {exporter.organization.name}"
    )
    assert "asks for 4 pallet positions at" in notification.body
    assert f"from {START} to {START + timedelta(days=13)}" in notification.body
    assert inbox_of(exporter) == []
    [email] = emails_to(owner)
    assert (email.state, email.subject, email.attempts) == ("pending", notification.subject, 0)


def test_accepting_notifies_the_tenant_only(owner, exporter, listing):
    booking = accept_booking(owner, ask(exporter, listing).id, NOW)
    [notification] = inbox_of(exporter)
    assert notification.kind == "booking_accepted"
    assert notification.subject == f"Booking #{booking.id} accepted by {owner.organization.name}"
    assert "Pay €22.00 into escrow within 72 hours" in notification.body
    assert kinds_of(owner) == ["booking_requested"]


def test_an_instant_booking_tells_the_owner_once(owner, exporter):
    listing = ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization), instant_book=True
    )
    booking = ask(exporter, listing)
    assert booking.state == "accepted"
    [notification] = inbox_of(owner)
    assert notification.kind == "booking_accepted"
    assert notification.subject.startswith(f"Instant booking #{booking.id} from")
    assert inbox_of(exporter) == []


def test_declining_tells_the_tenant_why(owner, exporter, listing):
    booking = decline_booking(owner, ask(exporter, listing).id, "Full that fortnight", NOW)
    [notification] = inbox_of(exporter)
    assert notification.kind == "booking_declined"
    assert notification.subject == (
        f"Booking request #{booking.id} declined by {owner.organization.name}"
    )
    assert notification.body.endswith("Reason: Full that fortnight.")


def test_payment_start_and_release_tell_the_parties(owner, exporter, operator, listing):
    booking = accept_booking(owner, ask(exporter, listing).id, NOW)
    pay_in_full(operator, booking)
    assert kinds_of(owner)[-1] == kinds_of(exporter)[-1] == "booking_confirmed"
    first_day = datetime.combine(START, time(12), tzinfo=UTC)
    assert advance_leases(first_day) == 1
    assert kinds_of(owner)[-1] == kinds_of(exporter)[-1] == "lease_started"
    assert run_due_releases(first_day) == 1
    release = inbox_of(owner)[-1]
    assert release.kind == "release" and release.link == f"/bookings/{booking.id}"
    assert release.subject.endswith(f"released to you for booking #{booking.id}")
    assert "release" not in kinds_of(exporter)


def test_a_tenant_cancelling_a_paid_lease_tells_the_owner_and_owes_a_refund(
    owner, exporter, operator, listing
):
    booking = accept_booking(owner, ask(exporter, listing).id, NOW)
    pay_in_full(operator, booking)
    cancel_booking(exporter, booking.id, "Our shipment moved to May", NOW, TODAY)
    cancelled = inbox_of(owner)[-1]
    assert cancelled.kind == "booking_cancelled"
    assert cancelled.subject == f"Booking #{booking.id} cancelled by {exporter.organization.name}"
    assert cancelled.body.endswith("Reason: Our shipment moved to May.")
    refund = inbox_of(exporter)[-1]
    assert refund.kind == "refund_due" and f"due for booking #{booking.id}" in refund.subject
    assert "booking_cancelled" not in kinds_of(exporter)


def test_an_unanswered_request_expires_for_both_parties(owner, exporter, listing):
    booking = ask(exporter, listing)
    assert expire_stale_requests(NOW + timedelta(days=3)) == 1
    assert kinds_of(owner) == ["booking_requested", "booking_expired"]
    assert kinds_of(exporter) == ["booking_expired"]
    assert inbox_of(exporter)[0].subject == f"Booking request #{booking.id} expired"


def test_one_event_never_makes_two_notifications_or_emails(owner):
    message = Message("release", "€1.00 released", "Instalment 1")
    for _ in range(2):
        services.notify(owner.organization_id, message, "/bookings/1", "release:test", NOW)
        db.session.commit()
    assert len(inbox_of(owner)) == 1 and len(emails_to(owner)) == 1


# --- the inbox: pages and API


def test_inbox_page_badge_and_mark_read(client, owner, exporter, listing):
    first, second = ask(exporter, listing), ask(exporter, listing, quantity=2)
    login(client, owner)
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count('class="notice unread"') == 2 and 'aria-label="2 unread"' in page
    assert page.index(f"request #{second.id} ") < page.index(f"request #{first.id} ")  # newest
    assert 'aria-label="2 unread"' in client.get("/bookings/inbox").get_data(as_text=True)

    oldest = inbox_of(owner)[0]
    answer = client.post(f"/notifications/{oldest.id}/read", data={"next": "/notifications"})
    assert answer.status_code == 302 and answer.location == "/notifications"
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count('class="notice unread"') == 1 and 'aria-label="1 unread"' in page
    assert inbox_of(owner)[0].read_at is not None

    assert client.post("/notifications/read-all").status_code == 302
    page = client.get("/notifications").get_data(as_text=True)
    assert "1 notification marked as read." in page
    assert "notice unread" not in page and "unread" not in page.split("<main>")[0]


def test_api_lists_and_marks_read(client, owner, exporter, listing):
    booking = ask(exporter, listing)
    headers = api_token(client, owner)
    listed = client.get("/api/v1/notifications", headers=headers).json
    assert (listed["total"], listed["unread"], listed["page"]) == (1, 1, 1)
    [item] = listed["results"]
    assert item["kind"] == "booking_requested" and item["read_at"] is None
    assert item["link"] == f"/bookings/{booking.id}"

    read = client.post(f"/api/v1/notifications/{item['id']}/read", headers=headers)
    assert read.status_code == 200 and read.json["read_at"] is not None
    assert client.get("/api/v1/notifications", headers=headers).json["unread"] == 0
    marked = client.post("/api/v1/notifications/read-all", headers=headers)
    assert marked.json == {"marked": 0}
    anonymous = client.get("/api/v1/notifications")
    assert anonymous.status_code == 401 and anonymous.json["error"]["code"] == "unauthorized"


def test_someone_elses_notification_is_not_found(client, owner, other_owner, exporter, listing):
    ask(exporter, listing)
    [notification] = inbox_of(owner)
    login(client, other_owner)
    assert client.post(f"/notifications/{notification.id}/read").status_code == 404
    assert notification.subject not in client.get("/notifications").get_data(as_text=True)
    client.post("/logout")
    headers = api_token(client, other_owner)
    answer = client.post(f"/api/v1/notifications/{notification.id}/read", headers=headers)
    assert answer.status_code == 404
    assert answer.json["error"] == {
        "code": "not_found",
        "message": "No such notification.",
        "fields": {},
    }
    assert client.get("/api/v1/notifications", headers=headers).json["total"] == 0
    db.session.refresh(notification)
    assert notification.read_at is None


def test_operators_have_an_empty_inbox(client):
    operator = OperatorFactory()
    login(client, operator)
    page = client.get("/notifications")
    assert page.status_code == 200 and "your home page" in page.get_data(as_text=True)
    assert 'href="/notifications"' in client.get("/").get_data(as_text=True).split("<main>")[0]


# --- email preferences


def test_preferences_turn_email_off(client, owner, exporter, listing):
    colleague = UserFactory(organization=owner.organization, role="member")
    login(client, owner)
    form = client.get("/notifications/settings").get_data(as_text=True)
    assert form.count("checked") == len(KINDS)
    wanted = [kind for kind in KINDS if kind != "booking_requested"]
    assert client.post("/notifications/settings", data={"email_kinds": wanted}).status_code == 302
    form = client.get("/notifications/settings").get_data(as_text=True)
    assert form.count("checked") == len(KINDS) - 1 and "Email settings saved." in form

    ask(exporter, listing)
    assert kinds_of(owner) == ["booking_requested"]  # still in the inbox
    assert emails_to(owner) == [] and len(emails_to(colleague)) == 1


def test_preferences_through_the_api(client, owner):
    headers = api_token(client, owner)
    off = client.put(
        "/api/v1/notifications/settings", json={"email": {"release": False}}, headers=headers
    )
    assert off.status_code == 200 and off.json["email"]["release"] is False
    assert off.json["email"]["booking_requested"] is True
    got = client.get("/api/v1/notifications/settings", headers=headers).json
    assert got == off.json
    unknown = client.put(
        "/api/v1/notifications/settings", json={"email": {"gossip": True}}, headers=headers
    )
    assert unknown.status_code == 422 and unknown.json["error"]["fields"]


# --- the outbox


def test_outbox_email_has_plain_and_html_bodies_with_an_absolute_link(app, monkeypatch, owner):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://wx.example/")
    tenant = UserFactory(organization=OrganizationFactory(kind="exporter", name="Bright & Co"))
    listing = ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))
    booking = ask(tenant, listing)
    [email] = emails_to(owner)
    link = f"https://wx.example/bookings/{booking.id}"
    assert link in email.text_body and f'href="{link}"' in email.html_body
    assert "https://wx.example/notifications/settings" in email.text_body
    assert 'href="https://wx.example/notifications/settings"' in email.html_body
    assert f"Hello {owner.name}," in email.text_body
    assert "Bright & Co asks for" in email.text_body
    assert "Bright &amp; Co asks for" in email.html_body  # escaped in HTML only


def test_log_transport_marks_sent(app, caplog, owner, exporter, listing):
    assert app.config["MAIL_TRANSPORT"] == "log"
    ask(exporter, listing)
    [email] = emails_to(owner)
    due = email.next_attempt_at  # when the request was made
    with caplog.at_level(logging.INFO, logger="warehouse_exchange.adapters.mail"):
        assert services.send_pending_emails(due) == 1
    assert (email.state, email.attempts, email.sent_at, email.last_error) == (
        "sent",
        1,
        due,
        None,
    )
    [record] = [r for r in caplog.records if r.name == "warehouse_exchange.adapters.mail"]
    assert owner.email in record.getMessage() and email.subject in record.getMessage()
    assert services.send_pending_emails(due + timedelta(minutes=5)) == 0


def test_a_refusing_server_is_retried_with_backoff_until_it_accepts(
    app, monkeypatch, owner, exporter, listing
):
    with SmtpSink() as sink:
        use_mail_settings(app, monkeypatch, sink.config())
        sink.refusing = True
        booking = ask(exporter, listing)
        [email] = emails_to(owner)
        due = email.next_attempt_at

        assert services.send_pending_emails(due) == 0
        assert (email.state, email.attempts) == ("pending", 1)
        assert "421" in email.last_error and "Service not available" in email.last_error
        assert email.next_attempt_at == due + timedelta(minutes=1)
        assert services.send_pending_emails(due + timedelta(seconds=30)) == 0  # not due yet
        assert email.attempts == 1
        assert services.send_pending_emails(due + timedelta(minutes=1)) == 0
        assert email.attempts == 2 and email.next_attempt_at == due + timedelta(minutes=3)

        sink.refusing = False
        assert services.send_pending_emails(due + timedelta(minutes=3)) == 1
        assert (email.state, email.attempts) == ("sent", 3)
        assert services.send_pending_emails(due + timedelta(hours=1)) == 0
    [(recipients, message)] = sink.messages
    assert recipients == [owner.email] and message["To"] == owner.email
    assert message["Subject"] == email.subject and message["Message-ID"]
    link = f"http://127.0.0.1:5000/bookings/{booking.id}"
    assert link in message.get_body(("plain",)).get_content()
    assert f'href="{link}"' in message.get_body(("html",)).get_content()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_server_fails_for_good_after_the_last_attempt(
    app, monkeypatch, owner, exporter, listing
):
    settings = {
        "MAIL_TRANSPORT": "smtp",
        "MAIL_SMTP_HOST": "127.0.0.1",
        "MAIL_SMTP_PORT": closed_port(),
        "MAIL_SMTP_TLS": "none",
        "MAIL_MAX_ATTEMPTS": 2,
    }
    use_mail_settings(app, monkeypatch, settings)
    ask(exporter, listing)
    [email] = emails_to(owner)
    due = email.next_attempt_at
    assert services.send_pending_emails(due) == 0
    assert email.state == "pending" and "ConnectionRefusedError" in email.last_error
    assert services.send_pending_emails(due + timedelta(minutes=1)) == 0
    assert (email.state, email.attempts) == ("failed", 2)  # kept, with its error
    assert services.send_pending_emails(due + timedelta(days=1)) == 0
    assert email.attempts == 2


def test_the_backoff_doubles_up_to_its_cap():
    policy = services.RetryPolicy(timedelta(minutes=60), 20)
    delays = [policy.delay(failures) for failures in range(1, 10)]
    assert [d.total_seconds() / 60 for d in delays] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


# --- two scheduler processes

BACKLOG = 40


def seed_requests() -> None:
    owner = UserFactory(organization=OrganizationFactory(kind="owner"))
    tenant = UserFactory(organization=OrganizationFactory(kind="exporter"))
    listing = ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization), quantity=10_000
    )
    for n in range(BACKLOG):
        start = START + timedelta(days=n % 30)
        request = BookingRequest(listing.id, 1, start, start + timedelta(days=6), goods())
        request_booking(tenant, request, booking_terms(), NOW, TODAY)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_runners_send_each_email_exactly_once(backend, tmp_path):
    send = next(job for job in jobs.JOBS if job.name == "send-emails")
    assert send.every_minutes == 1
    with SmtpSink() as sink, isolated_app(backend, tmp_path) as app:
        app.config.update(sink.config())
        with app.app_context():
            seed_requests()
        counts = run_at_once(app, lambda: jobs.run(app, send))  # now: every request is older
        assert sum(counts) == BACKLOG, counts
        message_ids = Counter(message["Message-ID"] for _, message in sink.messages)
        assert len(message_ids) == BACKLOG and set(message_ids.values()) == {1}
        with app.app_context():
            sent = Counter(db.session.execute(select(OutboxEmail.state, OutboxEmail.attempts)))
        assert sent == {("sent", 1): BACKLOG}
        assert jobs.run(app, send) == 0  # a rerun finds nothing left to send
        assert len(sink.messages) == BACKLOG


# --- reminders ---------------------------------------------------------------------------


def test_tenants_hear_14_and_3_days_before_a_lease_ends_once_each(
    listing, owner, exporter, operator
):
    from warehouse_exchange.notifications.reminders import remind_leases_ending

    booking = accept_booking(owner, ask(exporter, listing).id, NOW)
    pay_in_full(operator, booking)
    last_day = booking.end_date
    assert remind_leases_ending(at_noon(last_day - timedelta(days=15))) == 0
    two_weeks_before = at_noon(last_day - timedelta(days=14))
    assert remind_leases_ending(two_weeks_before) == 1
    assert remind_leases_ending(two_weeks_before) == 0  # run again: nothing new
    assert remind_leases_ending(at_noon(last_day - timedelta(days=3))) == 1
    reminders = [n for n in inbox_of(exporter) if n.kind == "lease_ending"]
    assert [n.subject for n in reminders] == [
        f"Lease #{booking.id} ends in 14 days",
        f"Lease #{booking.id} ends in 3 days",
    ]
    assert "lease_ending" not in kinds_of(owner)


def test_owners_hear_of_a_request_near_its_deadline_once(listing, owner, exporter):
    from warehouse_exchange.notifications.reminders import remind_waiting_requests

    booking = ask(exporter, listing)
    assert remind_waiting_requests(NOW + timedelta(hours=1)) == 0  # 47 hours left
    near = booking.expires_at - timedelta(hours=6)
    assert remind_waiting_requests(near) == 1
    assert remind_waiting_requests(near + timedelta(hours=1)) == 0
    (reminder,) = [n for n in inbox_of(owner) if n.kind == "request_waiting"]
    assert reminder.link == f"/bookings/{booking.id}" and "lapses at" in reminder.body
    assert remind_waiting_requests(booking.expires_at + timedelta(minutes=1)) == 0


def at_noon(day):
    return datetime.combine(day, time(12), UTC)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_runners_send_each_reminder_once(backend, tmp_path):
    from warehouse_exchange.notifications.reminders import remind_waiting_requests

    with isolated_app(backend, tmp_path) as app:
        with app.app_context():
            owner = UserFactory(organization=OrganizationFactory(kind="owner"))
            tenant = UserFactory(organization=OrganizationFactory(kind="exporter"))
            listing = ListingFactory(
                warehouse=WarehouseFactory(organization=owner.organization), quantity=1000
            )
            deadlines = {ask(tenant, listing, quantity=1).expires_at for _ in range(20)}
            owner_org = owner.organization_id
        near = max(deadlines) - timedelta(hours=1)
        counts = run_at_once(app, lambda: remind_waiting_requests(near))
        with app.app_context():
            told = db.session.scalars(
                select(Notification.event_key).where(
                    Notification.organization_id == owner_org,
                    Notification.kind == "request_waiting",
                )
            ).all()
        assert sum(counts) == len(told) == 20 and len(set(told)) == 20, counts
