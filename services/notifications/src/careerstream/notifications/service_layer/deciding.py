"""Deciding who is told what: each notification once, and its deliveries per channel.

A notification is unique on (tenant, recipient, kind, trigger): the event (or timed rule)
that caused it decides it once, however often the event is delivered or a rule runs. The
in-app inbox is the notification itself; e-mail and chat get a delivery each, unless the
person turned that kind off for that channel. A person who has left is told nothing.

When a delivery may go out: at once; after the person's quiet hours when they set some; or
with their daily digest when they chose one (e-mail only).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.notifications.adapters.orm import (
    deliveries,
    employees,
    notifications,
    preferences,
    settings,
)
from careerstream.notifications.domain import timing
from careerstream.notifications.domain.catalog import DIGEST_ONLY, Kind
from careerstream.servicekit.uow import UnitOfWork

CHANNELS = ("email", "chat")


@dataclass(frozen=True)
class Intent:
    """Tell `recipient` about something (`kind`), because of `trigger`."""

    tenant: str
    recipient: str
    kind: Kind
    trigger: str
    about: str | None = None
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    """The service-wide defaults deciding uses."""

    default_time_zone: str = "UTC"
    digest_hour: int = 8


def now() -> datetime:
    return datetime.now(UTC)


def wants(channels: dict[str, Any], kind: str, channel: str) -> bool:
    """A person's choice for a kind on a channel: the kind's own, else their `*`, else yes."""
    for key in (kind, "*"):
        chosen = (channels.get(key) or {}).get(channel)
        if isinstance(chosen, bool):
            return chosen
    return True


async def decide(
    uow: UnitOfWork, intents: Sequence[Intent], policy: Policy, at: datetime | None = None
) -> int:
    """Record the notifications of `intents` not decided before, with their deliveries; returns
    how many are new. Set-based: a few statements whatever the number of intents."""
    if not intents:
        return 0
    at = at or now()
    s = uow.session
    by_tenant: dict[str, set[str]] = {}
    for i in intents:
        by_tenant.setdefault(i.tenant, set()).add(i.recipient)
    people: dict[tuple[str, str], Any] = {}
    prefs: dict[tuple[str, str], Any] = {}
    chat: dict[str, bool] = {}
    for tenant, ids in by_tenant.items():
        id_list = sorted(ids)
        for r in await s.execute(
            sa.select(employees.c.employee_id, employees.c.active).where(
                employees.c.tenant_id == tenant,
                employees.c.employee_id == sa.any_(sa.literal(id_list, ARRAY(sa.Text))),
            )
        ):
            people[(tenant, r.employee_id)] = r
        for r in await s.execute(
            sa.select(preferences).where(
                preferences.c.tenant_id == tenant,
                preferences.c.employee_id == sa.any_(sa.literal(id_list, ARRAY(sa.Text))),
            )
        ):
            prefs[(tenant, r.employee_id)] = r
        hook = await s.scalar(
            sa.select(settings.c.chat_webhook_url).where(settings.c.tenant_id == tenant)
        )
        chat[tenant] = bool(hook)
    rows = []
    seen: set[tuple[str, str, str, str]] = set()
    for i in intents:
        person = people.get((i.tenant, i.recipient))
        if person is not None and not person.active:
            continue  # nothing for someone who has left
        key = (i.tenant, i.recipient, i.kind.value, i.trigger)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            {
                "id": uuid.uuid4().hex,
                "tenant_id": i.tenant,
                "recipient_id": i.recipient,
                "kind": i.kind.value,
                "trigger_key": i.trigger,
                "about_id": i.about,
                "params": i.params,
                "created_at": at,
            }
        )
    if not rows:
        return 0
    inserted = await s.execute(
        pg_insert(notifications)
        .on_conflict_do_nothing(constraint="ux_notifications_once")
        .returning(
            notifications.c.id,
            notifications.c.tenant_id,
            notifications.c.recipient_id,
            notifications.c.kind,
        ),
        rows,
    )
    new = list(inserted.all())
    planned = []
    for n in new:
        pref = prefs.get((n.tenant_id, n.recipient_id))
        channels: dict[str, Any] = dict(pref.channels) if pref is not None else {}
        tz = timing.zone(pref.time_zone if pref else None, policy.default_time_zone)
        quiet = (
            (pref.quiet_start, pref.quiet_end)
            if pref is not None and pref.quiet_start is not None and pref.quiet_end is not None
            else None
        )
        digest_only = Kind(n.kind) in DIGEST_ONLY
        for channel in CHANNELS:
            if channel == "chat" and (digest_only or not chat.get(n.tenant_id)):
                continue
            if not wants(channels, n.kind, channel):
                continue
            digest = channel == "email" and (
                digest_only or (pref is not None and bool(pref.digest))
            )
            when = (
                timing.next_digest(at, tz, policy.digest_hour)
                if digest
                else timing.not_before(at, tz, quiet)
            )
            planned.append(
                {
                    "notification_id": n.id,
                    "tenant_id": n.tenant_id,
                    "recipient_id": n.recipient_id,
                    "channel": channel,
                    "status": "pending",
                    "digest": digest,
                    "next_attempt_at": when,
                }
            )
    if planned:
        await s.execute(
            pg_insert(deliveries).on_conflict_do_nothing(constraint="ux_deliveries_once"), planned
        )
    return len(new)


async def suppress_for(uow: UnitOfWork, tenant: str, employee_ids: Sequence[str], why: str) -> int:
    """Pending deliveries to these people are not sent (they left)."""
    if not employee_ids:
        return 0
    result = await uow.session.execute(
        sa.update(deliveries)
        .where(
            deliveries.c.tenant_id == tenant,
            deliveries.c.recipient_id == sa.any_(sa.literal(list(employee_ids), ARRAY(sa.Text))),
            deliveries.c.status.in_(("pending", "dead")),
        )
        .values(status="suppressed", last_error=why)
    )
    return int(getattr(result, "rowcount", 0) or 0)
