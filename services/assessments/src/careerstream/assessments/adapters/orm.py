"""Tables of the assessments service, all in the `assessments` schema of its own database."""

from careerstream.servicekit.db import service_metadata

metadata = service_metadata("assessments")
