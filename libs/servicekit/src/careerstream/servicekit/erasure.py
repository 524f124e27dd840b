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

The same rules say what a subject access export holds (`export_router`): the
rows a rule erases as the person's own are exported whole; rows that only
mention them are counted (they are someone else's data).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path, Request

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


# -- subject access export ---------------------------------------------------------------


def _owns(rule: Rule) -> bool:
    """Rows that are the person's own records (exported whole), not mentions of them."""
    if isinstance(rule, Forget):
        return True
    return isinstance(rule, Pseudonymise) and rule.column == "employee_id"


def _jsonable(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


async def export_rows(
    uow: UnitOfWork, schema: str, rules: Sequence[Rule], tenant: str, employee_id: str
) -> dict[str, Any]:
    """Everything this service holds about a person, by the same rules that erase it.

    Their own records (what erasure deletes, or keeps under a pseudonym as their facts)
    are exported row by row; rows that only mention them (a check-in they held as someone
    else's manager) are counted, not shown: those rows are another person's data.
    """
    params = {"tenant": tenant, "employee": employee_id}
    records: dict[str, list[dict[str, Any]]] = {}
    mentions: dict[str, int] = {}
    for rule in rules:
        table = _fq(schema, rule.table)
        if isinstance(rule, Scrub):
            cond = rule.where
        elif isinstance(rule, Forget):
            cond = rule.where or f'"{rule.column}" = :employee'
        else:
            cond = f'"{rule.column}" = :employee'
        if _owns(rule):
            result = await uow.session.execute(
                sa.text(f"SELECT * FROM {table} WHERE tenant_id = :tenant AND ({cond})"), params
            )
            rows = [
                {k: _jsonable(v) for k, v in row._mapping.items() if k != "tenant_id"}
                for row in result
            ]
            if rows:
                records.setdefault(rule.table, []).extend(rows)
        else:
            n = await uow.session.scalar(
                sa.text(f"SELECT count(*) FROM {table} WHERE tenant_id = :tenant AND ({cond})"),
                params,
            )
            if n:
                key = f"{rule.table}.{getattr(rule, 'column', 'rows')}"
                mentions[key] = mentions.get(key, 0) + int(n)
    return {"records": records, "mentioned_in": mentions}


def export_router(schema: str, rules: Sequence[Rule]) -> APIRouter:
    """`GET /v1/privacy/export/{employee_id}`: this service's part of a subject access export,
    for the privacy service only (a token signed with the services' secret, role `service`)."""
    from careerstream.servicekit.auth import AuthError, Role, TokenVerifier
    from careerstream.servicekit.auth import AuthSettings as _AuthSettings
    from careerstream.servicekit.keys import AUDIENCE, ISSUER, PrivacySettings
    from careerstream.servicekit.problems import Problem

    router = APIRouter(prefix="/v1/privacy", tags=["privacy"])
    verifier = TokenVerifier(
        _AuthSettings(
            hs256_secret=PrivacySettings().secret, issuer=ISSUER, audience=AUDIENCE, jwks_url=None
        )
    )

    @router.get(
        "/export/{employee_id}",
        summary="What this service holds about a person (the privacy service only)",
    )
    async def export(
        request: Request,
        employee_id: Annotated[
            str, Path(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")
        ],
    ) -> dict[str, Any]:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            raise Problem(401, "Authentication required", "send the privacy service's token")
        try:
            principal = verifier.verify(header[7:])
        except AuthError as exc:
            raise Problem(401, "Invalid token", str(exc)) from exc
        if not principal.has(Role.SERVICE):
            raise Problem(403, "Forbidden", "exports are assembled by the privacy service")
        async with request.app.state.uow() as uow:
            return await export_rows(uow, schema, rules, principal.tenant_id, employee_id)

    return router
