"""Every kind of notification and every string a person reads, in one place (one language for
now: a second is a second catalogue with the same keys).

A message says what waits and links to the console page where it is; it never carries a
rating, a gap, a note or a plan's content (those stay behind sign-in). `{name}` is the
display name of the person the notification is about, `{title}` an opportunity's title,
`{cycle}` a cycle's id, `{deadline}` a date.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    ASSESSMENT_OPENED = "assessment_opened"
    TEAM_ASSESSMENTS_OPENED = "team_assessments_opened"
    PEER_REVIEW_REQUESTED = "peer_review_requested"
    ASSESSMENT_DUE = "assessment_due"
    GAPS_READY = "gaps_ready"
    PLAN_DRAFTED = "plan_drafted"
    PLAN_AWAITING_APPROVAL = "plan_awaiting_approval"
    TRANSITION_PLAN = "transition_plan"
    NEW_REPORT_TRANSITION = "new_report_transition"
    CHECKIN_OVERDUE = "checkin_overdue"
    GOAL_COMPLETED = "goal_completed"
    LEARNING_DONE = "learning_done"
    LEARNING_ATTEMPT_FAILED = "learning_attempt_failed"
    APPLICATION_SHORTLISTED = "application_shortlisted"
    APPLICATION_SELECTED = "application_selected"
    APPLICATION_NOT_SELECTED = "application_not_selected"
    OPPORTUNITY_CLOSED = "opportunity_closed"
    OPPORTUNITY_MATCH = "opportunity_match"
    ERASURE_COMPLETED = "erasure_completed"
    DIGEST = "digest"


@dataclass(frozen=True)
class Message:
    subject: str
    lines: tuple[str, ...]
    action: str
    """The label of the link."""
    path: str
    """The console page the link opens (`{...}` from the params)."""


CATALOGUE: dict[Kind, Message] = {
    Kind.ASSESSMENT_OPENED: Message(
        "Your assessment is open",
        (
            "An assessment cycle has opened and you are in it.",
            "Rate yourself against your role's competencies by {deadline}.",
        ),
        "Open my assessment",
        "/me/assessments",
    ),
    Kind.TEAM_ASSESSMENTS_OPENED: Message(
        "Your team's assessments are open",
        (
            "An assessment cycle has opened for people you manage.",
            "Rate each of them by {deadline}; the console lists who is waiting.",
        ),
        "Open my team",
        "/team",
    ),
    Kind.PEER_REVIEW_REQUESTED: Message(
        "{name} asks for your view",
        (
            "You have been asked to rate {name} as a peer.",
            "Your ratings are seen only by them, their manager and HR; please give them by {deadline}.",
        ),
        "Rate as a peer",
        "/me/assessments",
    ),
    Kind.ASSESSMENT_DUE: Message(
        "Ratings due by {deadline}",
        (
            "An assessment that waits for your ratings closes on {deadline}.",
            "Ratings not given by then are left out of the result.",
        ),
        "Give my ratings",
        "/me/assessments",
    ),
    Kind.GAPS_READY: Message(
        "Your assessment is complete",
        (
            "Your assessment is complete: your strengths and gaps against your role are ready.",
            "Where the company suggests plans, a development plan built from them waits for you.",
        ),
        "See my gaps",
        "/me/gaps",
    ),
    Kind.PLAN_DRAFTED: Message(
        "A development plan is ready for you",
        (
            "A draft development plan has been prepared for you.",
            "Look it over, change what you want, and talk it through with your manager.",
        ),
        "Open my plan",
        "/me/plan",
    ),
    Kind.PLAN_AWAITING_APPROVAL: Message(
        "{name}'s plan waits for your approval",
        (
            "{name} has a draft development plan.",
            "Discuss it with them and approve it when it is right.",
        ),
        "Review the plan",
        "/team/{about}",
    ),
    Kind.TRANSITION_PLAN: Message(
        "Your plan for your new role",
        (
            "Congratulations on your move. Your previous plan is closed and a transition plan",
            "for your new role has been drafted from its requirements.",
        ),
        "Open my plan",
        "/me/plan",
    ),
    Kind.NEW_REPORT_TRANSITION: Message(
        "{name} joins your team",
        (
            "{name} moves into your team; a transition plan for their new role has been drafted.",
            "A first career conversation in their first weeks helps them settle.",
        ),
        "Meet the plan",
        "/team/{about}",
    ),
    Kind.CHECKIN_OVERDUE: Message(
        "A plan check-in is overdue",
        (
            "The development plan{of_name} has had no check-in for {days} days.",
            "A short check-in keeps it moving.",
        ),
        "Hold the check-in",
        "{plan_path}",
    ),
    Kind.GOAL_COMPLETED: Message(
        "{name} closed a development goal",
        (
            "{name} closed a goal of their development plan.",
            "Recognising it in your next conversation goes a long way.",
        ),
        "See the plan",
        "/team/{about}",
    ),
    Kind.LEARNING_DONE: Message(
        "Your plan moved: a course is done",
        (
            "Your learning platform recorded that you completed a course of your development plan.",
            "Its step is marked done; nobody needs to tick it.",
        ),
        "See my plan",
        "/me/plan",
    ),
    Kind.LEARNING_ATTEMPT_FAILED: Message(
        "A course attempt did not pass",
        (
            "Your learning platform recorded an attempt at a course of your development plan that did not pass.",
            "The step stays open in your plan: you can try again, or talk it over with your manager.",
        ),
        "See my plan",
        "/me/plan",
    ),
    Kind.APPLICATION_SHORTLISTED: Message(
        "You are on the shortlist for {title}",
        (
            "Your application for {title} has been shortlisted.",
            "The hiring manager will be in touch about the next step.",
        ),
        "See my applications",
        "/marketplace",
    ),
    Kind.APPLICATION_SELECTED: Message(
        "You have been selected for {title}",
        ("Congratulations: you have been selected for {title}.",),
        "See my applications",
        "/marketplace",
    ),
    Kind.APPLICATION_NOT_SELECTED: Message(
        "About your application for {title}",
        (
            "Thank you for applying for {title}. Another colleague was selected this time.",
            "Applying says a lot about where you want to grow: your development plan is the",
            "place to keep building towards it, and new opportunities open every week.",
        ),
        "Open my plan",
        "/me/plan",
    ),
    Kind.OPPORTUNITY_CLOSED: Message(
        "{title} has closed",
        (
            "The opportunity {title} you applied for has closed without being filled.",
            "Your development plan and the marketplace are there for what comes next.",
        ),
        "Browse the marketplace",
        "/marketplace",
    ),
    Kind.OPPORTUNITY_MATCH: Message(
        "An opportunity that fits you: {title}",
        (
            "{title} has opened in the internal marketplace.",
            "It fits your skills and what you said you aim for; see how you match, term by term.",
        ),
        "See the opportunity",
        "/marketplace",
    ),
    Kind.ERASURE_COMPLETED: Message(
        "An erasure you requested is complete",
        (
            "The erasure you requested ({erasure}) has completed across the platform.",
            "The privacy page shows which services answered.",
        ),
        "See the erasure",
        "/hr/privacy/erasures/{erasure}",
    ),
    Kind.DIGEST: Message(
        "Your careerstream digest: {count} update{s}",
        ("Here is what waited for you since your last digest:",),
        "Open the console",
        "/",
    ),
}

GREETING = "Hello {recipient},"
GREETING_UNNAMED = "Hello,"
SOMEONE = "a colleague"
DIGEST_ONLY = frozenset({Kind.OPPORTUNITY_MATCH})
"""Kinds that come by e-mail in the daily digest only (at most one a day), never by chat."""

FOOTER = "You receive this because of your company's career programme."
UNSUBSCRIBE = "Stop e-mails like this"
PREFERENCES = "Choose what you receive"
UNSUBSCRIBE_PAGE = {
    "title": "Stop these e-mails?",
    "text_kind": "You will no longer receive e-mails of this kind ({kind}). The console still shows them.",
    "text_all": "You will no longer receive e-mails from careerstream. The console still shows them.",
    "button": "Stop them",
    "done_title": "Done",
    "done_text": "You will no longer receive these e-mails. You can turn them back on in the console.",
    "bad_title": "This link does not work",
    "bad_text": "The link is damaged or not one of ours. Choose what you receive in the console.",
}


def render(text: str, params: dict[str, str]) -> str:
    """`text` with `{key}` replaced by `params` (unknown keys left as they are); a value may
    itself hold a `{key}` (one more pass fills it)."""
    out = text
    for _ in range(2):
        for key, value in params.items():
            out = out.replace("{" + key + "}", value)
    return out
