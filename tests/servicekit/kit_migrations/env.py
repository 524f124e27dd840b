from harness import metadata  # type: ignore[import-not-found]

from careerstream.servicekit.migrations import run_env

run_env(metadata)
