"""Tables of the mobility service, all in the `mobility` schema of its own database."""

from careerstream.servicekit.db import service_metadata

metadata = service_metadata("mobility")
