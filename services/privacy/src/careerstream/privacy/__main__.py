"""`python -m careerstream.privacy [serve|migrate|asyncapi] [...]`, or `rewrap` (master-key rotation)."""

import sys

from careerstream.privacy.bootstrap import build
from careerstream.servicekit.cli import run

if sys.argv[1:2] == ["rewrap"]:
    from careerstream.privacy.rewrap_cli import main

    sys.exit(main(sys.argv[2:]))
sys.exit(run(build))
