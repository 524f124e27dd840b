"""`python -m careerstream.assessments [serve|migrate|asyncapi] [--consumers-only|--api-only]`."""

import sys

from careerstream.assessments.bootstrap import build
from careerstream.servicekit.cli import run

sys.exit(run(build))
