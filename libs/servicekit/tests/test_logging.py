"""JSON log lines carry the trace and span of the current span."""

from __future__ import annotations

import json
import logging

from opentelemetry.sdk.trace import TracerProvider

from careerstream.servicekit.telemetry import JsonFormatter


def _record(msg: str, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("bad")
        except ValueError:
            import sys

            exc_info = sys.exc_info()
    return logging.LogRecord("careerstream.test", logging.INFO, __file__, 1, msg, (), exc_info)


def test_json_lines_have_trace_ids_inside_a_span() -> None:
    formatter = JsonFormatter("plans")
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("work") as span:
        line = json.loads(formatter.format(_record("applied %s")))
        ctx = span.get_span_context()
    assert line["service"] == "plans"
    assert line["level"] == "info"
    assert line["message"] == "applied %s"
    assert line["trace_id"] == format(ctx.trace_id, "032x")
    assert line["span_id"] == format(ctx.span_id, "016x")


def test_json_lines_outside_a_span_have_no_trace_and_keep_errors() -> None:
    line = json.loads(JsonFormatter("plans").format(_record("failed", exc=True)))
    assert "trace_id" not in line
    assert "ValueError: bad" in line["error"]
