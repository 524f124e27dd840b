"""Taking part in an erasure: delete or anonymise what this service holds about a person.

The privacy service publishes `erasure.requested`; each service's erasure
consumer applies its rules in one transaction and answers `erasure.answered`
through the outbox (so an erasure is never half-done, and a service that was
down answers when it comes back: its consumer group resumes where it stopped).

Rules, in order, each on one table of the service's schema:

- `Forget(table, column)`: delete the rows where `column` is the person
  (their own records: assessments, plans, notes, applications, directory row);
  `where` narrows or replaces the condition (children of the person's records);
- `Pseudonymise(table, column, clear=...)`: rows kept for others or for aggregates
  (a check-in the person held as a manager, a metrics fact) get a pseudonym in
  `column` and lose `clear` (free text). The pseudonym is random, the same
  within one erasure in one service (joins still add up), and unrelated to
  the id: nothing ties it back to the person.

Every service also drops idempotency records whose stored response names the
person, and forgets the person's cached data key.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.privacy import ErasureAnswered, ErasureRequested
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.keys import process_key_client
from careerstream.servicekit.uow import UnitOfWork, UowFactory


@dataclass(frozen=True)
class Forget:
    """Delete the rows of `table` about the person."""

    table: str
    column: str = "employee_id"
    where: str | None = None
    """SQL condition instead of `column = :employee` (`:employee`, `:tenant` are bound)."""


@dataclass(frozen=True)
class Pseudonymise:
    """Keep the rows of `table` that name the person in `column`, under a pseudonym."""

    table: str
    column: str
    clear: tuple[str, ...] = ()
    """Columns set to NULL (free text the person wrote or that describes them)."""


@dataclass(frozen=True)
class Scrub:
    """Rewrite rows of `table` that hold the person among others' data (e.g. an import's rows)."""

    table: str
    set: str
    """SQL assignments (`:employee`, `:tenant` are bound)."""
    where: str


Rule = Forget | Pseudonymise | Scrub


def pseudonym() -> str:
    return "erased-" + secrets.token_hex(8)


def _fq(schema: str, table: str) -> str:
    return f'"{schema}"."{table}"' if schema else f'"{table}"'


async def apply_rules(
    uow: UnitOfWork, schema: str, rules: Sequence[Rule], tenant: str, employee_id: str
) -> tuple[dict[str, int], dict[str, int]]:
    """Apply `rules` for one person; returns rows deleted and anonymised, by table."""
    deleted: dict[str, int] = {}
    anonymised: dict[str, int] = {}
    alias = pseudonym()
    params = {"tenant": tenant, "employee": employee_id, "alias": alias}
    for rule in rules:
        table = _fq(schema, rule.table)
        if isinstance(rule, Forget):
            cond = rule.where or f'"{rule.column}" = :employee'
            result = await uow.session.execute(
                sa.text(f"DELETE FROM {table} WHERE tenant_id = :tenant AND ({cond})"), params
            )
            deleted[rule.table] = deleted.get(rule.table, 0) + int(result.rowcount or 0)  # type: ignore[attr-defined]
        elif isinstance(rule, Scrub):
            result = await uow.session.execute(
                sa.text(
                    f"UPDATE {table} SET {rule.set} WHERE tenant_id = :tenant AND ({rule.where})"
                ),
                params,
            )
            anonymised[rule.table] = anonymised.get(rule.table, 0) + int(result.rowcount or 0)  # type: ignore[attr-defined]
        else:
            sets = [f'"{rule.column}" = :alias', *(f'"{c}" = NULL' for c in rule.clear)]
            result = await uow.session.execute(
                sa.text(
                    f"UPDATE {table} SET {', '.join(sets)} "
                    f'WHERE tenant_id = :tenant AND "{rule.column}" = :employee'
                ),
                params,
            )
            anonymised[rule.table] = anonymised.get(rule.table, 0) + int(result.rowcount or 0)  # type: ignore[attr-defined]
    needle = json.dumps(employee_id).encode()
    result = await uow.session.execute(
        sa.text(f"DELETE FROM {_fq(schema, 'idempotency')} WHERE position(:needle IN body) > 0"),
        {"needle": needle},
    )
    deleted["idempotency"] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    return (
        {k: v for k, v in deleted.items() if v},
        {k: v for k, v in anonymised.items() if v},
    )


def people_rules(table: str = "employees") -> list[Rule]:
    """The rules for a service's people directory (servicekit's `people_table`)."""
    return [
        Pseudonymise(table, "manager_id"),
        Forget(table),
    ]


def erasure_consumer(
    service: str, uow_factory: UowFactory, schema: str, rules: Sequence[Rule]
) -> EventConsumer:
    """The consumer that erases a person from this service and answers for it."""

    async def on_requested(uow: UnitOfWork, envelope: Envelope, req: ErasureRequested) -> None:
        process_key_client().forget(envelope.tenantid, req.employee_id)
        deleted, anonymised = await apply_rules(
            uow, schema, rules, envelope.tenantid, req.employee_id
        )
        uow.publish(
            ErasureAnswered(
                erasure_id=req.erasure_id,
                employee_id=req.employee_id,
                service=service,
                deleted=deleted,
                anonymised=anonymised,
                answered_at=datetime.now(UTC),
            ),
            tenant_id=envelope.tenantid,
        )

    return EventConsumer(f"{service}-erasure", uow_factory, {ErasureRequested: on_requested})
