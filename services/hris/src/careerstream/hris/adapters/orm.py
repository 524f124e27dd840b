"""Tables of the hris service, all in the `hris` schema of its own database."""

from careerstream.servicekit.db import service_metadata
from careerstream.servicekit.wiring import runtime_tables

metadata = service_metadata("hris")
outbox, outbox_lane, inbox = runtime_tables(metadata)
