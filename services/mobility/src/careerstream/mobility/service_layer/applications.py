"""Applications: an employee applies and may withdraw; the one running the opportunity shortlists.

Someone else's application to an opportunity the caller does not run is not
theirs to know of (404).
"""

from __future__ import annotations

from typing import Any

from careerstream.mobility.adapters.repository import Market, Opportunities
from careerstream.mobility.domain.opportunity import Opportunity
from careerstream.mobility.service_layer.opportunities import now, run, runs, save, visible
from careerstream.servicekit.auth import Principal
from careerstream.servicekit.domain import Forbidden, NotFound
from careerstream.servicekit.uow import UnitOfWork


async def apply(uow: UnitOfWork, who: Principal, opportunity_id: str, note: str) -> str:
    """An active employee applies to an open opportunity they may see; returns the application id."""
    opp = await visible(uow, who, opportunity_id, lock=True)
    me = await Market(uow, who.tenant_id).person(who.subject)
    app = opp.apply(who.subject, note, active=me is not None and me.active, now=now())
    await save(uow, Opportunities(uow, who.tenant_id), opp)
    return app.application_id


async def _with_application(
    uow: UnitOfWork, who: Principal, application_id: str
) -> tuple[Opportunities, Opportunity]:
    repo = Opportunities(uow, who.tenant_id)
    opp = await repo.get(await repo.of_application(application_id), lock=True)
    return repo, opp


async def withdraw(uow: UnitOfWork, who: Principal, application_id: str) -> None:
    """The applicant withdraws their live application."""
    repo, opp = await _with_application(uow, who, application_id)
    if opp.application(application_id).employee_id != who.subject:
        if runs(who, opp):
            raise Forbidden("only the applicant withdraws an application")
        raise NotFound(f"no application '{application_id}' among those you may see")
    opp.withdraw(application_id, now())
    await save(uow, repo, opp)


async def shortlist(uow: UnitOfWork, who: Principal, application_id: str) -> None:
    """The one running the opportunity shortlists a submitted application."""
    repo, opp = await _with_application(uow, who, application_id)
    if opp.application(application_id).employee_id != who.subject and not runs(who, opp):
        # Someone else's application, to an opportunity the caller does not run.
        raise NotFound(f"no application '{application_id}' among those you may see")
    opp = await run(uow, who, opp.opportunity_id)
    market = Market(uow, who.tenant_id)
    manager = None
    if await market.tell_manager_on_shortlist():
        person = await market.person(opp.application(application_id).employee_id)
        manager = person.manager_id if person is not None else None
    opp.shortlist(application_id, now(), current_manager_id=manager)
    await save(uow, repo, opp)


async def list_applications(
    uow: UnitOfWork, who: Principal, opportunity_id: str | None
) -> list[Any]:
    """Applications the caller may read: theirs, and all of what they run (HR: all)."""
    runs_it = False
    if opportunity_id is not None:
        runs_it = runs(who, await visible(uow, who, opportunity_id))
    repo = Opportunities(uow, who.tenant_id)
    return await repo.applications_for(who, opportunity_id, runs_it=runs_it)


async def tell_manager_on_shortlist(uow: UnitOfWork, tenant: str) -> bool:
    """Whether an applicant's current manager is told when they are shortlisted (default yes)."""
    return await Market(uow, tenant).tell_manager_on_shortlist()


async def set_tell_manager_on_shortlist(uow: UnitOfWork, tenant: str, value: bool) -> None:
    """Change the tenant's setting (HR)."""
    await Market(uow, tenant).put_settings(value)
