"""`python -m careerstream.hris [serve|migrate|asyncapi] [--consumers-only|--api-only]`."""

import sys

from careerstream.hris.bootstrap import build
from careerstream.servicekit.cli import run

sys.exit(run(build))
