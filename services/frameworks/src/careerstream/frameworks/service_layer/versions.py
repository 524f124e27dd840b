"""Use cases on framework versions: load, ask the version to change, save, publish its events.

The rules live in `domain/version.py` (the `FrameworkVersion` aggregate) and
`domain/rules.py`; the SQL in `adapters/repository.py`. The unit of work is
the only thing that commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from careerstream.frameworks.adapters.repository import Versions
from careerstream.frameworks.domain import model as m
from careerstream.frameworks.domain.diff import Change, diff
from careerstream.frameworks.domain.model import Framework
from careerstream.frameworks.domain.occupations import Drafted, draft_role
from careerstream.frameworks.domain.version import FrameworkVersion, VersionStatus, require_valid
from careerstream.frameworks.service_layer import links
from careerstream.servicekit import clock
from careerstream.servicekit.domain import Conflict, NotFound
from careerstream.servicekit.uow import UnitOfWork


def _now() -> datetime:
    return clock.now()  # business time (servicekit.clock)


async def _save(uow: UnitOfWork, repo: Versions, version: FrameworkVersion) -> FrameworkVersion:
    await repo.save(version)
    uow.publish_all(version.pull_events(), tenant_id=repo.tenant)
    return version


async def list_versions(
    uow: UnitOfWork, tenant: str, framework_id: str | None, *, include_drafts: bool
) -> list[FrameworkVersion]:
    """Every version the caller may see, by framework then number."""
    return await Versions(uow, tenant).list(framework_id, include_drafts=include_drafts)


async def get_version(
    uow: UnitOfWork, tenant: str, framework_id: str, version: int | str, *, include_drafts: bool
) -> FrameworkVersion:
    """`version` is a number, `current` (latest published) or `draft`; 404 when there is none."""
    return await Versions(uow, tenant).get(framework_id, version, include_drafts=include_drafts)


async def _new_draft(
    uow: UnitOfWork, repo: Versions, fw: Framework, number: int, actor: str
) -> FrameworkVersion:
    draft = FrameworkVersion.draft(fw, number, actor, _now())
    await repo.add(draft)
    return draft


async def create_framework(
    uow: UnitOfWork, tenant: str, fw: Framework, actor: str
) -> FrameworkVersion:
    """A new framework with its first draft (version 1)."""
    require_valid(fw)
    fw = await links.check_links(uow, tenant, fw)
    repo = Versions(uow, tenant)
    if await repo.latest_number(fw.id):
        raise Conflict(f"framework '{fw.id}' exists; edit its draft or start a new one")
    return await _new_draft(uow, repo, fw, 1, actor)


class DraftWouldBeReplaced(Conflict):
    """The import would overwrite a draft that differs from the file (409 unless `replace`)."""

    def __init__(self, draft: FrameworkVersion, changes: list[Change]) -> None:
        super().__init__(
            f"framework '{draft.document.id}' has a draft (version {draft.version}) that differs "
            f"from the file in {len(changes)} place(s); send ?replace=true to replace the draft "
            "with the file, or publish or delete the draft first"
        )
        self.draft = draft
        self.changes = changes


async def import_framework(
    uow: UnitOfWork, tenant: str, fw: Framework, actor: str, *, replace: bool = False
) -> tuple[FrameworkVersion, str]:
    """Load a framework file as the draft: a new framework, a new draft, the draft replaced
    (only when `replace`: someone may have edited it), or nothing at all when the file is the
    latest version already ("unchanged")."""
    require_valid(fw)
    repo = Versions(uow, tenant)
    latest = await repo.latest_number(fw.id)
    before = (await repo.get(fw.id, latest, include_drafts=True)).document if latest else None
    fw = await links.check_links(uow, tenant, fw, before)
    if not latest:
        return await _new_draft(uow, repo, fw, 1, actor), "created"
    try:
        draft = await repo.get(fw.id, "draft", include_drafts=True, lock=True)
    except NotFound:
        current = await repo.get(fw.id, latest, include_drafts=True)
        if current.document == fw:
            return current, "unchanged"
        return await _new_draft(uow, repo, fw, latest + 1, actor), "new-draft"
    if draft.document == fw:
        return draft, "unchanged"
    if not replace:
        raise DraftWouldBeReplaced(draft, diff(draft.document, fw))
    draft.replace(fw, _now())
    return await _save(uow, repo, draft), "replaced-draft"


async def new_draft(
    uow: UnitOfWork, tenant: str, framework_id: str, actor: str
) -> FrameworkVersion:
    """Start a draft from the latest version (published or retired)."""
    repo = Versions(uow, tenant)
    latest = await repo.latest_number(framework_id)
    if not latest:
        raise NotFound(f"framework '{framework_id}' does not exist")
    base = await repo.get(framework_id, latest, include_drafts=True)
    if base.status is VersionStatus.DRAFT:
        raise Conflict(
            f"framework '{framework_id}' already has a draft (version {base.version}); edit it, "
            "publish it or delete it first"
        )
    return await _new_draft(uow, repo, base.document, latest + 1, actor)


async def edit_draft(
    uow: UnitOfWork,
    tenant: str,
    framework_id: str,
    version: int,
    change: Callable[[Framework], Framework],
    *,
    if_match: int | None = None,
) -> FrameworkVersion:
    """Apply `change` to the draft; keep it only if the framework stays consistent."""
    repo = Versions(uow, tenant)
    draft = await repo.get(framework_id, version, include_drafts=True, lock=True)
    before = draft.document
    draft.edit(change, _now(), if_match=if_match)
    if links.linked(draft.document) or links.linked(before):
        draft.document = await links.check_links(uow, tenant, draft.document, before)
    return await _save(uow, repo, draft)


async def delete_draft(uow: UnitOfWork, tenant: str, framework_id: str, version: int) -> None:
    """Delete a draft (published and retired versions are history)."""
    repo = Versions(uow, tenant)
    draft = await repo.get(framework_id, version, include_drafts=True, lock=True)
    draft.require_deletable()
    await repo.delete(draft)


async def publish(
    uow: UnitOfWork,
    tenant: str,
    framework_id: str,
    version: int,
    actor: str,
    *,
    if_match: int | None = None,
) -> FrameworkVersion:
    """Publish a draft once every rule holds; `framework.published` goes out with it."""
    repo = Versions(uow, tenant)
    draft = await repo.get(framework_id, version, include_drafts=True, lock=True)
    if draft.status is VersionStatus.DRAFT:
        draft.document = await links.check_links(uow, tenant, draft.document, publishing=True)
    draft.publish(actor, _now(), if_match=if_match)
    return await _save(uow, repo, draft)


async def retire(
    uow: UnitOfWork, tenant: str, framework_id: str, version: int, reason: str
) -> FrameworkVersion:
    """Retire a published version; `framework.retired` goes out with it."""
    repo = Versions(uow, tenant)
    published = await repo.get(framework_id, version, include_drafts=True, lock=True)
    published.retire(reason, _now())
    return await _save(uow, repo, published)


@dataclass(frozen=True)
class FromOccupation:
    occupation_uri: str
    family_id: str
    level_id: str
    title: str | None
    level: int
    limit: int


async def draft_from_occupation(
    u: UnitOfWork,
    tenant: str,
    framework_id: str,
    version: int,
    role_id: str,
    ask: FromOccupation,
    *,
    if_match: int | None,
) -> tuple[FrameworkVersion, Drafted, str]:
    """A new role in the draft, started from the occupation's essential skills."""
    label, description, essential = await links.essential_skills(u, tenant, ask.occupation_uri)
    if not essential:
        raise Conflict(
            f"occupation '{label}' has no essential skills in the library; draft the role by hand"
        )
    drafted: list[Drafted] = []

    def change(fw: m.Framework) -> m.Framework:
        if fw.role(role_id) is not None:
            raise Conflict(f"role '{role_id}' exists; remove it first or choose another id")
        title = ask.title or (label[:1].upper() + label[1:])[:200]
        result = draft_role(
            fw,
            role_id,
            family_id=ask.family_id,
            level_id=ask.level_id,
            title=title,
            summary=description,
            essential=essential,
            level=ask.level,
            limit=ask.limit,
        )
        drafted.append(result)
        return result.framework

    info = await edit_draft(u, tenant, framework_id, version, change, if_match=if_match)
    return info, drafted[0], label
