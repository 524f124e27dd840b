"""Tables of the plans service, all in the `plans` schema of its own database."""

from careerstream.servicekit.db import service_metadata
from careerstream.servicekit.wiring import runtime_tables

metadata = service_metadata("plans")
outbox, outbox_lane, inbox = runtime_tables(metadata)
