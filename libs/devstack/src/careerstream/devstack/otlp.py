"""An OTLP/HTTP trace receiver for tests: every span the services export, kept in memory.

Point a process at it with ``OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url`` (and a short
``OTEL_BSP_SCHEDULE_DELAY`` so spans arrive quickly).
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

#: OTLP span kinds.
SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5


@dataclass(frozen=True)
class Span:
    process: str
    """The ``careerstream.process`` resource attribute, else ``?``."""
    service: str
    """The ``service.name`` resource attribute (``careerstream-<service>``)."""
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


class OtlpReceiver:
    """Collects the spans posted to ``{url}/v1/traces`` (protobuf, optionally gzipped)."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                got = []
                for rs in request.resource_spans:
                    res = {a.key: a.value.string_value for a in rs.resource.attributes}
                    for ss in rs.scope_spans:
                        for s in ss.spans:
                            got.append(
                                Span(
                                    res.get("careerstream.process", "?"),
                                    res.get("service.name", "?"),
                                    s.name,
                                    s.kind,
                                    s.trace_id.hex(),
                                    s.span_id.hex(),
                                    s.parent_span_id.hex(),
                                    {
                                        a.key: a.value.string_value or str(a.value.int_value)
                                        for a in s.attributes
                                    },
                                )
                            )
                with receiver._lock:
                    receiver.spans.extend(got)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def snapshot(self) -> list[Span]:
        with self._lock:
            return list(self.spans)

    def trace(self, trace_id: str) -> list[Span]:
        return [s for s in self.snapshot() if s.trace_id == trace_id]

    def ancestors(self, span: Span) -> Iterator[Span]:
        by_id = {s.span_id: s for s in self.snapshot()}
        current = by_id.get(span.parent_id)
        while current is not None:
            yield current
            current = by_id.get(current.parent_id)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
