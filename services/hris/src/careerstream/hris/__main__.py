"""`python -m careerstream.hris [serve|migrate|asyncapi] [...]`, or `import FILE --url --token`."""

import sys

from careerstream.hris.bootstrap import build
from careerstream.servicekit.cli import run

if sys.argv[1:2] == ["import"]:
    from careerstream.hris.importer_cli import main

    sys.exit(main(sys.argv[2:]))
sys.exit(run(build))
