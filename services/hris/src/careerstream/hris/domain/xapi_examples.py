"""Statements as the specification's examples and real LMSs shape them: documentation of what
the intake takes (docs/learning-records.md), test data and the bench's mix."""

from __future__ import annotations

from typing import Any

# The specification's "simple statement" (xAPI 1.0.3, Appendix A).
SPEC_SIMPLE: dict[str, Any] = {
    "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
    "timestamp": "2015-11-18T12:17:00+00:00",
    "actor": {
        "objectType": "Agent",
        "name": "Project Tin Can API",
        "mbox": "mailto:user@example.com",
    },
    "verb": {"id": "http://example.com/xapi/verbs#sent-a-statement", "display": {"en-US": "sent"}},
    "object": {
        "id": "http://example.com/xapi/activity/simplestatement",
        "definition": {
            "name": {"en-US": "simple statement"},
            "description": {"en-US": "A simple Experience API statement."},
        },
        "objectType": "Activity",
    },
}

# The specification's "typical simple completion with verb display".
SPEC_COMPLETION: dict[str, Any] = {
    "actor": {"name": "Sally Glider", "mbox": "mailto:sally@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
    "object": {
        "id": "http://example.com/activities/hang-gliding-test",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/assessment",
            "name": {"en-US": "Hang Gliding Test"},
            "extensions": {"http://example.com/gliderClubId": "test-765-9"},
        },
    },
    "result": {
        "completion": True,
        "success": True,
        "score": {"scaled": 0.95, "raw": 95, "min": 0, "max": 100},
        "duration": "PT4H35M59.14S",
        "extensions": {"http://example.com/flight/averagePitch": 0.05},
    },
    "context": {
        "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        "contextActivities": {
            "parent": [{"id": "http://example.com/activities/hang-gliding-class-a"}],
            "grouping": [{"id": "http://example.com/activities/hang-gliding-school"}],
        },
        "instructor": {"name": "Irene Instructor", "mbox": "mailto:irene@example.com"},
        "team": {
            "objectType": "Group",
            "name": "Team PB",
            "mbox": "mailto:teampb@example.com",
        },
        "platform": "Example virtual meeting software",
        "language": "tlh",
        "statement": {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},
    },
    "timestamp": "2013-05-18T05:32:34.804+00:00",
}

# Moodle (logstore_xapi): an account on the Moodle site, the course module as the activity.
MOODLE: dict[str, Any] = {
    "actor": {
        "name": "Ana Lima",
        "account": {"homePage": "https://moodle.acme.example", "name": "E100"},
    },
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en": "completed"}},
    "object": {
        "id": "https://moodle.acme.example/course/view.php?id=42",
        "definition": {
            "type": "http://id.tincanapi.com/activitytype/lms/course",
            "name": {"en": "SQL foundations"},
            "extensions": {"https://moodle.org/xapi/extensions/course_id": 42},
        },
        "objectType": "Activity",
    },
    "timestamp": "2026-11-20T10:15:00+01:00",
    "context": {
        "platform": "Moodle",
        "language": "en",
        "extensions": {"http://lrs.learninglocker.net/define/extensions/info": {"moodle": "4.3"}},
        "contextActivities": {
            "grouping": [
                {
                    "id": "https://moodle.acme.example",
                    "definition": {"type": "http://id.tincanapi.com/activitytype/lms"},
                }
            ],
            "category": [
                {
                    "id": "http://moodle.org",
                    "definition": {"type": "http://id.tincanapi.com/activitytype/source"},
                }
            ],
        },
    },
}

# LinkedIn Learning: the learner by e-mail, a URN as the course's id.
LINKEDIN: dict[str, Any] = {
    "actor": {"objectType": "Agent", "name": "Ana Lima", "mbox": "mailto:Ana.Lima@Acme.example"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
    "object": {
        "objectType": "Activity",
        "id": "urn:li:lyndaCourse:189800",
        "definition": {
            "name": {"en-US": "Learning SQL Programming"},
            "type": "http://adlnet.gov/expapi/activities/course",
            "moreInfo": "https://www.linkedin.com/learning/learning-sql-programming",
        },
    },
    "result": {"completion": True, "duration": "PT1H32M"},
    "timestamp": "2026-11-21T08:00:00Z",
}
