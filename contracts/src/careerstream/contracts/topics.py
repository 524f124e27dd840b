"""Topic names of the published contract.

One topic per aggregate stream, holding all of that aggregate's event types in
order: `careerstream.<service>.<aggregate>.v<major>`. The message key is
`<tenant>:<aggregate id>`, so one aggregate's events stay in order.
"""

from __future__ import annotations

FRAMEWORK = "careerstream.frameworks.framework.v1"

HRIS_EMPLOYEE = "careerstream.hris.employee.v1"
HRIS_ORGUNIT = "careerstream.hris.orgunit.v1"
HRIS_SURVEY = "careerstream.hris.survey.v1"

ASSESSMENT_CYCLE = "careerstream.assessments.cycle.v1"
ASSESSMENT = "careerstream.assessments.assessment.v1"
SKILLGAP = "careerstream.assessments.skillgap.v1"

PLAN = "careerstream.plans.plan.v1"
CONVERSATION = "careerstream.plans.conversation.v1"

OPPORTUNITY = "careerstream.mobility.opportunity.v1"
APPLICATION = "careerstream.mobility.application.v1"
PASSED_OVER = "careerstream.mobility.passedover.v1"
MATCH = "careerstream.mobility.match.v1"

LEARNING = "careerstream.learning.record.v1"

METRICS_SNAPSHOT = "careerstream.metrics.snapshot.v1"

ERASURE = "careerstream.privacy.erasure.v1"
ACCESS = "careerstream.privacy.access.v1"

ALL_TOPICS: tuple[str, ...] = (
    FRAMEWORK,
    HRIS_EMPLOYEE,
    HRIS_ORGUNIT,
    HRIS_SURVEY,
    ASSESSMENT_CYCLE,
    ASSESSMENT,
    SKILLGAP,
    PLAN,
    CONVERSATION,
    OPPORTUNITY,
    APPLICATION,
    PASSED_OVER,
    MATCH,
    LEARNING,
    METRICS_SNAPSHOT,
    ERASURE,
    ACCESS,
)

RESTRICTED: dict[str, frozenset[str]] = {
    PASSED_OVER: frozenset({"metrics"}),
    MATCH: frozenset({"notifications"}),
    LEARNING: frozenset({"plans", "metrics"}),
}
"""Topics only the services named may read (personal data the others do not need); a test
holds every subscription to it, and the Kafka ACLs are to be generated from it."""

DLQ_SUFFIX = ".dlq"


def dlq_topic(topic: str) -> str:
    """The dead-letter topic of `topic`: messages that could not be processed, with the reason."""
    return topic + DLQ_SUFFIX
