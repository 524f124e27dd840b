"""`careerstream`: run the platform locally.

careerstream up       start Kafka, PostgreSQL, topics, databases and every service
careerstream down     stop all of it (data stays in .local/)
careerstream status   what runs
careerstream infra    only Kafka and PostgreSQL (what the tests need)
careerstream contracts  regenerate contracts/schemas, contracts/asyncapi and contracts/openapi
careerstream simulate --employees N --months M --seed S   a company living on the running platform
careerstream revision SERVICE "message"  write a service's next migration from its models
careerstream mail [N] [--to ADDRESS]   the messages the local stack sent (N: show one)
careerstream dlq list|replay TOPIC ...  inspect and replay a dead-letter topic
                      (see `careerstream dlq --help`)
"""

from __future__ import annotations

import argparse
import sys

from careerstream.devstack import stack
from careerstream.devstack.config import StackConfig, repo_root
from careerstream.devstack.procs import StackError


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "simulate":
        from careerstream.devstack import simulate

        return simulate.main(argv[1:])
    if argv and argv[0] == "revision":
        if len(argv) != 3:
            print('usage: careerstream revision SERVICE "what changed"', file=sys.stderr)
            return 2
        from careerstream.devstack import revision

        return revision.main(argv[1], argv[2])
    if argv and argv[0] == "mail":
        return mail(argv[1:])
    if argv and argv[0] == "dlq":
        from careerstream.servicekit import dlq

        return dlq.main(argv[1:], default_bootstrap=StackConfig.from_env().kafka_bootstrap)
    parser = argparse.ArgumentParser(
        prog="careerstream",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["up", "down", "status", "infra", "contracts"])
    parser.add_argument(
        "--test-stack",
        action="store_true",
        help="act on the stack the test suite uses (other ports)",
    )
    args = parser.parse_args(argv)
    cfg = StackConfig.for_tests() if args.test_stack else StackConfig.from_env()
    try:
        if args.command == "up":
            stack.up(cfg)
        elif args.command == "down":
            stack.down(cfg)
        elif args.command == "contracts":
            from careerstream.contracts import schemagen
            from careerstream.devstack import asyncapi, chart, docs, openapi, released_migrations

            if schemagen.main([]) != 0:
                return 1
            left = released_migrations.record(repo_root(), released_migrations.LOCK)
            for problem in left:
                print(f"careerstream contracts: {problem}", file=sys.stderr)
            if left:
                return 1
            for path in [*asyncapi.write_all(), *openapi.write_all(), docs.write(), chart.write()]:
                print(f"wrote {path}")
        elif args.command == "status":
            stack.status(cfg)
        else:
            ep = stack.start_infrastructure(cfg, durable=not args.test_stack)
            print(f"KAFKA_BOOTSTRAP_SERVERS={ep.kafka_bootstrap}")
            print(f"DATABASE_URL={ep.admin_database_url}")
    except StackError as exc:
        print(f"careerstream {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


def mail(argv: list[str]) -> int:
    """List the local mailbox, or show message N (1 = the oldest)."""
    from careerstream.devstack.mailsink import read_maildir

    parser = argparse.ArgumentParser(prog="careerstream mail")
    parser.add_argument("number", nargs="?", type=int, help="show this message (1 = oldest)")
    parser.add_argument("--to", help="only messages to this address")
    parser.add_argument("--test-stack", action="store_true")
    args = parser.parse_args(argv)
    cfg = StackConfig.for_tests() if args.test_stack else StackConfig.from_env()
    messages = [
        m for _, m in read_maildir(cfg.home / "mail") if not args.to or args.to in str(m["To"])
    ]
    if args.number is not None:
        if not 1 <= args.number <= len(messages):
            print(f"no message {args.number}: the mailbox holds {len(messages)}", file=sys.stderr)
            return 1
        msg = messages[args.number - 1]
        for header in ("Date", "From", "To", "Subject", "Message-ID"):
            print(f"{header}: {msg[header]}")
        print()
        body = msg.get_body(preferencelist=("plain",))
        print(body.get_content() if body is not None else "(no plain-text part)")
        return 0
    for i, msg in enumerate(messages, start=1):
        print(f"{i:>5}  {msg['Date']}  {msg['To']!s:<40}  {msg['Subject']}")
    print(f"{len(messages)} message(s) in {cfg.home / 'mail'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
