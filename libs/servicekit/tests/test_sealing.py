"""Sealing personal fields: a round trip, the erased form, and what must not open."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from careerstream.contracts.envelope import decode, encode, make_event, parse_data
from careerstream.contracts.events.assessments import AssessmentSubmitted, RaterKind, Rating
from careerstream.contracts.events.hris import EmployeeHired, EmploymentDetails
from careerstream.contracts.events.plans import Action, ActionKind, GoalAdded
from careerstream.contracts.personal import personal_pointers
from careerstream.servicekit import sealing
from careerstream.servicekit.keys import KeyClient, PrivacySettings
from careerstream.servicekit.sealing import DataKey, Unsealable, new_key_secret, open_sealed, seal

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def _hired() -> dict[str, object]:
    payload = EmployeeHired(
        employee_id="E1",
        effective_date=date(2026, 1, 5),
        recorded_at=NOW,
        display_name="Ada Lovelace",
        details=EmploymentDetails(
            role_id="r1",
            job_title="Analyst",
            location="Lyon",
            group_attributes={"gender": "f", "age_band": "30-39"},
        ),
    )
    event = make_event(payload, tenant_id="acme", source="/careerstream/hris")
    loaded: dict[str, object] = json.loads(encode(event))
    return loaded


def _key() -> DataKey:
    return DataKey(kid="k1", secret=new_key_secret())


def test_sealed_event_holds_no_personal_value_and_opens_with_its_key() -> None:
    event = _hired()
    key = _key()
    assert seal(event, key)
    raw = json.dumps(event)
    for secret in ("Ada", "Lovelace", "Analyst", "Lyon", "30-39"):
        assert secret not in raw
    assert event["kid"] == "k1"
    env = decode(raw.encode())
    assert env.kid == "k1"
    sealed_view = parse_data(env, EmployeeHired)
    assert sealed_view.display_name is None
    assert sealed_view.details.group_attributes is None
    open_sealed(env.data, env.id, key)
    opened = parse_data(env, EmployeeHired)
    assert opened.display_name == "Ada Lovelace"
    assert opened.details.location == "Lyon"
    assert opened.details.group_attributes == {"gender": "f", "age_band": "30-39"}


def test_without_the_key_the_reader_sees_the_erased_form() -> None:
    event = _hired()
    seal(event, _key())
    env = decode(json.dumps(event).encode())
    open_sealed(env.data, env.id, None)  # the key is gone
    erased = parse_data(env, EmployeeHired)
    assert erased.display_name is None
    assert erased.details.job_title is None
    assert erased.employee_id == "E1"
    assert erased.details.role_id == "r1"


def test_no_key_for_an_erased_person_publishes_the_erased_form_only() -> None:
    event = _hired()
    assert seal(event, None)
    assert "kid" not in event
    assert "sealed" not in event["data"]  # type: ignore[operator]
    assert "Ada" not in json.dumps(event)


def test_a_sealed_value_moved_to_another_event_or_field_does_not_open() -> None:
    key = _key()
    a, b = _hired(), _hired()
    seal(a, key)
    seal(b, key)
    data_b = dict(b["data"])  # type: ignore[call-overload]
    data_b["sealed"] = dict(a["data"]["sealed"])  # type: ignore[index]
    with pytest.raises(Unsealable):
        open_sealed(data_b, str(b["id"]), key)  # another event's id in the associated data
    data_a = json.loads(json.dumps(a["data"]))
    sealed = data_a["sealed"]
    sealed["/details/location"], sealed["/display_name"] = (
        sealed["/display_name"],
        sealed["/details/location"],
    )
    with pytest.raises(Unsealable):
        open_sealed(data_a, str(a["id"]), key)
    with pytest.raises(Unsealable):
        open_sealed(json.loads(json.dumps(a["data"])), str(a["id"]), _key())  # another key


def test_list_items_are_sealed_each_with_its_own_pointer() -> None:
    payload = AssessmentSubmitted(
        assessment_id="a1",
        cycle_id="c1",
        employee_id="E1",
        rater_id="M1",
        rater_kind=RaterKind.MANAGER,
        ratings=[
            Rating(competency_id="x", level=2, evidence="missed the Q3 deadline"),
            Rating(competency_id="y", level=3),
            Rating(competency_id="z", level=4, evidence="led the migration"),
        ],
        submitted_at=NOW,
    )
    event = json.loads(encode(make_event(payload, tenant_id="acme", source="/careerstream/x")))
    key = _key()
    seal(event, key)
    assert sorted(event["data"]["sealed"]) == ["/ratings/0/evidence", "/ratings/2/evidence"]
    env = decode(json.dumps(event).encode())
    open_sealed(env.data, env.id, key)
    got = parse_data(env, AssessmentSubmitted)
    assert [r.evidence for r in got.ratings] == [
        "missed the Q3 deadline",
        None,
        "led the migration",
    ]


def test_a_required_text_field_is_erased_to_empty_text() -> None:
    assert personal_pointers(GoalAdded) == (("/actions/*/title", ""),)
    payload = GoalAdded(
        plan_id="p1",
        goal_id="g1",
        employee_id="E1",
        competency_id="x",
        from_level=1,
        to_level=2,
        target_date=date(2027, 1, 1),
        actions=[
            Action(
                action_id="a",
                kind=ActionKind.MENTORING,
                title="Shadow Bob on the board pitch",
                owner_id="E1",
                target_date=date(2027, 1, 1),
            )
        ],
        added_at=NOW,
    )
    event = json.loads(encode(make_event(payload, tenant_id="acme", source="/careerstream/x")))
    seal(event, _key())
    env = decode(json.dumps(event).encode())
    open_sealed(env.data, env.id, None)
    assert parse_data(env, GoalAdded).actions[0].title == ""


def test_an_event_without_personal_fields_is_left_alone() -> None:
    event = _hired()
    event["type"] = "careerstream.hris.orgunit.changed.v1"
    assert not seal(event, _key())


def test_ciphers_are_kept_for_the_keys_last_used_and_an_erasure_drops_them() -> None:
    """A cipher is kept by its key's secret, for the `CIPHERS_KEPT` keys last used; forgetting a
    person (their erasure) drops them all, so that no erased secret stays in memory."""
    sealing.forget_ciphers()
    keys = [DataKey(kid=f"k{i}", secret=new_key_secret()) for i in range(3)]
    assert keys[0].aead() is keys[0].aead()
    for key in keys:
        key.aead()
    assert sealing._cipher.cache_info().currsize == 3
    assert sealing._cipher.cache_info().maxsize == sealing.CIPHERS_KEPT
    client = KeyClient(PrivacySettings(), service="plans")
    client._by_subject[("acme", "E1")] = (float("inf"), keys[0])
    client._by_kid[("acme", "k0")] = (float("inf"), keys[0])
    client.forget("acme", "E1")
    assert not client._by_subject
    assert not client._by_kid
    assert sealing._cipher.cache_info().currsize == 0
    # What was sealed still opens: the cipher is made again.
    event = _hired()
    assert seal(event, keys[1])
    env = decode(json.dumps(event).encode())
    open_sealed(env.data, env.id, keys[1])
    assert parse_data(env, EmployeeHired).display_name == "Ada Lovelace"
