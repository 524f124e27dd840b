"""Tables of the hris service, all in the `hris` schema of its own database."""

from careerstream.servicekit.db import service_metadata

metadata = service_metadata("hris")
