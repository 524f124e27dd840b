"""Tables of the frameworks service, all in the `frameworks` schema of its own database."""

from careerstream.servicekit.db import service_metadata

metadata = service_metadata("frameworks")
