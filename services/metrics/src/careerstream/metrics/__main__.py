"""`python -m careerstream.metrics [serve|migrate|asyncapi] [--consumers-only|--api-only]`."""

import sys

from careerstream.metrics.bootstrap import build
from careerstream.servicekit.cli import run

sys.exit(run(build))
