"""Use cases on framework versions: load, ask the version to change, save, publish its events.

The rules live in `domain/version.py` (the `FrameworkVersion` aggregate) and
`domain/rules.py`; the SQL in `adapters/repository.py`. The unit of work is
the only thing that commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from careerstream.frameworks.adapters.repository import Versions
from careerstream.frameworks.domain.diff import Change, diff
from careerstream.frameworks.domain.model import Framework
from careerstream.frameworks.domain.version import FrameworkVersion, VersionStatus, require_valid
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
    draft.edit(change, _now(), if_match=if_match)
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
