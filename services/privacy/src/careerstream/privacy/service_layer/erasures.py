"""Who exists, erasures and their progress, and the privacy service's part of an export."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.hris import EmployeeChanged, EmployeeHired, EmployeeTerminated
from careerstream.contracts.events.privacy import (
    ErasureAnswered,
    ErasureCompleted,
    ErasureRequested,
)
from careerstream.privacy.adapters.orm import (
    access_log,
    data_keys,
    erasure_answers,
    erasures,
    people,
)
from careerstream.servicekit.uow import UnitOfWork, UowFactory

log = logging.getLogger(__name__)


class UnknownEmployee(LookupError):
    pass


class UnknownErasure(LookupError):
    pass


# -- the people projection ----------------------------------------------------------------


async def on_person(uow: UnitOfWork, envelope: Envelope, payload: Any) -> None:
    """Who exists (ids only): an erasure names someone the HRIS told us about."""
    assert isinstance(payload, EmployeeHired | EmployeeChanged | EmployeeTerminated)
    await uow.session.execute(
        pg_insert(people)
        .values(tenant_id=envelope.tenantid, employee_id=payload.employee_id, seen_at=envelope.time)
        .on_conflict_do_nothing()
    )


# -- erasures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureView:
    row: Any
    answers: list[Any]


async def request_erasure(
    uow: UnitOfWork,
    *,
    tenant: str,
    employee_id: str,
    reason: str,
    requested_by: str,
    participants: list[str],
    deadline: timedelta,
    now: datetime,
) -> tuple[str, bool]:
    """Start erasing a person; (erasure id, True) or, when already asked, (its id, False)."""
    existing = (
        await uow.session.execute(
            sa.select(erasures.c.erasure_id).where(
                erasures.c.tenant_id == tenant, erasures.c.employee_id == employee_id
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    if not await known(uow, tenant, employee_id):
        raise UnknownEmployee(employee_id)
    erasure_id = "er-" + secrets.token_hex(8)
    inserted = (
        await uow.session.execute(
            pg_insert(erasures)
            .values(
                tenant_id=tenant,
                erasure_id=erasure_id,
                employee_id=employee_id,
                reason=reason,
                requested_by=requested_by,
                requested_at=now,
                deadline=now + deadline,
                services=participants,
                status="in_progress",
            )
            .on_conflict_do_nothing()
            .returning(erasures.c.erasure_id)
        )
    ).scalar_one_or_none()
    if inserted is None:  # asked twice at once: the other request won
        return await request_erasure(
            uow,
            tenant=tenant,
            employee_id=employee_id,
            reason=reason,
            requested_by=requested_by,
            participants=participants,
            deadline=deadline,
            now=now,
        )
    uow.publish(
        ErasureRequested(
            erasure_id=erasure_id,
            employee_id=employee_id,
            services=participants,
            deadline=now + deadline,
            requested_at=now,
            requested_by=requested_by,
        ),
        tenant_id=tenant,
    )
    return erasure_id, True


async def get_erasure(uow: UnitOfWork, tenant: str, erasure_id: str) -> ErasureView:
    row = (
        await uow.session.execute(
            sa.select(erasures).where(
                erasures.c.tenant_id == tenant, erasures.c.erasure_id == erasure_id
            )
        )
    ).first()
    if row is None:
        raise UnknownErasure(erasure_id)
    answers = (
        await uow.session.execute(
            sa.select(erasure_answers)
            .where(
                erasure_answers.c.tenant_id == tenant, erasure_answers.c.erasure_id == erasure_id
            )
            .order_by(erasure_answers.c.service)
        )
    ).all()
    return ErasureView(row, list(answers))


async def list_erasures(uow: UnitOfWork, tenant: str, employee_id: str | None) -> list[Any]:
    q = sa.select(erasures).where(erasures.c.tenant_id == tenant)
    if employee_id is not None:
        q = q.where(erasures.c.employee_id == employee_id)
    return list(
        (await uow.session.execute(q.order_by(erasures.c.requested_at.desc()).limit(500))).all()
    )


async def on_answered(uow: UnitOfWork, envelope: Envelope, answer: ErasureAnswered) -> None:
    """A service finished its part; when all have, the key is destroyed."""
    tenant = envelope.tenantid
    await uow.session.execute(
        pg_insert(erasure_answers)
        .values(
            tenant_id=tenant,
            erasure_id=answer.erasure_id,
            service=answer.service,
            answered_at=answer.answered_at,
            deleted=answer.deleted,
            anonymised=answer.anonymised,
        )
        .on_conflict_do_nothing()
    )
    row = (
        await uow.session.execute(
            sa.select(erasures)
            .where(erasures.c.tenant_id == tenant, erasures.c.erasure_id == answer.erasure_id)
            .with_for_update()
        )
    ).first()
    if row is None or row.status == "completed":
        return  # a late answer (after the deadline) is recorded, nothing more
    answered = await _answered(uow, tenant, answer.erasure_id)
    if set(row.services) <= answered:
        await _complete(uow, row, sorted(answered), [], datetime.now(UTC))


async def _answered(uow: UnitOfWork, tenant: str, erasure_id: str) -> set[str]:
    result = await uow.session.execute(
        sa.select(erasure_answers.c.service).where(
            erasure_answers.c.tenant_id == tenant, erasure_answers.c.erasure_id == erasure_id
        )
    )
    return set(result.scalars())


async def _complete(
    uow: UnitOfWork, row: Any, answered: list[str], missing: list[str], now: datetime
) -> None:
    await uow.session.execute(
        sa.update(data_keys)
        .where(data_keys.c.tenant_id == row.tenant_id, data_keys.c.employee_id == row.employee_id)
        .values(wrapped=None, master_kid=None, destroyed_at=now)
    )
    await uow.session.execute(
        sa.delete(people).where(
            people.c.tenant_id == row.tenant_id, people.c.employee_id == row.employee_id
        )
    )
    # The trail of who saw their data is their data too; what they saw of others stays, unnamed.
    await uow.session.execute(
        sa.delete(access_log).where(
            access_log.c.tenant_id == row.tenant_id, access_log.c.subject_id == row.employee_id
        )
    )
    await uow.session.execute(
        sa.update(access_log)
        .where(access_log.c.tenant_id == row.tenant_id, access_log.c.actor_id == row.employee_id)
        .values(actor_id="erased-" + secrets.token_hex(8))
    )
    await uow.session.execute(
        sa.update(erasures)
        .where(erasures.c.tenant_id == row.tenant_id, erasures.c.erasure_id == row.erasure_id)
        .values(status="completed", completed_at=now, missing=missing)
    )
    if missing:
        log.warning(
            "erasure %s: deadline passed without an answer from %s; key destroyed",
            row.erasure_id,
            ", ".join(missing),
        )
    uow.publish(
        ErasureCompleted(
            erasure_id=row.erasure_id,
            employee_id=row.employee_id,
            answered=answered,
            missing=missing,
            completed_at=now,
        ),
        tenant_id=row.tenant_id,
    )


async def past_deadline(uow_factory: UowFactory, now: datetime | None = None) -> int:
    """Complete erasures whose deadline passed, naming the services that did not answer."""
    now = now or datetime.now(UTC)
    async with uow_factory() as uow:
        rows = (
            await uow.session.execute(
                sa.select(erasures)
                .where(erasures.c.status == "in_progress", erasures.c.deadline <= now)
                .limit(100)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for row in rows:
            answered = await _answered(uow, row.tenant_id, row.erasure_id)
            missing = sorted(set(row.services) - answered)
            await _complete(uow, row, sorted(answered), missing, now)
        await uow.commit()
    return len(rows)


# -- subject access export ---------------------------------------------------------------


async def known(uow: UnitOfWork, tenant: str, employee_id: str) -> bool:
    """Whether the tenant's HRIS ever named this person (or they were erased)."""
    row = (
        await uow.session.execute(
            sa.select(sa.literal(1)).where(
                sa.or_(
                    sa.exists().where(
                        people.c.tenant_id == tenant, people.c.employee_id == employee_id
                    ),
                    sa.exists().where(
                        data_keys.c.tenant_id == tenant, data_keys.c.employee_id == employee_id
                    ),
                )
            )
        )
    ).first()
    return row is not None


async def own_part(uow: UnitOfWork, tenant: str, employee_id: str) -> dict[str, Any]:
    """What the privacy service itself holds about the person (never the key itself)."""
    key = (
        await uow.session.execute(
            sa.select(data_keys.c.kid, data_keys.c.created_at, data_keys.c.destroyed_at).where(
                data_keys.c.tenant_id == tenant, data_keys.c.employee_id == employee_id
            )
        )
    ).first()
    erased = (
        await uow.session.execute(
            sa.select(erasures.c.erasure_id, erasures.c.status, erasures.c.requested_at).where(
                erasures.c.tenant_id == tenant, erasures.c.employee_id == employee_id
            )
        )
    ).all()
    return {
        "records": {
            "data_keys": [
                {
                    "kid": key.kid,
                    "created_at": key.created_at.isoformat(),
                    "destroyed_at": key.destroyed_at.isoformat() if key.destroyed_at else None,
                }
            ]
            if key
            else [],
            "erasures": [
                {
                    "erasure_id": e.erasure_id,
                    "status": e.status,
                    "requested_at": e.requested_at.isoformat(),
                }
                for e in erased
            ],
        },
        "mentioned_in": {},
    }
