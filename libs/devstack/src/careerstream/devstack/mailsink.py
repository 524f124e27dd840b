"""A local SMTP server that keeps every message it accepts: the mailbox of the local stack and
of the tests.

`make up` runs it as a process (`python -m careerstream.devstack.mailsink`), writing each
message into a Maildir under `.local/stack/mail`; `careerstream mail` lists and shows them.
Tests run it in-process (`MailSink`), read what arrived, and make it fail on purpose
(`fail_next`, `failing`) to see retries and the dead-letter list.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import mailbox
import signal
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class Received:
    to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"] or "")

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


@dataclass
class _Handler:
    maildir: Path | None = None
    received: list[Received] = field(default_factory=list)
    fail_next: int = 0
    """Answer the next n messages with a temporary failure (451)."""
    failing: bool = False
    """Answer every message with a temporary failure while set."""
    refuse: set[str] = field(default_factory=set)
    """Addresses answered with a permanent failure (550)."""

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.failing:
            return "451 4.3.0 try again later"
        if self.fail_next > 0:
            self.fail_next -= 1
            return "451 4.3.0 try again later"
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else raw.encode()
        msg = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.received.append(Received([str(t) for t in envelope.rcpt_tos], msg))
        if self.maildir is not None:
            mailbox.Maildir(self.maildir, create=True).add(data)
        return "250 OK: queued"


class MailSink:
    """An SMTP server on 127.0.0.1 that keeps what it accepts (see the module)."""

    def __init__(self, port: int = 0, maildir: Path | None = None) -> None:
        if maildir is not None:
            maildir.parent.mkdir(parents=True, exist_ok=True)
            mailbox.Maildir(maildir, create=True)
        self.handler = _Handler(maildir=maildir)
        self._controller = Controller(
            self.handler, hostname="127.0.0.1", port=port or _free_port(), enable_SMTPUTF8=True
        )

    @property
    def port(self) -> int:
        return int(self._controller.port)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.to]

    def start(self) -> MailSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def read_maildir(path: Path) -> list[tuple[str, EmailMessage]]:
    """(key, message) of every message in the Maildir at `path`, oldest first."""
    if not path.exists():
        return []
    box = mailbox.Maildir(path, create=False)
    items: list[tuple[float, str, EmailMessage]] = []
    for key in box.iterkeys():
        delivered = box.get_message(key).get_date()
        msg = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        items.append((delivered, key, msg))
    return [(key, msg) for _, key, msg in sorted(items, key=lambda t: (t[0], t[1]))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="a local SMTP sink that keeps every message")
    parser.add_argument("--port", type=int, default=11025)
    parser.add_argument("--maildir", type=Path, required=True)
    args = parser.parse_args(argv)
    sink = MailSink(args.port, args.maildir)
    sink.start()
    print(f"mail sink on 127.0.0.1:{sink.port}, keeping messages in {args.maildir}", flush=True)

    async def wait() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()

    try:
        asyncio.run(wait())
    finally:
        sink.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
