"""`careerstream simulate --employees N --months M --seed S`: a company living on the platform.

Drives the platform only through its public interfaces: the hris gateway
(a full export, then signed Workday-style webhooks for hires, moves and
leavers), pulse surveys as canonical events on the HRIS stream, and every
service's HTTP API (a framework, assessment cycles, plans and their progress,
check-ins and conversations, postings, applications and fills). The same seed
gives the same company and the same story. It returns what it did (`Truth`),
from which the expected figures follow.
"""

from __future__ import annotations

import argparse
import asyncio

from careerstream.devstack.config import StackConfig
from careerstream.devstack.simulation import Simulation, Truth, Urls, metrics_when_caught_up
from careerstream.devstack.stack import service_urls

__all__ = ["Simulation", "Truth", "Urls", "main"]


def main(argv: list[str]) -> int:
    """Run the simulation against the local stack (`make up`) and print its metrics."""
    parser = argparse.ArgumentParser(
        prog="careerstream simulate", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--employees", type=int, default=200)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tenant", default="acme")
    args = parser.parse_args(argv)
    cfg = StackConfig.from_env()
    urls = Urls(**service_urls(cfg))
    sim = Simulation(
        urls,
        cfg.kafka_bootstrap,
        tenant=args.tenant,
        employees=args.employees,
        months=args.months,
        seed=args.seed,
    )
    truth = asyncio.run(sim.run())
    print(asyncio.run(metrics_when_caught_up(urls, args.tenant, truth)))
    return 0
