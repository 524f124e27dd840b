"""`new_message` writes every event type exactly as `encode(make_event(...))` does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from careerstream.contracts.envelope import encode, make_event, new_message
from careerstream.contracts.examples import EXAMPLES
from careerstream.contracts.registry import EVENT_TYPES


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_a_new_message_is_the_encoded_event_byte_for_byte(event_type: str) -> None:
    payload = EXAMPLES[event_type]
    for at in (
        datetime(2026, 3, 1, 9, 30, 1, 250, tzinfo=UTC),
        datetime.now(timezone(timedelta(hours=2))),
    ):
        m = new_message(payload, tenant_id="acme-2.eu", source="/careerstream/test", time=at)
        e = make_event(
            payload, tenant_id="acme-2.eu", source="/careerstream/test", event_id=m.id, time=at
        )
        assert m.value == encode(e)
        assert (m.id, m.type, m.key) == (e.id, e.type, e.key)
        assert m.envelope() == e


@pytest.mark.parametrize(
    ("tenant", "source"),
    [
        ("", "/careerstream/test"),
        ("a b", "/careerstream/test"),
        ("x" * 65, "/careerstream/test"),
        ("acme", "/other/test"),
        ("acme", "/careerstream/Test"),
    ],
)
def test_what_the_envelope_refuses_a_new_message_refuses(tenant: str, source: str) -> None:
    payload = next(iter(EXAMPLES.values()))
    with pytest.raises(ValidationError):
        make_event(payload, tenant_id=tenant, source=source)
    with pytest.raises(ValueError, match=r"not a tenant id|not an event source"):
        new_message(payload, tenant_id=tenant, source=source)
