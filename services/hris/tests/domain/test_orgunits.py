"""The organisation tree's rules without I/O: exports read whole, loops and unknown parents
refused with their lines, a full export closing what it leaves out, parents published first."""

from __future__ import annotations

import json

import pytest

from careerstream.hris.domain.exports import ExportInvalid
from careerstream.hris.domain.orgunits import Unit, loop_through, merge, parse

TREE = (
    "orgunit_id,name,parent_id,head_id,active\n"
    "ROOT,Acme,,CEO,\n"
    "PLAT,Platform,ENG,,true\n"
    "ENG,Engineering,ROOT,M1,\n"
    "SALES,Sales,ROOT,,yes\n"
)


def _errors(exc: pytest.ExceptionInfo[ExportInvalid]) -> list[tuple[int, str]]:
    return [(e.line, e.message) for e in exc.value.errors]


def test_an_export_is_read_with_its_lines_and_published_parents_first() -> None:
    rows = parse(TREE.encode(), "csv")
    assert [(line, u.orgunit_id) for line, u in rows] == [
        (2, "ROOT"),
        (3, "PLAT"),
        (4, "ENG"),
        (5, "SALES"),
    ]
    out = merge({}, rows, {"CEO", "M1"}, full=True)
    assert [u.orgunit_id for u in out.changed] == ["ROOT", "ENG", "SALES", "PLAT"]
    assert out.counts == {"created": 4, "changed": 0, "closed": 0, "unchanged": 0}
    same = merge({u.orgunit_id: u for _, u in rows}, rows, None, full=True)
    assert same.changed == []
    assert same.counts["unchanged"] == 4


def test_json_exports_and_every_problem_of_a_file_with_its_line() -> None:
    data = {"org_units": [{"orgunit_id": "A", "name": "A", "active": False}]}
    assert parse(json.dumps(data), "json") == [(1, Unit("A", "A", active=False))]
    with pytest.raises(ExportInvalid) as bad:
        parse(
            json.dumps(
                [
                    {"orgunit_id": "A", "name": "A", "colour": "red"},
                    {"name": "nameless"},
                    {"orgunit_id": "A", "name": "again"},
                    {"orgunit_id": "B", "name": "B", "active": "perhaps"},
                    {"orgunit_id": ["x"], "name": "B"},
                    "not an object",
                    {"orgunit_id": "C"},
                    {"orgunit_id": "D", "name": "x" * 201},
                ]
            ),
            "json",
        )
    assert _errors(bad) == [
        (1, "unknown field(s): colour"),
        (2, "orgunit_id is missing"),
        (3, "orgunit_id A appears twice (first on line 1)"),
        (4, "active: 'perhaps' is not true or false"),
        (5, "orgunit_id: must be text"),
        (5, "orgunit_id is missing"),
        (6, "not an object"),
        (7, "name of C is missing"),
        (8, "name: longer than 200 characters"),
        (8, "name of D is missing"),
    ]
    for text, fmt, message in (
        ("id,name\nA,B\n", "csv", "the header must name at least orgunit_id and name"),
        ("orgunit_id,name,colour\n", "csv", "unknown column(s): colour"),
        ("orgunit_id,name\n", "csv", "the file lists no org units"),
        ('{"units": []}', "json", 'expected a JSON array of org units (or {"org_units": [...]})'),
        ("[", "json", "not valid JSON: Expecting value"),
    ):
        with pytest.raises(ExportInvalid) as bad:
            parse(text, fmt)
        assert _errors(bad)[0][1] == message
    with pytest.raises(ExportInvalid) as bad:
        parse(b"orgunit_id,name\n\xff,x\n", "csv")
    assert _errors(bad)[0][1].startswith("not UTF-8")
    with pytest.raises(ExportInvalid) as bad:
        parse("orgunit_id,name\nA,B,C\n", "csv")
    assert _errors(bad) == [(2, "more values than columns: ['C']")]


def test_a_unit_cannot_sit_under_itself_nor_under_a_unit_nobody_knows() -> None:
    known = {u.orgunit_id: u for _, u in parse(TREE, "csv")}
    # ENG moved under its own child PLAT: a loop, spelled out.
    with pytest.raises(ExportInvalid) as bad:
        merge(known, [(1, Unit("ENG", "Engineering", "PLAT"))], None, full=False)
    assert _errors(bad) == [(1, "ENG would sit under itself: ENG → PLAT → ENG")]
    with pytest.raises(ExportInvalid) as bad:
        merge(
            known,
            [(2, Unit("X", "X", "NOWHERE")), (3, Unit("Y", "Y", "Y"))],
            {"CEO"},
            full=False,
        )
    assert _errors(bad) == [
        (2, "parent_id NOWHERE of X is neither in the file nor known"),
        (3, "Y is its own parent"),
    ]
    # A head the gateway does not know yet is taken, with a warning: a tree may come first.
    ghost = merge(known, [(4, Unit("Z", "Z", head_id="GHOST"))], {"CEO"}, full=False)
    assert [u.orgunit_id for u in ghost.changed] == ["Z"]
    assert [(w.line, w.message) for w in ghost.warnings] == [
        (4, "head_id GHOST of Z is not a known employee (yet)")
    ]
    # A loop among new units only is found too, and reported once.
    with pytest.raises(ExportInvalid) as bad:
        merge(
            {},
            [(2, Unit("A", "A", "B")), (3, Unit("B", "B", "C")), (4, Unit("C", "C", "A"))],
            None,
            full=True,
        )
    assert _errors(bad) == [(2, "A would sit under itself: A → B → C → A")]
    assert loop_through(known, "PLAT") is None


def test_a_full_export_closes_what_it_leaves_out_and_a_move_is_one_change() -> None:
    known = {u.orgunit_id: u for _, u in parse(TREE, "csv")}
    out = merge(
        known,
        [
            (2, Unit("ROOT", "Acme", None, "CEO")),
            (3, Unit("ENG", "Engineering", "ROOT", "M1")),
            (4, Unit("PLAT", "Platform", "SALES")),  # moved
        ],
        None,
        full=True,
    )
    assert [(u.orgunit_id, u.parent_id, u.active) for u in out.changed] == [
        ("SALES", "ROOT", False),  # left out: closed, kept in its place
        ("PLAT", "SALES", True),
    ]
    assert out.counts == {"created": 0, "changed": 1, "closed": 1, "unchanged": 2}
    one = merge(known, [(1, Unit("PLAT", "Platform", "ROOT"))], None, full=False)
    assert [u.orgunit_id for u in one.changed] == ["PLAT"]
