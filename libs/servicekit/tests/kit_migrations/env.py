import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness, beside these migrations

from harness import metadata  # type: ignore[import-not-found]

from careerstream.servicekit.migrations import run_env

run_env(metadata)
