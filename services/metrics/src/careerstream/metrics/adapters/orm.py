"""Tables of the metrics service, all in the `metrics` schema of its own database."""

from careerstream.servicekit.db import service_metadata
from careerstream.servicekit.wiring import runtime_tables

metadata = service_metadata("metrics")
outbox, outbox_lane, inbox = runtime_tables(metadata)
