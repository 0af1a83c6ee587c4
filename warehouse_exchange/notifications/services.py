"""Use cases of notifications: tell an organization what happened (in its inbox, and by email to
the members who want that kind), read the inbox, choose what comes by email, send the outbox."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from time import monotonic
from uuid import uuid4

from flask import current_app
from sqlalchemy import and_, delete, exists, false, func, or_, select, update

from ..accounts.models import User
from ..adapters.mail import Email, Mailer, MailError, build_mailer
from ..errors import Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..pagination import Page, paginate
from ..permissions import require_user
from ..unit_of_work import use_case
from ..work_items import item_failed, item_not_done
from . import mail_breaker
from .kinds import KINDS
from .messages import Message
from .models import EmailOptOut, Notification, OutboxEmail

INBOX_PATH = "/notifications"
SETTINGS_PATH = "/notifications/settings"
#: emails one run takes on; the rest wait for the next run, a minute later
BATCH = 500
log = logging.getLogger(__name__)


def notify(
    organization_id: int, message: Message, link: str, event_key: str, now: datetime
) -> Notification | None:
    """Tell an organization about an event inside the caller's transaction (the caller
    commits): a row in its inbox, and an email to each active member who wants this kind.
    An event already told to the organization is not told again."""
    told = db.session.scalar(
        select(Notification.id).where(
            Notification.organization_id == organization_id, Notification.event_key == event_key
        )
    )
    if told is not None:
        return None
    notification = Notification(
        organization_id=organization_id,
        kind=message.kind,
        event_key=event_key,
        subject=message.subject[:200],
        body=message.body[:2000],
        link=link,
        created_at=now,
    )
    db.session.add(notification)
    for user in _wanting_email(organization_id, message.kind):
        db.session.add(_outbox_email(notification, user, now))
    return notification


def _wanting_email(organization_id: int, kind: str) -> list[User]:
    opted_out = exists().where(EmailOptOut.user_id == User.id, EmailOptOut.kind == kind)
    return list(
        db.session.scalars(
            select(User)
            .where(User.organization_id == organization_id, User.active.is_(True), ~opted_out)
            .order_by(User.id)
        )
    )


def _outbox_email(notification: Notification, user: User, now: datetime) -> OutboxEmail:
    text, html = render_email(notification, user)
    return OutboxEmail(
        notification=notification,
        idempotency_key=f"{notification.event_key}:{user.email}",
        to_address=user.email,
        subject=notification.subject,
        text_body=text,
        html_body=html,
        state="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


def email_account_owner(user: User, message: Message, link: str, event_key: str, now: datetime):
    """Queue an email to one person about their own account (a lock-out), inside the caller's
    transaction. It is nobody else's business, so no inbox row, and no setting turns it off.
    One event makes one email, however often it is announced."""
    key = f"{event_key}:{user.email}"
    if db.session.scalar(select(OutboxEmail.id).where(OutboxEmail.idempotency_key == key)):
        return
    context = {"message": message, "recipient": user, "link_url": _absolute(link)}
    environment = current_app.jinja_env
    db.session.add(
        OutboxEmail(
            idempotency_key=key,
            to_address=user.email,
            subject=message.subject[:200],
            text_body=environment.get_template("notifications/email/account.txt").render(context),
            html_body=environment.get_template("notifications/email/account.html").render(context),
            state="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )


def _absolute(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def render_email(notification: Notification, user: User) -> tuple[str, str]:
    """Plain text and HTML bodies with absolute links, since an email is read away from the
    site. Rendered by the Jinja environment itself: page context processors need a request,
    and the scheduler has none."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    context = {
        "notification": notification,
        "recipient": user,
        "link_url": base + notification.link,
        "inbox_url": base + INBOX_PATH,
        "settings_url": base + SETTINGS_PATH,
    }
    environment = current_app.jinja_env
    text = environment.get_template("notifications/email/notification.txt").render(context)
    html = environment.get_template("notifications/email/notification.html").render(context)
    return text, html


def _organization_id(actor: User | None) -> int:
    actor = require_user(actor)
    if actor.organization_id is None:
        raise Forbidden("Notifications go to organizations; operators have no inbox.")
    return actor.organization_id


def _inbox_of(actor: User | None):
    """Whose notifications the actor reads: its organization's. Operators belong to none and
    are told of nothing here (their queues are on their home page): an empty inbox."""
    user = require_user(actor)
    if user.organization_id is None:
        return false()
    return Notification.organization_id == user.organization_id


def inbox(actor: User | None, page: int, per_page: int) -> Page[Notification]:
    """The organization's notifications, newest first."""
    query = (
        select(Notification)
        .where(_inbox_of(actor))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate(query, page, per_page)


def unread_count(actor: User | None) -> int:
    """For the badge on every page: one COUNT on an index, nothing for operators."""
    user = require_user(actor)
    if user.organization_id is None:
        return 0
    count = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.organization_id == user.organization_id, Notification.read_at.is_(None))
    )
    return count or 0


@use_case
def mark_read(actor: User | None, notification_id: int, now: datetime) -> Notification:
    notification = db.session.scalar(
        select(Notification).where(Notification.id == notification_id, _inbox_of(actor))
    )
    # another organization's notification is answered as if it did not exist
    if notification is None:
        raise NotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = now
    db.session.commit()
    return notification


@use_case
def mark_all_read(actor: User | None, now: datetime) -> int:
    """Returns how many were unread."""
    result = db.session.execute(
        update(Notification)
        .where(_inbox_of(actor), Notification.read_at.is_(None))
        .values(read_at=now)
    )
    db.session.commit()
    return result.rowcount


def email_preferences(actor: User | None) -> dict[str, bool]:
    """Kind -> whether the user gets it by email (every kind unless switched off)."""
    _organization_id(actor)
    off = set(db.session.scalars(select(EmailOptOut.kind).where(EmailOptOut.user_id == actor.id)))
    return {kind: kind not in off for kind in KINDS}


@use_case
def set_email_preferences(actor: User | None, wanted: Mapping[str, bool]) -> dict[str, bool]:
    """Switch email on or off per kind; kinds left out keep their setting."""
    _organization_id(actor)
    unknown = sorted(set(wanted) - set(KINDS))
    if unknown:
        raise InvalidInput(
            f"Unknown kind of notification: {', '.join(unknown)}.",
            {kind: "Unknown kind." for kind in unknown},
        )
    # two saves of one user's settings at once must not insert the same opt-out twice
    db.session.execute(select(User.id).where(User.id == actor.id).with_for_update())
    current = email_preferences(actor)
    for kind, on in wanted.items():
        if on and not current[kind]:
            db.session.execute(
                delete(EmailOptOut).where(EmailOptOut.user_id == actor.id, EmailOptOut.kind == kind)
            )
        elif not on and current[kind]:
            db.session.add(EmailOptOut(user_id=actor.id, kind=kind))
    db.session.commit()
    return email_preferences(actor)


@dataclass(frozen=True)
class RetryPolicy:
    max_delay: timedelta
    max_attempts: int

    @classmethod
    def from_config(cls, config) -> RetryPolicy:
        return cls(timedelta(minutes=config["MAIL_RETRY_MAX_MINUTES"]), config["MAIL_MAX_ATTEMPTS"])

    def delay(self, failures: int) -> timedelta:
        """1, 2, 4, … minutes after the first, second, third … failure, capped."""
        return min(timedelta(minutes=2 ** min(failures - 1, 30)), self.max_delay)


@dataclass(frozen=True)
class OutboxLimits:
    """How long one run may go on, how long a claim on an email lasts, and when the circuit
    breaker opens (see config/default.py)."""

    run_seconds: float
    claim: timedelta
    breaker_failures: int
    breaker_cooldown_seconds: float

    @classmethod
    def from_config(cls, config) -> OutboxLimits:
        return cls(
            float(config["MAIL_RUN_SECONDS"]),
            timedelta(seconds=float(config["MAIL_CLAIM_SECONDS"])),
            int(config["MAIL_BREAKER_FAILURES"]),
            float(config["MAIL_BREAKER_COOLDOWN_SECONDS"]),
        )


@dataclass(frozen=True)
class _Claim:
    """An email this runner holds until its claim lapses, and what to hand over."""

    email_id: int
    token: str
    attempts: int
    email: Email


def send_pending_emails(now: datetime) -> int:
    """Send every email that is due, each by one runner only: an email is sent, or keeps its
    error and waits for a retry, or (after the last attempt) stays in the outbox as failed.
    No transaction is open while a mail server is waited for: an email is claimed for a
    while (MAIL_CLAIM_SECONDS) in one short transaction and its outcome recorded in another.
    A runner that dies in between leaves a claim that lapses, and the email is sent again (at
    least once, never lost); its stable Message-ID lets mail clients drop the copy.
    A run claims nothing more after MAIL_RUN_SECONDS, and stops when the server could not be
    reached MAIL_BREAKER_FAILURES times in a row; this process then leaves that server alone
    for MAIL_BREAKER_COOLDOWN_SECONDS. Returns how many this runner sent."""
    config = current_app.config
    mailer, policy = build_mailer(config), RetryPolicy.from_config(config)
    limits, server = OutboxLimits.from_config(config), _mail_server(config)
    if (paused := mail_breaker.seconds_open(server)) > 0:
        log.warning("Mail server %s unreachable; no email tried for %.0f s more", server, paused)
        item_not_done(f"mail server {server} unreachable, sending paused")
        return 0
    started = monotonic()
    due = _due_email_ids(now)
    sent = unreachable_in_a_row = 0
    for email_id in due:
        elapsed = timedelta(seconds=monotonic() - started)
        if elapsed.total_seconds() >= limits.run_seconds:
            log.info("Emails: time is up after %d sent; the rest wait for the next run", sent)
            break
        try:
            claim = _claim_email(email_id, now, now + elapsed, limits.claim)
            if claim is None:
                continue
            error = _hand_over(claim, mailer)
            _record_outcome(claim, error, policy, now)
        except Exception:  # one bad email must not stop the run; it stays pending
            db.session.rollback()
            item_failed(f"Email {email_id}")
            continue
        if error is None:
            sent, unreachable_in_a_row = sent + 1, 0
            continue
        item_not_done(f"Email {email_id}")
        unreachable_in_a_row = unreachable_in_a_row + 1 if error.server_unreachable else 0
        if unreachable_in_a_row >= limits.breaker_failures:
            mail_breaker.trip(server, limits.breaker_cooldown_seconds)
            log.error(
                "Mail server %s unreachable %d times in a row; the rest wait, and this process"
                " tries it again in %.0f s",
                server,
                unreachable_in_a_row,
                limits.breaker_cooldown_seconds,
            )
            break
    return sent


def _mail_server(config) -> str:
    if config["MAIL_TRANSPORT"] != "smtp":
        return config["MAIL_TRANSPORT"]
    return f"{config['MAIL_SMTP_HOST']}:{config['MAIL_SMTP_PORT']}"


def _is_due(now: datetime, moment: datetime):
    """Pending, its retry time reached, and held by no live claim at `moment`."""
    return and_(
        OutboxEmail.state == "pending",
        OutboxEmail.next_attempt_at <= now,
        or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until <= moment),
    )


def _due_email_ids(now: datetime) -> list[int]:
    due = db.session.scalars(
        select(OutboxEmail.id)
        .where(_is_due(now, now))
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
        .limit(BATCH)
    ).all()
    db.session.rollback()
    return list(due)


def _claim_email(email_id: int, now: datetime, moment: datetime, lease: timedelta):
    """Claim the email until `moment + lease` if it is still due, in a transaction of its own;
    None when another runner got it first. The conditional update is atomic: on PostgreSQL a
    second runner's update waits for the first and then finds the email claimed (SQLite has one
    writer at a time anyway). Counts the attempt now, so that a runner dying mid-send counts."""
    token = uuid4().hex
    claimed = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email_id, _is_due(now, moment))
        .values(
            claimed_until=moment + lease,
            claim_token=token,
            attempts=OutboxEmail.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        return None
    email = db.session.get(OutboxEmail, email_id, populate_existing=True)
    claim = _Claim(email.id, token, email.attempts, _as_email(email))
    db.session.commit()
    return claim


def _hand_over(claim: _Claim, mailer: Mailer) -> MailError | None:
    """Outside any transaction: the session must not be used here."""
    try:
        mailer.send(claim.email)
    except MailError as error:
        return error
    return None


def _record_outcome(
    claim: _Claim, error: MailError | None, policy: RetryPolicy, now: datetime
) -> None:
    values: dict = {"claimed_until": None, "claim_token": None}
    if error is None:
        values |= {"state": "sent", "sent_at": now}
    elif claim.attempts >= policy.max_attempts:
        values |= {"state": "failed", "last_error": str(error)[:500]}
        log.error("Email %s failed for good after %d attempts", claim.email_id, claim.attempts)
    else:
        retry_at = now + policy.delay(claim.attempts)
        values |= {"next_attempt_at": retry_at, "last_error": str(error)[:500]}
        log.warning("Email %s not sent (%s); retry at %s", claim.email_id, error, retry_at)
    recorded = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == claim.email_id, OutboxEmail.claim_token == claim.token)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not recorded:  # the hand-over outlasted the claim, and another runner took the email
        log.warning("Email %s: claim lapsed during the hand-over; it may go twice", claim.email_id)


def _as_email(email: OutboxEmail) -> Email:
    sender = current_app.config["MAIL_FROM"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "warehouse-exchange.invalid"
    digest = hashlib.sha256(email.idempotency_key.encode()).hexdigest()[:32]
    return Email(
        sender,
        email.to_address,
        email.subject,
        email.text_body,
        email.html_body,
        f"<{digest}@{domain}>",
    )
