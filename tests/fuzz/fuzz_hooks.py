"""Schemathesis hooks of the fuzz run (loaded through SCHEMATHESIS_HOOKS).

A ZIP body (the skills library's ESCO import) is bytes: generated as Schemathesis
generates `application/octet-stream` bodies, which the route must refuse with a 4xx."""

import schemathesis

schemathesis.serializer.alias("application/zip", "application/octet-stream")
