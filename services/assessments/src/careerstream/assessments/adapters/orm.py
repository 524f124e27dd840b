"""Tables of the assessments service, all in the `assessments` schema of its own database."""

from careerstream.servicekit.db import service_metadata
from careerstream.servicekit.wiring import runtime_tables

metadata = service_metadata("assessments")
outbox, outbox_lane, inbox = runtime_tables(metadata)
