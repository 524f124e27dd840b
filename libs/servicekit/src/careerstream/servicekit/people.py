"""The people directory every service keeps from the HRIS stream: a table and its projection.

Services need the HRIS hierarchy to decide who may see whom (a manager reads
their direct and indirect reports). Each keeps its own copy, in its own
schema, from `careerstream.hris.employee.*`:

- one row per employee: role, manager, department, active, hire and leave
  dates, and only the personal columns the service uses (name, location,
  group attributes: `people_table(personal=...)`);
- each field remembers when the HRIS recorded its value, and a change recorded
  earlier than the value held is ignored: late or replayed events never undo
  newer ones; a change for someone not yet hired creates them;
- a service reacts to what changed through `on_change` (in the same
  transaction), e.g. to cancel a leaver's open assessments.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.hris import EmployeeChanged, EmployeeHired, EmployeeTerminated
from careerstream.servicekit.consumer import BatchHandler, reads_personal
from careerstream.servicekit.uow import UnitOfWork

DETAIL_FIELDS = (
    "role_id",
    "manager_id",
    "department_id",
    "location",
    "group_attributes",
    "work_email",
    "performance",
)

OnChange = Callable[[UnitOfWork, str, str, dict[str, Any], Any], Awaitable[None]]
"""`async def on_change(uow, tenant, employee_id, changed_fields, row_before)`."""


@dataclass(frozen=True)
class Change:
    """What one event changed of one person (in a batch, in event order)."""

    tenant: str
    employee_id: str
    changed: dict[str, Any]
    before: Any
    """The person's row before the batch."""
    new: bool
    """The person was unknown before this batch: nothing else can refer to them yet."""


OnChanges = Callable[[UnitOfWork, Sequence[Change]], Awaitable[None]]
"""`async def on_changes(uow, changes)`: the set-based form of `on_change`, for batches."""


PERSONAL_COLUMNS = {
    "display_name": sa.Text,
    "location": sa.Text,
    "group_attributes": JSONB,
    "work_email": sa.Text,
    "performance": sa.Text,
}
"""Directory columns that describe the person; a service keeps only those it uses."""

POINTER_OF = {
    "display_name": "/display_name",
    "location": "/details/location",
    "group_attributes": "/details/group_attributes",
    "work_email": "/details/work_email",
    "performance": "/details/performance",
}
"""Where each personal column's value is in an `employee.hired` / `employee.changed` payload."""


def people_table(
    metadata: sa.MetaData,
    *extra: sa.Column[Any],
    name: str = "employees",
    personal: Sequence[str] = (),
) -> sa.Table:
    """The directory table, with any service-specific columns added.

    `personal` names the personal columns the service uses (display_name, location,
    group_attributes); the others are not kept at all (data minimisation).
    """
    unknown = set(personal) - set(PERSONAL_COLUMNS)
    if unknown:
        raise ValueError(f"not a personal column of the directory: {sorted(unknown)}")
    return sa.Table(
        name,
        metadata,
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("employee_id", sa.Text, primary_key=True),
        *(sa.Column(c, PERSONAL_COLUMNS[c]) for c in PERSONAL_COLUMNS if c in personal),
        sa.Column("role_id", sa.Text),
        sa.Column("manager_id", sa.Text),
        sa.Column("department_id", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("hired_on", sa.Date),
        sa.Column("left_on", sa.Date),
        sa.Column("left_voluntarily", sa.Boolean),
        sa.Column("field_times", JSONB, nullable=False, server_default="{}"),
        *extra,
        sa.Index(f"ix_{name}_manager", "tenant_id", "manager_id"),
    )


class PeopleProjection:
    """The directory kept from the HRIS stream, a batch of events at a time (one read, one write)."""

    def __init__(
        self,
        table: sa.Table,
        on_change: OnChange | None = None,
        on_changes: OnChanges | None = None,
    ) -> None:
        """`on_changes` follows a batch's changes at once; without it, `on_change` is called
        once per change, in event order."""
        self.table = table
        self._columns = frozenset(c.name for c in table.columns)
        self.on_change = on_change
        self.on_changes = on_changes
        # A batch goes in as one statement over column arrays (`unnest`): one set of
        # parameters however many people, instead of one per row for SQLAlchemy to process
        # and PostgreSQL to execute (bench/RESULTS.md, onboarding).
        self._insert_missing = (
            pg_insert(table)
            .from_select(list(_MISSING), _unnested(table, _MISSING))
            .on_conflict_do_nothing()
            .returning(table.c.tenant_id, table.c.employee_id)
        )
        self._lock_rows = (
            sa.select(table)
            .where(
                table.c.tenant_id == sa.bindparam("tenant"),
                table.c.employee_id == sa.any_(sa.bindparam("ids", type_=ARRAY(sa.Text))),
            )
            .order_by(table.c.employee_id)
            .with_for_update()
        )
        self._names = [c.name for c in table.columns]
        upsert = pg_insert(table).from_select(self._names, _unnested(table, self._names))
        self._upsert = upsert.on_conflict_do_update(
            index_elements=[table.c.tenant_id, table.c.employee_id],
            set_={
                c.name: upsert.excluded[c.name]
                for c in table.columns
                if c.name not in ("tenant_id", "employee_id")
            },
        )

    @property
    def personal_pointers(self) -> frozenset[str]:
        """Where the personal columns this directory keeps are in `employee.*` payloads."""
        return frozenset(
            POINTER_OF[c] for c in PERSONAL_COLUMNS if c in self._columns and c in POINTER_OF
        )

    def batch_handlers(self) -> dict[type[Any], BatchHandler]:
        """The same projection for a batch at once: one read and one write for all of it."""

        def batch(kind: str) -> BatchHandler:
            async def handle(uow: UnitOfWork, events: Sequence[tuple[Envelope, Any]]) -> None:
                await self.apply_many(uow, [(e.tenantid, *_values(kind, p)) for e, p in events])

            # Only the personal columns this directory keeps are opened: a service keeping
            # none never fetches a key for the HRIS stream.
            return reads_personal(handle, self.personal_pointers if kind != "terminated" else ())

        return {
            EmployeeHired: batch("hired"),
            EmployeeChanged: batch("changed"),
            EmployeeTerminated: batch("terminated"),
        }

    async def apply_many(
        self, uow: UnitOfWork, items: Sequence[tuple[str, str, dict[str, Any], datetime]]
    ) -> None:
        """Apply (tenant, employee, values, recorded_at) in order: each field is set unless the
        value held was recorded later. Two statements whatever the batch size."""
        # Every statement here has one shape whatever the batch size (parameter lists, not
        # VALUES lists), so SQLAlchemy compiles each once and the driver pipelines the rows.
        t = self.table
        keys = sorted({(tenant, emp) for tenant, emp, _, _ in items})
        created = {
            (r.tenant_id, r.employee_id)
            for r in await uow.session.execute(
                self._insert_missing,
                _arrays(
                    self.table,
                    _MISSING,
                    [{"tenant_id": a, "employee_id": b, "field_times": {}} for a, b in keys],
                ),
            )
        }
        by_tenant: dict[str, list[str]] = {}
        for tenant, emp in keys:
            by_tenant.setdefault(tenant, []).append(emp)
        rows: list[Any] = []
        for tenant, emps in by_tenant.items():  # in key order: locks are taken in one order
            rows += (
                await uow.session.execute(self._lock_rows, {"tenant": tenant, "ids": emps})
            ).all()
        state = {(r.tenant_id, r.employee_id): dict(r._mapping) for r in rows}
        before = {
            k: r for k, r in zip(((r.tenant_id, r.employee_id) for r in rows), rows, strict=True)
        }
        changes: list[Change] = []
        kept = self._columns
        for tenant, emp, values, recorded_at in items:
            row = state[(tenant, emp)]
            values = {f: v for f, v in values.items() if f in kept}
            times: dict[str, str] = dict(row["field_times"] or {})
            changed: dict[str, Any] = {}
            for field, value in values.items():
                held = times.get(field)
                if held is not None and datetime.fromisoformat(held) > recorded_at:
                    continue
                times[field] = recorded_at.isoformat()
                if row[field] != value:
                    changed[field] = value
            row.update(changed)
            row["field_times"] = times
            if changed:
                key = (tenant, emp)
                changes.append(Change(tenant, emp, changed, before[key], key in created))
        await uow.session.execute(self._upsert, _arrays(t, self._names, list(state.values())))
        if self.on_changes is not None:
            if changes:
                await self.on_changes(uow, changes)
        elif self.on_change is not None:
            for c in changes:
                await self.on_change(uow, c.tenant, c.employee_id, c.changed, c.before)


_MISSING = ("tenant_id", "employee_id", "field_times")


def _is_json(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, JSONB)


def _unnested(table: sa.Table, names: Sequence[str]) -> sa.Select[Any]:
    """`SELECT ... FROM unnest(:u_a, :u_b, ...)`: rows from one array parameter per column
    (JSON travels as text and is cast back)."""
    arrays = [
        sa.bindparam(f"u_{n}", type_=ARRAY(sa.Text if _is_json(table.c[n]) else table.c[n].type))
        for n in names
    ]
    rows = sa.func.unnest(*arrays).table_valued(*names).render_derived()
    return sa.select(
        *(sa.cast(rows.c[n], JSONB) if _is_json(table.c[n]) else rows.c[n] for n in names)
    )


def _arrays(
    table: sa.Table, names: Sequence[str], rows: Sequence[dict[str, Any]]
) -> dict[str, list[Any]]:
    """The parameters of `_unnested`: each column's values, in row order."""
    out: dict[str, list[Any]] = {}
    for n in names:
        values = [row[n] for row in rows]
        if _is_json(table.c[n]):
            values = [None if v is None else json.dumps(v) for v in values]
        out[f"u_{n}"] = values
    return out


def _values(kind: str, p: Any) -> tuple[str, dict[str, Any], datetime]:
    if kind == "hired":
        values: dict[str, Any] = {f: getattr(p.details, f) for f in DETAIL_FIELDS}
        if values["group_attributes"] is None:
            # The gateway sends them apart (`groups.recorded`, metrics only): a hire naming
            # none leaves what that topic gave, whichever of the two arrived first.
            del values["group_attributes"]
        values.update(active=True, hired_on=p.effective_date, left_on=None, left_voluntarily=None)
        if p.display_name is not None:
            values["display_name"] = p.display_name
    elif kind == "changed":
        values = {f: getattr(p.details, f) for f in p.changed_fields if f in DETAIL_FIELDS}
    else:
        values = {"active": False, "left_on": p.effective_date, "left_voluntarily": p.voluntary}
    return p.employee_id, values, p.recorded_at


async def person(uow: UnitOfWork, table: sa.Table, tenant: str, employee_id: str) -> Any:
    """A person's row of a service's directory, or None when it does not know them."""
    return (
        await uow.session.execute(
            sa.select(table).where(table.c.tenant_id == tenant, table.c.employee_id == employee_id)
        )
    ).first()
