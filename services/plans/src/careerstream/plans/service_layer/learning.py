"""Learning records move plans: what the company's LMS says people did, applied to their actions.

- `learning.completed` / `learning.progressed` (from the gateway's xAPI intake): the
  record is kept; when its activity maps to a catalogue entry, each open action of an
  open goal that is that entry moves (`rules.learning_effect`): completed or passed is
  done, progressed moves its progress, attempted or failed starts it and leaves it open.
  A goal's progress rolls up from its actions; a goal whose every action is done is
  achieved (the LMS's record is the evidence; a box ticked by hand only moves the action).
- An activity no catalogue entry maps yet waits: when HR maps it (by hand, or by
  importing the LMS's course catalogue), its records are replayed in the order they
  happened.
- `learning.voided`: the record no longer counts; an action it moved is what the
  records left say (a goal it achieved stays achieved).

Each record is applied once: its statement id is the key of `learning_records`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.learning import (
    LearningCompleted,
    LearningProgressed,
    LearningVoided,
)
from careerstream.plans.adapters.orm import catalogue_activities, learning_records
from careerstream.plans.adapters.repository import Plans, Reference
from careerstream.plans.domain.rules import LearningRecord
from careerstream.plans.service_layer.plans import now, save
from careerstream.servicekit.domain import Invalid, NotFound
from careerstream.servicekit.uow import UnitOfWork


async def on_learning(
    uow: UnitOfWork, event: Envelope, e: LearningCompleted | LearningProgressed
) -> None:
    """Keep the record; apply it when its activity is mapped."""
    tenant = event.tenantid
    progress = e.progress if isinstance(e, LearningProgressed) else 100
    kept = await uow.session.scalar(
        insert(learning_records)
        .values(
            tenant_id=tenant,
            statement_id=e.statement_id,
            employee_id=e.employee_id,
            source_id=e.source_id,
            activity_id=e.activity_id,
            activity_name=e.activity_name,
            verb=e.verb.value,
            progress=progress,
            occurred_at=e.occurred_at,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "statement_id"])
        .returning(learning_records.c.statement_id)
    )
    if kept is None:
        return  # applied before (a redelivery)
    entry_id = await uow.session.scalar(
        sa.select(catalogue_activities.c.entry_id).where(
            catalogue_activities.c.tenant_id == tenant,
            catalogue_activities.c.activity_id == e.activity_id,
        )
    )
    if entry_id is not None:
        record = LearningRecord(e.statement_id, e.source_id, e.verb.value, progress)
        await _apply(uow, tenant, e.employee_id, entry_id, record)


async def _apply(
    uow: UnitOfWork, tenant: str, employee_id: str, entry_id: str, record: LearningRecord
) -> list[str]:
    plans = Plans(uow, tenant)
    moved: list[str] = []
    for plan in await plans.open_plans_of(employee_id):
        got = plan.apply_learning(entry_id, record, now())
        if got:
            moved += got
            await save(uow, plans, plan)
    await uow.session.execute(
        sa.update(learning_records)
        .where(
            learning_records.c.tenant_id == tenant,
            learning_records.c.statement_id == record.statement_id,
        )
        .values(applied=True, actions=moved)
    )
    return moved


async def on_voided(uow: UnitOfWork, event: Envelope, e: LearningVoided) -> None:
    """The record no longer counts; the actions it moved are what the others say."""
    tenant = event.tenantid
    row = (
        await uow.session.execute(
            sa.update(learning_records)
            .where(
                learning_records.c.tenant_id == tenant,
                learning_records.c.statement_id == e.statement_id,
                sa.not_(learning_records.c.voided),
            )
            .values(voided=True)
            .returning(learning_records.c.actions)
        )
    ).first()
    if row is None:
        return
    plans = Plans(uow, tenant)
    for action_id in row.actions:
        try:
            plan, _ = await plans.with_action(action_id)
        except NotFound:
            continue
        remaining = [
            LearningRecord(r.statement_id, r.source_id, r.verb, r.progress)
            for r in await uow.session.execute(
                sa.select(learning_records)
                .where(
                    learning_records.c.tenant_id == tenant,
                    learning_records.c.employee_id == plan.employee_id,
                    sa.not_(learning_records.c.voided),
                    learning_records.c.actions.contains([action_id]),
                )
                .order_by(learning_records.c.occurred_at)
            )
        ]
        if plan.undo_learning(action_id, remaining, now()):
            await save(uow, plans, plan)


async def map_activities(
    uow: UnitOfWork, tenant: str, entry_id: str, activity_ids: Sequence[str]
) -> dict[str, Any]:
    """Map LMS activities to a catalogue entry, and replay the records that waited for them."""
    if await Reference(uow, tenant).entry(entry_id) is None:
        raise NotFound(f"no catalogue entry '{entry_id}'")
    at = now()
    for activity_id in activity_ids:
        await uow.session.execute(
            insert(catalogue_activities)
            .values(tenant_id=tenant, activity_id=activity_id, entry_id=entry_id, mapped_at=at)
            .on_conflict_do_update(
                index_elements=["tenant_id", "activity_id"],
                set_={"entry_id": entry_id, "mapped_at": at},
            )
        )
    replayed = await replay(uow, tenant, activity_ids)
    return {"entry_id": entry_id, "activity_ids": list(activity_ids), **replayed}


async def replay(uow: UnitOfWork, tenant: str, activity_ids: Sequence[str]) -> dict[str, int]:
    """Apply the records of newly mapped activities that waited, oldest first."""
    if not activity_ids:
        return {"replayed": 0, "actions_moved": 0}
    mapping = dict(
        (
            await uow.session.execute(
                sa.select(
                    catalogue_activities.c.activity_id, catalogue_activities.c.entry_id
                ).where(
                    catalogue_activities.c.tenant_id == tenant,
                    catalogue_activities.c.activity_id.in_(list(activity_ids)),
                )
            )
        ).all()
    )
    rows = (
        await uow.session.execute(
            sa.select(learning_records)
            .where(
                learning_records.c.tenant_id == tenant,
                sa.not_(learning_records.c.applied),
                sa.not_(learning_records.c.voided),
                learning_records.c.activity_id.in_(list(mapping)),
            )
            .order_by(learning_records.c.occurred_at, learning_records.c.statement_id)
            .with_for_update(skip_locked=True)
        )
    ).all()
    moved = 0
    for r in rows:
        record = LearningRecord(r.statement_id, r.source_id, r.verb, r.progress)
        moved += len(await _apply(uow, tenant, r.employee_id, mapping[r.activity_id], record))
    return {"replayed": len(rows), "actions_moved": moved}


async def activities(uow: UnitOfWork, tenant: str, *, mapped: bool | None) -> list[dict[str, Any]]:
    """The LMS activities learning records named, with their entry (if mapped), how many
    records and people, and how many records wait for a mapping."""
    r = learning_records.c
    counts = (
        sa.select(
            r.activity_id,
            sa.func.max(r.activity_name).label("activity_name"),
            sa.func.count().label("records"),
            sa.func.count(sa.distinct(r.employee_id)).label("people"),
            sa.func.count().filter(sa.not_(r.applied), sa.not_(r.voided)).label("waiting"),
        )
        .where(r.tenant_id == tenant)
        .group_by(r.activity_id)
        .subquery()
    )
    q = sa.select(counts, catalogue_activities.c.entry_id).select_from(
        counts.outerjoin(
            catalogue_activities,
            sa.and_(
                catalogue_activities.c.tenant_id == tenant,
                catalogue_activities.c.activity_id == counts.c.activity_id,
            ),
        )
    )
    if mapped is True:
        q = q.where(catalogue_activities.c.entry_id.is_not(None))
    elif mapped is False:
        q = q.where(catalogue_activities.c.entry_id.is_(None))
    rows = await uow.session.execute(
        q.order_by(counts.c.records.desc(), counts.c.activity_id).limit(1000)
    )
    return [dict(x._mapping) for x in rows]


# -- importing an LMS's course catalogue --------------------------------------------------

KINDS = ("course", "stretch_assignment", "mentoring", "project", "rotation")
COLUMNS = (
    "activity_id",
    "title",
    "competency_id",
    "kind",
    "min_level",
    "max_level",
    "effort_weeks",
    "entry_id",
)
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_ENTRY = re.compile(r"^[^\x00-\x1f\x7f/]{1,200}$")
MAX_ROWS = 20_000


@dataclass(frozen=True)
class CourseRow:
    line: int
    activity_id: str
    entry_id: str
    values: dict[str, Any]


def parse_courses(text: str) -> tuple[list[CourseRow], list[dict[str, Any]]]:
    """The rows of an LMS course catalogue CSV, and every problem by line and column.

    Columns: `activity_id` (the LMS's activity IRI) and `title` are required;
    `competency_id` (default `*`, any), `kind` (default course), `min_level` (0),
    `max_level` (10), `effort_weeks` (1) and `entry_id` (default: the entry the activity
    maps to already, else `lms-` and a hash of the activity id) are optional."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    errors: list[dict[str, Any]] = []
    missing = [c for c in ("activity_id", "title") if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        if missing:
            errors.append(
                {"line": 1, "field": ",".join(missing), "message": "required column missing"}
            )
        if unknown:
            errors.append(
                {
                    "line": 1,
                    "field": ",".join(unknown),
                    "message": f"unknown column; the columns are {', '.join(COLUMNS)}",
                }
            )
        return [], errors
    rows: list[CourseRow] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(reader, start=2):
        if n - 1 > MAX_ROWS:
            errors.append(
                {"line": n, "field": "", "message": f"more than {MAX_ROWS} rows; split the file"}
            )
            break
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            errors.append({"line": n, "field": "", "message": "more values than columns"})
            continue
        if not any(row.values()):
            continue

        def bad(field: str, message: str, line: int = n) -> None:
            errors.append({"line": line, "field": field, "message": message})

        activity = row.get("activity_id", "")
        if not _IRI.match(activity) or len(activity) > 2048:
            bad("activity_id", "must be the activity's absolute IRI (as the LMS sends it)")
        elif activity in seen:
            bad("activity_id", f"already on line {seen[activity]}")
        seen.setdefault(activity, n)
        title = row.get("title", "")
        if not 1 <= len(title) <= 300:
            bad("title", "must be 1 to 300 characters")
        kind = row.get("kind") or "course"
        if kind not in KINDS:
            bad("kind", f"must be one of {', '.join(KINDS)}")
        levels: dict[str, int] = {}
        for field, default, high in (
            ("min_level", 0, 10),
            ("max_level", 10, 10),
            ("effort_weeks", 1, 104),
        ):
            value = row.get(field) or str(default)
            if not value.isdigit() or not 0 <= int(value) <= high:
                bad(field, f"must be a whole number from 0 to {high}")
            else:
                levels[field] = int(value)
        if levels.get("min_level", 0) > levels.get("max_level", 10):
            bad("max_level", "must not be below min_level")
        entry = row.get("entry_id", "")
        if entry and not _ENTRY.match(entry):
            bad("entry_id", "must be 1 to 200 characters, without '/' or control characters")
        competency = row.get("competency_id") or "*"
        rows.append(
            CourseRow(
                n,
                activity,
                entry,
                {
                    "competency_id": competency,
                    "kind": kind,
                    "title": title,
                    "min_level": levels.get("min_level", 0),
                    "max_level": levels.get("max_level", 10),
                    "effort_weeks": levels.get("effort_weeks", 1),
                },
            )
        )
    return rows, errors


def default_entry(activity_id: str) -> str:
    return "lms-" + hashlib.sha256(activity_id.encode()).hexdigest()[:16]


async def import_courses(uow: UnitOfWork, tenant: str, text: str, *, apply: bool) -> dict[str, Any]:
    """Preview (or apply) an LMS course catalogue: for each row the entry it becomes and
    whether that is new, changed or the same, and how many waiting records it will move.
    A file with any problem is refused whole (422, every problem by line)."""
    rows, errors = parse_courses(text)
    if not errors and not rows:
        errors.append({"line": 2, "field": "", "message": "the file holds no course"})
    if errors:
        raise Invalid(
            [f"line {e['line']}, {e['field'] or 'row'}: {e['message']}" for e in errors[:100]],
            errors=errors[:100],
        )
    activity_ids = [r.activity_id for r in rows]
    mapped = dict(
        (
            await uow.session.execute(
                sa.select(
                    catalogue_activities.c.activity_id, catalogue_activities.c.entry_id
                ).where(
                    catalogue_activities.c.tenant_id == tenant,
                    catalogue_activities.c.activity_id.in_(activity_ids),
                )
            )
        ).all()
    )
    waiting: dict[str, int] = dict(
        (
            await uow.session.execute(
                sa.select(learning_records.c.activity_id, sa.func.count())
                .where(
                    learning_records.c.tenant_id == tenant,
                    sa.not_(learning_records.c.applied),
                    sa.not_(learning_records.c.voided),
                    learning_records.c.activity_id.in_(activity_ids),
                )
                .group_by(learning_records.c.activity_id)
            )
        ).all()
    )
    reference = Reference(uow, tenant)
    preview = []
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for r in rows:
        entry_id = r.entry_id or mapped.get(r.activity_id) or default_entry(r.activity_id)
        current = await reference.entry(entry_id)
        same = current is not None and all(current.get(k) == v for k, v in r.values.items())
        outcome = "new" if current is None else "unchanged" if same else "changed"
        counts[outcome] += 1
        preview.append(
            {
                "line": r.line,
                "activity_id": r.activity_id,
                "entry_id": entry_id,
                "title": r.values["title"],
                "entry": outcome,
                "mapped_before_to": mapped.get(r.activity_id),
                "records_waiting": waiting.get(r.activity_id, 0),
            }
        )
        if apply and outcome != "unchanged":
            await reference.put_entry(entry_id, r.values)
    out: dict[str, Any] = {"applied": apply, "rows": len(rows), **counts, "courses": preview}
    if apply:
        at = now()
        await uow.session.execute(
            insert(catalogue_activities)
            .values(
                [
                    {
                        "tenant_id": tenant,
                        "activity_id": p["activity_id"],
                        "entry_id": p["entry_id"],
                        "mapped_at": at,
                    }
                    for p in preview
                ]
            )
            .on_conflict_do_update(
                index_elements=["tenant_id", "activity_id"],
                set_={"entry_id": insert(catalogue_activities).excluded.entry_id, "mapped_at": at},
            )
        )
        out.update(await replay(uow, tenant, activity_ids))
    return out
