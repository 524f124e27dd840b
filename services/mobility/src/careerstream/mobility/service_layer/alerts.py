"""Telling people about opportunities that fit them: when an opportunity is posted, the people
whose skills match it well enough AND whose stated aspirations it fits are published on the
restricted match topic (`opportunity.matched`), for the notifications service to tell them.

Fitting an aspiration means: the person aims for the opportunity's role or its family, or it
is a project, gig, rotation or mentorship and they said they are open to projects. Someone
who stated nothing is not told (the marketplace is still theirs to browse). A department-only
opportunity is matched among its department. The hiring manager and people already in the
role are left out. Matching reads the same profile index as candidate search.
"""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events import mobility as ev
from careerstream.mobility.adapters.index import index_for
from careerstream.mobility.adapters.orm import employees, org_units
from careerstream.mobility.adapters.repository import Opportunities
from careerstream.mobility.domain.matching import PROJECT_KINDS
from careerstream.mobility.domain.opportunity import OpportunityState
from careerstream.mobility.service_layer.candidates import target_of
from careerstream.mobility.service_layer.opportunities import now
from careerstream.servicekit import orgtree
from careerstream.servicekit.domain import NotFound
from careerstream.servicekit.uow import UnitOfWork

THRESHOLD = 0.6
"""The lowest match score told (0..1; the score candidates are ranked by)."""
LIMIT = 500
"""At most this many people are told of one opportunity, best first."""


async def matched(uow: UnitOfWork, tenant: str, opportunity_id: str) -> list[str]:
    """Who should hear of an opportunity (see the module), best first."""
    try:
        opp = await Opportunities(uow, tenant).get(opportunity_id)
    except NotFound:
        return []
    if opp.status is not OpportunityState.OPEN:
        return []
    index = await index_for(uow, tenant)
    n = len(index.ids)
    if n == 0:
        return []
    target = await target_of(uow, tenant, opp)
    fits = np.zeros(n, dtype=bool)
    if target.role is not None:
        fits[list(index.by_target_role.get(target.role.role_id, ()))] = True
    family = target.role.family_id if target.role else target.family_id
    if family is not None:
        fits[list(index.by_target_family.get(family, ()))] = True
    if target.kind in PROJECT_KINDS:
        fits |= index.open_to_projects[:n]
    if opp.visibility is ev.VisibilityScope.DEPARTMENT:
        members = await uow.session.scalars(
            sa.select(employees.c.employee_id).where(
                employees.c.tenant_id == tenant,
                employees.c.department_id.in_(
                    orgtree.subtree(org_units, tenant, [opp.department_id or ""])
                ),
                employees.c.active,
            )
        )
        fits &= index.mask(members.all())[:n]
    if not fits.any():
        return []
    best = index.top(target, LIMIT, exclude=[opp.hiring_manager_id], among=fits)
    return [m.employee_id for m in best if m.score >= THRESHOLD]


async def on_posted(uow: UnitOfWork, event: Envelope, p: ev.OpportunityPosted) -> None:
    """An opportunity was posted: publish who it fits (nothing when it fits no one)."""
    people = await matched(uow, event.tenantid, p.opportunity_id)
    if people:
        uow.publish(
            ev.OpportunityMatched(
                opportunity_id=p.opportunity_id,
                title=p.title,
                employee_ids=people,
                threshold=THRESHOLD,
                matched_at=now(),
            ),
            tenant_id=event.tenantid,
        )
