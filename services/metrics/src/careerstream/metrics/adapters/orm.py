"""Tables of the metrics service, all in the `metrics` schema of its own database."""

from careerstream.servicekit.db import service_metadata

metadata = service_metadata("metrics")
