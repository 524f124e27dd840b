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

Erasure is final (`ErasureGuard`): each service remembers whom it erased (a
keyed hash of the id, and the pseudonym it gave), and whatever arrives about
them later — an event still in flight on a consumer group that lags, one
redelivered, or every event again when a projection is rebuilt from the topics
— is erased on arrival: events about the person are skipped, mentions of them in
others' events are read as the pseudonym, and the rules run again for it. A
service that keeps facts for aggregates (metrics) applies events about the person
under the pseudonym instead, so a rebuild computes the same figures.

The same rules say what a subject access export holds (`export_router`): the
rows a rule erases as the person's own are exported whole; rows that only
mention them are counted (they are someone else's data).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path, Request

from careerstream.contracts.envelope import Envelope, parse_data
from careerstream.contracts.events.privacy import ErasureAnswered, ErasureRequested
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.keys import PrivacySettings, process_key_client
from careerstream.servicekit.uow import UnitOfWork, UowFactory

log = logging.getLogger(__name__)


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
    uow: UnitOfWork,
    schema: str,
    rules: Sequence[Rule],
    tenant: str,
    employee_id: str,
    *,
    alias: str | None = None,
    idempotency: bool = True,
) -> tuple[dict[str, int], dict[str, int]]:
    """Apply `rules` for one person; returns rows deleted and anonymised, by table.

    `alias`: the pseudonym to give (a fresh one unless given). `idempotency`: also drop
    the stored HTTP responses that name them (the schema has the runtime tables)."""
    deleted: dict[str, int] = {}
    anonymised: dict[str, int] = {}
    alias = alias or pseudonym()
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
    if not idempotency:
        return (
            {k: v for k, v in deleted.items() if v},
            {k: v for k, v in anonymised.items() if v},
        )
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


ERASURE_LOCK = 0x65726173
"""Advisory lock: consumer transactions hold it shared, an erasure alone. So an erasure never
runs while a transaction that has not seen it yet writes about the person."""

_PERSON_KEYS = ("_id", "_by")


def _people_in(data: Any, out: set[str]) -> None:
    """Every id-like value of an event's data: `*_id` and `*_by` strings, `*_ids` lists."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str):
                if key.endswith(_PERSON_KEYS):
                    out.add(value)
            elif isinstance(value, list) and key.endswith("_ids"):
                out.update(v for v in value if isinstance(v, str))
            elif isinstance(value, dict | list):
                _people_in(value, out)
    elif isinstance(data, list):
        for item in data:
            _people_in(item, out)


def _renamed(data: Any, aliases: dict[str, str]) -> Any:
    """`data` with every id-like value of an erased person replaced by their pseudonym."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, str) and key.endswith(_PERSON_KEYS):
                out[key] = aliases.get(value, value)
            elif isinstance(value, list) and key.endswith("_ids"):
                out[key] = [aliases.get(v, v) if isinstance(v, str) else v for v in value]
            else:
                out[key] = _renamed(value, aliases)
        return out
    if isinstance(data, list):
        return [_renamed(item, aliases) for item in data]
    return data


@dataclass
class Screened:
    """What a consumer applies of a batch once the erased are taken out."""

    payloads: list[Any | None]
    """Per event, the payload to apply (renamed where it mentions the erased), or None: skip."""
    aliases: set[tuple[str, str]]
    """(tenant, pseudonym) of every erased person the batch mentioned."""


class ErasureGuard:
    """One service's part in erasures: its erasure consumer, and the screen every other
    consumer of the service applies events through (erasure is final)."""

    def __init__(
        self,
        service: str,
        schema: str,
        rules: Sequence[Rule],
        *,
        keep_facts: bool = False,
        erased_schema: str | None = None,
    ) -> None:
        """`keep_facts`: apply events about an erased person under their pseudonym (metrics)
        instead of skipping them. `erased_schema`: where the `erased` table is, when the rules
        run elsewhere (a rebuild into a shadow schema)."""
        self.service = service
        self.schema = schema
        self.rules = list(rules)
        self.keep_facts = keep_facts
        self._erased = _fq(erased_schema or schema, "erased")
        self._runtime = erased_schema is None  # the rules' schema has the runtime tables
        self._secret = PrivacySettings().secret.encode()

    def subject(self, tenant: str, employee_id: str) -> bytes:
        """The keyed hash the service remembers an erased person by (never the id)."""
        return hmac.new(self._secret, f"{tenant}|{employee_id}".encode(), hashlib.sha256).digest()

    async def erase(
        self, uow: UnitOfWork, tenant: str, employee_id: str
    ) -> tuple[dict[str, int], dict[str, int]]:
        """Erase a person now and remember it; returns rows deleted and anonymised by table."""
        await uow.session.execute(sa.select(sa.func.pg_advisory_xact_lock(ERASURE_LOCK)))
        subject = self.subject(tenant, employee_id)
        held = await uow.session.scalar(
            sa.text(f"SELECT alias FROM {self._erased} WHERE subject = :s"), {"s": subject}
        )
        alias = held or pseudonym()
        deleted, anonymised = await apply_rules(
            uow,
            self.schema,
            self.rules,
            tenant,
            employee_id,
            alias=alias,
            idempotency=self._runtime,
        )
        await uow.session.execute(
            sa.text(
                f"INSERT INTO {self._erased} (tenant_id, subject, alias) "
                "VALUES (:t, :s, :a) ON CONFLICT (subject) DO NOTHING"
            ),
            {"t": tenant, "s": subject, "a": alias},
        )
        return deleted, anonymised

    async def screen(
        self, uow: UnitOfWork, events: Sequence[tuple[Envelope, type[Any], Any]]
    ) -> Screened:
        """Take the erased out of (envelope, model, payload) items, in the consumer's transaction."""
        await uow.session.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(ERASURE_LOCK)))
        named: dict[bytes, tuple[str, str]] = {}
        for env, _, _ in events:
            ids: set[str] = set()
            _people_in(env.data, ids)
            for i in ids:
                named[self.subject(env.tenantid, i)] = (env.tenantid, i)
        payloads: list[Any | None] = [payload for _, _, payload in events]
        if not named:
            return Screened(payloads, set())
        rows = (
            await uow.session.execute(
                sa.text(f"SELECT subject, alias FROM {self._erased} WHERE subject = ANY(:s)"),
                {"s": list(named)},
            )
        ).all()
        if not rows:
            return Screened(payloads, set())
        aliases: dict[str, dict[str, str]] = {}
        for subject, alias in rows:
            tenant, employee = named[bytes(subject)]
            aliases.setdefault(tenant, {})[employee] = alias
        touched: set[tuple[str, str]] = set()
        for n, (env, model, _) in enumerate(events):
            mine = aliases.get(env.tenantid)
            if not mine:
                continue
            ids = set()
            _people_in(env.data, ids)
            hit = ids & set(mine)
            if not hit:
                continue
            touched.update((env.tenantid, mine[i]) for i in hit)
            if not self.keep_facts and env.data.get("employee_id") in mine:
                log.debug("%s: %s about an erased person skipped", self.service, env.type)
                payloads[n] = None
                continue
            renamed = env.model_copy(update={"data": _renamed(copy.deepcopy(env.data), mine)})
            payloads[n] = parse_data(renamed, model)
        return Screened(payloads, touched)

    async def settle(self, uow: UnitOfWork, screened: Screened) -> None:
        """Run the rules again for the pseudonyms a batch wrote under (after its handlers)."""
        for tenant, alias in sorted(screened.aliases):
            await apply_rules(
                uow, self.schema, self.rules, tenant, alias, alias=alias, idempotency=False
            )

    def protect(self, consumer: EventConsumer) -> EventConsumer:
        """`consumer`, applying its events through this guard."""
        consumer.guard = self
        return consumer

    def consumer(self, uow_factory: UowFactory) -> EventConsumer:
        """The consumer that erases a person from this service and answers for it."""

        async def on_requested(uow: UnitOfWork, envelope: Envelope, req: ErasureRequested) -> None:
            process_key_client().forget(envelope.tenantid, req.employee_id)
            deleted, anonymised = await self.erase(uow, envelope.tenantid, req.employee_id)
            uow.publish(
                ErasureAnswered(
                    erasure_id=req.erasure_id,
                    employee_id=req.employee_id,
                    service=self.service,
                    deleted=deleted,
                    anonymised=anonymised,
                    answered_at=datetime.now(UTC),
                ),
                tenant_id=envelope.tenantid,
            )

        return EventConsumer(
            f"{self.service}-erasure", uow_factory, {ErasureRequested: on_requested}
        )


def erasure_consumer(
    service: str, uow_factory: UowFactory, schema: str, rules: Sequence[Rule]
) -> EventConsumer:
    """The consumer that erases a person from this service and answers for it."""
    return ErasureGuard(service, schema, rules).consumer(uow_factory)


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
