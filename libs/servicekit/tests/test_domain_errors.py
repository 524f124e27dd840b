"""A domain problem written `field: what is wrong` names its field in the problem+json."""

from __future__ import annotations

from careerstream.servicekit.domain import Invalid


def test_a_problem_that_starts_with_a_field_names_it() -> None:
    e = Invalid(
        [
            "duration_weeks: a project or gig says how long it lasts",
            "required.system-design: level 7 is outside the scale 1-4",
            "name the competencies it needs",
        ]
    )
    assert e.errors == [
        {
            "field": "duration_weeks",
            "message": "duration_weeks: a project or gig says how long it lasts",
        },
        {
            "field": "required.system-design",
            "message": "required.system-design: level 7 is outside the scale 1-4",
        },
        {"message": "name the competencies it needs"},
    ]
