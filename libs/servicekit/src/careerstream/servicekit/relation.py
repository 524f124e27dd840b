"""The caller's relation to an employee: the one rule every service asks before it shows a person.

- **self**: the caller is the employee;
- **manager**: the caller is their direct manager;
- **skip_level**: the caller is above them further up the HRIS hierarchy;
- **hr**: the caller is `hr_admin` of the tenant and the directory knows the
  employee (someone the directory does not know is no one, even to HR);
- **none**: anyone else. A service answers 404, never 403, to `none`:
  whether a person exists is not the caller's business either.

The first that holds wins, in that order: an HR admin who manages someone is
their manager first. Services read the relation from their own copy of the
people directory (`servicekit.people`).
"""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa

from careerstream.servicekit.audit import note_subject
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.errors import Forbidden, NotFound
from careerstream.servicekit.uow import UnitOfWork


class Relation(StrEnum):
    """How the caller stands to one employee."""

    SELF = "self"
    MANAGER = "manager"
    SKIP_LEVEL = "skip_level"
    HR = "hr"
    NONE = "none"

    @property
    def manages(self) -> bool:
        """The caller is above the employee (direct or further up)."""
        return self in (Relation.MANAGER, Relation.SKIP_LEVEL)

    @property
    def sees(self) -> bool:
        """The caller may know the employee exists."""
        return self is not Relation.NONE

    @property
    def part(self) -> str:
        """The caller's part as the APIs name it: self, manager (direct or not), hr or none."""
        return "manager" if self.manages else self.value

    @property
    def label(self) -> str:
        """How an error message names those with this relation."""
        return {"self": "the employee", "none": "no one"}.get(self.part, self.part)


MANAGERS = frozenset({Relation.MANAGER, Relation.SKIP_LEVEL})
"""Direct and indirect managers: the usual "their managers" of a rule."""


def _fq(table: sa.Table) -> str:
    return f'"{table.schema}"."{table.name}"' if table.schema else f'"{table.name}"'


async def levels_above(
    uow: UnitOfWork, directory: sa.Table, tenant: str, manager: str, employee: str
) -> int | None:
    """How many levels `manager` is above `employee` (1 = direct), or None when not above them."""
    depth = await uow.session.scalar(
        sa.text(
            f"""
            WITH RECURSIVE chain(id, depth) AS (
                SELECT manager_id, 1 FROM {_fq(directory)} WHERE tenant_id = :t AND employee_id = :e
                UNION ALL
                SELECT p.manager_id, c.depth + 1 FROM chain c
                  JOIN {_fq(directory)} p ON p.tenant_id = :t AND p.employee_id = c.id
                 WHERE c.depth < 50)
            SELECT min(depth) FROM chain WHERE id = :m
            """
        ),
        {"t": tenant, "e": employee, "m": manager},
    )
    return int(depth) if depth is not None else None


async def manages(
    uow: UnitOfWork, directory: sa.Table, tenant: str, manager: str, employee: str
) -> bool:
    """True when `manager` is above `employee` in the hierarchy (direct or indirect)."""
    return await levels_above(uow, directory, tenant, manager, employee) is not None


def reports_of(directory: sa.Table, tenant: str, manager: str) -> sa.TextClause:
    """A subquery of the employee ids below `manager` (direct and indirect): `col.in_(...)`."""
    return sa.text(
        f"""
        WITH RECURSIVE below(id, depth) AS (
            SELECT employee_id, 1 FROM {_fq(directory)} WHERE tenant_id = :rt AND manager_id = :rm
            UNION ALL
            SELECT p.employee_id, b.depth + 1 FROM below b
              JOIN {_fq(directory)} p ON p.tenant_id = :rt AND p.manager_id = b.id
             WHERE b.depth < 50)
        SELECT id FROM below
        """
    ).bindparams(rt=tenant, rm=manager)


def readable_by(
    directory: sa.Table, who: Principal, employee_column: sa.ColumnElement[str]
) -> sa.ColumnElement[bool]:
    """A WHERE clause: the rows about employees `who` may see (themselves and those below them;
    everyone of the tenant for hr_admin). The caller's tenant is filtered separately."""
    if who.has(Role.HR_ADMIN):
        return sa.true()
    return sa.or_(
        employee_column == who.subject,
        employee_column.in_(reports_of(directory, who.tenant_id, who.subject)),
    )


async def is_known(uow: UnitOfWork, directory: sa.Table, tenant: str, employee_id: str) -> bool:
    """Whether the tenant's directory has this person."""
    found = await uow.session.scalar(
        sa.select(sa.literal(True)).where(
            directory.c.tenant_id == tenant, directory.c.employee_id == employee_id
        )
    )
    return bool(found)


async def relation_to(
    uow: UnitOfWork, directory: sa.Table, who: Principal, employee_id: str
) -> Relation:
    """The caller's relation to `employee_id` (see the module's rules).

    A caller who may see the person is about to read or change their data: the request's
    audit record names them (`servicekit.audit`), whatever the route.
    """
    relation = await _relation_to(uow, directory, who, employee_id)
    if relation.sees:
        note_subject(employee_id)
    return relation


async def _relation_to(
    uow: UnitOfWork, directory: sa.Table, who: Principal, employee_id: str
) -> Relation:
    if who.subject == employee_id:
        return Relation.SELF
    depth = await levels_above(uow, directory, who.tenant_id, who.subject, employee_id)
    if depth is not None:
        return Relation.MANAGER if depth == 1 else Relation.SKIP_LEVEL
    if who.has(Role.HR_ADMIN) and await is_known(uow, directory, who.tenant_id, employee_id):
        return Relation.HR
    return Relation.NONE


def require(
    relation: Relation, allowed: frozenset[Relation] | set[Relation], *, what: str
) -> Relation:
    """`relation` when it is allowed; 404 (`NotFound`) when the caller may not see the employee,
    403 (`Forbidden`) naming who may when they see them but may not do this."""
    if not relation.sees:
        raise NotFound(f"no {what} among those you may see")
    if relation not in allowed:
        labels = list(dict.fromkeys(r.label for r in _ORDER if r in allowed))
        raise Forbidden(f"only {' or '.join(labels)} may do this")
    return relation


_ORDER = (Relation.SELF, Relation.MANAGER, Relation.SKIP_LEVEL, Relation.HR)
