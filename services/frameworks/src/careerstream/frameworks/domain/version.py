"""A framework version: the aggregate that guards drafts, publication and retirement.

A framework has versions: at most one draft (edited), published ones (never
change again) and retired ones (kept, readable, no longer current). The current
version is the latest published one. Every edit of a draft is checked against
the integrity rules; publication against all rules, and it records the whole
version as `framework.published`. Every change bumps the revision (the ETag an
editor sends back as If-Match).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from careerstream.contracts.events.frameworks import FrameworkPublished, FrameworkRetired
from careerstream.frameworks.domain.model import Framework
from careerstream.frameworks.domain.paths import complete_lateral_path
from careerstream.frameworks.domain.rules import Issue, validate
from careerstream.servicekit.domain import Aggregate, Conflict, Invalid, PreconditionFailed


class VersionStatus(StrEnum):
    """Where a version is in its life."""

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class FrameworkInvalid(Invalid):
    """The framework breaks rules: every issue, with its path (422)."""

    def __init__(self, issues: list[Issue], *, publishing: bool = False) -> None:
        self.issues = issues
        self.publishing = publishing
        listed = "; ".join(f"{i.path}: {i.message}" for i in issues[:5])
        super().__init__(
            [f"{i.path}: {i.message}" for i in issues],
            title="Not ready to publish" if publishing else "Invalid framework",
            detail=f"{len(issues)} problem(s): {listed}",
            errors=[i.as_dict() for i in issues],
        )


def require_valid(fw: Framework, *, publishing: bool = False) -> None:
    """422 listing every issue unless the framework keeps the rules (all of them to publish)."""
    issues = validate(fw, publishing=publishing)
    if issues:
        raise FrameworkInvalid(issues, publishing=publishing)


def snapshot_event(fw: Framework, version: int, published_at: datetime) -> FrameworkPublished:
    """The whole version as consumers receive it."""
    doc = fw.model_dump(mode="json")
    return FrameworkPublished.model_validate(
        {**doc, "framework_id": fw.id, "version": version, "published_at": published_at}
    )


@dataclass(eq=False)
class FrameworkVersion(Aggregate):
    """One version of one framework, with its document."""

    framework_id: str
    version: int
    status: VersionStatus
    name: str
    revision: int
    created_at: datetime
    updated_at: datetime
    created_by: str
    document: Framework
    published_at: datetime | None = None
    published_by: str | None = None
    retired_at: datetime | None = None
    retired_reason: str | None = None

    def __post_init__(self) -> None:
        Aggregate.__init__(self)

    @classmethod
    def draft(cls, fw: Framework, number: int, actor: str, now: datetime) -> FrameworkVersion:
        """A new draft holding `fw` (which the caller checked with `require_valid` first)."""
        return cls(fw.id, number, VersionStatus.DRAFT, fw.name, 1, now, now, actor, fw)

    def summary(self) -> dict[str, Any]:
        """Everything but the document."""
        return {
            "framework_id": self.framework_id,
            "version": self.version,
            "status": self.status.value,
            "name": self.name,
            "revision": self.revision,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "created_by": self.created_by,
            "published_at": self.published_at,
            "published_by": self.published_by,
            "retired_at": self.retired_at,
            "retired_reason": self.retired_reason,
        }

    def _require_draft(self, if_match: int | None) -> None:
        if self.status is not VersionStatus.DRAFT:
            raise Conflict(
                f"version {self.version} of framework '{self.framework_id}' is "
                f"{self.status.value} and never changes; start a new draft with "
                f"POST /v1/frameworks/{self.framework_id}/drafts"
            )
        if if_match is not None and if_match != self.revision:
            raise PreconditionFailed(
                f"the draft is at revision {self.revision}, not {if_match}: someone else changed "
                "it; read it again and reapply your change"
            )

    def _touch(self, now: datetime) -> None:
        self.revision += 1
        self.updated_at = now

    def replace(self, fw: Framework, now: datetime) -> None:
        """The draft's document becomes `fw` (checked against the integrity rules)."""
        require_valid(fw)
        self.document, self.name = fw, fw.name
        self._touch(now)

    def edit(
        self, change: Callable[[Framework], Framework], now: datetime, *, if_match: int | None
    ) -> None:
        """Apply `change` to the draft; keep it only if the framework stays consistent."""
        self._require_draft(if_match)
        changed = change(self.document)
        if changed.id != self.framework_id:
            raise Conflict(f"the document is framework '{changed.id}', not '{self.framework_id}'")
        self.replace(Framework.model_validate(changed.model_dump()), now)  # re-check fields

    def require_deletable(self) -> None:
        """409 unless this is a draft: published versions are history."""
        if self.status is not VersionStatus.DRAFT:
            raise Conflict(
                f"version {self.version} is {self.status.value}; only a draft can be deleted"
            )

    def publish(self, actor: str, now: datetime, *, if_match: int | None) -> None:
        """Publish the draft when every rule holds; lateral paths get what they imply."""
        self._require_draft(if_match)
        fw = self.document
        require_valid(fw, publishing=True)
        self.document = fw.model_copy(
            update={"lateral_paths": [complete_lateral_path(fw, p) for p in fw.lateral_paths]}
        )
        self.status, self.published_at, self.published_by = VersionStatus.PUBLISHED, now, actor
        self._touch(now)
        self.record(snapshot_event(self.document, self.version, now))

    def retire(self, reason: str, now: datetime) -> None:
        """A published version stops being current (kept and readable)."""
        if self.status is not VersionStatus.PUBLISHED:
            raise Conflict(
                f"version {self.version} of framework '{self.framework_id}' is "
                f"{self.status.value}; only a published version can be retired"
            )
        self.status, self.retired_at, self.retired_reason = VersionStatus.RETIRED, now, reason
        self._touch(now)
        self.record(
            FrameworkRetired(
                framework_id=self.framework_id, version=self.version, retired_at=now, reason=reason
            )
        )
