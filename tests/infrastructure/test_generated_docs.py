"""The topic table outside teams read first is generated from the contracts, and current."""

from __future__ import annotations

from careerstream.contracts.registry import EVENT_TYPES
from careerstream.contracts.topics import ALL_TOPICS
from careerstream.devstack import docs


def test_the_topic_table_of_consuming_events_is_current() -> None:
    text = docs.CONSUMING.read_text()
    assert text == docs.render(text), "docs/consuming-events.md is stale: run `make contracts`"


def test_the_table_names_every_topic_and_event_type() -> None:
    table = docs.topic_table()
    for topic in ALL_TOPICS:
        assert f"`{topic}`" in table
    for event_type in EVENT_TYPES:
        assert ".".join(event_type.split(".")[2:4]) in table
    assert "plan.approved" in table
    assert "careerstream.metrics.snapshot.v1" in table


def test_the_personal_fields_of_privacy_md_are_current() -> None:
    text = docs.PRIVACY.read_text()
    assert text == docs.render_privacy(text), "docs/privacy.md is stale: run `make contracts`"
    table = docs.personal_table()
    assert "`/display_name`" in table
    assert "`/ratings/*/evidence`" in table
