"""Tables of the frameworks service, all in the `frameworks` schema of its own database."""

from careerstream.servicekit.db import service_metadata
from careerstream.servicekit.wiring import runtime_tables

metadata = service_metadata("frameworks")
outbox, outbox_lane, inbox = runtime_tables(metadata)
