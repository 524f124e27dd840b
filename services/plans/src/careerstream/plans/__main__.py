"""`python -m careerstream.plans [serve|migrate|asyncapi] [--consumers-only|--api-only]`."""

import sys

from careerstream.plans.bootstrap import build
from careerstream.servicekit.cli import run

sys.exit(run(build))
