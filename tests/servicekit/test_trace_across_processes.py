"""One trace: an HTTP request's span is an ancestor of the consumer's span in another process.

Both processes export their spans with OTLP/HTTP to a receiver this test runs;
the trace crosses the outbox (traceparent stored with the row), the relay,
Kafka (traceparent header) and the consumer's database transaction.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from careerstream.devstack.ports import free_port
from careerstream.devstack.pytest_plugin import TopicFactory

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
HERE = Path(__file__).parent


@dataclass(frozen=True)
class Span:
    process: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_id: str


class Receiver:
    """An OTLP/HTTP trace receiver (protobuf), collecting every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                for rs in request.resource_spans:
                    attrs = {a.key: a.value.string_value for a in rs.resource.attributes}
                    for ss in rs.scope_spans:
                        for s in ss.spans:
                            receiver.spans.append(
                                Span(
                                    attrs.get("careerstream.process", "?"),
                                    s.name,
                                    s.kind,
                                    s.trace_id.hex(),
                                    s.span_id.hex(),
                                    s.parent_span_id.hex(),
                                )
                            )
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def ancestors(self, span: Span) -> Iterator[Span]:
        by_id = {s.span_id: s for s in self.spans}
        current = by_id.get(span.parent_id)
        while current is not None:
            yield current
            current = by_id.get(current.parent_id)


SERVER, CONSUMER = 2, 5  # OTLP span kinds


async def test_http_span_is_ancestor_of_consumer_span_in_another_process(
    database_url: str, kafka_bootstrap: str, new_topic: TopicFactory
) -> None:
    topic = await new_topic("kit.trace")
    receiver = Receiver()
    port = free_port()
    base_env = dict(
        os.environ,
        PYTHONPATH=str(HERE),
        KIT_DATABASE_URL=database_url,
        KIT_KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        KIT_TOPIC=topic,
        OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url,
        OTEL_BSP_SCHEDULE_DELAY="100",
    )
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for role, extra in (
            ("api", {"KIT_HTTP_PORT": str(port)}),
            ("consumers", {"KIT_HTTP_PORT": str(free_port())}),
        ):
            env = dict(base_env, OTEL_RESOURCE_ATTRIBUTES=f"careerstream.process={role}", **extra)
            procs.append(
                subprocess.Popen(  # noqa: ASYNC220 - started once, not awaited
                    [sys.executable, str(HERE / "traced_service.py"), role],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the api process did not become ready"
                await asyncio.sleep(0.2)
            response = await client.post("/v1/hires/E1")
            assert response.status_code == 202, response.text

        deadline = time.monotonic() + 60
        consumer_spans: list[Span] = []
        while time.monotonic() < deadline:
            consumer_spans = [
                s for s in receiver.spans if s.process == "consumers" and s.kind == CONSUMER
            ]
            db_spans = [
                s for s in receiver.spans if s.process == "consumers" and "INSERT" in s.name.upper()
            ]
            if consumer_spans and db_spans:
                break
            await asyncio.sleep(0.2)
        assert consumer_spans, f"no consumer span arrived; got {receiver.spans}"

        http = [s for s in receiver.spans if s.process == "api" and s.kind == SERVER]
        assert len(http) == 1, http
        consumer = consumer_spans[0]
        assert consumer.trace_id == http[0].trace_id
        assert http[0] in list(receiver.ancestors(consumer))
        # The consumer's database work nests under its consumer span.
        assert any(consumer in list(receiver.ancestors(d)) for d in db_spans), db_spans
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        receiver.server.shutdown()
