"""servicekit's tests import their harness (`harness.py`, beside them) as a top-level module,
as the processes they spawn do."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
