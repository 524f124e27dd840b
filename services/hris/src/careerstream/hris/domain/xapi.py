"""xAPI statements (no I/O): checked as the specification asks, and read for what they mean.

The rules are those of the Experience API 1.0.3 (and IEEE 9274.1.1, "2.0.0") that an
LMS sending statements meets: a statement has an actor, a verb and an object; an
Agent has exactly one inverse functional identifier; IRIs are absolute; language
maps are keyed by RFC 5646 tags; a score's `scaled` is within -1..1 and its `raw`
within `min`..`max`; a SubStatement holds no id, stored, version or authority and
no SubStatement; `revision` and `platform` go with an Activity only; a voiding
statement's object is a StatementRef; no property the specification does not
define. Each problem names where it is, as a JSON path (`statement[2].result.score.raw`).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from careerstream.contracts.events.learning import LearningVerb

SUPPORTED_VERSIONS = re.compile(r"^(1\.0(\.\d+)?|2\.0(\.\d+)?)$")
"""The `X-Experience-API-Version` values accepted."""
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
VERB_NAMESPACES = (
    "http://adlnet.gov/expapi/verbs/",
    "https://adlnet.gov/expapi/verbs/",
    "https://w3id.org/xapi/adl/verbs/",
    "http://w3id.org/xapi/adl/verbs/",
)
"""Verb IRIs read by their last segment (the ADL vocabulary, old and new homes)."""
PROGRESS_EXTENSIONS = (
    "https://w3id.org/xapi/cmi5/result/extensions/progress",
    "http://w3id.org/xapi/cmi5/result/extensions/progress",
)

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_LANG = re.compile(
    r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?"
    r"(?:-(?:[A-Za-z]{2}|\d{3}))?(?:-(?:[A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*"
    r"(?:-[A-WY-Za-wy-z\d](?:-[A-Za-z\d]{2,8})+)*(?:-[xX](?:-[A-Za-z\d]{1,8})+)?$"
    r"|^[xX](?:-[A-Za-z\d]{1,8})+$"
)
_MBOX = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_DURATION = re.compile(
    r"^P(?=\d|T\d)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?W)?(?:\d+(?:\.\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$"
)
_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|z|[+-]\d{2}:?\d{2})?$"
)

STATEMENT_KEYS = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)
SUBSTATEMENT_KEYS = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
AGENT_KEYS = frozenset({"objectType", "name", *IFIS})
GROUP_KEYS = frozenset({*AGENT_KEYS, "member"})
ACTIVITY_KEYS = frozenset({"objectType", "id", "definition"})
DEFINITION_KEYS = frozenset(
    {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        "choices",
        "scale",
        "source",
        "target",
        "steps",
    }
)
INTERACTION_TYPES = frozenset(
    {
        "true-false",
        "choice",
        "fill-in",
        "long-fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
        "other",
    }
)
RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
SCORE_KEYS = frozenset({"scaled", "raw", "min", "max"})
CONTEXT_KEYS = frozenset(
    {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "contextAgents",
        "contextGroups",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
)
CONTEXT_ACTIVITY_KEYS = frozenset({"parent", "grouping", "category", "other"})
ATTACHMENT_KEYS = frozenset(
    {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a statement: where (a JSON path) and what."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class _Check:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def obj(self, value: Any, path: str, allowed: frozenset[str]) -> bool:
        if not isinstance(value, dict):
            self.bad(path, f"must be a JSON object, not {_kind(value)}")
            return False
        for key in sorted(set(value) - allowed):
            self.bad(f"{path}.{key}", "is not a property the xAPI specification defines here")
        return True

    def string(self, value: Any, path: str) -> bool:
        if not isinstance(value, str):
            self.bad(path, f"must be a string, not {_kind(value)}")
            return False
        return True

    def iri(self, value: Any, path: str) -> None:
        if self.string(value, path) and not _IRI.match(value):
            self.bad(
                path, f"must be an absolute IRI (a scheme such as https: or urn:), not {value!r}"
            )

    def uuid(self, value: Any, path: str) -> None:
        if self.string(value, path) and not _UUID.match(value):
            self.bad(path, f"must be a UUID, not {value!r}")

    def boolean(self, value: Any, path: str) -> None:
        if not isinstance(value, bool):
            self.bad(path, f"must be true or false, not {_kind(value)}")

    def number(self, value: Any, path: str) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.bad(path, f"must be a number, not {_kind(value)}")
            return False
        return True

    def language_map(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.bad(path, f"must be a language map (a JSON object), not {_kind(value)}")
            return
        for tag, text in value.items():
            if not _LANG.match(tag):
                self.bad(f"{path}.{tag}", "is not an RFC 5646 language tag")
            elif not isinstance(text, str):
                self.bad(f"{path}.{tag}", f"must be a string, not {_kind(text)}")

    def extensions(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.bad(path, f"must be a JSON object, not {_kind(value)}")
            return
        for key in value:
            if not _IRI.match(key):
                self.bad(f"{path}.{key}", "an extension's key must be an absolute IRI")

    def timestamp(self, value: Any, path: str) -> None:
        if self.string(value, path) and parse_timestamp(value) is None:
            self.bad(path, f"must be an ISO 8601 date and time, not {value!r}")

    # -- the parts of a statement --------------------------------------------------------------

    def agent(self, value: Any, path: str, *, group_member: bool = False) -> None:
        if not self.obj(value, path, AGENT_KEYS):
            return
        kind = value.get("objectType", "Agent")
        if kind != "Agent":
            self.bad(f"{path}.objectType", f"must be 'Agent' here, not {kind!r}")
        if "name" in value:
            self.string(value["name"], f"{path}.name")
        self._ifis(value, path, required=True)

    def group(self, value: Any, path: str) -> None:
        if not self.obj(value, path, GROUP_KEYS):
            return
        if value.get("objectType") != "Group":
            self.bad(f"{path}.objectType", "must be 'Group'")
        if "name" in value:
            self.string(value["name"], f"{path}.name")
        identified = self._ifis(value, path, required=False)
        members = value.get("member")
        if members is None:
            if not identified:
                self.bad(f"{path}.member", "an anonymous Group (no identifier) lists its members")
            return
        if not isinstance(members, list):
            self.bad(f"{path}.member", f"must be a list of Agents, not {_kind(members)}")
            return
        if not members and not identified:
            self.bad(f"{path}.member", "an anonymous Group (no identifier) lists its members")
        for i, m in enumerate(members):
            self.agent(m, f"{path}.member[{i}]", group_member=True)

    def agent_or_group(self, value: Any, path: str) -> None:
        if isinstance(value, dict) and value.get("objectType") == "Group":
            self.group(value, path)
        else:
            self.agent(value, path)

    def _ifis(self, value: dict[str, Any], path: str, *, required: bool) -> bool:
        given = [k for k in IFIS if k in value]
        if len(given) > 1:
            self.bad(path, f"has {len(given)} identifiers ({', '.join(given)}); exactly one")
        elif not given:
            if required:
                self.bad(
                    path, "needs exactly one identifier: mbox, mbox_sha1sum, openid or account"
                )
            return False
        for key in given:
            v, p = value[key], f"{path}.{key}"
            if key == "mbox":
                if self.string(v, p) and not _MBOX.match(v):
                    self.bad(p, "must be a mailto: IRI, e.g. 'mailto:ana@example.com'")
            elif key == "mbox_sha1sum":
                if self.string(v, p) and not _SHA1.match(v):
                    self.bad(p, "must be the hex SHA-1 of a mailto: IRI (40 hex digits)")
            elif key == "openid":
                self.iri(v, p)
            elif self.obj(v, p, frozenset({"homePage", "name"})):
                if "homePage" not in v:
                    self.bad(f"{p}.homePage", "is required")
                else:
                    self.iri(v["homePage"], f"{p}.homePage")
                if "name" not in v:
                    self.bad(f"{p}.name", "is required")
                else:
                    self.string(v["name"], f"{p}.name")
        return True

    def verb(self, value: Any, path: str) -> None:
        if not self.obj(value, path, frozenset({"id", "display"})):
            return
        if "id" not in value:
            self.bad(f"{path}.id", "is required")
        else:
            self.iri(value["id"], f"{path}.id")
        if "display" in value:
            self.language_map(value["display"], f"{path}.display")

    def activity(self, value: Any, path: str) -> None:
        if not self.obj(value, path, ACTIVITY_KEYS):
            return
        if "id" not in value:
            self.bad(f"{path}.id", "is required")
        else:
            self.iri(value["id"], f"{path}.id")
        d = value.get("definition")
        if d is None or not self.obj(d, f"{path}.definition", DEFINITION_KEYS):
            return
        dp = f"{path}.definition"
        for key in ("name", "description"):
            if key in d:
                self.language_map(d[key], f"{dp}.{key}")
        for key in ("type", "moreInfo"):
            if key in d:
                self.iri(d[key], f"{dp}.{key}")
        if "extensions" in d:
            self.extensions(d["extensions"], f"{dp}.extensions")
        if "interactionType" in d and d["interactionType"] not in INTERACTION_TYPES:
            self.bad(
                f"{dp}.interactionType", f"must be one of {', '.join(sorted(INTERACTION_TYPES))}"
            )
        if "correctResponsesPattern" in d and not (
            isinstance(d["correctResponsesPattern"], list)
            and all(isinstance(x, str) for x in d["correctResponsesPattern"])
        ):
            self.bad(f"{dp}.correctResponsesPattern", "must be a list of strings")
        for key in ("choices", "scale", "source", "target", "steps"):
            if key not in d:
                continue
            items = d[key]
            if not isinstance(items, list):
                self.bad(f"{dp}.{key}", f"must be a list, not {_kind(items)}")
                continue
            for i, item in enumerate(items):
                ip = f"{dp}.{key}[{i}]"
                if self.obj(item, ip, frozenset({"id", "description"})):
                    if "id" not in item:
                        self.bad(f"{ip}.id", "is required")
                    else:
                        self.string(item["id"], f"{ip}.id")
                    if "description" in item:
                        self.language_map(item["description"], f"{ip}.description")

    def statement_ref(self, value: dict[str, Any], path: str) -> None:
        if not self.obj(value, path, frozenset({"objectType", "id"})):
            return
        if "id" not in value:
            self.bad(f"{path}.id", "is required")
        else:
            self.uuid(value["id"], f"{path}.id")

    def object(self, value: Any, path: str, *, inside_substatement: bool) -> str:
        """Check a statement's object; returns its objectType."""
        if not isinstance(value, dict):
            self.bad(path, f"must be a JSON object, not {_kind(value)}")
            return "?"
        kind = value.get("objectType", "Activity")
        if kind == "Activity":
            self.activity(value, path)
        elif kind == "Agent":
            self.agent(value, path)
        elif kind == "Group":
            self.group(value, path)
        elif kind == "StatementRef":
            self.statement_ref(value, path)
        elif kind == "SubStatement":
            if inside_substatement:
                self.bad(path, "a SubStatement cannot hold another SubStatement")
            else:
                self.body(value, path, substatement=True)
        else:
            self.bad(
                f"{path}.objectType",
                f"must be Activity, Agent, Group, StatementRef or SubStatement, not {kind!r}",
            )
        return str(kind)

    def result(self, value: Any, path: str) -> None:
        if not self.obj(value, path, RESULT_KEYS):
            return
        score = value.get("score")
        if score is not None and self.obj(score, f"{path}.score", SCORE_KEYS):
            sp = f"{path}.score"
            nums = {
                k: score[k] for k in SCORE_KEYS if k in score and self.number(score[k], f"{sp}.{k}")
            }
            if "scaled" in nums and not -1 <= nums["scaled"] <= 1:
                self.bad(f"{sp}.scaled", f"must be between -1 and 1, not {nums['scaled']}")
            if "min" in nums and "max" in nums and not nums["min"] < nums["max"]:
                self.bad(f"{sp}.max", "must be greater than min")
            if "raw" in nums:
                if "min" in nums and nums["raw"] < nums["min"]:
                    self.bad(f"{sp}.raw", f"must not be below min ({nums['min']})")
                if "max" in nums and nums["raw"] > nums["max"]:
                    self.bad(f"{sp}.raw", f"must not be above max ({nums['max']})")
        for key in ("success", "completion"):
            if key in value:
                self.boolean(value[key], f"{path}.{key}")
        if "response" in value:
            self.string(value["response"], f"{path}.response")
        if (
            "duration" in value
            and self.string(value["duration"], f"{path}.duration")
            and not _DURATION.match(value["duration"])
        ):
            self.bad(
                f"{path}.duration",
                f"must be an ISO 8601 duration, e.g. PT1H30M, not {value['duration']!r}",
            )
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}.extensions")

    def context(self, value: Any, path: str, object_kind: str) -> None:
        if not self.obj(value, path, CONTEXT_KEYS):
            return
        if "registration" in value:
            self.uuid(value["registration"], f"{path}.registration")
        if "instructor" in value:
            self.agent_or_group(value["instructor"], f"{path}.instructor")
        if "team" in value:
            self.group(value["team"], f"{path}.team")
        for key in ("revision", "platform"):
            valid = key in value and self.string(value[key], f"{path}.{key}")
            if valid and object_kind != "Activity":
                self.bad(f"{path}.{key}", "is allowed only when the object is an Activity")
        if (
            "language" in value
            and self.string(value["language"], f"{path}.language")
            and not _LANG.match(value["language"])
        ):
            self.bad(f"{path}.language", "is not an RFC 5646 language tag")
        if "statement" in value:
            ref = value["statement"]
            if isinstance(ref, dict) and ref.get("objectType") != "StatementRef":
                self.bad(f"{path}.statement.objectType", "must be 'StatementRef'")
            self.statement_ref(ref, f"{path}.statement")
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}.extensions")
        ca = value.get("contextActivities")
        if ca is not None and self.obj(ca, f"{path}.contextActivities", CONTEXT_ACTIVITY_KEYS):
            for key, acts in ca.items():
                kp = f"{path}.contextActivities.{key}"
                if isinstance(acts, list):
                    for i, a in enumerate(acts):
                        self.activity(a, f"{kp}[{i}]")
                else:
                    self.activity(acts, kp)
        for key in ("contextAgents", "contextGroups"):
            if key in value and not isinstance(value[key], list):
                self.bad(f"{path}.{key}", f"must be a list, not {_kind(value[key])}")

    def attachments(self, value: Any, path: str) -> None:
        if not isinstance(value, list):
            self.bad(path, f"must be a list, not {_kind(value)}")
            return
        for i, a in enumerate(value):
            ap = f"{path}[{i}]"
            if not self.obj(a, ap, ATTACHMENT_KEYS):
                continue
            for key in ("usageType", "display", "contentType", "length", "sha2"):
                if key not in a:
                    self.bad(f"{ap}.{key}", "is required")
            if "usageType" in a:
                self.iri(a["usageType"], f"{ap}.usageType")
            if "display" in a:
                self.language_map(a["display"], f"{ap}.display")
            if "length" in a and (
                isinstance(a["length"], bool) or not isinstance(a["length"], int)
            ):
                self.bad(f"{ap}.length", "must be an integer")
            if "fileUrl" not in a:
                self.bad(
                    f"{ap}.fileUrl",
                    "this LRS takes attachments by fileUrl only (not as multipart content)",
                )
            else:
                self.iri(a["fileUrl"], f"{ap}.fileUrl")

    def body(self, value: dict[str, Any], path: str, *, substatement: bool) -> None:
        if not self.obj(value, path, SUBSTATEMENT_KEYS if substatement else STATEMENT_KEYS):
            return
        for key in ("actor", "verb", "object"):
            if key not in value:
                self.bad(f"{path}.{key}", "is required")
        if "actor" in value:
            self.agent_or_group(value["actor"], f"{path}.actor")
        if "verb" in value:
            self.verb(value["verb"], f"{path}.verb")
        kind = "?"
        if "object" in value:
            kind = self.object(value["object"], f"{path}.object", inside_substatement=substatement)
        if "result" in value:
            self.result(value["result"], f"{path}.result")
        if "context" in value:
            self.context(value["context"], f"{path}.context", kind)
        if "timestamp" in value:
            self.timestamp(value["timestamp"], f"{path}.timestamp")
        if "attachments" in value:
            self.attachments(value["attachments"], f"{path}.attachments")
        if substatement:
            return
        if "id" in value:
            self.uuid(value["id"], f"{path}.id")
        if "stored" in value:
            self.timestamp(value["stored"], f"{path}.stored")
        if "authority" in value:
            self.agent_or_group(value["authority"], f"{path}.authority")
        if (
            "version" in value
            and self.string(value["version"], f"{path}.version")
            and not SUPPORTED_VERSIONS.match(value["version"])
        ):
            self.bad(f"{path}.version", f"must be 1.0.x or 2.0.x, not {value['version']!r}")
        verb = value.get("verb")
        if isinstance(verb, dict) and verb.get("id") == VOIDED:
            target = value.get("object")
            if not (isinstance(target, dict) and target.get("objectType") == "StatementRef"):
                self.bad(f"{path}.object", "a voiding statement's object is a StatementRef")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        str: "a string",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def is_uuid(value: str) -> bool:
    return _UUID.match(value) is not None


def _fraction(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1.0


def parse_timestamp(value: str) -> datetime | None:
    """An ISO 8601 date-time (UTC when it names no offset), or None."""
    if not _TIMESTAMP.match(value):
        return None
    try:
        t = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def problems(statement: Any, path: str = "statement") -> list[Problem]:
    """Everything wrong with one statement (empty when it is valid)."""
    check = _Check()
    if not isinstance(statement, dict):
        check.bad(path, f"must be a JSON object, not {_kind(statement)}")
    else:
        check.body(statement, path, substatement=False)
    return check.problems


def batch_problems(statements: list[Any]) -> list[Problem]:
    """Everything wrong with a batch: each statement's problems, and ids given twice."""
    out: list[Problem] = []
    seen: dict[str, int] = {}
    for i, s in enumerate(statements):
        out += problems(s, f"statements[{i}]")
        sid = s.get("id") if isinstance(s, dict) else None
        if isinstance(sid, str):
            if sid.lower() in seen:
                out.append(
                    Problem(f"statements[{i}].id", f"repeats statements[{seen[sid.lower()]}].id")
                )
            seen.setdefault(sid.lower(), i)
    return out


# -- what a statement means ------------------------------------------------------------------


LRS_FIELDS = ("stored", "authority", "version")


def fingerprint(statement: Mapping[str, Any]) -> str:
    """What two statements with the same id are compared on: everything the LMS said
    (not the fields the LRS sets), whatever the order of its properties."""
    core = {k: v for k, v in statement.items() if k not in LRS_FIELDS}
    return hashlib.sha256(
        json.dumps(core, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def completed(
    statement: dict[str, Any], *, now: datetime, authority: dict[str, Any]
) -> dict[str, Any]:
    """The statement as stored: an id when it had none, `stored`, `authority`, `version`."""
    out = dict(statement)
    out["id"] = str(statement.get("id") or uuid.uuid4()).lower()
    out["stored"] = now.isoformat()
    out["authority"] = authority
    out.setdefault("version", "1.0.0")
    return out


def verb_of(statement: Mapping[str, Any]) -> LearningVerb | None:
    """The platform's verb for a statement's verb IRI (None for a verb it does not act on)."""
    verb_id = str(statement.get("verb", {}).get("id", ""))
    for ns in VERB_NAMESPACES:
        if verb_id.startswith(ns):
            try:
                return LearningVerb(verb_id[len(ns) :])
            except ValueError:
                return None
    return None


def is_voiding(statement: Mapping[str, Any]) -> bool:
    return bool(statement.get("verb", {}).get("id") == VOIDED)


def voided_id(statement: Mapping[str, Any]) -> str | None:
    """The id of the statement a voiding statement voids."""
    if not is_voiding(statement):
        return None
    return str(statement["object"]["id"]).lower()


def activity_of(statement: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """The activity's IRI and name (first language given), when the object is an Activity."""
    obj = statement.get("object", {})
    if obj.get("objectType", "Activity") != "Activity":
        return None
    names = obj.get("definition", {}).get("name") or {}
    name = names.get("en-US") or names.get("en") or next(iter(names.values()), None)
    return str(obj["id"]), name


@dataclass(frozen=True)
class Reading:
    """What the platform reads in a statement it acts on."""

    verb: LearningVerb
    completes: bool
    """True for `learning.completed`, False for `learning.progressed`."""
    success: bool | None
    score_scaled: float | None
    progress: int | None


def read(statement: Mapping[str, Any]) -> Reading | None:
    """The reading of a statement, or None when the platform does not act on it (a verb
    outside completed/passed/failed/progressed/attempted, or an object that is not an Activity)."""
    verb = verb_of(statement)
    if verb is None or activity_of(statement) is None:
        return None
    result = statement.get("result") or {}
    success = result.get("success")
    scaled = (result.get("score") or {}).get("scaled")
    progress: int | None = None
    for ext in PROGRESS_EXTENSIONS:
        value = (result.get("extensions") or {}).get(ext)
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100:
            progress = round(value)
    if progress is None and verb is LearningVerb.PROGRESSED and _fraction(scaled):
        progress = round(float(scaled or 0) * 100)
    if verb is LearningVerb.COMPLETED and success is False:
        verb = LearningVerb.FAILED
    completes = verb in (LearningVerb.COMPLETED, LearningVerb.PASSED)
    return Reading(verb, completes, success, scaled, progress)


def actor_keys(statement: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The actor's e-mail address (from mbox, or an account name that is one) and account
    name, lower-cased; what the tenant's identifier setting maps to an employee."""
    actor = statement.get("actor") or {}
    email = None
    mbox = actor.get("mbox")
    if isinstance(mbox, str) and mbox.lower().startswith("mailto:"):
        email = mbox[len("mailto:") :].strip().lower()
    account = actor.get("account") or {}
    name = account.get("name") if isinstance(account, dict) else None
    if email is None and isinstance(name, str) and "@" in name:
        email = name.strip().lower()
    return email, name if isinstance(name, str) else None
