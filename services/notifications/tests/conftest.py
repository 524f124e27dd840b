"""What the notifications tests share: a real SMTP server, a real webhook receiver, and a
producer of the platform's events on the real Kafka."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from careerstream.contracts.base import EventPayload
from careerstream.contracts.envelope import encode, make_event
from careerstream.contracts.events.hris import EmployeeHired, EmploymentDetails
from careerstream.devstack.mailsink import MailSink


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


@dataclass
class Receiver:
    """An HTTP server that records each POST and answers `status`."""

    status: int = 200
    posts: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
def webhook() -> Iterator[Receiver]:
    rec = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            rec.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(rec.status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        server.shutdown()


Send = Callable[..., Any]


@pytest.fixture
async def send(kafka_bootstrap: str, platform_topics: list[str]) -> AsyncIterator[Send]:
    """`await send(tenant, payload, ...)`: publish events as their owning services do."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()

    async def publish(tenant: str, *payloads: EventPayload, same_id: str | None = None) -> None:
        for payload in payloads:
            ev = make_event(payload, tenant_id=tenant, source="/careerstream/test")
            if same_id is not None:
                ev = ev.model_copy(update={"id": same_id})
            await producer.send_and_wait(payload.topic, encode(ev), key=ev.key.encode())

    try:
        yield publish
    finally:
        await producer.stop()


def hired(emp: str, manager: str | None = None, tenant: str = "acme") -> EmployeeHired:
    return EmployeeHired(
        employee_id=emp,
        effective_date=date(2026, 1, 1),
        recorded_at=datetime.now(UTC),
        display_name=f"Person {emp}",
        details=EmploymentDetails(
            role_id="r1", manager_id=manager, work_email=f"{emp.lower()}@{tenant}.example"
        ),
    )


def tenant_id() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


async def until(check: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    """Poll `check` (sync or async) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout}s (last: {last!r})")


def as_json(body: bytes) -> Any:
    return json.loads(body)
