"""Pure rules of the notifications service: quiet hours, the digest time, back-off, unsubscribe
tokens, channel choices and the catalogue's wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from careerstream.notifications.domain import catalog, timing, tokens
from careerstream.notifications.domain.catalog import CATALOGUE, Kind
from careerstream.notifications.service_layer.deciding import wants

BERLIN = ZoneInfo("Europe/Berlin")


def test_quiet_hours_that_span_midnight_end_the_next_morning() -> None:
    late = datetime(2026, 6, 1, 21, 30, tzinfo=UTC)  # 23:30 in Berlin (summer, UTC+2)
    when = timing.not_before(late, BERLIN, (22, 7))
    assert when.astimezone(BERLIN) == datetime(2026, 6, 2, 7, 0, tzinfo=BERLIN)
    early = datetime(2026, 6, 2, 3, 0, tzinfo=UTC)  # 05:00 in Berlin
    assert timing.not_before(early, BERLIN, (22, 7)).astimezone(BERLIN).hour == 7
    assert timing.not_before(early, BERLIN, (22, 7)).astimezone(BERLIN).day == 2


def test_outside_quiet_hours_or_without_them_a_message_goes_at_once() -> None:
    noon = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    assert timing.not_before(noon, BERLIN, (22, 7)) == noon
    assert timing.not_before(noon, BERLIN, None) == noon
    assert timing.not_before(noon, BERLIN, (9, 9)) == noon  # an empty window


def test_daytime_quiet_hours_end_the_same_day() -> None:
    lunch = datetime(2026, 1, 5, 11, 30, tzinfo=UTC)  # 12:30 in Berlin (winter, UTC+1)
    assert timing.not_before(lunch, BERLIN, (12, 14)).astimezone(BERLIN) == datetime(
        2026, 1, 5, 14, 0, tzinfo=BERLIN
    )


def test_the_digest_goes_at_the_next_digest_hour() -> None:
    before = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)  # 07:00 Berlin
    assert timing.next_digest(before, BERLIN, 8).astimezone(BERLIN) == datetime(
        2026, 1, 5, 8, 0, tzinfo=BERLIN
    )
    after = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # 10:00 Berlin
    assert timing.next_digest(after, BERLIN, 8).astimezone(BERLIN) == datetime(
        2026, 1, 6, 8, 0, tzinfo=BERLIN
    )


def test_backoff_grows_is_capped_and_spreads() -> None:
    waits = [timing.backoff(n, 5, 900, "d1") for n in range(1, 12)]
    assert waits == sorted(waits)
    assert waits[-1] <= timedelta(seconds=900)
    assert waits[0] <= timedelta(seconds=5)
    assert timing.backoff(3, 5, 900, "a") != timing.backoff(3, 5, 900, "b")


def test_unknown_time_zones_fall_back() -> None:
    assert timing.zone("Mars/Olympus") == ZoneInfo("UTC")
    assert timing.zone(None, "Europe/Berlin") == BERLIN
    assert not timing.is_zone("Mars/Olympus")
    assert timing.is_zone("America/New_York")


def test_an_unsubscribe_token_says_who_and_what_and_cannot_be_forged() -> None:
    token = tokens.sign("s3cret", "acme", "E1", "gaps_ready")
    assert tokens.verify("s3cret", token) == ("acme", "E1", "gaps_ready")
    with pytest.raises(tokens.BadToken):
        tokens.verify("other-secret", token)
    body, _, mac = token.partition(".")
    forged = tokens.sign("guess", "acme", "E2", "*").split(".")[0] + "." + mac
    with pytest.raises(tokens.BadToken):
        tokens.verify("s3cret", forged)
    for junk in ("", "x", "a.b", "..", "%%.%%", body):
        with pytest.raises(tokens.BadToken):
            tokens.verify("s3cret", junk)


def test_channel_choices_fall_back_from_the_kind_to_every_kind_to_yes() -> None:
    assert wants({}, "gaps_ready", "email")
    assert not wants({"*": {"email": False}}, "gaps_ready", "email")
    assert wants({"*": {"email": False}, "gaps_ready": {"email": True}}, "gaps_ready", "email")
    assert wants({"*": {"email": False}}, "gaps_ready", "chat")


def test_every_kind_has_its_words_and_none_carries_a_rating_or_gap() -> None:
    assert set(CATALOGUE) == set(Kind)
    for kind, msg in CATALOGUE.items():
        words = " ".join((msg.subject, *msg.lines, msg.path)).lower()
        for placeholder in ("{level}", "{rating}", "{gap}", "{note}", "{score}"):
            assert placeholder not in words, kind
        assert msg.path.startswith("/") or msg.path.startswith("{"), kind


def test_render_fills_nested_placeholders_and_leaves_unknown_ones() -> None:
    text = catalog.render("plan{of_name} ({x})", {"of_name": " of {name}", "name": "Ada"})
    assert text == "plan of Ada ({x})"
