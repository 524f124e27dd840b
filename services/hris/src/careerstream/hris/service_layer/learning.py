"""The learning-records intake: LMSs send xAPI statements; they are kept and become events.

It lives with the gateway because the gateway is where the company's systems come in
and the one place that holds who a work e-mail address belongs to: an LMS names people
by e-mail or by an account, and the gateway's directory maps either to an employee
without any other service seeing the address.

Each LMS is a *source* with its own Basic credentials (HR issues them; the secret is
shown once). A statement is stored as the LRS keeps it (with `stored` and `authority`),
once per id: the same id sent again with the same content is accepted and does nothing,
with other content it is a 409. A statement whose actor maps to an employee and whose
verb the platform acts on is published, in the same transaction, as `learning.completed`
or `learning.progressed`; a voiding statement voids its target and publishes
`learning.voided` when the target had been published.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from careerstream.contracts.events.learning import (
    LearningCompleted,
    LearningProgressed,
    LearningVoided,
)
from careerstream.hris.adapters.orm import learning_sources, learning_statements, people
from careerstream.hris.domain import xapi
from careerstream.servicekit.domain import Conflict
from careerstream.servicekit.uow import UnitOfWork

IDENTIFIERS = ("email", "employee_id")
AUTHORITY_HOME = "https://careerstream.dev/xapi/sources"
NAME_MAX = 300
"""An activity's name is cut to this in events (the statement keeps it whole): an event stays
small whatever an LMS sends."""


@dataclass(frozen=True)
class Source:
    """An LMS allowed to send statements, as its credentials authenticate it."""

    tenant_id: str
    source_id: str
    name: str
    identifier: str
    home_page: str | None

    def authority(self) -> dict[str, Any]:
        """The Agent this LRS names as the authority of the source's statements."""
        return {
            "objectType": "Agent",
            "name": self.name,
            "account": {"homePage": AUTHORITY_HOME, "name": f"{self.tenant_id}/{self.source_id}"},
        }


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def put_source(
    uow: UnitOfWork,
    tenant: str,
    source_id: str,
    *,
    name: str,
    identifier: str,
    home_page: str | None,
) -> dict[str, str]:
    """Create a source or give it new credentials (the old ones stop working)."""
    key = f"lrs-{secrets.token_hex(10)}"
    secret = secrets.token_urlsafe(32)
    values = {
        "name": name,
        "key": key,
        "secret_sha256": _hash(secret),
        "identifier": identifier,
        "home_page": home_page,
        "created_at": datetime.now(UTC),
    }
    stmt = insert(learning_sources).values(tenant_id=tenant, source_id=source_id, **values)
    await uow.session.execute(
        stmt.on_conflict_do_update(index_elements=["tenant_id", "source_id"], set_=values)
    )
    return {"key": key, "secret": secret}


async def sources(uow: UnitOfWork, tenant: str) -> list[dict[str, Any]]:
    """The tenant's sources, with how many statements each sent and how many name nobody known."""
    counts = (
        sa.select(
            learning_statements.c.source_id,
            sa.func.count().label("statements"),
            sa.func.count().filter(learning_statements.c.employee_id.is_(None)).label("unmapped"),
            sa.func.max(learning_statements.c.stored_at).label("last_statement_at"),
        )
        .where(learning_statements.c.tenant_id == tenant)
        .group_by(learning_statements.c.source_id)
        .subquery()
    )
    rows = await uow.session.execute(
        sa.select(
            learning_sources.c.source_id,
            learning_sources.c.name,
            learning_sources.c.identifier,
            learning_sources.c.home_page,
            learning_sources.c.created_at,
            sa.func.coalesce(counts.c.statements, 0).label("statements"),
            sa.func.coalesce(counts.c.unmapped, 0).label("unmapped"),
            counts.c.last_statement_at,
        )
        .select_from(
            learning_sources.outerjoin(counts, counts.c.source_id == learning_sources.c.source_id)
        )
        .where(learning_sources.c.tenant_id == tenant)
        .order_by(learning_sources.c.source_id)
    )
    return [dict(r._mapping) for r in rows]


async def authenticate(uow: UnitOfWork, authorization: str | None) -> Source | None:
    """The source whose Basic credentials these are, or None (unknown key or wrong secret alike)."""
    if not authorization or authorization[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, sep, secret = decoded.partition(":")
    if not sep or len(key) > 64 or len(secret) > 256:
        return None
    row = (
        await uow.session.execute(sa.select(learning_sources).where(learning_sources.c.key == key))
    ).first()
    # Compare against a hash even for an unknown key: the answer takes as long either way.
    wanted = row.secret_sha256 if row is not None else _hash("unknown key")
    if not hmac.compare_digest(_hash(secret), wanted) or row is None:
        return None
    return Source(row.tenant_id, row.source_id, row.name, row.identifier, row.home_page)


async def _employees(
    uow: UnitOfWork, source: Source, statements: list[dict[str, Any]]
) -> list[str | None]:
    """The employee each statement's actor maps to, by the source's identifier setting."""
    keys = [xapi.actor_keys(s) for s in statements]
    found: dict[str, str] = {}
    if source.identifier == "email":
        emails = sorted({e for e, _ in keys if e})
        if emails:
            rows = await uow.session.execute(
                sa.select(people.c.employee_id, sa.func.lower(people.c.work_email)).where(
                    people.c.tenant_id == source.tenant_id,
                    sa.func.lower(people.c.work_email).in_(emails),
                )
            )
            found = {email: emp for emp, email in rows.all()}
        return [found.get(e) if e else None for e, _ in keys]
    names = []
    for s, (_, name) in zip(statements, keys, strict=True):
        account = (s.get("actor") or {}).get("account") or {}
        home_ok = source.home_page is None or account.get("homePage") == source.home_page
        names.append(name if name and home_ok else None)
    wanted = sorted({n for n in names if n})
    if wanted:
        known = await uow.session.scalars(
            sa.select(people.c.employee_id).where(
                people.c.tenant_id == source.tenant_id, people.c.employee_id.in_(wanted)
            )
        )
        found = {e: e for e in known.all()}
    return [found.get(n) if n else None for n in names]


async def record(
    uow: UnitOfWork, source: Source, statements: list[dict[str, Any]], now: datetime | None = None
) -> list[str]:
    """Store valid statements (`xapi.batch_problems` found nothing) and publish what they mean;
    returns their ids in order. All or nothing: a 409 on one stores none."""
    now = now or datetime.now(UTC)
    tenant = source.tenant_id
    stored = [xapi.completed(s, now=now, authority=source.authority()) for s in statements]
    ids = [s["id"] for s in stored]
    prints = [xapi.fingerprint(s) for s in stored]
    employees = await _employees(uow, source, stored)
    rows = []
    events: list[LearningCompleted | LearningProgressed] = []
    for s, fp, employee in zip(stored, prints, employees, strict=True):
        activity = xapi.activity_of(s)
        reading = xapi.read(s)
        event = _event(s, reading, employee, source, now) if reading and employee else None
        rows.append(
            {
                "tenant_id": tenant,
                "statement_id": s["id"],
                "source_id": source.source_id,
                "employee_id": employee,
                "verb_id": s["verb"]["id"],
                "activity_id": activity[0] if activity else None,
                "fingerprint": fp,
                "statement": s,
                "published": event is not None,
                "stored_at": now,
            }
        )
        if event is not None:
            events.append(event)
    # New ids are stored in one statement; an id stored before is compared after (one
    # round trip less for what an LMS sends most: new statements).
    inserted = set(
        (
            await uow.session.scalars(
                insert(learning_statements)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["tenant_id", "statement_id"])
                .returning(learning_statements.c.statement_id)
            )
        ).all()
    )
    again = [sid for sid in ids if sid not in inserted]
    if again:
        before = dict(
            (
                await uow.session.execute(
                    sa.select(
                        learning_statements.c.statement_id, learning_statements.c.fingerprint
                    ).where(
                        learning_statements.c.tenant_id == tenant,
                        learning_statements.c.statement_id.in_(again),
                    )
                )
            ).all()
        )
        for sid, fp in zip(ids, prints, strict=True):
            if sid in before and before[sid] != fp:
                # The caller's unit of work rolls back: none of the batch is stored.
                raise Conflict(
                    f"statement {sid} was stored before with other content; a statement id "
                    "is used once (send a new id, or void the old statement)"
                )
    for event in events:
        if event.statement_id in inserted:  # a concurrent request stored the same one first
            uow.publish(event, tenant_id=tenant)
    for s in stored:
        if s["id"] in inserted and xapi.is_voiding(s):
            await _void(uow, tenant, xapi.voided_id(s) or "", s["id"], now)
    return ids


def _event(
    s: dict[str, Any], reading: xapi.Reading, employee: str, source: Source, now: datetime
) -> LearningCompleted | LearningProgressed:
    activity_id, name = xapi.activity_of(s) or ("", None)
    when = xapi.parse_timestamp(s["timestamp"]) if "timestamp" in s else None
    common: dict[str, Any] = {
        "statement_id": s["id"],
        "employee_id": employee,
        "source_id": source.source_id,
        "activity_id": activity_id[:2048],
        "activity_name": name[:NAME_MAX] if name else None,
        "verb": reading.verb,
        "success": reading.success,
        "score_scaled": reading.score_scaled,
        "occurred_at": when or now,
        "stored_at": now,
    }
    if reading.completes:
        return LearningCompleted(**common)
    return LearningProgressed(**common, progress=reading.progress)


async def _void(uow: UnitOfWork, tenant: str, target: str, by: str, now: datetime) -> None:
    """Void a stored statement (not a voiding one, not one voided already)."""
    row = (
        await uow.session.execute(
            sa.update(learning_statements)
            .where(
                learning_statements.c.tenant_id == tenant,
                learning_statements.c.statement_id == target,
                learning_statements.c.voided_by.is_(None),
                learning_statements.c.verb_id != xapi.VOIDED,
            )
            .values(voided_by=by)
            .returning(learning_statements.c.employee_id, learning_statements.c.published)
        )
    ).first()
    if row is not None and row.published and row.employee_id:
        uow.publish(
            LearningVoided(
                statement_id=target, employee_id=row.employee_id, voided_by=by, voided_at=now
            ),
            tenant_id=tenant,
        )


async def statement(
    uow: UnitOfWork, tenant: str, statement_id: str, *, voided: bool
) -> dict[str, Any] | None:
    """One stored statement: a statement not voided, or (`voided`) one that was."""
    row = (
        await uow.session.execute(
            sa.select(learning_statements.c.statement, learning_statements.c.voided_by).where(
                learning_statements.c.tenant_id == tenant,
                learning_statements.c.statement_id == statement_id.lower(),
            )
        )
    ).first()
    if row is None or (row.voided_by is not None) != voided:
        return None
    return dict(row.statement)


async def recent(
    uow: UnitOfWork, source: Source, since: datetime | None, limit: int
) -> list[dict[str, Any]]:
    """The source's own statements not voided, newest first (what an LMS checks it sent)."""
    q = sa.select(learning_statements.c.statement).where(
        learning_statements.c.tenant_id == source.tenant_id,
        learning_statements.c.source_id == source.source_id,
        learning_statements.c.voided_by.is_(None),
    )
    if since is not None:
        q = q.where(learning_statements.c.stored_at > since)
    rows = await uow.session.scalars(
        q.order_by(
            learning_statements.c.stored_at.desc(), learning_statements.c.statement_id
        ).limit(limit)
    )
    return [dict(r) for r in rows.all()]
