"""`python -m careerstream.hris import FILE --url URL --token TOKEN`: upload a full export, draw its progress."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m careerstream.hris import", description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument(
        "--url", default="http://127.0.0.1:8106", help="the gateway (default: the local stack's)"
    )
    parser.add_argument("--token", required=True, help="an hr_admin bearer token")
    args = parser.parse_args(argv)
    ctype = "application/json" if args.file.suffix.lower() == ".json" else "text/csv"
    headers = {"Authorization": f"Bearer {args.token}"}
    with httpx.Client(base_url=args.url, headers=headers, timeout=120) as client:
        resp = client.post(
            "/v1/imports", content=args.file.read_bytes(), headers={"Content-Type": ctype}
        )
        if resp.status_code == 422:
            body = resp.json()
            print(f"{args.file}: refused, nothing was imported", file=sys.stderr)
            for e in body.get("errors", []):
                print(f"  line {e['line']}: {e['message']}", file=sys.stderr)
            return 1
        resp.raise_for_status()
        import_id = resp.json()["import_id"]
        while True:
            state = client.get(f"/v1/imports/{import_id}").json()
            total = max(1, state["total"])
            pct = 100 * state["done"] / total
            sys.stdout.write(
                f"\r[{'#' * int(pct / 4):<25}] {pct:5.1f}%  {state['done']:,}/{state['total']:,}  {state['status']}"
            )
            sys.stdout.flush()
            if state["status"] == "done":
                print()
                print(
                    ", ".join(f"{k} {v:,}" for k, v in sorted(state["counts"].items()))
                    or "nothing to do"
                )
                return 0
            time.sleep(0.5)
