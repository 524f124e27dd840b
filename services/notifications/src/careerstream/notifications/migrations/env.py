from careerstream.notifications.adapters.orm import metadata
from careerstream.servicekit.migrations import run_env

run_env(metadata)
