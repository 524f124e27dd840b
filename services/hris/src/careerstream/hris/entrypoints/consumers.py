"""Kafka side of the hris gateway: it publishes the canonical people stream, and erases people."""

from faststream.kafka import KafkaBroker

from careerstream.contracts.events import hris as ev
from careerstream.contracts.events import learning
from careerstream.contracts.events.privacy import ErasureAnswered
from careerstream.hris.adapters.orm import metadata
from careerstream.servicekit.erasure import Forget, Pseudonymise, Rule, erasure_consumer
from careerstream.servicekit.subscriptions import declare_publications, subscribe
from careerstream.servicekit.uow import UowFactory

ERASURE_RULES: list[Rule] = [
    Pseudonymise("people", "manager_id"),
    Forget("people"),
    Forget("scheduled", where="notification->>'employee_id' = :employee"),
    Forget("import_rows"),
    Forget("survey_responses"),
    Forget("survey_invitations"),
    Pseudonymise("surveys", "created_by"),
    Forget("learning_statements"),
    Pseudonymise("org_units", "head_id"),
]
"""The person's directory row, held changes, rows of imports not yet done, pulse answers and
learning records go; the reports of an erased manager keep a pseudonym as their manager (the
hierarchy still groups them); a pulse HR defined stays, under a pseudonym."""


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    subscribe(broker, erasure_consumer("hris", uow, metadata.schema or "hris", ERASURE_RULES))
    declare_publications(
        broker,
        ev.EmployeeHired,
        ev.EmployeeChanged,
        ev.EmployeeTerminated,
        ev.SurveyResponded,
        learning.LearningCompleted,
        learning.LearningProgressed,
        learning.LearningVoided,
        ErasureAnswered,
    )
