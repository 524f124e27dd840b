"""`python -m careerstream.frameworks [serve|migrate|asyncapi] [--consumers-only|--api-only]`."""

import sys

from careerstream.frameworks.bootstrap import build
from careerstream.servicekit.cli import run

sys.exit(run(build))
