"""Pulse surveys: HR defines a pulse, the platform invites its audience, people answer once,
and each answer is published as `survey.responded` (scores only) for the metrics.

Surveys live with the gateway because it owns the people stream: a pulse run here is one
more source of `survey.responded`, beside the survey tools that send theirs through it. The
audience is read from the gateway's own directory (department, role by job mapping, who
has direct reports) when the pulse is created.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.events.hris import SurveyAnswer, SurveyResponded, SurveyTopic
from careerstream.hris.adapters.orm import (
    job_mappings,
    org_units,
    people,
    survey_invitations,
    survey_responses,
    surveys,
)
from careerstream.hris.domain.surveys import (
    Audience,
    AudienceKind,
    Person,
    Question,
    answer_problems,
    in_audience,
    pulse_problems,
    results,
)
from careerstream.servicekit import clock, orgtree
from careerstream.servicekit.auth import Principal
from careerstream.servicekit.domain import Conflict, Invalid, NotFound
from careerstream.servicekit.uow import UnitOfWork


def _now() -> datetime:
    return clock.now()  # business time (servicekit.clock)


def _questions(raw: list[dict[str, Any]]) -> list[Question]:
    return [Question(q["question_id"], q["text"], q["topic"], int(q["scale_max"])) for q in raw]


async def _covering(uow: UnitOfWork, tenant: str, audience: Audience) -> Audience:
    """The audience with each department grown to its subtree (units below it are in it)."""
    if audience.kind is not AudienceKind.DEPARTMENTS:
        return audience
    return Audience(
        audience.kind, tuple(await orgtree.expand(uow, org_units, tenant, audience.ids))
    )


def _audience(raw: dict[str, Any]) -> Audience:
    return Audience(AudienceKind(raw["kind"]), tuple(raw.get("ids", ())))


async def _people(uow: UnitOfWork, tenant: str, among: Sequence[str] | None = None) -> list[Person]:
    """The active people of the directory (or those of them `among` names), with their role
    (by job mapping) and whether they have direct reports."""
    managed_by = sa.select(people.c.manager_id).where(
        people.c.tenant_id == tenant, people.c.active, people.c.manager_id.is_not(None)
    )
    if among is not None:
        managed_by = managed_by.where(people.c.manager_id.in_(list(among)))
    managers = set((await uow.session.scalars(managed_by)).all())
    roles = {
        code: role
        for code, role in (
            await uow.session.execute(
                sa.select(job_mappings.c.job_code, job_mappings.c.role_id).where(
                    job_mappings.c.tenant_id == tenant
                )
            )
        ).all()
    }
    who = sa.select(people.c.employee_id, people.c.department_id, people.c.job_code).where(
        people.c.tenant_id == tenant, people.c.active
    )
    if among is not None:
        who = who.where(people.c.employee_id.in_(list(among)))
    rows = await uow.session.execute(who)
    return [Person(e, d, roles.get(j) if j else None, e in managers) for e, d, j in rows.all()]


async def invite_newcomers(uow: UnitOfWork, tenant: str, employee_ids: Sequence[str]) -> int:
    """Invite people the directory just hired or changed to the pulses not closed yet whose
    audience now covers them (a joiner, someone moved into a department or a role); nobody
    is uninvited. Returns the invitations added."""
    if not employee_ids:
        return 0
    open_pulses = (
        await uow.session.execute(
            sa.select(surveys.c.survey_id, surveys.c.audience).where(
                surveys.c.tenant_id == tenant, surveys.c.closes_at > _now()
            )
        )
    ).all()
    if not open_pulses:
        return 0
    persons = await _people(uow, tenant, sorted(set(employee_ids)))
    covering = {sid: await _covering(uow, tenant, _audience(a)) for sid, a in open_pulses}
    rows = [
        {"tenant_id": tenant, "survey_id": sid, "employee_id": p.employee_id}
        for sid, audience in open_pulses
        for p in persons
        if in_audience(p, covering[sid])
    ]
    if not rows:
        return 0
    added = await uow.session.scalars(
        pg_insert(survey_invitations)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(survey_invitations.c.employee_id)
    )
    return len(added.all())


def _view(row: Any, invited: int, answered: int) -> dict[str, Any]:
    now = _now()
    status = (
        "open"
        if row.opens_at <= now < row.closes_at
        else ("scheduled" if now < row.opens_at else "closed")
    )
    return {
        "survey_id": row.survey_id,
        "name": row.name,
        "questions": row.questions,
        "audience": row.audience,
        "opens_at": row.opens_at,
        "closes_at": row.closes_at,
        "status": status,
        "invited": invited,
        "answered": answered,
        "created_by": row.created_by,
    }


async def create(
    uow: UnitOfWork,
    who: Principal,
    *,
    name: str,
    questions: list[dict[str, Any]],
    audience: dict[str, Any],
    opens_at: datetime,
    closes_at: datetime,
) -> dict[str, Any]:
    """Define a pulse and invite its audience as the directory stands now (HR)."""
    tenant, now = who.tenant_id, _now()
    qs, aud = _questions(questions), _audience(audience)
    problems = pulse_problems(name, qs, aud, opens_at, closes_at, now)
    if problems:
        raise Invalid(problems)
    covered = await _covering(uow, tenant, aud)
    invited = sorted(p.employee_id for p in await _people(uow, tenant) if in_audience(p, covered))
    if not invited:
        raise Invalid(["audience: nobody active in the directory is in it"])
    survey_id = f"pulse-{uuid.uuid4().hex[:12]}"
    await uow.session.execute(
        sa.insert(surveys).values(
            tenant_id=tenant,
            survey_id=survey_id,
            name=name.strip(),
            questions=questions,
            audience={"kind": aud.kind.value, "ids": list(aud.ids)},
            opens_at=opens_at,
            closes_at=closes_at,
            created_at=now,
            created_by=who.subject,
        )
    )
    await uow.session.execute(
        sa.insert(survey_invitations),
        [{"tenant_id": tenant, "survey_id": survey_id, "employee_id": e} for e in invited],
    )
    row = await _row(uow, tenant, survey_id)
    return _view(row, len(invited), 0)


async def _row(uow: UnitOfWork, tenant: str, survey_id: str) -> Any:
    row = (
        await uow.session.execute(
            sa.select(surveys).where(
                surveys.c.tenant_id == tenant, surveys.c.survey_id == survey_id
            )
        )
    ).first()
    if row is None:
        raise NotFound(f"no pulse '{survey_id}'")
    return row


async def _counts(uow: UnitOfWork, tenant: str) -> dict[str, tuple[int, int]]:
    i = survey_invitations.c
    rows = await uow.session.execute(
        sa.select(i.survey_id, sa.func.count(), sa.func.count(i.answered_at))
        .where(i.tenant_id == tenant)
        .group_by(i.survey_id)
    )
    return {s: (int(n), int(a)) for s, n, a in rows.all()}


async def all_pulses(uow: UnitOfWork, tenant: str) -> list[dict[str, Any]]:
    """Every pulse of the tenant, newest first, with how many were invited and answered (HR)."""
    counts = await _counts(uow, tenant)
    rows = await uow.session.execute(
        sa.select(surveys)
        .where(surveys.c.tenant_id == tenant)
        .order_by(surveys.c.created_at.desc())
    )
    return [_view(r, *counts.get(r.survey_id, (0, 0))) for r in rows.all()]


async def mine(uow: UnitOfWork, who: Principal) -> list[dict[str, Any]]:
    """The open pulses the caller is invited to and has not answered yet."""
    now = _now()
    i = survey_invitations.c
    rows = await uow.session.execute(
        sa.select(surveys)
        .join(
            survey_invitations,
            sa.and_(i.tenant_id == surveys.c.tenant_id, i.survey_id == surveys.c.survey_id),
        )
        .where(
            surveys.c.tenant_id == who.tenant_id,
            i.employee_id == who.subject,
            i.answered_at.is_(None),
            surveys.c.opens_at <= now,
            surveys.c.closes_at > now,
        )
        .order_by(surveys.c.closes_at)
    )
    return [
        {
            "survey_id": r.survey_id,
            "name": r.name,
            "questions": r.questions,
            "closes_at": r.closes_at,
        }
        for r in rows.all()
    ]


async def answer(
    uow: UnitOfWork, who: Principal, survey_id: str, answers: dict[str, int]
) -> dict[str, Any]:
    """The caller answers a pulse they are invited to, once, within its window; the scores go
    out as `survey.responded`."""
    tenant, now = who.tenant_id, _now()
    i = survey_invitations.c
    invitation = (
        await uow.session.execute(
            sa.select(survey_invitations)
            .where(i.tenant_id == tenant, i.survey_id == survey_id, i.employee_id == who.subject)
            .with_for_update()
        )
    ).first()
    if invitation is None:
        raise NotFound(f"no pulse '{survey_id}' for you to answer")
    if invitation.answered_at is not None:
        raise Conflict(f"you answered pulse '{survey_id}' already")
    row = await _row(uow, tenant, survey_id)
    if now < row.opens_at:
        raise Conflict(f"pulse '{survey_id}' opens at {row.opens_at.isoformat()}")
    if now >= row.closes_at:
        raise Conflict(f"pulse '{survey_id}' closed at {row.closes_at.isoformat()}")
    questions = _questions(row.questions)
    problems = answer_problems(questions, answers)
    if problems:
        raise Invalid(problems)
    response_id = f"resp-{uuid.uuid4().hex[:16]}"
    await uow.session.execute(
        sa.insert(survey_responses).values(
            tenant_id=tenant,
            response_id=response_id,
            survey_id=survey_id,
            employee_id=who.subject,
            answers={q.question_id: answers[q.question_id] for q in questions},
            responded_at=now,
        )
    )
    await uow.session.execute(
        sa.update(survey_invitations)
        .where(i.tenant_id == tenant, i.survey_id == survey_id, i.employee_id == who.subject)
        .values(answered_at=now)
    )
    uow.publish(
        SurveyResponded(
            response_id=response_id,
            survey_id=survey_id,
            employee_id=who.subject,
            responded_at=now,
            answers=[
                SurveyAnswer(
                    question_id=q.question_id,
                    topic=SurveyTopic(q.topic),
                    score=answers[q.question_id],
                    scale_max=q.scale_max,
                )
                for q in questions
            ],
        ),
        tenant_id=tenant,
    )
    return {"response_id": response_id, "survey_id": survey_id, "responded_at": now}


async def result(
    uow: UnitOfWork, tenant: str, survey_id: str, threshold: int, department: str | None
) -> dict[str, Any]:
    """A pulse's results per question (HR), for everyone asked or one department, each shown
    only when at least `threshold` people answered."""
    row = await _row(uow, tenant, survey_id)
    r = survey_responses.c
    stmt = sa.select(r.answers).where(r.tenant_id == tenant, r.survey_id == survey_id)
    if department is not None:
        stmt = stmt.where(
            r.employee_id.in_(
                sa.select(people.c.employee_id).where(
                    people.c.tenant_id == tenant,
                    people.c.department_id.in_(orgtree.subtree(org_units, tenant, [department])),
                )
            )
        )
    answered = [dict(a) for (a,) in (await uow.session.execute(stmt)).all()]
    respondents, per_question = results(_questions(row.questions), answered, threshold)
    suppressed = respondents < threshold
    return {
        "survey_id": survey_id,
        "department": department,
        "anonymity_threshold": threshold,
        "respondents": None if suppressed else respondents,
        "suppressed": suppressed,
        "questions": [
            {
                "question_id": q.question_id,
                "text": q.text,
                "topic": q.topic,
                "scale_max": q.scale_max,
                "respondents": q.respondents,
                "mean": q.mean,
                "distribution": q.distribution,
                "suppressed": q.suppressed,
            }
            for q in per_question
        ],
    }
