"""HTTP API of the notifications service.

- `/v1/me/notifications`: the signed-in person's inbox (newest first), marking read;
- `/v1/me/notification-preferences`: what they receive on which channel, the daily digest,
  quiet hours and their time zone;
- `/v1/unsubscribe?token=`: the link in every e-mail; works without signing in;
- `/v1/notification-settings` (hr_admin): the tenant's chat webhook and time zone;
- `/v1/dead-letters` (hr_admin): deliveries that kept failing, and replaying them;
- `/v1/delivery-stats` (hr_admin): deliveries by channel and status.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.notifications.adapters.channels import check_webhook_url
from careerstream.notifications.adapters.orm import (
    deliveries,
    employees,
    notifications,
    preferences,
    settings,
)
from careerstream.notifications.domain import catalog, timing, tokens
from careerstream.notifications.domain.catalog import Kind
from careerstream.notifications.service_layer import delivering
from careerstream.notifications.service_layer.deciding import now
from careerstream.servicekit.deps import CurrentPrincipal, HrAdmin, Uow
from careerstream.servicekit.problems import Problem

router = APIRouter(prefix="/v1")

KINDS = sorted(k.value for k in Kind if k is not Kind.DIGEST)
NotificationId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="A notification id")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InboxItem(BaseModel):
    id: str
    kind: str
    subject: str
    lines: list[str]
    action: str
    link: str
    about_id: str | None
    created_at: str
    read_at: str | None


class Inbox(BaseModel):
    items: list[InboxItem]
    unread: int
    next_before: str | None = Field(
        description="pass as `before` for the next (older) page; null at the end"
    )


def _links(request: Request) -> delivering.Links:
    links: delivering.Links = request.app.state.links
    return links


@router.get("/me/notifications", tags=["inbox"], summary="Your notifications, newest first")
async def inbox(
    request: Request,
    principal: CurrentPrincipal,
    uow: Uow,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[
        str | None,
        Query(pattern=r"^[0-9a-f]{32}$", description="the last id of the previous page"),
    ] = None,
) -> Inbox:
    tenant, me = principal.tenant_id, principal.subject
    async with uow() as u:
        mine = sa.and_(notifications.c.tenant_id == tenant, notifications.c.recipient_id == me)
        q = sa.select(notifications).where(mine)
        if unread:
            q = q.where(notifications.c.read_at.is_(None))
        if before is not None:
            anchor = (
                await u.session.execute(
                    sa.select(notifications.c.created_at, notifications.c.id).where(
                        mine, notifications.c.id == before
                    )
                )
            ).first()
            if anchor is None:
                raise Problem(
                    422,
                    "Invalid request",
                    "before: not one of your notifications",
                    errors=[{"field": "query.before", "message": "not one of your notifications"}],
                )
            q = q.where(
                sa.tuple_(notifications.c.created_at, notifications.c.id)
                < sa.tuple_(sa.literal(anchor.created_at), sa.literal(anchor.id))
            )
        rows = (
            await u.session.execute(
                q.order_by(notifications.c.created_at.desc(), notifications.c.id.desc()).limit(
                    limit + 1
                )
            )
        ).all()
        count = await u.session.scalar(
            sa.select(sa.func.count()).where(mine, notifications.c.read_at.is_(None))
        )
        about_ids = {r.about_id for r in rows if r.about_id}
        names = dict(
            (
                await u.session.execute(
                    sa.select(employees.c.employee_id, employees.c.display_name).where(
                        employees.c.tenant_id == tenant, employees.c.employee_id.in_(about_ids)
                    )
                )
            ).all()
        )
    page, more = rows[:limit], len(rows) > limit
    items = []
    for r in page:
        shown = delivering.render_one(
            r.kind, dict(r.params or {}), names.get(r.about_id), _links(request), r.about_id
        )
        items.append(
            InboxItem(
                id=r.id,
                kind=r.kind,
                subject=shown.subject,
                lines=shown.lines,
                action=shown.action,
                link=shown.link,
                about_id=r.about_id,
                created_at=r.created_at.isoformat(),
                read_at=r.read_at.isoformat() if r.read_at else None,
            )
        )
    return Inbox(items=items, unread=int(count or 0), next_before=page[-1].id if more else None)


@router.post("/me/notifications/{notification_id}/read", tags=["inbox"], summary="Mark one as read")
async def mark_read(
    notification_id: NotificationId, principal: CurrentPrincipal, uow: Uow
) -> dict[str, Any]:
    async with uow() as u:
        done = (
            await u.session.execute(
                sa.update(notifications)
                .where(
                    notifications.c.tenant_id == principal.tenant_id,
                    notifications.c.recipient_id == principal.subject,
                    notifications.c.id == notification_id,
                )
                .values(read_at=sa.func.coalesce(notifications.c.read_at, now()))
                .returning(notifications.c.read_at)
            )
        ).first()
        await u.commit()
    if done is None:
        raise Problem(404, "Not found", f"you have no notification '{notification_id}'")
    return {"id": notification_id, "read_at": done.read_at.isoformat()}


@router.post("/me/notifications/read-all", tags=["inbox"], summary="Mark every one as read")
async def mark_all_read(principal: CurrentPrincipal, uow: Uow) -> dict[str, int]:
    async with uow() as u:
        result = await u.session.execute(
            sa.update(notifications)
            .where(
                notifications.c.tenant_id == principal.tenant_id,
                notifications.c.recipient_id == principal.subject,
                notifications.c.read_at.is_(None),
            )
            .values(read_at=now())
        )
        await u.commit()
    return {"marked": int(getattr(result, "rowcount", 0) or 0)}


class ChannelChoice(Strict):
    email: bool | None = None
    chat: bool | None = None


class QuietHours(Strict):
    start: int = Field(ge=0, le=23, description="local hour the quiet starts")
    end: int = Field(ge=0, le=23, description="local hour it ends (may be the next morning)")


class Preferences(Strict):
    channels: dict[str, ChannelChoice] = Field(
        default_factory=dict,
        description="per kind (or `*` for every kind): whether it comes by e-mail and by chat "
        "(unset: yes). The inbox always has everything.",
        max_length=64,
    )
    digest: bool = Field(
        default=False, description="e-mails come once a day as one digest instead of at once"
    )
    time_zone: str | None = Field(
        default=None, max_length=64, description="IANA time zone, e.g. Europe/Berlin"
    )
    quiet_hours: QuietHours | None = None


def _invalid(errors: list[dict[str, str]]) -> Problem:
    return Problem(
        422,
        "Invalid request",
        "; ".join(f"{e['field']}: {e['message']}" for e in errors),
        errors=errors,
    )


def _zone_errors(value: str | None) -> list[dict[str, str]]:
    """Checked in the route, after the caller is known (a stranger learns nothing)."""
    if value is not None and not timing.is_zone(value):
        return [
            {
                "field": "time_zone",
                "message": f"'{value}' is not an IANA time zone (e.g. Europe/Berlin)",
            }
        ]
    return []


def _prefs_of(row: Any) -> Preferences:
    if row is None:
        return Preferences()
    quiet = (
        QuietHours(start=row.quiet_start, end=row.quiet_end)
        if row.quiet_start is not None and row.quiet_end is not None
        else None
    )
    return Preferences(
        channels={k: ChannelChoice(**v) for k, v in (row.channels or {}).items()},
        digest=row.digest,
        time_zone=row.time_zone,
        quiet_hours=quiet,
    )


@router.get(
    "/me/notification-preferences", tags=["preferences"], summary="What you receive, and when"
)
async def get_preferences(principal: CurrentPrincipal, uow: Uow) -> Preferences:
    async with uow() as u:
        row = (
            await u.session.execute(
                sa.select(preferences).where(
                    preferences.c.tenant_id == principal.tenant_id,
                    preferences.c.employee_id == principal.subject,
                )
            )
        ).first()
    return _prefs_of(row)


@router.put(
    "/me/notification-preferences",
    tags=["preferences"],
    summary="Choose what you receive, and when (applies to what is decided from now on)",
)
async def put_preferences(body: Preferences, principal: CurrentPrincipal, uow: Uow) -> Preferences:
    errors = _zone_errors(body.time_zone)
    unknown = sorted(set(body.channels) - {*KINDS, "*"})
    if unknown:
        errors.insert(
            0,
            {
                "field": "channels",
                "message": f"unknown kind(s) {unknown}; kinds are {KINDS} or '*'",
            },
        )
    if errors:
        raise _invalid(errors)
    values = {
        "channels": {k: v.model_dump(exclude_none=True) for k, v in body.channels.items()},
        "digest": body.digest,
        "time_zone": body.time_zone,
        "quiet_start": body.quiet_hours.start if body.quiet_hours else None,
        "quiet_end": body.quiet_hours.end if body.quiet_hours else None,
        "updated_at": now(),
    }
    async with uow() as u:
        stmt = pg_insert(preferences).values(
            tenant_id=principal.tenant_id, employee_id=principal.subject, **values
        )
        await u.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[preferences.c.tenant_id, preferences.c.employee_id], set_=values
            )
        )
        await u.commit()
    return body


async def opt_out(uow: Any, tenant: str, employee_id: str, kind: str) -> None:
    """Turn e-mails of `kind` (or every kind: `*`) off, and cancel those not yet sent."""
    async with uow() as u:
        row = (
            await u.session.execute(
                sa.select(preferences.c.channels)
                .where(preferences.c.tenant_id == tenant, preferences.c.employee_id == employee_id)
                .with_for_update()
            )
        ).first()
        channels = dict(row.channels) if row is not None else {}
        channels[kind] = {**(channels.get(kind) or {}), "email": False}
        stmt = pg_insert(preferences).values(
            tenant_id=tenant, employee_id=employee_id, channels=channels, updated_at=now()
        )
        await u.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[preferences.c.tenant_id, preferences.c.employee_id],
                set_={"channels": channels, "updated_at": now()},
            )
        )
        pending = sa.and_(
            deliveries.c.tenant_id == tenant,
            deliveries.c.recipient_id == employee_id,
            deliveries.c.channel == "email",
            deliveries.c.status == "pending",
        )
        if kind != "*":
            pending = sa.and_(
                pending,
                deliveries.c.notification_id.in_(
                    sa.select(notifications.c.id).where(
                        notifications.c.tenant_id == tenant,
                        notifications.c.recipient_id == employee_id,
                        notifications.c.kind == kind,
                    )
                ),
            )
        await u.session.execute(
            sa.update(deliveries).where(pending).values(status="suppressed", last_error="opted out")
        )
        await u.commit()


def _page(status: int, **text: str) -> HTMLResponse:
    html = delivering.template("unsubscribe.html.j2").render(
        form=bool(text.get("action")),
        action=text.get("action", ""),
        title=text["title"],
        text=text["text"],
        button=text.get("button", ""),
    )
    return HTMLResponse(html, status_code=status)


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


Token = Annotated[
    str,
    Query(
        min_length=10, max_length=2000, pattern=r"^[A-Za-z0-9_\-.]+$", description="from the e-mail"
    ),
]


def _verified(request: Request, token: str) -> tuple[str, str, str] | Response:
    secret: str = request.app.state.unsubscribe_secret
    page = catalog.UNSUBSCRIBE_PAGE
    try:
        found = tokens.verify(secret, token)
    except tokens.BadToken as exc:
        if _wants_html(request):
            return _page(400, title=page["bad_title"], text=page["bad_text"])
        raise Problem(
            400,
            "Invalid unsubscribe token",
            str(exc),
            errors=[{"field": "query.token", "message": str(exc)}],
        ) from exc
    return found


@router.get(
    "/unsubscribe",
    tags=["unsubscribe"],
    summary="The unsubscribe link of an e-mail: what it will stop (no sign-in)",
    response_model=None,
)
async def unsubscribe_page(request: Request, token: Token) -> Response | dict[str, str]:
    found = _verified(request, token)
    if isinstance(found, Response):
        return found
    _, _, kind = found
    page = catalog.UNSUBSCRIBE_PAGE
    if _wants_html(request):
        text = (
            page["text_all"] if kind == "*" else catalog.render(page["text_kind"], {"kind": kind})
        )
        return _page(
            200,
            title=page["title"],
            text=text,
            button=page["button"],
            action=f"/v1/unsubscribe?token={token}",
        )
    return {"kind": kind, "stops": "email"}


@router.post(
    "/unsubscribe",
    tags=["unsubscribe"],
    summary="Stop the e-mails an unsubscribe link names (no sign-in; RFC 8058 one-click)",
    response_model=None,
)
async def unsubscribe(request: Request, token: Token, uow: Uow) -> Response | dict[str, str]:
    found = _verified(request, token)
    if isinstance(found, Response):
        return found
    tenant, employee_id, kind = found
    await opt_out(uow, tenant, employee_id, kind)
    page = catalog.UNSUBSCRIBE_PAGE
    if _wants_html(request):
        return _page(200, title=page["done_title"], text=page["done_text"])
    return {"kind": kind, "stopped": "email"}


class TenantSettings(Strict):
    chat_webhook_url: str | None = Field(
        default=None,
        max_length=2000,
        description="Slack-compatible incoming webhook every chat message is posted to",
    )
    chat_webhook_secret: str | None = Field(
        default=None,
        min_length=16,
        max_length=200,
        description="signs each post (X-Careerstream-Signature: v0=HMAC-SHA256); never shown again",
    )
    time_zone: str | None = Field(default=None, max_length=64)


class TenantSettingsOut(BaseModel):
    chat_webhook_url: str | None
    chat_webhook_signed: bool
    time_zone: str | None


@router.get(
    "/notification-settings", tags=["settings"], summary="The tenant's chat webhook (hr_admin)"
)
async def get_tenant_settings(principal: HrAdmin, uow: Uow) -> TenantSettingsOut:
    async with uow() as u:
        row = (
            await u.session.execute(
                sa.select(settings).where(settings.c.tenant_id == principal.tenant_id)
            )
        ).first()
    return TenantSettingsOut(
        chat_webhook_url=row.chat_webhook_url if row else None,
        chat_webhook_signed=bool(row and row.chat_webhook_secret),
        time_zone=row.time_zone if row else None,
    )


@router.put(
    "/notification-settings",
    tags=["settings"],
    summary="Set the tenant's chat webhook and time zone (hr_admin)",
)
async def put_tenant_settings(
    request: Request, body: TenantSettings, principal: HrAdmin, uow: Uow
) -> TenantSettingsOut:
    if errors := _zone_errors(body.time_zone):
        raise _invalid(errors)
    if body.chat_webhook_url is not None:
        problem = check_webhook_url(
            body.chat_webhook_url, allow_private=request.app.state.allow_private_webhooks
        )
        if problem is not None:
            raise Problem(
                422,
                "Invalid request",
                f"chat_webhook_url {problem}",
                errors=[{"field": "chat_webhook_url", "message": problem}],
            )
    values = {**body.model_dump(), "updated_at": now()}
    async with uow() as u:
        stmt = pg_insert(settings).values(tenant_id=principal.tenant_id, **values)
        await u.session.execute(
            stmt.on_conflict_do_update(index_elements=[settings.c.tenant_id], set_=values)
        )
        await u.commit()
    return TenantSettingsOut(
        chat_webhook_url=body.chat_webhook_url,
        chat_webhook_signed=body.chat_webhook_secret is not None,
        time_zone=body.time_zone,
    )


class DeadLetter(BaseModel):
    id: int
    recipient_id: str
    channel: str
    kind: str
    attempts: int
    last_error: str | None
    decided_at: str


@router.get(
    "/dead-letters",
    tags=["operations"],
    summary="Deliveries that kept failing, oldest first (hr_admin)",
)
async def get_dead_letters(
    principal: HrAdmin,
    uow: Uow,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    after: Annotated[int | None, Query(ge=0, le=2**62, description="the last id seen")] = None,
) -> list[DeadLetter]:
    rows = await delivering.dead_letters(uow, principal.tenant_id, limit, after)
    return [
        DeadLetter(
            id=r.id,
            recipient_id=r.recipient_id,
            channel=r.channel,
            kind=r.kind,
            attempts=r.attempts,
            last_error=r.last_error,
            decided_at=r.created_at.isoformat(),
        )
        for r in rows
    ]


class ReplayIn(Strict):
    ids: list[Annotated[int, Field(ge=1, le=2**62)]] | None = Field(
        default=None, max_length=10_000, description="these dead letters (default: all)"
    )


@router.post(
    "/dead-letters/replay",
    tags=["operations"],
    summary="Try dead deliveries again now (hr_admin)",
)
async def replay_dead_letters(body: ReplayIn, principal: HrAdmin, uow: Uow) -> dict[str, int]:
    return {"replayed": await delivering.replay(uow, principal.tenant_id, body.ids)}


@router.get(
    "/delivery-stats", tags=["operations"], summary="Deliveries by channel and status (hr_admin)"
)
async def delivery_stats(principal: HrAdmin, uow: Uow) -> dict[str, dict[str, int]]:
    async with uow() as u:
        rows = await u.session.execute(
            sa.select(deliveries.c.channel, deliveries.c.status, sa.func.count())
            .where(deliveries.c.tenant_id == principal.tenant_id)
            .group_by(deliveries.c.channel, deliveries.c.status)
        )
        out: dict[str, dict[str, int]] = {}
        for channel, status, n in rows:
            out.setdefault(channel, {})[status] = int(n)
        inbox = await u.session.scalar(
            sa.select(sa.func.count()).where(notifications.c.tenant_id == principal.tenant_id)
        )
    out["inbox"] = {"decided": int(inbox or 0)}
    return out
