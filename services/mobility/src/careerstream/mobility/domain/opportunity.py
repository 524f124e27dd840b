"""An opportunity of the internal marketplace and its applications: the aggregate that guards them.

An opportunity (a role, a project or a gig) is `open` until it is `filled`
(by someone who applied, or from outside) or `closed` without a fill. It is
matched on competencies, never degrees: posting it names the competencies it
needs, with levels.

An application is `submitted`, may be `shortlisted`, and ends `selected`,
`not_selected` (someone else was chosen) or `withdrawn` (by the applicant,
while it is live). One live application per person and opportunity. A fill
names everyone passed over and how far they got; a withdrawn applicant is not
passed over.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from careerstream.contracts.events import mobility as ev
from careerstream.mobility.domain.matching import is_skill
from careerstream.servicekit.domain import Aggregate, Conflict, Forbidden, Invalid, NotFound


class OpportunityState(StrEnum):
    """Where an opportunity is."""

    OPEN = "open"
    FILLED = "filled"
    CLOSED = "closed"


class ApplicationState(StrEnum):
    """Where an application is (see the module)."""

    SUBMITTED = "submitted"
    SHORTLISTED = "shortlisted"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"
    WITHDRAWN = "withdrawn"


LIVE = (ApplicationState.SUBMITTED, ApplicationState.SHORTLISTED)
"""An application in one of these is still in the running."""


@dataclass(frozen=True)
class Posting:
    """What the poster asks for."""

    kind: ev.OpportunityKind
    title: str
    description: str
    role_id: str | None
    family_id: str | None
    required: dict[str, int] | None
    time_share: int
    duration_weeks: int | None
    department_id: str | None
    location: str | None
    remote: bool
    visibility: ev.VisibilityScope
    hiring_manager_id: str | None
    closes_at: datetime | None
    required_skills: dict[str, int] | None = None
    """Skill URI -> level: skills of the library, met through the competencies covering them."""


@dataclass(frozen=True)
class PostedRole:
    """The framework role an opportunity names, as the marketplace knows it."""

    role_id: str
    family_id: str
    level_id: str | None
    requirements: Mapping[str, int]


def posting_problems(
    p: Posting,
    *,
    required: Mapping[str, int],
    role_found: bool,
    manager_active: bool,
    hiring_manager: str,
    known_competencies: Collection[str],
    scale_high: int,
    now: datetime,
    known_skills: Collection[str] = (),
) -> list[str]:
    """Everything wrong with a posting (empty when nothing is)."""
    problems: list[str] = []
    if not manager_active:
        problems.append(f"hiring_manager_id: '{hiring_manager}' is not an active employee")
    if p.role_id is not None and not role_found:
        problems.append(f"role_id: '{p.role_id}' is not a role of any published framework")
    elif p.role_id is None and p.kind is ev.OpportunityKind.ROLE:
        problems.append("role_id: an opportunity of kind 'role' names the framework role")
    if not required and not problems:
        problems.append("required: name the competencies it needs, with levels (never degrees)")
    for c, lv in sorted(required.items()):
        if is_skill(c):
            if c not in known_skills:
                problems.append(
                    f"required_skills: no competency of a published framework covers {c}; "
                    "link one to it in the framework first"
                )
            if not 1 <= lv <= scale_high:
                problems.append(
                    f"required_skills: level {lv} of {c} is outside the scale 1-{scale_high}"
                )
            continue
        if c not in known_competencies:
            problems.append(f"required.{c}: not a competency of any published role")
        if not 1 <= lv <= scale_high:
            problems.append(f"required.{c}: level {lv} is outside the scale 1-{scale_high}")
    if p.visibility is ev.VisibilityScope.DEPARTMENT and not p.department_id:
        problems.append("department_id: a department-only opportunity names its department")
    if p.closes_at is not None and p.closes_at <= now:
        problems.append(f"closes_at: {p.closes_at.isoformat()} is in the past")
    if p.kind in (ev.OpportunityKind.PROJECT, ev.OpportunityKind.GIG) and p.duration_weeks is None:
        problems.append("duration_weeks: a project or gig says how long it lasts")
    return problems


@dataclass
class Application:
    """One person's application to one opportunity."""

    application_id: str
    employee_id: str
    status: ApplicationState
    note: str
    submitted_at: datetime
    updated_at: datetime

    @property
    def live(self) -> bool:
        """Submitted or shortlisted: still in the running."""
        return self.status in LIVE


@dataclass(eq=False)
class Opportunity(Aggregate):
    """An opportunity with all its applications."""

    opportunity_id: str
    kind: ev.OpportunityKind
    title: str
    description: str
    role_id: str | None
    family_id: str | None
    level_id: str | None
    required: dict[str, int]
    time_share: int
    duration_weeks: int | None
    department_id: str | None
    location: str | None
    remote: bool
    visibility: ev.VisibilityScope
    hiring_manager_id: str
    posted_at: datetime
    status: OpportunityState = OpportunityState.OPEN
    closes_at: datetime | None = None
    filled_at: datetime | None = None
    closed_at: datetime | None = None
    filled_by: str | None = None
    internal_fill: bool | None = None
    applications: list[Application] = field(default_factory=list)

    def __post_init__(self) -> None:
        Aggregate.__init__(self)

    @classmethod
    def post(
        cls,
        p: Posting,
        *,
        required: dict[str, int],
        role: PostedRole | None,
        hiring_manager: str,
        now: datetime,
    ) -> Opportunity:
        """A new open opportunity (the caller checked it with `posting_problems`)."""
        opp = cls(
            opportunity_id=f"opp-{uuid.uuid4().hex[:12]}",
            kind=p.kind,
            title=p.title,
            description=p.description,
            role_id=p.role_id,
            family_id=role.family_id if role is not None else p.family_id,
            level_id=role.level_id if role is not None else None,
            required=required,
            time_share=p.time_share,
            duration_weeks=p.duration_weeks,
            department_id=p.department_id,
            location=p.location,
            remote=p.remote,
            visibility=p.visibility,
            hiring_manager_id=hiring_manager,
            posted_at=now,
            closes_at=p.closes_at,
        )
        opp.record(
            ev.OpportunityPosted(
                opportunity_id=opp.opportunity_id,
                kind=opp.kind,
                title=opp.title,
                role_id=opp.role_id,
                family_id=opp.family_id,
                level_id=opp.level_id,
                required=[
                    ev.RequiredCompetency(competency_id=c, level=lv)
                    for c, lv in sorted(required.items())
                    if not is_skill(c)
                ],
                required_skills=[
                    ev.RequiredSkill(skill_uri=c, level=lv)
                    for c, lv in sorted(required.items())
                    if is_skill(c)
                ],
                time_share=opp.time_share,
                duration_weeks=opp.duration_weeks,
                department_id=opp.department_id,
                location=opp.location,
                remote=opp.remote,
                visibility=opp.visibility,
                hiring_manager_id=hiring_manager,
                posted_at=now,
                closes_at=opp.closes_at,
            )
        )
        return opp

    def require_open(self, what: str = "") -> None:
        """409 unless the opportunity is open; `what` ends the message."""
        if self.status is not OpportunityState.OPEN:
            raise Conflict(f"opportunity '{self.opportunity_id}' is {self.status.value}{what}")

    def application(self, application_id: str) -> Application:
        """One of its applications."""
        for a in self.applications:
            if a.application_id == application_id:
                return a
        raise NotFound(f"no application '{application_id}' among those you may see")

    def apply(self, employee_id: str, note: str, *, active: bool, now: datetime) -> Application:
        """An active employee (not the hiring manager) applies, once while live."""
        self.require_open("; it takes no applications")
        if self.hiring_manager_id == employee_id:
            raise Conflict("you are the hiring manager of this opportunity")
        if not active:
            raise Forbidden("only active employees apply")
        live = next(
            (
                a
                for a in self.applications
                if a.employee_id == employee_id and a.status is not ApplicationState.WITHDRAWN
            ),
            None,
        )
        if live is not None:
            raise Conflict(f"you already applied ({live.application_id})")
        app = Application(
            f"app-{uuid.uuid4().hex[:12]}", employee_id, ApplicationState.SUBMITTED, note, now, now
        )
        self.applications.append(app)
        self.record(
            ev.ApplicationSubmitted(
                application_id=app.application_id,
                opportunity_id=self.opportunity_id,
                employee_id=employee_id,
                submitted_at=now,
            )
        )
        return app

    def withdraw(self, application_id: str, now: datetime) -> None:
        """The applicant withdraws a live application."""
        app = self.application(application_id)
        if not app.live:
            raise Conflict(
                f"application '{application_id}' is {app.status.value}; it cannot be withdrawn"
            )
        app.status, app.updated_at = ApplicationState.WITHDRAWN, now
        self.record(
            ev.ApplicationWithdrawn(
                application_id=application_id,
                opportunity_id=self.opportunity_id,
                employee_id=app.employee_id,
                withdrawn_at=now,
            )
        )

    def shortlist(
        self, application_id: str, now: datetime, *, current_manager_id: str | None = None
    ) -> None:
        """A submitted application of an open opportunity goes on the shortlist; the
        applicant's current manager is named, to be told (they have no say in it)."""
        app = self.application(application_id)
        self.require_open()
        if app.status is not ApplicationState.SUBMITTED:
            raise Conflict(
                f"application '{application_id}' is {app.status.value}; only a submitted one is "
                "shortlisted"
            )
        app.status, app.updated_at = ApplicationState.SHORTLISTED, now
        self.record(
            ev.CandidateShortlisted(
                application_id=application_id,
                opportunity_id=self.opportunity_id,
                employee_id=app.employee_id,
                current_manager_id=current_manager_id,
                shortlisted_at=now,
            )
        )

    def chosen(self, application_id: str) -> Application:
        """The live application to this opportunity that is to be selected."""
        self.require_open()
        app = next((a for a in self.applications if a.application_id == application_id), None)
        if app is None:
            raise Invalid(
                [
                    f"application_id: '{application_id}' is not an application to this "
                    "opportunity; select someone who applied"
                ]
            )
        if not app.live:
            raise Conflict(
                f"application '{application_id}' is {app.status.value}; it cannot be selected"
            )
        return app

    def fill(
        self,
        chosen: Application | None,
        *,
        from_role_id: str | None,
        move_kind: ev.MoveKind,
        now: datetime,
    ) -> ev.RoleFilled:
        """Fill it with a chosen applicant, or from outside (None); every other live applicant is
        not selected, and named as passed over with how far they got."""
        self.require_open()
        live = [a for a in self.applications if a.live]
        passed_over = [
            ev.PassedOver(
                employee_id=a.employee_id,
                stage=ev.PassedOverStage.SHORTLISTED
                if a.status is ApplicationState.SHORTLISTED
                else ev.PassedOverStage.APPLIED,
            )
            for a in sorted(live, key=lambda a: a.employee_id)
            if a is not chosen
        ]
        for a in live:
            a.status = ApplicationState.SELECTED if a is chosen else ApplicationState.NOT_SELECTED
            a.updated_at = now
        self.status, self.filled_at = OpportunityState.FILLED, now
        self.filled_by = chosen.employee_id if chosen else None
        self.internal_fill = chosen is not None
        event = ev.RoleFilled(
            opportunity_id=self.opportunity_id,
            internal=chosen is not None,
            employee_id=self.filled_by,
            from_role_id=from_role_id,
            to_role_id=self.role_id,
            move_kind=move_kind,
            hiring_manager_id=self.hiring_manager_id,
            passed_over_count=len(passed_over),
            posted_at=self.posted_at,
            filled_at=now,
        )
        self.record(event)
        if passed_over:  # who: only on the restricted topic
            self.record(
                ev.CandidatesPassedOver(
                    opportunity_id=self.opportunity_id, passed_over=passed_over, filled_at=now
                )
            )
        # The one who decided sees who was passed over; subscribers of role.filled do not.
        return event.model_copy(update={"passed_over": passed_over})

    def close(self, reason: str, now: datetime) -> None:
        """Close it without a fill."""
        self.require_open()
        self.status, self.closed_at = OpportunityState.CLOSED, now
        self.record(
            ev.OpportunityClosed(opportunity_id=self.opportunity_id, closed_at=now, reason=reason)
        )


def aspiration_problems(
    target_role_ids: Sequence[str],
    target_family_ids: Sequence[str],
    role_ids: Collection[str],
    family_ids: Collection[str],
) -> list[str]:
    """Aspirations that name roles or families no published framework has."""
    problems = [
        f"target_role_ids[{i}]: '{r}' is not a role"
        for i, r in enumerate(target_role_ids)
        if r not in role_ids
    ]
    problems += [
        f"target_family_ids[{i}]: '{f}' is not a job family"
        for i, f in enumerate(target_family_ids)
        if f not in family_ids
    ]
    return problems
