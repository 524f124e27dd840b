"""`python -m careerstream.mobility [serve|migrate|asyncapi] [--consumers-only|--api-only]`."""

import sys

from careerstream.mobility.bootstrap import build
from careerstream.servicekit.cli import run

sys.exit(run(build))
