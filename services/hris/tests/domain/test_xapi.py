"""xAPI statements without I/O: the specification's own examples and the shapes real LMSs send
are valid; every kind of invalid statement the specification names is refused, naming where."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from careerstream.contracts.events.learning import LearningVerb
from careerstream.hris.domain import xapi
from careerstream.hris.domain.xapi_examples import LINKEDIN, MOODLE, SPEC_COMPLETION, SPEC_SIMPLE


def fields(statement: Any) -> list[str]:
    return [p.field for p in xapi.problems(statement)]


@pytest.mark.parametrize("example", [SPEC_SIMPLE, SPEC_COMPLETION, MOODLE, LINKEDIN])
def test_the_specifications_examples_and_real_lms_shapes_are_valid(example: dict[str, Any]) -> None:
    assert xapi.problems(example) == []


def test_a_voiding_statement_and_a_substatement_are_valid() -> None:
    voiding = {
        "actor": {"mbox": "mailto:admin@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"},
    }
    assert xapi.problems(voiding) == []
    assert xapi.is_voiding(voiding)
    assert xapi.voided_id(voiding) == "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
    sub = {
        "actor": {"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]},
        "verb": {"id": "http://example.com/planned"},
        "object": {
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:a@example.com"},
            "verb": {"id": "http://example.com/visited"},
            "object": {"id": "http://example.com/website"},
        },
    }
    assert xapi.problems(sub) == []


def broken(path: str, value: Any) -> dict[str, Any]:
    """SPEC_COMPLETION with the value at a dotted path replaced (or removed, for ...)."""
    s = copy.deepcopy(SPEC_COMPLETION)
    *parents, last = path.split(".")
    node: Any = s
    for key in parents:
        node = node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return s


CASES = [
    # required properties
    ("actor", ..., "statement.actor"),
    ("verb", ..., "statement.verb"),
    ("object", ..., "statement.object"),
    ("verb.id", ..., "statement.verb.id"),
    ("object.id", ..., "statement.object.id"),
    # an Agent has exactly one identifier, each of its form
    ("actor.account", {"homePage": "https://x.example", "name": "a"}, "statement.actor"),
    ("actor.mbox", "sally@example.com", "statement.actor.mbox"),
    ("actor.mbox", ..., "statement.actor"),
    ("actor.mbox_sha1sum", "nothex", "statement.actor"),
    ("actor.objectType", "Person", "statement.actor.objectType"),
    # groups
    ("context.team", {"objectType": "Group"}, "statement.context.team.member"),
    # IRIs, UUIDs, language maps
    ("verb.id", "completed", "statement.verb.id"),
    ("object.id", "hang gliding", "statement.object.id"),
    ("object.definition.type", "assessment", "statement.object.definition.type"),
    ("verb.display", {"not a tag!": "completed"}, "statement.verb.display.not a tag!"),
    ("verb.display", {"en-US": 5}, "statement.verb.display.en-US"),
    ("context.registration", "not-a-uuid", "statement.context.registration"),
    ("context.language", "english please", "statement.context.language"),
    ("object.definition.interactionType", "essay", "statement.object.definition.interactionType"),
    ("result.extensions", {"averagePitch": 1}, "statement.result.extensions.averagePitch"),
    # scores and results
    ("result.score.scaled", 1.5, "statement.result.score.scaled"),
    ("result.score.raw", 101, "statement.result.score.raw"),
    ("result.score.min", 100, "statement.result.score.max"),
    ("result.success", "yes", "statement.result.success"),
    ("result.completion", 1, "statement.result.completion"),
    ("result.duration", "4 hours", "statement.result.duration"),
    ("result.score.raw", "95", "statement.result.score.raw"),
    # timestamps, versions
    ("timestamp", "yesterday", "statement.timestamp"),
    ("timestamp", "2013-05-18", "statement.timestamp"),
    ("version", "0.95", "statement.version"),
    # properties the specification does not define
    ("mood", "happy", "statement.mood"),
    ("result.grade", "A", "statement.result.grade"),
    ("actor.email", "sally@example.com", "statement.actor.email"),
    # context rules
    (
        "context.statement",
        {"objectType": "Activity", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},
        "statement.context.statement.objectType",
    ),
    # attachments go by fileUrl here
    (
        "attachments",
        [
            {
                "usageType": "http://id.tincanapi.com/attachment/certificate",
                "display": {"en": "c"},
                "contentType": "application/pdf",
                "length": 10,
                "sha2": "ab",
            }
        ],
        "statement.attachments[0].fileUrl",
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "where"), CASES, ids=[f"{c[0]}={c[1]!r}"[:60] for c in CASES]
)
def test_every_kind_of_invalid_statement_is_refused_naming_where(
    path: str, value: Any, where: str
) -> None:
    assert where in fields(broken(path, value))


def test_rules_that_span_properties() -> None:
    # revision and platform go with an Activity only
    about_agent = {
        **SPEC_SIMPLE,
        "object": {"objectType": "Agent", "mbox": "mailto:b@example.com"},
        "context": {"platform": "x"},
    }
    assert "statement.context.platform" in fields(about_agent)
    # a voiding statement's object is a StatementRef
    voids_activity = {**SPEC_SIMPLE, "verb": {"id": xapi.VOIDED}}
    assert "statement.object" in fields(voids_activity)
    # a SubStatement holds no id and no SubStatement
    nested = {
        **SPEC_SIMPLE,
        "object": {
            "objectType": "SubStatement",
            "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
            "actor": {"mbox": "mailto:a@example.com"},
            "verb": {"id": "http://example.com/v"},
            "object": {"objectType": "SubStatement"},
        },
    }
    assert {"statement.object.id", "statement.object.object"} <= set(fields(nested))
    # not an object at all
    assert fields([1, 2]) == ["statement"]
    # a batch: each statement by index, and an id given twice
    twice = xapi.batch_problems([SPEC_SIMPLE, SPEC_SIMPLE, {"verb": 1}])
    where = [p.field for p in twice]
    assert "statements[1].id" in where
    assert "statements[2].actor" in where
    assert "statements[2].verb" in where


def test_what_a_statement_means() -> None:
    moodle = xapi.read(MOODLE)
    assert moodle is not None
    assert moodle.completes
    assert moodle.verb is LearningVerb.COMPLETED
    assert xapi.actor_keys(MOODLE) == (None, "E100")
    assert xapi.actor_keys(LINKEDIN) == ("ana.lima@acme.example", None)  # addresses lower-cased
    failed = {**SPEC_COMPLETION, "result": {"success": False, "completion": True}}
    r = xapi.read(failed)
    assert r is not None
    assert r.verb is LearningVerb.FAILED
    assert not r.completes
    passed = {**MOODLE, "verb": {"id": "https://w3id.org/xapi/adl/verbs/passed"}}
    r = xapi.read(passed)
    assert r is not None
    assert r.verb is LearningVerb.PASSED
    assert r.completes
    progressed = {
        **MOODLE,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/progressed"},
        "result": {"extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 40}},
    }
    r = xapi.read(progressed)
    assert r is not None
    assert (r.verb, r.progress, r.completes) == (
        LearningVerb.PROGRESSED,
        40,
        False,
    )
    assert xapi.read(SPEC_SIMPLE) is None  # a verb the platform does not act on
    assert xapi.read({**MOODLE, "object": {"objectType": "Agent", "mbox": "mailto:x@y.z"}}) is None
    # what the LRS adds, and what a re-sent id is compared on
    now = datetime(2026, 11, 30, tzinfo=UTC)
    kept = xapi.completed(MOODLE, now=now, authority={"mbox": "mailto:lrs@example.com"})
    assert xapi.is_uuid(kept["id"])
    assert kept["version"] == "1.0.0"
    assert kept["stored"]
    again = xapi.completed({**MOODLE, "id": kept["id"]}, now=datetime.now(UTC), authority={})
    assert xapi.fingerprint(again) == xapi.fingerprint(kept)
    other = xapi.completed({**LINKEDIN, "id": kept["id"]}, now=now, authority={})
    assert xapi.fingerprint(other) != xapi.fingerprint(kept)
