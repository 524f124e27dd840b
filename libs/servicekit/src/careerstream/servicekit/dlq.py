"""List a dead-letter topic and replay chosen messages to the topic they came from.

    python -m careerstream.servicekit.dlq list careerstream.hris.employee.dlq
    python -m careerstream.servicekit.dlq replay careerstream.hris.employee.dlq --at 0:12 --at 3:4
    python -m careerstream.servicekit.dlq replay careerstream.hris.employee.dlq --all --consumer assessments-people

(also `careerstream dlq ...`). The bootstrap servers come from `--bootstrap` or
`KAFKA_BOOTSTRAP_SERVERS`.

A replayed message is the original value and key, sent again to its original
topic with the original headers (minus the `x-dlq-*` ones) and an
`x-replayed-from` header. Every consumer group of that topic sees it again;
those that applied it before skip it (their inbox has its event id), the one
that dead-lettered it applies it now. Replaying twice is therefore harmless.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from careerstream.servicekit.kafka_security import KafkaSecurity

_DLQ_HEADERS = {
    "x-dlq-reason",
    "x-dlq-error",
    "x-original-topic",
    "x-original-partition",
    "x-original-offset",
    "x-consumer",
    "x-attempts",
}


@dataclass(frozen=True)
class DeadLetter:
    """One message of a dead-letter topic, with why it was dead-lettered."""

    partition: int
    offset: int
    time: str
    reason: str
    error: str
    consumer: str
    original_topic: str
    original_partition: int
    original_offset: int
    attempts: int
    event_id: str | None
    event_type: str | None
    key: str | None

    @property
    def position(self) -> str:
        """Where it sits: topic/partition@offset."""
        return f"{self.partition}:{self.offset}"


@dataclass(frozen=True)
class _Raw:
    partition: int
    offset: int
    timestamp: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


async def _read_all(bootstrap: str, topic: str, timeout: float = 10.0) -> list[_Raw]:
    """Every message of `topic` from the start to the end as of now (no consumer group)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **KafkaSecurity.from_env().aiokafka(),
    )
    await consumer.start()
    out: list[_Raw] = []
    try:
        # The consumer only knows topics it subscribed to; ask the cluster.
        cluster = await consumer._client.fetch_all_metadata()
        partitions = cluster.partitions_for_topic(topic)
        if not partitions:
            raise LookupError(f"topic {topic!r} does not exist")
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        remaining = {tp for tp in tps if ends[tp] > 0}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while remaining and loop.time() < deadline:
            for tp, records in (await consumer.getmany(*remaining, timeout_ms=500)).items():
                for r in records:
                    out.append(
                        _Raw(r.partition, r.offset, r.timestamp, r.key, r.value, tuple(r.headers))
                    )
                    if r.offset + 1 >= ends[tp]:
                        remaining.discard(tp)
    finally:
        await consumer.stop()
    return sorted(out, key=lambda r: (r.partition, r.offset))


def _describe(raw: _Raw) -> DeadLetter:
    h = {k: v.decode(errors="replace") for k, v in raw.headers}
    event_id = event_type = None
    try:
        body = json.loads(raw.value or b"")
        if isinstance(body, dict):
            event_id, event_type = body.get("id"), body.get("type")
    except ValueError:
        pass
    return DeadLetter(
        partition=raw.partition,
        offset=raw.offset,
        time=datetime.fromtimestamp(raw.timestamp / 1000, UTC).isoformat(timespec="seconds"),
        reason=h.get("x-dlq-reason", "?"),
        error=h.get("x-dlq-error", ""),
        consumer=h.get("x-consumer", "?"),
        original_topic=h.get("x-original-topic", ""),
        original_partition=int(h.get("x-original-partition", "-1")),
        original_offset=int(h.get("x-original-offset", "-1")),
        attempts=int(h.get("x-attempts", "0")),
        event_id=event_id if isinstance(event_id, str) else None,
        event_type=event_type if isinstance(event_type, str) else None,
        key=raw.key.decode(errors="replace") if raw.key is not None else None,
    )


async def list_dead_letters(bootstrap: str, topic: str) -> list[DeadLetter]:
    """The dead letters of a service's topics, oldest first."""
    return [_describe(r) for r in await _read_all(bootstrap, topic)]


async def replay(
    bootstrap: str,
    topic: str,
    *,
    at: Sequence[str] = (),
    everything: bool = False,
    consumer: str | None = None,
    reason: str | None = None,
) -> list[DeadLetter]:
    """Send the chosen dead letters back to their original topics; returns those sent.

    `at` names messages as `partition:offset`; `everything` takes all, narrowed by
    `consumer` and `reason` when given. An `at` that names no message is an error
    (nothing is sent).
    """
    if not at and not everything:
        raise ValueError("choose messages with --at PARTITION:OFFSET or --all")
    raws = await _read_all(bootstrap, topic)
    by_position = {f"{r.partition}:{r.offset}": r for r in raws}
    missing = [p for p in at if p not in by_position]
    if missing:
        raise LookupError(f"no message at {', '.join(missing)} in {topic}")
    chosen = [by_position[p] for p in at] if at else list(raws)
    letters = [(r, _describe(r)) for r in chosen]
    letters = [
        (r, d)
        for r, d in letters
        if (consumer is None or d.consumer == consumer) and (reason is None or d.reason == reason)
    ]
    unroutable = [d.position for _, d in letters if not d.original_topic]
    if unroutable:
        raise ValueError(f"no x-original-topic header on {', '.join(unroutable)}")
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=True,
        acks="all",
        **KafkaSecurity.from_env().aiokafka(),
    )
    await producer.start()
    try:
        for raw, letter in letters:
            headers = [(k, v) for k, v in raw.headers if k not in _DLQ_HEADERS]
            headers.append(("x-replayed-from", f"{topic}/{letter.position}".encode()))
            await producer.send_and_wait(
                letter.original_topic, value=raw.value, key=raw.key, headers=headers
            )
    finally:
        await producer.stop()
    return [d for _, d in letters]


def _print_table(letters: Sequence[DeadLetter]) -> None:
    if not letters:
        print("no dead letters")
        return
    print(f"{'at':<10} {'time':<26} {'consumer':<24} {'reason':<18} {'from':<40} error")
    for d in letters:
        origin = f"{d.original_topic}/{d.original_partition}@{d.original_offset}"
        error = d.error.splitlines()[0][:80] if d.error else ""
        print(f"{d.position:<10} {d.time:<26} {d.consumer:<24} {d.reason:<18} {origin:<40} {error}")
    print(f"{len(letters)} dead letter(s)")


def main(argv: list[str] | None = None, *, default_bootstrap: str = "127.0.0.1:19092") -> int:
    """The `dlq` command: list dead letters, or replay chosen ones."""
    parser = argparse.ArgumentParser(prog="careerstream dlq", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--bootstrap",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", default_bootstrap),
        help="Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS or the local stack)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ls = sub.add_parser("list", help="show every message of a dead-letter topic")
    ls.add_argument("topic", help="the dead-letter topic, e.g. careerstream.hris.employee.dlq")
    ls.add_argument("--json", action="store_true", help="one JSON object per line")
    rp = sub.add_parser("replay", help="send dead letters back to their original topic")
    rp.add_argument("topic")
    rp.add_argument("--at", action="append", default=[], metavar="PARTITION:OFFSET")
    rp.add_argument("--all", action="store_true", help="every message (narrow with the options)")
    rp.add_argument("--consumer", help="only those dead-lettered by this consumer")
    rp.add_argument("--reason", help="only those with this reason (e.g. handler-error)")
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            letters = asyncio.run(list_dead_letters(args.bootstrap, args.topic))
            if args.json:
                for d in letters:
                    print(json.dumps(asdict(d)))
            else:
                _print_table(letters)
            return 0
        sent = asyncio.run(
            replay(
                args.bootstrap,
                args.topic,
                at=args.at,
                everything=args.all,
                consumer=args.consumer,
                reason=args.reason,
            )
        )
    except (LookupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for d in sent:
        print(f"replayed {d.position} -> {d.original_topic} (event {d.event_id})")
    print(f"{len(sent)} message(s) replayed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
