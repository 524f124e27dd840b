"""Event ids are random version-4 UUIDs in their canonical text form, whichever way they are made."""

from __future__ import annotations

import uuid

from careerstream.contracts.envelope import new_event_id


def test_event_ids_are_canonical_random_uuids_and_do_not_repeat() -> None:
    ids = [new_event_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text  # lower-case, hyphenated, 36 characters
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
    # Every hexadecimal digit outside the fixed version nibble and variant bits varies.
    for position in (0, 9, 15, 20, 35):
        assert len({text[position] for text in ids}) == 16
    assert {text[19] for text in ids} == set("89ab")
