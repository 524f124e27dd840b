"""`python -m careerstream.notifications [serve|migrate|asyncapi] [...]`."""

import sys

from careerstream.notifications.bootstrap import build
from careerstream.servicekit.cli import run

sys.exit(run(build))
