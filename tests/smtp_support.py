"""A tiny SMTP server on 127.0.0.1, from the standard library only (smtpd left Python in 3.12):
it keeps every message it accepts, or, while `refusing`, turns every connection away with 421
as a mail server that is down for maintenance does."""

from __future__ import annotations

import contextlib
import socketserver
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage


class _Session(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        sink = self.server.sink
        if sink.refusing:
            self.reply("421 4.3.2 Service not available, try again later")
            return
        self.reply("220 sink.test ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            verb = line[:4].decode("ascii", "replace").upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink.test")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 2.1.0 OK")
            elif verb == "RCPT":
                recipients.append(line.decode().partition(":")[2].strip(" <>\r\n"))
                self.reply("250 2.1.5 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                sink.keep(recipients, self._data())
                self.reply("250 2.0.0 Queued")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:  # RSET, NOOP
                self.reply("250 2.0.0 OK")

    def _data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)  # undo dot-stuffing
        return b"".join(lines)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    sink: SmtpSink


class SmtpSink:
    def __init__(self) -> None:
        self.refusing = False
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Session)
        self._server.sink = self
        self.port = self._server.server_address[1]

    def keep(self, recipients: list[str], data: bytes) -> None:
        message = message_from_bytes(data, policy=policy.default)
        with self._lock:
            self.messages.append((recipients, message))

    def __enter__(self) -> SmtpSink:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def config(self) -> dict:
        """App settings that send through this sink."""
        return {
            "MAIL_TRANSPORT": "smtp",
            "MAIL_SMTP_HOST": "127.0.0.1",
            "MAIL_SMTP_PORT": self.port,
            "MAIL_SMTP_TLS": "none",
            "MAIL_SMTP_TIMEOUT_SECONDS": 5,
        }


class HungSmtpServer:
    """A mail server that accepts every connection and never says a word, as one whose
    process hangs does: each client waits out its own timeout. Counts the connections."""

    def __init__(self) -> None:
        import socket

        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._held: list = []
        self._lock = threading.Lock()

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._held)

    def _accept_forever(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:  # closed
                return
            with self._lock:
                self._held.append(connection)

    def __enter__(self) -> HungSmtpServer:
        threading.Thread(target=self._accept_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc) -> None:
        import socket

        with contextlib.suppress(OSError):  # wakes the accepting thread on Linux
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            for connection in self._held:
                connection.close()

    def config(self, timeout_seconds: float) -> dict:
        return {
            "MAIL_TRANSPORT": "smtp",
            "MAIL_SMTP_HOST": "127.0.0.1",
            "MAIL_SMTP_PORT": self.port,
            "MAIL_SMTP_TLS": "none",
            "MAIL_SMTP_TIMEOUT_SECONDS": timeout_seconds,
        }
