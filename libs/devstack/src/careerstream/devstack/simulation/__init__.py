"""A company living on the platform, driven only through its public interfaces.

- `client`: calls that ride out restarts, tokens, signed HRIS webhooks;
- `company`: the people of a company of N, and what the story did (`Truth`);
- `story`: the months of the story, step by step (`Simulation`);
- `summary`: the tenant's metrics in a few lines.

`careerstream simulate` (`devstack.simulate`) is its command line.
"""

from careerstream.devstack.simulation.client import Urls
from careerstream.devstack.simulation.company import Person, Truth
from careerstream.devstack.simulation.story import Simulation
from careerstream.devstack.simulation.summary import metrics_summary, metrics_when_caught_up

__all__ = [
    "Person",
    "Simulation",
    "Truth",
    "Urls",
    "metrics_summary",
    "metrics_when_caught_up",
]
