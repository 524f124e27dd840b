"""Topic names of the published contract.

One topic per aggregate stream, holding all of that aggregate's event types in
order: `careerstream.<service>.<aggregate>.v<major>`. The message key is
`<tenant>:<aggregate id>`, so one aggregate's events stay in order.
"""

from __future__ import annotations

from dataclasses import dataclass

FRAMEWORK = "careerstream.frameworks.framework.v1"
SKILL = "careerstream.frameworks.skill.v1"

HRIS_EMPLOYEE = "careerstream.hris.employee.v1"
HRIS_ORGUNIT = "careerstream.hris.orgunit.v1"
HRIS_SURVEY = "careerstream.hris.survey.v1"
HRIS_GROUPS = "careerstream.hris.groups.v1"

ASSESSMENT_CYCLE = "careerstream.assessments.cycle.v1"
ASSESSMENT = "careerstream.assessments.assessment.v1"
SKILLGAP = "careerstream.assessments.skillgap.v1"

PLAN = "careerstream.plans.plan.v1"
CONVERSATION = "careerstream.plans.conversation.v1"

OPPORTUNITY = "careerstream.mobility.opportunity.v1"
APPLICATION = "careerstream.mobility.application.v1"
PASSED_OVER = "careerstream.mobility.passedover.v1"
MATCH = "careerstream.mobility.match.v1"
BENCH = "careerstream.mobility.bench.v1"

LEARNING = "careerstream.learning.record.v1"

METRICS_SNAPSHOT = "careerstream.metrics.snapshot.v1"

ERASURE = "careerstream.privacy.erasure.v1"
ACCESS = "careerstream.privacy.access.v1"

ALL_TOPICS: tuple[str, ...] = (
    FRAMEWORK,
    SKILL,
    HRIS_EMPLOYEE,
    HRIS_ORGUNIT,
    HRIS_SURVEY,
    HRIS_GROUPS,
    ASSESSMENT_CYCLE,
    ASSESSMENT,
    SKILLGAP,
    PLAN,
    CONVERSATION,
    OPPORTUNITY,
    APPLICATION,
    PASSED_OVER,
    MATCH,
    BENCH,
    LEARNING,
    METRICS_SNAPSHOT,
    ERASURE,
    ACCESS,
)

RESTRICTED: dict[str, frozenset[str]] = {
    HRIS_GROUPS: frozenset({"metrics"}),
    HRIS_SURVEY: frozenset({"metrics"}),
    PASSED_OVER: frozenset({"metrics"}),
    MATCH: frozenset({"notifications"}),
    LEARNING: frozenset({"plans", "metrics"}),
}
"""Topics only the services named may read (personal data the others do not need); a test
holds every subscription to it, and the Kafka ACLs are to be generated from it."""

DLQ_SUFFIX = ".dlq"

DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class Retention:
    """How long a topic keeps its messages, and whether it is compacted (Kafka topic configs)."""

    retention_ms: int
    """-1: kept for good."""
    cleanup_policy: str
    """`delete`, or `compact` (the latest message per key is kept)."""
    why: str

    def configs(self) -> dict[str, str]:
        """The topic configs that say it."""
        return {"cleanup.policy": self.cleanup_policy, "retention.ms": str(self.retention_ms)}


KEPT = Retention(
    -1,
    "delete",
    "the platform's record: any consumer (metrics above all) rebuilds its state by replaying it; "
    "personal fields travel sealed with the person's key, so an erasure destroys the key "
    "instead of rewriting the log",
)
DEAD_LETTERS = Retention(
    30 * DAY_MS,
    "delete",
    "messages a consumer could not process, for operators to read and replay within days",
)
RETENTION: dict[str, Retention] = {
    **{topic: KEPT for topic in ALL_TOPICS},
    MATCH: Retention(
        30 * DAY_MS,
        "delete",
        "who a new opportunity fits: an alert for the days after it is posted; nothing replays it",
    ),
    ACCESS: Retention(
        90 * DAY_MS,
        "delete",
        "transport of the audit trail to the privacy service, which keeps it for "
        "PRIVACY_ACCESS_RETENTION_DAYS",
    ),
    SKILL: Retention(
        -1,
        "compact",
        "current state: each skill of a tenant's library as last imported (its key), and the "
        "latest import's report",
    ),
    METRICS_SNAPSHOT: Retention(
        -1,
        "compact",
        "current state: one snapshot per tenant and day (its key); a snapshot taken again "
        "replaces the earlier one",
    ),
}
"""Each topic's retention (docs/operations.md, "Topic retention"); a test holds the broker to it."""


def retention_of(topic: str) -> Retention:
    """A contract topic's retention, or its dead-letter topic's."""
    if topic.endswith(DLQ_SUFFIX):
        return DEAD_LETTERS
    return RETENTION[topic]


def dlq_topic(topic: str) -> str:
    """The dead-letter topic of `topic`: messages that could not be processed, with the reason."""
    return topic + DLQ_SUFFIX
