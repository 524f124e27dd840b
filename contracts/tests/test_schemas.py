"""The committed JSON Schemas are current, documented, and guard backward compatibility."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from careerstream.contracts import schemagen
from careerstream.contracts.compat import breaking_changes
from careerstream.contracts.envelope import make_event
from careerstream.contracts.examples import EXAMPLES
from careerstream.contracts.registry import EVENT_TYPES

SCHEMAS = schemagen.SCHEMA_DIR


def _committed(event_type: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{event_type}.json").read_text())
    return loaded


def test_committed_schemas_are_current_and_compatible() -> None:
    assert schemagen.main(["--check"]) == 0, "run `make schemas` and commit contracts/schemas/"


def test_every_type_has_an_example() -> None:
    assert set(EXAMPLES) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_events_as_written_validate_against_the_committed_schema(event_type: str) -> None:
    event = make_event(EXAMPLES[event_type], tenant_id="acme", source="/careerstream/test")
    jsonschema.Draft202012Validator(_committed(event_type)).validate(
        json.loads(event.model_dump_json())
    )


def _walk_properties(node: Any, path: str) -> list[str]:
    missing: list[str] = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if not sub.get("description"):
                missing.append(f"{path}.{name}")
        for key, sub in node.items():
            missing += _walk_properties(sub, f"{path}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            missing += _walk_properties(sub, f"{path}[{i}]")
    return missing


def test_every_field_of_every_schema_is_documented() -> None:
    missing = [m for t in EVENT_TYPES for m in _walk_properties(_committed(t), t)]
    assert missing == []


# -- the compatibility checker itself ------------------------------------------------------

BASE = _committed("careerstream.mobility.role.filled.v1")


def _data(schema: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = schema["properties"]["data"]
    return data


def test_identical_schema_is_compatible() -> None:
    assert breaking_changes(BASE, copy.deepcopy(BASE)) == []


def test_adding_an_optional_field_is_compatible() -> None:
    new = copy.deepcopy(BASE)
    _data(new)["properties"]["note"] = {"type": "string", "description": "x"}
    assert breaking_changes(BASE, new) == []


def test_removing_a_field_breaks() -> None:
    new = copy.deepcopy(BASE)
    del _data(new)["properties"]["filled_at"]
    assert breaking_changes(BASE, new) == ["$.data.filled_at: field removed"]


def test_changing_a_type_breaks() -> None:
    new = copy.deepcopy(BASE)
    _data(new)["properties"]["internal"] = {"type": "string", "description": "x"}
    assert breaking_changes(BASE, new) == ["$.data.internal: type changed from boolean to string"]


def test_requiring_a_field_breaks() -> None:
    new = copy.deepcopy(BASE)
    _data(new)["required"] = [*_data(new)["required"], "employee_id"]
    assert breaking_changes(BASE, new) == ["$.data.employee_id: field newly required"]


def test_narrowing_an_enum_breaks_and_widening_does_not() -> None:
    narrowed = copy.deepcopy(BASE)
    narrowed["$defs"]["MoveKind"]["enum"] = ["promotion", "lateral"]
    assert breaking_changes(BASE, narrowed) == [
        "$.data.move_kind: enum narrowed, values removed: ['other']"
    ]
    widened = copy.deepcopy(BASE)
    widened["$defs"]["MoveKind"]["enum"] = ["promotion", "lateral", "other", "demotion"]
    assert breaking_changes(BASE, widened) == []


def test_a_nested_change_inside_a_list_breaks() -> None:
    new = copy.deepcopy(BASE)
    del new["$defs"]["PassedOver"]["properties"]["stage"]
    assert breaking_changes(BASE, new) == ["$.data.passed_over[].stage: field removed"]


def test_regeneration_refuses_a_breaking_change(tmp_path: Path) -> None:
    for event_type in EVENT_TYPES:
        (tmp_path / f"{event_type}.json").write_text(
            schemagen.render(schemagen.event_schema(EVENT_TYPES[event_type]))
        )
    assert schemagen.main(["--dir", str(tmp_path), "--check"]) == 0
    # Pretend the committed schema had a field the model no longer has.
    path = tmp_path / "careerstream.mobility.role.filled.v1.json"
    old = json.loads(path.read_text())
    _data(old)["properties"]["legacy"] = {"type": "string", "description": "gone"}
    path.write_text(schemagen.render(old))
    assert schemagen.main(["--dir", str(tmp_path)]) == 1
    assert "legacy" in path.read_text(), "a refused change must leave the committed schema alone"


def _copy_record(tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    schemas, record = tmp_path / "schemas", tmp_path / "released"
    shutil.copytree(SCHEMAS, schemas)
    shutil.copytree(schemagen.RELEASED_DIR, record)
    return schemas, record


def test_every_released_revision_is_recorded_and_unchanged() -> None:
    revisions, problems = schemagen.released(schemagen.RELEASED_DIR)
    assert problems == []
    assert set(revisions) == set(EVENT_TYPES)
    for event_type, paths in revisions.items():
        assert paths[-1].read_text() == (SCHEMAS / f"{event_type}.json").read_text()


def test_a_change_is_checked_against_what_was_released_not_the_file_beside_it(
    tmp_path: Path,
) -> None:
    schemas, record = _copy_record(tmp_path)
    assert schemagen.main(["--dir", str(schemas), "--released", str(record), "--check"]) == 0
    # A model that lost a field, with its committed schema regenerated to match: the file
    # beside it agrees, but the released revision still has the field. As if released with
    # a field `legacy` the model no longer has:
    old = json.loads((record / "careerstream.mobility.role.filled.v1" / "1.json").read_text())
    _data(old)["properties"]["legacy"] = {"type": "string", "description": "gone"}
    schemagen.release("careerstream.mobility.role.filled.v1", old, record)
    assert schemagen.main(["--dir", str(schemas), "--released", str(record), "--check"]) == 1
    assert schemagen.main(["--dir", str(schemas), "--released", str(record)]) == 1


def test_editing_a_released_schema_is_caught(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schemas, record = _copy_record(tmp_path)
    path = record / "careerstream.plans.plan.created.v1" / "1.json"
    edited = json.loads(path.read_text())
    edited["description"] = "rewritten history"
    path.write_text(schemagen.render(edited))
    assert schemagen.main(["--dir", str(schemas), "--released", str(record), "--check"]) == 1
    assert "a released schema was edited" in capsys.readouterr().err


def test_writing_a_compatible_change_releases_a_new_revision(tmp_path: Path) -> None:
    schemas, record = _copy_record(tmp_path)
    # Pretend revision 1 lacked an optional field the model now has: the model's schema is
    # then a compatible change, released as revision 2 when the schemas are written.
    path = record / "careerstream.plans.plan.created.v1" / "1.json"
    older = json.loads(path.read_text())
    field = next(f for f in _data(older)["properties"] if f not in _data(older).get("required", []))
    del _data(older)["properties"][field]
    import shutil

    shutil.rmtree(path.parent)
    sums = record / schemagen.SUMS
    sums.write_text(
        "".join(line + "\n" for line in sums.read_text().splitlines() if "plan.created" not in line)
    )
    schemagen.release("careerstream.plans.plan.created.v1", older, record)
    assert schemagen.main(["--dir", str(schemas), "--released", str(record)]) == 0
    assert (path.parent / "2.json").read_text() == (
        schemas / "careerstream.plans.plan.created.v1.json"
    ).read_text()
    assert schemagen.main(["--dir", str(schemas), "--released", str(record), "--check"]) == 0
