"""Each view's answer, kept with the version of the facts it was computed at.

A view over a large tenant joins a year of facts to its population: seconds at a
million people. Its answer changes only when the tenant's facts do, so:

- every transaction of the projections that changes a tenant's facts bumps the
  tenant's version (`facts_versions`), just before it commits (`touched`);
- an answer is kept per question (view, window, filters, who asks, the view's own
  parameters) with the version read *before* it was computed (`view_results`);
- an answer kept at the current version is served as it is: it is exact. One kept at
  an older version is served while it is younger than `max_age` seconds (0: never),
  and computed again otherwise;
- a background round (`refresher`) computes again, before anyone asks, the answers
  someone read in the last `keep_warm` seconds whose facts have changed, so that a
  dashboard read often stays fast while the facts keep changing.

Every answer carries `computed_at`: when it was computed. A change committed while an
answer is computed is seen by the next question (the answer was stored with the
version before it), never lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from weakref import WeakValueDictionary

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from careerstream.metrics.adapters.orm import facts_versions, view_results
from careerstream.metrics.domain.definitions import Window
from careerstream.metrics.service_layer import figures, privacy, scope, workforce
from careerstream.servicekit import periodic
from careerstream.servicekit.uow import UnitOfWork, UowFactory

log = logging.getLogger(__name__)


# -- the version of a tenant's facts -------------------------------------------------------


def touched(u: UnitOfWork, tenants: Iterable[str]) -> None:
    """The transaction of `u` changes these tenants' facts: bump their versions as it commits
    (the row lock is held for the commit alone, so concurrent consumers barely wait)."""
    for tenant in set(tenants):
        u.before_commit(("facts_version", tenant), _bump(tenant))


def _bump(tenant: str) -> Callable[[AsyncSession], Awaitable[None]]:
    async def step(session: AsyncSession) -> None:
        stmt = pg_insert(facts_versions).values(
            tenant_id=tenant, version=1, changed_at=sa.func.clock_timestamp()
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[facts_versions.c.tenant_id],
                set_={
                    "version": facts_versions.c.version + 1,
                    "changed_at": stmt.excluded.changed_at,
                },
            )
        )

    return step


async def version_of(session: AsyncSession, tenant: str) -> int:
    """The tenant's facts version (0 before any fact)."""
    v = await session.scalar(
        sa.select(facts_versions.c.version).where(facts_versions.c.tenant_id == tenant)
    )
    return int(v or 0)


# -- questions and how each view answers them ----------------------------------------------


def _day(d: date) -> datetime:
    return datetime.combine(d, dtime.min, tzinfo=UTC)


@dataclass(frozen=True)
class Question:
    """What a view is asked: by whom (None: hr_admin, who sees the whole tenant), over which
    people and window, with the view's own parameters (`extra`)."""

    tenant: str
    filters: scope.Filters
    threshold: int
    viewer: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def key(self) -> str:
        """The question as the text it is kept under."""
        return json.dumps(self.params(), sort_keys=True, separators=(",", ":"))

    def params(self) -> dict[str, Any]:
        f = self.filters
        return {
            "from": f.window.start.date().isoformat(),
            "to": f.window.end.date().isoformat(),
            "department": f.department,
            "family": f.family,
            "track": f.track,
            "level": f.level,
            "manager": f.manager,
            "threshold": self.threshold,
            "viewer": self.viewer,
            **self.extra,
        }

    @classmethod
    def from_params(cls, tenant: str, p: dict[str, Any]) -> Question:
        """The question a kept answer was computed for (the refresher asks it again)."""
        known = {"from", "to", "department", "family", "track", "level", "manager"}
        known |= {"threshold", "viewer"}
        return cls(
            tenant,
            scope.Filters(
                Window(_day(date.fromisoformat(p["from"])), _day(date.fromisoformat(p["to"]))),
                p["department"],
                p["family"],
                p["track"],
                p["level"],
                p["manager"],
            ),
            int(p["threshold"]),
            p["viewer"],
            {k: v for k, v in p.items() if k not in known},
        )


async def suppressed(u: UnitOfWork, q: Question, f: scope.Filters, size: int) -> str | None:
    """Why a view over these people is withheld (METRICS.md, "Anonymity"), or None."""
    k = q.threshold
    if size < k:
        return f"the filters select {'fewer than ' + str(k) if size else 'no'} people"
    return await privacy.differencing(u, q.tenant, f, size, k, viewer=q.viewer)


Figures = Callable[[UnitOfWork, Question], Awaitable[dict[str, Any]]]


def _guarded(figures_of: Figures) -> Callable[[UnitOfWork, Question], Awaitable[dict[str, Any]]]:
    """A view's answer: the figures, unless the population is too small or would single
    someone out."""

    async def answer(u: UnitOfWork, q: Question) -> dict[str, Any]:
        size = await scope.size(u, q.tenant, q.filters)
        base: dict[str, Any] = {
            "filters": q.filters.describe(),
            "anonymity_threshold": q.threshold,
        }
        why = await suppressed(u, q, q.filters, size)
        if why is not None:
            return {**base, "suppressed": True, "reason": why}
        return {**base, "suppressed": False, **(await figures_of(u, q))}

    return answer


def this_hour() -> str:
    """When retention is measured for a window that ends later: the start of the current
    hour (UTC), so that an answer is kept for an hour rather than for an instant."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0).isoformat()


async def _headline(uow: UowFactory, u: UnitOfWork, q: Question) -> dict[str, Any]:
    """The headline: its population guarded as every view's, its figures taken from the
    mobility, development, engagement and retention views' answers to the same question.

    Those are asked at once, each in its own transaction (PostgreSQL computes them side by
    side), as exact answers (kept at the current facts, or computed): a dashboard that asks
    the headline and those views together computes each once, and the headline's first
    answer takes as long as the slowest of the four rather than their sum."""
    size = await scope.size(u, q.tenant, q.filters)
    base: dict[str, Any] = {"filters": q.filters.describe(), "anonymity_threshold": q.threshold}
    why = await suppressed(u, q, q.filters, size)
    if why is not None:
        return {**base, "suppressed": True, "reason": why}
    exact = Policy(max_age=0.0)
    asked = {
        "mobility": replace(q, extra={}),
        "development": replace(q, extra={}),
        "engagement": replace(q, extra={}),
        "retention": replace(q, extra={"now": q.extra["now"]}),
    }
    answers = dict(
        zip(
            asked,
            await asyncio.gather(*(answer(uow, v, sub, exact) for v, sub in asked.items())),
            strict=True,
        )
    )
    for part in answers.values():
        if part["suppressed"]:  # the people changed since the guard above counted them
            return {**base, "suppressed": True, "reason": part["reason"]}
    return {**base, "suppressed": False, "figures": workforce.headline_of(answers)}


async def _retention(u: UnitOfWork, q: Question) -> dict[str, Any]:
    # As of the window's end, or of the hour asked in when that is still to come.
    as_of = min(q.filters.window.end, datetime.fromisoformat(q.extra["now"]))
    return await workforce.retention_figures(u, q.tenant, q.filters, q.threshold, as_of)


def month_windows(end: datetime, months: int) -> list[tuple[date, date]]:
    """The `months` calendar months up to the one holding `end`, oldest first."""
    first = date(end.year, end.month, 1)
    out = []
    for i in range(months - 1, -1, -1):
        y, m = divmod(first.month - 1 - i, 12)
        start_d = date(first.year + y, m + 1, 1)
        ny, nm = divmod(m + 1, 12)
        out.append((start_d, date(first.year + y + ny, nm + 1, 1)))
    return out


async def _trends(u: UnitOfWork, q: Question) -> dict[str, Any]:
    metric: str = q.extra["metric"]
    points = []
    for start_d, end_d in month_windows(q.filters.window.end, int(q.extra["months"])):
        qf = q.filters
        f = scope.Filters(
            Window(_day(start_d), _day(end_d)),
            qf.department,
            qf.family,
            qf.track,
            qf.level,
            qf.manager,
        )
        month = start_d.isoformat()[:7]
        why = await suppressed(u, q, f, await scope.size(u, q.tenant, f))
        if why is not None:
            points.append({"month": month, "value": None, "suppressed": True, "reason": why})
            continue
        if metric in ("plan_completion_rate", "goal_completion_rate", "active_plan_share"):
            values = await figures.development_figures(u, q.tenant, f)
        elif metric == "conversations_per_employee":
            values = await workforce.engagement_figures(u, q.tenant, f, q.threshold)
        else:
            values = await figures.mobility_figures(u, q.tenant, f)
        points.append({"month": month, "value": values[metric], "suppressed": False})
    return {"metric": metric, "filters": q.filters.describe(), "points": points}


VIEWS: dict[str, Callable[[UnitOfWork, Question], Awaitable[dict[str, Any]]]] = {
    "mobility": _guarded(lambda u, q: figures.mobility_figures(u, q.tenant, q.filters)),
    "development": _guarded(lambda u, q: figures.development_figures(u, q.tenant, q.filters)),
    "learning": _guarded(lambda u, q: figures.learning_figures(u, q.tenant, q.filters)),
    "skills": _guarded(
        lambda u, q: figures.skills_figures(
            u, q.tenant, q.filters, q.threshold, q.extra.get("teams")
        )
    ),
    "engagement": _guarded(
        lambda u, q: workforce.engagement_figures(u, q.tenant, q.filters, q.threshold)
    ),
    "retention": _guarded(_retention),
    "fairness": _guarded(
        lambda u, q: workforce.fairness_figures(
            u, q.tenant, q.filters, q.extra["attribute"], q.threshold
        )
    ),
    "trends": _trends,
}
"""How each view answers a question, from the facts."""

COMPOSED: dict[str, Callable[[UowFactory, UnitOfWork, Question], Awaitable[dict[str, Any]]]] = {
    "headline": _headline,
}
"""Views answered from other views' answers (each kept in its own right)."""


# -- serving and keeping answers -----------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """How long an answer computed at an older version of the facts may still be served."""

    max_age: float = 0.0
    """Seconds an answer stays servable after the facts changed (0: only exact answers)."""
    keep_warm: float = 3600.0
    """An answer read within this many seconds is computed again by the refresher."""


_flights: WeakValueDictionary[tuple[str, str, str], asyncio.Lock] = WeakValueDictionary()


async def answer(uow: UowFactory, view: str, q: Question, policy: Policy) -> dict[str, Any]:
    """The view's answer to `q` (see `answer_json`)."""
    out: dict[str, Any] = json.loads(await answer_json(uow, view, q, policy))
    return out


async def answer_json(uow: UowFactory, view: str, q: Question, policy: Policy) -> str:
    """The view's answer to `q` as JSON text: kept if still good (see the module), else computed
    and kept. Served as the text it was kept as: a large answer is not decoded and encoded
    again on every read."""
    key = q.key()
    async with uow() as u:
        found = await _kept(u, q.tenant, view, key, policy)
        if found is not None:
            await u.commit()
            return found
    # One computation per question in this process; the others wait for it and read it.
    lock = _flights.get((q.tenant, view, key))
    if lock is None:
        lock = _flights[(q.tenant, view, key)] = asyncio.Lock()
    async with lock:
        async with uow() as u:
            found = await _kept(u, q.tenant, view, key, policy)
            if found is not None:
                await u.commit()
                return found
        return await compute(uow, view, q)


async def _kept(u: UnitOfWork, tenant: str, view: str, key: str, policy: Policy) -> str | None:
    vr = view_results.c
    current = (
        sa.select(facts_versions.c.version)
        .where(facts_versions.c.tenant_id == tenant)
        .scalar_subquery()
    )
    row = (
        await u.session.execute(
            sa.select(
                vr.version,
                vr.computed_at,
                vr.read_at,
                vr.body,
                sa.func.coalesce(current, 0).label("current"),
                sa.func.now().label("now"),
            ).where(vr.tenant_id == tenant, vr.view == view, vr.params == key)
        )
    ).first()
    if row is None:
        return None
    age = (row.now - row.computed_at).total_seconds()
    if row.version != row.current and not age < policy.max_age:
        return None
    if (row.now - row.read_at).total_seconds() > 60:  # keeps it warm, without a write per read
        await u.session.execute(
            sa.update(view_results)
            .where(vr.tenant_id == tenant, vr.view == view, vr.params == key)
            .values(read_at=row.now)
        )
    return _with_computed_at(row.body, row.computed_at)


def _with_computed_at(body: str, computed_at: datetime) -> str:
    """The kept JSON object with `computed_at` first (the object is never empty: it has
    `filters`; no view has a figure of that name)."""
    return '{"computed_at":' + json.dumps(computed_at.isoformat()) + "," + body[1:]


async def compute(uow: UowFactory, view: str, q: Question) -> str:
    """Compute `view`'s answer to `q` from the facts and keep it."""
    started = time.perf_counter()
    async with uow() as u:
        # The version first: facts committed from now on make the answer older than it says,
        # never newer, so the next question recomputes rather than trust a stale answer.
        version = await version_of(u.session, q.tenant)
        computed_at = await u.session.scalar(sa.select(sa.func.now()))
        answered = await (COMPOSED[view](uow, u, q) if view in COMPOSED else VIEWS[view](u, q))
        body = json.dumps(answered, default=_jsonable, separators=(",", ":"))
    ms = (time.perf_counter() - started) * 1000
    async with uow() as u:
        stmt = pg_insert(view_results).values(
            tenant_id=q.tenant,
            view=view,
            params=q.key(),
            viewer_id=q.viewer,
            manager_id=q.filters.manager,
            version=version,
            computed_at=computed_at,
            compute_ms=ms,
            read_at=computed_at,
            body=body,
        )
        await u.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[
                    view_results.c.tenant_id,
                    view_results.c.view,
                    view_results.c.params,
                ],
                set_={
                    c: stmt.excluded[c]
                    for c in ("version", "computed_at", "compute_ms", "read_at", "body")
                },
                # An answer computed at a newer version is never replaced by an older one.
                where=view_results.c.version <= stmt.excluded.version,
            )
        )
        await u.commit()
    assert computed_at is not None
    return _with_computed_at(body, computed_at)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


# -- the refresher ---------------------------------------------------------------------------


async def refresh(uow: UowFactory, policy: Policy, limit: int = 50) -> int:
    """Compute again the answers read within `keep_warm` whose facts have changed (and that are
    at least half `max_age` old, so a busy tenant is not recomputed without pause); one
    process per answer (an advisory lock), the most read first. Returns how many."""
    vr, fv = view_results.c, facts_versions.c
    async with uow() as u:
        rows = (
            await u.session.execute(
                sa.select(vr.tenant_id, vr.view, vr.params)
                .select_from(view_results.join(facts_versions, fv.tenant_id == vr.tenant_id))
                .where(
                    vr.version < fv.version,
                    vr.read_at > sa.func.now() - timedelta(seconds=policy.keep_warm),
                    vr.computed_at < sa.func.now() - timedelta(seconds=policy.max_age / 2),
                )
                .order_by(vr.read_at.desc())
                .limit(limit)
            )
        ).all()
    done = 0
    # The views others are made of first: a composed view (the headline) then reads them kept.
    for tenant, view, params in sorted(rows, key=lambda r: r[1] in COMPOSED):
        if view not in VIEWS and view not in COMPOSED:
            continue
        q = Question.from_params(tenant, json.loads(params))
        async with uow() as u:
            lock = zlib.crc32(f"{tenant}\0{view}\0{params}".encode())
            mine = await u.session.scalar(sa.select(sa.func.pg_try_advisory_lock(lock)))
            if not mine:
                continue
            try:
                if not await _current(u, tenant, view, params):  # not computed again meanwhile
                    await compute(uow, view, q)
                    done += 1
            finally:
                await u.session.execute(sa.select(sa.func.pg_advisory_unlock(lock)))
    return done


async def _current(u: UnitOfWork, tenant: str, view: str, key: str) -> bool:
    """The answer kept for the question is at the tenant's current facts."""
    vr = view_results.c
    kept = await u.session.scalar(
        sa.select(vr.version).where(vr.tenant_id == tenant, vr.view == view, vr.params == key)
    )
    return kept is not None and kept == await version_of(u.session, tenant)


def refresher(uow: UowFactory, policy: Policy, every_seconds: float) -> periodic.Job:
    """A background job: `refresh` every `every_seconds`."""

    async def round_() -> None:
        n = await refresh(uow, policy)
        if n:
            log.info("recomputed %d view answer(s) whose facts changed", n)

    return periodic.every(every_seconds, round_, name="view-refresh", log=log)
