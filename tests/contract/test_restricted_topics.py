"""A restricted topic (personal data only some services need) is read by those services alone."""

from __future__ import annotations

import importlib

from faststream.kafka import KafkaBroker

from careerstream.contracts.topics import RESTRICTED
from careerstream.devstack.stack import SERVICES
from careerstream.servicekit.subscriptions import consumer_groups


def test_only_the_allowed_services_subscribe_to_restricted_topics() -> None:
    readers: dict[str, set[str]] = {}
    for service in SERVICES:
        module = importlib.import_module(f"careerstream.{service}.entrypoints.consumers")
        broker = KafkaBroker("127.0.0.1:1")
        module.register(broker, lambda: None)
        for topics in consumer_groups(broker).values():
            for topic in topics:
                readers.setdefault(topic, set()).add(service)
    for topic, allowed in RESTRICTED.items():
        assert readers.get(topic, set()) <= allowed, (topic, readers.get(topic))
    assert readers["careerstream.mobility.passedover.v1"] == {"metrics"}
    assert readers["careerstream.hris.groups.v1"] == {"metrics"}  # group attributes
    assert readers["careerstream.hris.survey.v1"] == {"metrics"}  # pulse answers
    # The employee stream every service reads carries no group attributes from the gateway.
    assert {"assessments", "plans", "mobility"} <= readers["careerstream.hris.employee.v1"]
