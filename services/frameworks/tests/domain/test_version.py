"""A framework version guards its lifecycle and each item-by-item edit (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from careerstream.contracts.events.frameworks import FrameworkPublished, FrameworkRetired
from careerstream.frameworks.adapters.files import load
from careerstream.frameworks.domain import editing
from careerstream.frameworks.domain import model as m
from careerstream.frameworks.domain.version import (
    FrameworkInvalid,
    FrameworkVersion,
    VersionStatus,
)
from careerstream.servicekit.domain import Conflict, NotFound, PreconditionFailed

EXAMPLE = Path(__file__).parents[2] / "examples" / "typical-company.yaml"
NOW = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def example() -> m.Framework:
    return load(EXAMPLE.read_text())


def _draft(fw: m.Framework) -> FrameworkVersion:
    return FrameworkVersion.draft(fw, 1, "hr1", NOW)


def test_every_edit_bumps_the_revision_and_a_stale_if_match_is_refused(
    example: m.Framework,
) -> None:
    draft = _draft(example)
    draft.edit(lambda fw: editing.put_family(fw, "legal", "Legal", ""), NOW, if_match=1)
    assert draft.revision == 2
    assert draft.document.family("legal") is not None
    with pytest.raises(PreconditionFailed, match="at revision 2, not 1"):
        draft.edit(lambda fw: editing.remove_family(fw, "legal"), NOW, if_match=1)
    assert draft.pull_events() == []  # drafts are nobody else's business


def test_an_edit_that_breaks_a_rule_leaves_the_draft_as_it_was(example: m.Framework) -> None:
    draft = _draft(example)
    with pytest.raises(FrameworkInvalid) as caught:
        draft.edit(lambda fw: editing.remove_competency(fw, "communication"), NOW, if_match=None)
    assert caught.value.title == "Invalid framework"
    assert caught.value.errors  # each issue with its path
    assert draft.document == example
    assert draft.revision == 1


def test_publishing_records_the_whole_version_and_freezes_it(example: m.Framework) -> None:
    draft = _draft(example)
    draft.publish("hr1", NOW, if_match=None)
    assert draft.status is VersionStatus.PUBLISHED
    [event] = draft.pull_events()
    assert isinstance(event, FrameworkPublished)
    assert (event.framework_id, event.version) == (example.id, 1)
    with pytest.raises(Conflict, match="never changes"):
        draft.edit(lambda fw: fw, NOW, if_match=None)
    with pytest.raises(Conflict, match="only a draft can be deleted"):
        draft.require_deletable()
    draft.retire("replaced", NOW)
    [retired] = draft.pull_events()
    assert isinstance(retired, FrameworkRetired)
    with pytest.raises(Conflict, match="only a published version can be retired"):
        draft.retire("again", NOW)


def test_removing_what_is_not_there_names_it(example: m.Framework) -> None:
    with pytest.raises(NotFound, match="there is no role 'astronaut'"):
        editing.remove_role(example, "astronaut")
    with pytest.raises(NotFound, match="there is no family 'nope'; create it first"):
        editing.put_track(example, "nope", m.Track(id="ic", name="IC"))


def test_puts_replace_in_place_and_keep_what_was_not_sent(example: m.Framework) -> None:
    comp = example.competencies[0]
    changed = editing.put_competency(
        example,
        comp.id,
        {"name": "Renamed", "category": comp.category, "family_id": comp.family_id},
        None,
    )
    assert changed.competencies[0].name == "Renamed"
    assert changed.competencies[0].descriptors == comp.descriptors
    assert [c.id for c in changed.competencies] == [c.id for c in example.competencies]
    with_descriptor = editing.put_descriptor(changed, comp.id, 0, "Not yet")
    assert [d.level for d in with_descriptor.competencies[0].descriptors] == sorted(
        d.level for d in with_descriptor.competencies[0].descriptors
    )
