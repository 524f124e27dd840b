"""Tables of the plans service, all in the `plans` schema of its own database."""

from careerstream.servicekit.db import service_metadata

metadata = service_metadata("plans")
