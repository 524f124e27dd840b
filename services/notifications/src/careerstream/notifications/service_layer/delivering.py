"""Delivering: at least once, never twice for the same delivery, dead-lettered when a channel
keeps failing.

A round claims due deliveries (pending and due, or claimed by a replica that died: its lease
ran out) with `FOR UPDATE SKIP LOCKED`, marks them `sending` with a lease and commits; then
sends each and records the outcome in its own small transaction right after the channel
accepted it. So a crash loses nothing (the lease runs out and the delivery is claimed again),
and only a crash in the instant between the channel's acceptance and that record can send one
message twice — with the same Message-ID (e-mail) or `X-Careerstream-Delivery` (chat), so the
receiver can tell.

A failure worth retrying waits with exponential back-off; after `max_attempts` (or at once for
a permanent failure) the delivery is `dead`: the dead-letter list operators read and replay.
A person who has left, or has no address, is not sent anything (`suppressed`). Digest
deliveries due for one person go out as one e-mail.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import sqlalchemy as sa

from careerstream.notifications.adapters.channels import (
    Mail,
    Permanent,
    Retry,
    Smtp,
    Webhook,
)
from careerstream.notifications.adapters.orm import deliveries, employees, notifications, settings
from careerstream.notifications.domain import catalog, timing, tokens
from careerstream.notifications.domain.catalog import CATALOGUE, Kind
from careerstream.notifications.service_layer.deciding import now
from careerstream.servicekit.uow import UowFactory

log = logging.getLogger("careerstream.notifications")

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(["html", "html.j2"], default_for_string=False),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def template(name: str) -> jinja2.Template:
    return _env.get_template(name)


@dataclass(frozen=True)
class Links:
    console_url: str
    public_url: str
    unsubscribe_secret: str

    def console(self, path: str) -> str:
        return self.console_url.rstrip("/") + path

    def unsubscribe(self, tenant: str, employee_id: str, kind: str) -> str:
        token = tokens.sign(self.unsubscribe_secret, tenant, employee_id, kind)
        return f"{self.public_url.rstrip('/')}/v1/unsubscribe?token={quote(token)}"


@dataclass(frozen=True)
class Rendered:
    subject: str
    lines: list[str]
    action: str
    link: str


def render_one(
    kind: str, params: dict[str, Any], about_name: str | None, links: Links, about: str | None
) -> Rendered:
    """The subject, lines and link of one notification (no personal detail beyond a name)."""
    msg = CATALOGUE[Kind(kind)]
    values = {k: str(v) for k, v in params.items()}
    values["name"] = about_name or catalog.SOMEONE
    values["about"] = quote(about or "", safe="")
    return Rendered(
        catalog.render(msg.subject, values),
        [catalog.render(line, values) for line in msg.lines],
        msg.action,
        links.console(catalog.render(msg.path, values)),
    )


def compose(
    *,
    recipient_name: str | None,
    items: Sequence[Rendered],
    unsubscribe_link: str,
    links: Links,
    digest: bool,
) -> tuple[str, str, str]:
    """(subject, text, html) of an e-mail: one notification, or a digest of several."""
    if digest:
        head = CATALOGUE[Kind.DIGEST]
        values = {"count": str(len(items)), "s": "" if len(items) == 1 else "s"}
        subject = catalog.render(head.subject, values)
        lines = list(head.lines)
        action, link = head.action, links.console(head.path)
        listed = [{"subject": i.subject, "link": i.link} for i in items]
    else:
        one = items[0]
        subject, lines, action, link, listed = one.subject, one.lines, one.action, one.link, []
    context = {
        "subject": subject,
        "greeting": catalog.render(catalog.GREETING, {"recipient": recipient_name})
        if recipient_name
        else catalog.GREETING_UNNAMED,
        "lines": lines,
        "items": listed,
        "action": action,
        "link": link,
        "footer": catalog.FOOTER,
        "preferences_label": catalog.PREFERENCES,
        "preferences_link": links.console("/me/notifications/preferences"),
        "unsubscribe_label": catalog.UNSUBSCRIBE,
        "unsubscribe_link": unsubscribe_link,
    }
    return (
        subject,
        template("email.txt.j2").render(context),
        template("email.html.j2").render(context),
    )


@dataclass
class Deliverer:
    uow: UowFactory
    smtps: list[Smtp]
    """One per SMTP connection a round uses at once (`NOTIFICATIONS_SMTP_CONNECTIONS`)."""
    webhook: Webhook
    links: Links
    batch_size: int = 200
    max_attempts: int = 6
    backoff_base: float = 5.0
    backoff_max: float = 900.0
    lease: float = 120.0

    async def round(self) -> int:
        """Claim and deliver one batch; returns how many deliveries it handled."""
        claimed = await self._claim()
        if not claimed:
            return 0
        try:
            await self._deliver(claimed)
        finally:
            for smtp in self.smtps:
                await smtp.close()
        return len(claimed)

    async def _claim(self) -> list[Any]:
        at = now()
        due = (
            sa.select(deliveries.c.id)
            .where(
                sa.or_(
                    sa.and_(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= at),
                    sa.and_(deliveries.c.status == "sending", deliveries.c.lease_until < at),
                )
            )
            .order_by(deliveries.c.next_attempt_at)
            .limit(self.batch_size)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        async with self.uow() as u:
            rows = (
                await u.session.execute(
                    sa.update(deliveries)
                    .where(deliveries.c.id.in_(due))
                    .values(
                        status="sending",
                        lease_until=at + timedelta(seconds=self.lease),
                        attempts=deliveries.c.attempts + 1,
                    )
                    .returning(deliveries)
                )
            ).all()
            await u.commit()
        return sorted(rows, key=lambda r: r.id)

    async def _context(
        self, rows: Sequence[Any]
    ) -> tuple[dict[str, Any], dict[tuple[str, str], Any], dict[str, Any]]:
        async with self.uow() as u:
            notes = {
                n.id: n
                for n in await u.session.execute(
                    sa.select(notifications).where(
                        notifications.c.id.in_({r.notification_id for r in rows})
                    )
                )
            }
            wanted: dict[str, set[str]] = {}
            for r in rows:
                wanted.setdefault(r.tenant_id, set()).add(r.recipient_id)
            for n in notes.values():
                if n.about_id:
                    wanted.setdefault(n.tenant_id, set()).add(n.about_id)
            people: dict[tuple[str, str], Any] = {}
            for tenant, ids in wanted.items():
                for p in await u.session.execute(
                    sa.select(
                        employees.c.employee_id,
                        employees.c.display_name,
                        employees.c.work_email,
                        employees.c.active,
                    ).where(employees.c.tenant_id == tenant, employees.c.employee_id.in_(ids))
                ):
                    people[(tenant, p.employee_id)] = p
            hooks = {
                s.tenant_id: s
                for s in await u.session.execute(
                    sa.select(settings).where(settings.c.tenant_id.in_(list(wanted)))
                )
            }
        return notes, people, hooks

    async def _deliver(self, rows: Sequence[Any]) -> None:
        notes, people, hooks = await self._context(rows)
        groups: dict[tuple[str, str, str, bool], list[Any]] = {}
        for r in rows:
            if r.notification_id not in notes:  # erased meanwhile
                await self._finish([r.id], "suppressed", "the notification was erased")
                continue
            digest = r.channel == "email" and r.digest
            key = (r.tenant_id, r.recipient_id, r.channel, digest)
            if digest:
                groups.setdefault(key, []).append(r)
            else:
                groups[(r.tenant_id, r.recipient_id, f"{r.channel}:{r.id}", False)] = [r]
        jobs = [(key, batch) for key, batch in groups.items()]
        lanes = [jobs[i :: len(self.smtps)] for i in range(len(self.smtps))]
        await asyncio.gather(
            *(
                self._lane(smtp, lane, notes, people, hooks)
                for smtp, lane in zip(self.smtps, lanes, strict=True)
                if lane
            )
        )

    async def _lane(
        self,
        smtp: Smtp,
        jobs: Sequence[tuple[tuple[str, str, str, bool], list[Any]]],
        notes: dict[str, Any],
        people: dict[tuple[str, str], Any],
        hooks: dict[str, Any],
    ) -> None:
        """One connection's share of a round, in order."""
        for (tenant, recipient, _, digest), batch in jobs:
            person = people.get((tenant, recipient))
            ids = [r.id for r in batch]
            if person is not None and not person.active:
                await self._finish(ids, "suppressed", "the person has left")
                continue
            rendered = []
            for r in batch:
                n = notes[r.notification_id]
                about = people.get((tenant, n.about_id)) if n.about_id else None
                rendered.append(
                    render_one(
                        n.kind,
                        dict(n.params or {}),
                        about.display_name if about is not None else None,
                        self.links,
                        n.about_id,
                    )
                )
            channel = batch[0].channel
            email = person.work_email if person is not None else None
            try:
                if channel == "email":
                    if not email:
                        await self._finish(ids, "suppressed", "no work e-mail address is known")
                        continue
                    kind = notes[batch[0].notification_id].kind if not digest else "*"
                    unsub = self.links.unsubscribe(tenant, recipient, kind)
                    subject, text, html = compose(
                        recipient_name=person.display_name if person is not None else None,
                        items=rendered,
                        unsubscribe_link=unsub,
                        links=self.links,
                        digest=digest,
                    )
                    message_id = _message_id(ids)
                    await smtp.send(Mail(email, subject, text, html, message_id, unsub))
                    await self._finish(ids, "sent", None, message_id)
                else:
                    hook = hooks.get(tenant)
                    if hook is None or not hook.chat_webhook_url:
                        await self._finish(ids, "suppressed", "the tenant has no chat webhook")
                        continue
                    one = rendered[0]
                    text = f"*{one.subject}*\n" + " ".join(one.lines)
                    await self.webhook.send(
                        hook.chat_webhook_url,
                        hook.chat_webhook_secret,
                        text=text,
                        link=one.link,
                        action=one.action,
                        recipient_email=email,
                        delivery_id=str(ids[0]),
                    )
                    await self._finish(ids, "sent", None, str(ids[0]))
            except Retry as exc:
                await self._failed(batch, str(exc), permanent=False)
            except Permanent as exc:
                await self._failed(batch, str(exc), permanent=True)

    async def _finish(
        self, ids: Sequence[int], status: str, error: str | None, message_id: str | None = None
    ) -> None:
        async with self.uow() as u:
            await u.session.execute(
                sa.update(deliveries)
                .where(deliveries.c.id.in_(list(ids)))
                .values(
                    status=status,
                    last_error=error,
                    lease_until=None,
                    sent_at=now() if status == "sent" else None,
                    message_id=message_id,
                )
            )
            await u.commit()

    async def _failed(self, batch: Sequence[Any], error: str, *, permanent: bool) -> None:
        at = now()
        async with self.uow() as u:
            for r in batch:
                dead = permanent or r.attempts >= self.max_attempts
                await u.session.execute(
                    sa.update(deliveries)
                    .where(deliveries.c.id == r.id)
                    .values(
                        status="dead" if dead else "pending",
                        last_error=error[:500],
                        lease_until=None,
                        next_attempt_at=at
                        + timing.backoff(
                            r.attempts, self.backoff_base, self.backoff_max, str(r.id)
                        ),
                    )
                )
            await u.commit()
        log.warning(
            "delivery of %d message(s) failed (%s): %s",
            len(batch),
            "dead" if permanent else "will retry",
            error,
        )


def _message_id(ids: Sequence[int]) -> str:
    if len(ids) == 1:
        return f"<delivery-{ids[0]}@careerstream>"
    digest = hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()[:24]
    return f"<digest-{digest}@careerstream>"


async def dead_letters(uow: UowFactory, tenant: str, limit: int, after: int | None) -> list[Any]:
    async with uow() as u:
        q = (
            sa.select(
                deliveries.c.id,
                deliveries.c.recipient_id,
                deliveries.c.channel,
                deliveries.c.attempts,
                deliveries.c.last_error,
                deliveries.c.next_attempt_at,
                notifications.c.kind,
                notifications.c.created_at,
            )
            .join(notifications, notifications.c.id == deliveries.c.notification_id)
            .where(deliveries.c.tenant_id == tenant, deliveries.c.status == "dead")
            .order_by(deliveries.c.id)
            .limit(limit)
        )
        if after is not None:
            q = q.where(deliveries.c.id > after)
        return list((await u.session.execute(q)).all())


async def replay(uow: UowFactory, tenant: str, ids: Sequence[int] | None) -> int:
    """Dead deliveries (these, or all of the tenant's) are tried again now, from attempt one."""
    async with uow() as u:
        cond = [deliveries.c.tenant_id == tenant, deliveries.c.status == "dead"]
        if ids is not None:
            cond.append(deliveries.c.id.in_(list(ids)))
        result = await u.session.execute(
            sa.update(deliveries)
            .where(*cond)
            .values(status="pending", attempts=0, next_attempt_at=now(), lease_until=None)
        )
        await u.commit()
    return int(getattr(result, "rowcount", 0) or 0)
