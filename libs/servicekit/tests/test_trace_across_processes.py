"""One trace: an HTTP request's span is an ancestor of the consumer's span in another process.

Both processes export their spans with OTLP/HTTP to a receiver this test runs;
the trace crosses the outbox (traceparent stored with the row), the relay,
Kafka (traceparent header) and the consumer's database transaction.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from careerstream.devstack.otlp import CONSUMER, SERVER, OtlpReceiver, Span
from careerstream.devstack.ports import free_port
from careerstream.devstack.pytest_plugin import TopicFactory

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
HERE = Path(__file__).parent


async def test_http_span_is_ancestor_of_consumer_span_in_another_process(
    database_url: str, kafka_bootstrap: str, new_topic: TopicFactory, tmp_path: Path
) -> None:
    topic = await new_topic("kit.trace")
    receiver = OtlpReceiver()
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
    logs = {role: tmp_path / f"{role}.log" for role in ("api", "consumers")}
    ports = {"api": port, "consumers": free_port()}

    def output() -> str:
        return "\n".join(f"--- {r}:\n{f.read_text()[-3000:]}" for r, f in logs.items())

    try:
        for role in ("api", "consumers"):
            env = dict(
                base_env,
                OTEL_RESOURCE_ATTRIBUTES=f"careerstream.process={role}",
                KIT_HTTP_PORT=str(ports[role]),
            )
            procs.append(
                subprocess.Popen(  # noqa: ASYNC220 - started once, not awaited
                    [sys.executable, str(HERE / "traced_service.py"), role],
                    env=env,
                    stdout=logs[role].open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
        # Both processes ready (the consumers too: the test asserts on their spans).
        for role, proc in zip(("api", "consumers"), procs, strict=True):
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports[role]}") as probe:
                deadline = time.monotonic() + 90
                while True:
                    assert proc.poll() is None, f"the {role} process exited:\n{output()}"
                    try:
                        if (await probe.get("/readyz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    assert time.monotonic() < deadline, f"{role} not ready:\n{output()}"
                    await asyncio.sleep(0.2)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
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
        assert consumer_spans, f"no consumer span arrived; got {receiver.spans}\n{output()}"

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
        receiver.close()
