"""Sending email: one small interface, two transports. "log" (the default) writes each message
to the log, so that development and tests need no mail server; "smtp" hands it to an SMTP
server with smtplib."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

log = logging.getLogger(__name__)
TLS_MODES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class Email:
    sender: str
    to: str
    subject: str
    text: str
    html: str
    #: stable per outbox row, so that a receiver can drop a copy sent twice after a crash
    message_id: str


class MailError(Exception):
    """The message was not handed over; the caller may try again later. `server_unreachable`
    when no server answered (refused, timed out, hung up, turned the connection away): every
    other message would fail the same way, unlike one refused for its recipient."""

    def __init__(self, message: str, server_unreachable: bool = False) -> None:
        super().__init__(message)
        self.server_unreachable = server_unreachable


class Mailer(Protocol):
    def send(self, email: Email) -> None: ...


def to_mime(email: Email) -> EmailMessage:
    message = EmailMessage()
    message["From"] = email.sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = email.message_id
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


class LogMailer:
    def send(self, email: Email) -> None:
        log.info(
            "Email to %s (log transport, not sent) %s\nSubject: %s\n\n%s",
            email.to,
            email.message_id,
            email.subject,
            email.text,
        )


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    user: str = ""
    password: str = ""
    tls: str = "starttls"
    timeout: float = 10

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "ssl":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.tls == "starttls":
            try:
                smtp.starttls(context=ssl.create_default_context())
            except BaseException:
                smtp.close()
                raise
        return smtp

    def send(self, email: Email) -> None:
        try:
            with self._connect() as smtp:
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(to_mime(email))
        except (smtplib.SMTPException, OSError) as error:  # OSError: refused, timed out, TLS
            raise MailError(f"{type(error).__name__}: {error}", _unreachable(error)) from error


def _unreachable(error: OSError) -> bool:
    # smtplib's own errors are OSErrors too; of those, only these mean nobody is serving
    if isinstance(error, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)):
        return True
    return not isinstance(error, smtplib.SMTPException)


def build_mailer(config) -> Mailer:
    transport = config["MAIL_TRANSPORT"]
    if transport == "log":
        return LogMailer()
    if transport != "smtp":
        raise RuntimeError(f"MAIL_TRANSPORT must be 'log' or 'smtp', not {transport!r}")
    if config["MAIL_SMTP_TLS"] not in TLS_MODES:
        raise RuntimeError(f"MAIL_SMTP_TLS must be one of {TLS_MODES}")
    return SmtpMailer(
        config["MAIL_SMTP_HOST"],
        int(config["MAIL_SMTP_PORT"]),
        config["MAIL_SMTP_USER"],
        config["MAIL_SMTP_PASSWORD"],
        config["MAIL_SMTP_TLS"],
        float(config["MAIL_SMTP_TIMEOUT_SECONDS"]),
    )
