"""Tables of the mobility service, all in the `mobility` schema of its own database."""

from careerstream.servicekit.db import service_metadata
from careerstream.servicekit.wiring import runtime_tables

metadata = service_metadata("mobility")
outbox, outbox_lane, inbox = runtime_tables(metadata)
