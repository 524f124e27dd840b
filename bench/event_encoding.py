"""Making a new event's Kafka message value: `new_message` against `encode(make_event(...))`,
timed in the same run over an `employee.hired` payload (every publish makes one).

    uv run python -m bench.event_encoding
"""

from __future__ import annotations

import argparse
import timeit
from datetime import UTC, datetime

from careerstream.contracts.envelope import encode, make_event, new_message
from careerstream.contracts.examples import EXAMPLES


def main(runs: int, n: int) -> None:
    payload = EXAMPLES["careerstream.hris.employee.hired.v1"]
    now = datetime.now(UTC)
    source = "/careerstream/bench"

    def old() -> bytes:
        return encode(make_event(payload, tenant_id="acme", source=source, time=now))

    def new() -> bytes:
        return new_message(payload, tenant_id="acme", source=source, time=now).value

    for run in range(1, runs + 1):
        a = timeit.timeit(old, number=n) / n * 1e6
        b = timeit.timeit(new, number=n) / n * 1e6
        print(
            f"run {run}: encode(make_event) {a:5.1f} us  new_message {b:5.1f} us  ratio {b / a:.2f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    main(args.runs, args.events)
