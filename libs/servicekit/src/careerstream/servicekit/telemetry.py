"""Tracing and logs: one W3C trace from an HTTP request to the consumers of its events.

- HTTP requests get a server span (FastAPI instrumentation), database statements
  get client spans (SQLAlchemy instrumentation).
- `uow.publish` stores the current `traceparent` with the outbox row; the relay
  sends it as a Kafka header; the FastStream `KafkaTelemetryMiddleware` of the
  consuming service continues the trace in its consumer span, under which the
  handler's database spans nest.
- Spans are exported with OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
  `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; otherwise trace context is still
  propagated and logged, and nothing is exported.
- Logs are JSON lines with the trace and span ids of the current span
  (`CAREERSTREAM_LOG_FORMAT=text` for plain lines).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from sqlalchemy.ext.asyncio import AsyncEngine

_configured: dict[str, TracerProvider] = {}
_exporting: list[bool] = []


def otlp_endpoint_set() -> bool:
    """Whether traces are to be exported (an OTLP endpoint is configured)."""
    return bool(
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def setup_tracing(service_name: str) -> TracerProvider:
    """Install the process's tracer provider once (the first service to ask names it)."""
    if "provider" in _configured:
        return _configured["provider"]
    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": f"careerstream-{service_name}", "service.namespace": "careerstream"}
        )
    )
    _exporting[:] = [otlp_endpoint_set()]
    if otlp_endpoint_set():
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _configured["provider"] = provider
    return provider


def exporting() -> bool:
    """Whether this process exports its spans (else only trace context is propagated and logged)."""
    return bool(_exporting and _exporting[0])


def trace_engine(engine: AsyncEngine) -> None:
    """Database client spans for every statement of `engine` (under the current span)."""
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    meter = metrics.get_meter("careerstream.servicekit.db")
    usage = meter.create_up_down_counter(
        "db.client.connections.usage", unit="connections", description="Connections by state"
    )
    EngineTracer(trace.get_tracer("careerstream.servicekit.db"), engine.sync_engine, usage)  # type: ignore[no-untyped-call]


def flush_tracing(timeout_ms: int = 5000) -> None:
    """Export the spans still buffered."""
    provider = _configured.get("provider")
    if provider is not None:
        provider.force_flush(timeout_ms)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the trace of the current span."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        """One JSON line per log record, with its trace and span ids."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            entry["trace_id"] = format(ctx.trace_id, "032x")
            entry["span_id"] = format(ctx.span_id, "016x")
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def setup_logging(service_name: str, level: str | None = None) -> None:
    """Root logging to stderr: JSON lines (default) or text (`CAREERSTREAM_LOG_FORMAT=text`)."""
    handler = logging.StreamHandler(sys.stderr)
    if os.environ.get("CAREERSTREAM_LOG_FORMAT", "json") == "text":
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(JsonFormatter(service_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or os.environ.get("CAREERSTREAM_LOG_LEVEL", "INFO"))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "faststream", "aiokafka"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
