"""Authorization matrices: every route that takes a person's object, asked by everyone around
that person, each answer compared with the documented rule.

The actors around a person E: E themselves, a peer (same manager, no say over E), E's
manager, E's skip-level manager, HR of E's tenant, and HR of another tenant. A test lists
one `Cell` per route with the status each actor must get; `check` asks in an order that
keeps the object's state meaningful (every refusal first, then the allowed actors in the
order given) and returns every mismatch, so one run shows the whole matrix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

ACTORS = ("self", "peer", "manager", "skip_level", "hr", "other_tenant_hr")
Expect = int | tuple[int, ...]


@dataclass(frozen=True)
class Cell:
    method: str
    url: str
    expect: Mapping[str, Expect]
    """Actor -> the status (or statuses) they must get; every actor must be named."""
    body: Any = None
    allowed_order: tuple[str, ...] = field(default=())
    """The order of the allowed actors when it matters (the first changes the state)."""


def _statuses(e: Expect) -> tuple[int, ...]:
    return e if isinstance(e, tuple) else (e,)


async def check(
    client: httpx.AsyncClient, headers: Mapping[str, dict[str, str]], cells: list[Cell]
) -> list[str]:
    """Every answer that differs from the matrix, as readable lines."""
    mismatches = []
    for cell in cells:
        missing = set(ACTORS) - set(cell.expect)
        assert not missing, f"{cell.method} {cell.url}: no expectation for {sorted(missing)}"
        # Refusals that do not depend on the state first; then the actors whose success
        # changes it, in order; then everyone else (who may now get a 409).
        first = [
            a
            for a in ACTORS
            if a not in cell.allowed_order
            and min(_statuses(cell.expect[a])) >= 400
            and 409 not in _statuses(cell.expect[a])
        ]
        rest = [a for a in ACTORS if a not in first and a not in cell.allowed_order]
        for actor in [*first, *cell.allowed_order, *rest]:
            want = _statuses(cell.expect[actor])
            kwargs: dict[str, Any] = {"headers": headers[actor]}
            if cell.body is not None:
                kwargs["json"] = cell.body
            resp = await client.request(cell.method, cell.url, **kwargs)
            if resp.status_code not in want:
                mismatches.append(
                    f"{cell.method} {cell.url} as {actor}: {resp.status_code}, "
                    f"expected {' or '.join(map(str, want))}: {resp.text[:160]}"
                )
            elif resp.status_code >= 400 and not resp.headers.get("content-type", "").startswith(
                "application/problem+json"
            ):
                mismatches.append(f"{cell.method} {cell.url} as {actor}: not problem+json")
    return mismatches
