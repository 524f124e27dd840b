"""Pulse surveys: HR asks a few questions on a scale of an audience, for a window (no I/O).

A pulse has 1-20 questions, each with a topic the metrics know (manager
confidence, growth, career conversations, engagement, other) and a scale from
1 to its maximum (2-10). Its audience is everyone, some departments, some roles,
or managers only (people with at least one direct report), fixed when it is
created: each person of it is invited once. A person answers once, every
question, within the window; there is no free text, so nothing said can
identify anyone. Results are shown per question only when at least the
anonymity threshold of people answered — and the same per department.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from careerstream.contracts.events.hris import SurveyTopic

MAX_QUESTIONS = 20


class AudienceKind(StrEnum):
    ALL = "all"
    DEPARTMENTS = "departments"
    ROLES = "roles"
    MANAGERS = "managers"


@dataclass(frozen=True)
class Question:
    question_id: str
    text: str
    topic: str
    scale_max: int


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind
    ids: tuple[str, ...] = ()
    """Departments or roles (empty for all and managers)."""


@dataclass(frozen=True)
class Person:
    employee_id: str
    department_id: str | None
    role_id: str | None
    manages: bool


def pulse_problems(
    name: str,
    questions: Sequence[Question],
    audience: Audience,
    opens_at: datetime,
    closes_at: datetime,
    now: datetime,
) -> list[str]:
    """Everything wrong with a pulse, each problem naming its field."""
    problems = []
    if not name.strip():
        problems.append("name: say what the pulse is about")
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        problems.append(f"questions: between 1 and {MAX_QUESTIONS}, not {len(questions)}")
    seen: set[str] = set()
    topics = {t.value for t in SurveyTopic}
    for i, q in enumerate(questions):
        if q.question_id in seen:
            problems.append(f"questions[{i}].question_id: '{q.question_id}' is used twice")
        seen.add(q.question_id)
        if not q.text.strip():
            problems.append(f"questions[{i}].text: ask something")
        if q.topic not in topics:
            problems.append(
                f"questions[{i}].topic: '{q.topic}' is none of {', '.join(sorted(topics))}"
            )
        if not 2 <= q.scale_max <= 10:
            problems.append(f"questions[{i}].scale_max: {q.scale_max} is outside 2-10")
    if audience.kind in (AudienceKind.DEPARTMENTS, AudienceKind.ROLES) and not audience.ids:
        problems.append(f"audience.ids: name the {audience.kind.value} the pulse is for")
    if audience.kind in (AudienceKind.ALL, AudienceKind.MANAGERS) and audience.ids:
        problems.append(f"audience.ids: a pulse for {audience.kind.value} names no ids")
    if closes_at <= opens_at:
        problems.append("closes_at: the window must close after it opens")
    elif closes_at <= now:
        problems.append("closes_at: the window is over already")
    return problems


def in_audience(person: Person, audience: Audience) -> bool:
    """Whether the pulse asks this person."""
    if audience.kind is AudienceKind.ALL:
        return True
    if audience.kind is AudienceKind.DEPARTMENTS:
        return person.department_id in audience.ids
    if audience.kind is AudienceKind.ROLES:
        return person.role_id in audience.ids
    return person.manages


def answer_problems(questions: Sequence[Question], answers: Mapping[str, int]) -> list[str]:
    """Everything wrong with a response: every question once, each on its scale."""
    problems = []
    known = {q.question_id: q for q in questions}
    for qid in sorted(set(answers) - set(known)):
        problems.append(f"answers.{qid}: not a question of this pulse")
    for q in questions:
        if q.question_id not in answers:
            problems.append(f"answers.{q.question_id}: not answered")
            continue
        score = answers[q.question_id]
        if not 1 <= score <= q.scale_max:
            problems.append(f"answers.{q.question_id}: {score} is outside 1-{q.scale_max}")
    return problems


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    text: str
    topic: str
    scale_max: int
    respondents: int | None
    """None when suppressed."""
    mean: float | None
    """Mean score / scale maximum (0-1)."""
    distribution: dict[int, int] | None
    suppressed: bool


def results(
    questions: Sequence[Question], responses: Iterable[Mapping[str, int]], threshold: int
) -> tuple[int, list[QuestionResult]]:
    """(respondents, per question results), suppressed below `threshold` respondents."""
    answered = list(responses)
    out = []
    for q in questions:
        scores = [r[q.question_id] for r in answered if q.question_id in r]
        if len(scores) < threshold:
            out.append(
                QuestionResult(q.question_id, q.text, q.topic, q.scale_max, None, None, None, True)
            )
            continue
        dist = {s: scores.count(s) for s in range(1, q.scale_max + 1)}
        mean = round(sum(scores) / len(scores) / q.scale_max, 4)
        out.append(
            QuestionResult(
                q.question_id, q.text, q.topic, q.scale_max, len(scores), mean, dist, False
            )
        )
    return len(answered), out
