"""The notifications service on real Kafka, PostgreSQL, a real SMTP server and a real webhook
receiver: each rule tells whom it should, once; deliveries retry, dead-letter and replay;
preferences, quiet hours, unsubscribe links, leavers and erasure are honoured."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from careerstream.contracts.events import assessments as asm
from careerstream.contracts.events import mobility as mob
from careerstream.contracts.events import plans as pl
from careerstream.contracts.events import privacy as prv
from careerstream.contracts.events.hris import EmployeeTerminated
from careerstream.devstack.mailsink import MailSink
from careerstream.devstack.sample import auth
from careerstream.devstack.testing import RunningService, ServiceUnderTest
from careerstream.notifications.domain import timing
from careerstream.notifications.service_layer import rules
from careerstream.notifications.service_layer.deciding import Policy

from .conftest import Receiver, Send, as_json, hired, tenant_id, until

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

NOW = datetime.now(UTC)


@pytest.fixture
async def svc(
    service_under_test: ServiceUnderTest, mail: MailSink
) -> AsyncIterator[RunningService]:
    async with service_under_test(
        "notifications",
        smtp_port=mail.port,
        deliver_every_seconds=0.1,
        timed_rules_every_seconds=3600,  # the tests run the timed rules themselves
        backoff_base_seconds=0.05,
        backoff_max_seconds=0.2,
        max_attempts=3,
        console_url="http://console.test",
        public_url="http://notifications.test",
    ) as running:
        yield running


async def people(
    send: Send, svc: RunningService, tenant: str, *pairs: tuple[str, str | None]
) -> None:
    await send(tenant, *(hired(e, m, tenant) for e, m in pairs))
    await until(
        lambda: svc.scalar(
            "SELECT count(*) = $2 FROM notifications.employees WHERE tenant_id = $1",
            tenant,
            len(pairs),
        ),
        "the directory",
    )


def opened(
    assessment: str, emp: str, deadline: datetime, cycle: str = "C1"
) -> asm.AssessmentOpened:
    return asm.AssessmentOpened(
        assessment_id=assessment,
        cycle_id=cycle,
        employee_id=emp,
        role_id="r1",
        deadline=deadline,
        opened_at=NOW,
    )


def subjects(mail: MailSink, address: str) -> list[str]:
    return sorted(r.subject for r in mail.to(address))


async def test_a_cycle_opening_tells_each_assessee_and_their_manager_once(
    svc: RunningService, send: Send, mail: MailSink
) -> None:
    t = tenant_id()
    await people(send, svc, t, ("M1", None), ("E1", "M1"), ("E2", "M1"))
    deadline = NOW + timedelta(days=14)
    events = [opened("A1", "E1", deadline), opened("A2", "E2", deadline)]
    await send(t, *events)
    await send(t, *events)  # delivered again (another event id): decided once all the same
    await until(lambda: len(mail.received) >= 3, "three messages")
    await until(
        lambda: svc.scalar(
            "SELECT count(*) = 0 FROM notifications.deliveries "
            "WHERE tenant_id = $1 AND status <> 'sent'",
            t,
        ),
        "every delivery sent",
    )
    assert subjects(mail, f"e1@{t}.example") == ["Your assessment is open"]
    assert subjects(mail, f"e2@{t}.example") == ["Your assessment is open"]
    assert subjects(mail, f"m1@{t}.example") == ["Your team's assessments are open"]
    msg = mail.to(f"e1@{t}.example")[0]
    assert "Hello Person E1," in msg.text()
    assert deadline.date().isoformat() in msg.text()
    assert "http://console.test/me/assessments" in msg.text()
    assert msg.message["List-Unsubscribe"].startswith("<http://notifications.test/v1/unsubscribe?")
    assert "<a href=" in msg.html()

    inbox = await svc.client.get("/v1/me/notifications", headers=auth(t, "E1", "employee"))
    assert inbox.status_code == 200, inbox.text
    body = inbox.json()
    assert body["unread"] == 1
    assert [i["kind"] for i in body["items"]] == ["assessment_opened"]
    read = await svc.client.post(
        f"/v1/me/notifications/{body['items'][0]['id']}/read", headers=auth(t, "E1", "employee")
    )
    assert read.status_code == 200, read.text
    # Someone else's notification is not found, not readable.
    other = await svc.client.post(
        f"/v1/me/notifications/{body['items'][0]['id']}/read", headers=auth(t, "E2", "employee")
    )
    assert other.status_code == 404
    assert other.headers["content-type"].startswith("application/problem+json")
    again = await svc.client.get("/v1/me/notifications", headers=auth(t, "E1", "employee"))
    assert again.json()["unread"] == 0
    elsewhere = await svc.client.get(
        "/v1/me/notifications", headers=auth("other", "E1", "employee")
    )
    assert elsewhere.json()["items"] == []


async def test_reminders_go_to_raters_who_have_not_rated_and_only_once(
    svc: RunningService, send: Send, mail: MailSink
) -> None:
    t = tenant_id()
    await people(send, svc, t, ("M1", None), ("E1", "M1"), ("P1", "M1"))
    await send(t, opened("A1", "E1", NOW + timedelta(days=1)))
    await send(
        t,
        asm.PeersNominated(
            assessment_id="A1",
            cycle_id="C1",
            employee_id="E1",
            peer_ids=["P1"],
            nominated_by="E1",
            nominated_at=NOW,
        ),
        asm.AssessmentSubmitted(
            assessment_id="A1",
            cycle_id="C1",
            employee_id="E1",
            rater_id="E1",
            rater_kind=asm.RaterKind.SELF,
            ratings=[asm.Rating(competency_id="c1", level=2)],
            submitted_at=NOW,
        ),
    )
    await until(lambda: mail.to(f"p1@{t}.example"), "the peer asked")
    assert subjects(mail, f"p1@{t}.example") == ["Person E1 asks for your view"]
    await until(
        lambda: svc.scalar(
            "SELECT submitted FROM notifications.raters WHERE tenant_id = $1 AND rater_id = 'E1'",
            t,
        ),
        "the self-rating recorded",
    )
    for _ in range(2):  # a second run (another replica, the next tick) reminds nobody again
        async with svc.runtime.uow() as u:
            await rules.due_reminders(u, Policy(), 3.0)
            await u.commit()
    await until(lambda: len(mail.to(f"m1@{t}.example")) >= 2, "the manager reminded")
    await until(lambda: len(mail.to(f"p1@{t}.example")) >= 2, "the peer reminded")
    due = f"Ratings due by {(NOW + timedelta(days=1)).date().isoformat()}"
    assert subjects(mail, f"m1@{t}.example") == sorted([due, "Your team's assessments are open"])
    assert subjects(mail, f"p1@{t}.example") == sorted([due, "Person E1 asks for your view"])
    assert subjects(mail, f"e1@{t}.example") == ["Your assessment is open"]  # E1 has rated


async def test_plans_gaps_goals_and_overdue_checkins(
    svc: RunningService, send: Send, mail: MailSink
) -> None:
    t = tenant_id()
    await people(send, svc, t, ("M1", None), ("E1", "M1"))
    await send(
        t,
        asm.AssessmentCompleted(
            assessment_id="A1",
            cycle_id="C1",
            employee_id="E1",
            role_id="r1",
            framework_id="f1",
            framework_version=1,
            levels=[asm.CalibratedLevel(competency_id="secret-competency", level=1)],
            raters=[asm.Rater(rater_id="E1", kind=asm.RaterKind.SELF)],
            completed_at=NOW,
        ),
        pl.PlanCreated(
            plan_id="P1",
            employee_id="E1",
            period_start=NOW.date(),
            period_end=(NOW + timedelta(days=180)).date(),
            status=pl.PlanStatus.DRAFT,
            created_at=NOW - timedelta(days=60),
        ),
        pl.PlanApproved(
            plan_id="P1", employee_id="E1", approved_by="M1", approved_at=NOW - timedelta(days=50)
        ),
        pl.GoalCompleted(
            plan_id="P1",
            goal_id="G1",
            employee_id="E1",
            competency_id="secret-competency",
            outcome=pl.GoalOutcome.ACHIEVED,
            completed_at=NOW,
        ),
    )
    await until(lambda: len(mail.to(f"m1@{t}.example")) >= 2, "the manager told twice")
    await until(lambda: len(mail.to(f"e1@{t}.example")) >= 2, "the employee told twice")
    assert subjects(mail, f"e1@{t}.example") == [
        "A development plan is ready for you",
        "Your assessment is complete",
    ]
    assert subjects(mail, f"m1@{t}.example") == [
        "Person E1 closed a development goal",
        "Person E1's plan waits for your approval",
    ]
    for r in mail.received:  # no competency, level or rating in any message
        assert "secret-competency" not in r.text() + r.html()
    await until(
        lambda: svc.scalar(
            "SELECT status = 'active' FROM notifications.plans WHERE tenant_id = $1", t
        ),
        "the plan active",
    )
    for _ in range(2):
        async with svc.runtime.uow() as u:
            await rules.overdue_checkins(u, Policy(), 42.0)
            await u.commit()
    await until(lambda: len(mail.to(f"m1@{t}.example")) >= 3, "the manager told of the check-in")
    await until(lambda: len(mail.to(f"e1@{t}.example")) >= 3, "the employee told of the check-in")
    manager_msg = next(r for r in mail.to(f"m1@{t}.example") if "check-in" in r.subject)
    assert (
        "The development plan of Person E1 has had no check-in for 50 days." in manager_msg.text()
    )
    assert "http://console.test/team/E1" in manager_msg.text()
    # A check-in starts a new spell: nothing is overdue now.
    await send(
        t,
        pl.CheckinRecorded(
            plan_id="P1",
            checkin_id="K1",
            employee_id="E1",
            manager_id="M1",
            progress_rating=3,
            held_at=NOW,
        ),
    )
    await until(
        lambda: svc.scalar(
            "SELECT last_touch > now() - interval '1 day' FROM notifications.plans WHERE tenant_id = $1",
            t,
        ),
        "the check-in recorded",
    )
    async with svc.runtime.uow() as u:
        assert await rules.overdue_checkins(u, Policy(), 42.0) == 0
        await u.commit()


async def test_the_marketplace_tells_applicants_how_it_went(
    svc: RunningService, send: Send, mail: MailSink
) -> None:
    t = tenant_id()
    await people(send, svc, t, ("H1", None), ("E1", "H1"), ("E2", "H1"), ("E3", "H1"))
    await send(
        t,
        mob.OpportunityPosted(
            opportunity_id="O1",
            kind=mob.OpportunityKind.ROLE,
            title="Data Lead",
            required=[],
            hiring_manager_id="H1",
            posted_at=NOW,
        ),
    )
    await until(
        lambda: svc.scalar(
            "SELECT count(*) FROM notifications.opportunities WHERE tenant_id = $1", t
        ),
        "the opportunity",
    )
    await send(
        t,
        *(
            mob.ApplicationSubmitted(
                application_id=f"AP{e}", opportunity_id="O1", employee_id=e, submitted_at=NOW
            )
            for e in ("E1", "E2", "E3")
        ),
        mob.ApplicationWithdrawn(
            application_id="APE3", opportunity_id="O1", employee_id="E3", withdrawn_at=NOW
        ),
        mob.CandidateShortlisted(
            application_id="APE1", opportunity_id="O1", employee_id="E1", shortlisted_at=NOW
        ),
    )
    await until(lambda: mail.to(f"e1@{t}.example"), "the shortlist told")
    await until(
        lambda: svc.scalar(
            "SELECT count(*) = 3 FROM notifications.applications WHERE tenant_id = $1 "
            "AND status IN ('open', 'shortlisted', 'withdrawn')",
            t,
        ),
        "the applications",
    )
    await until(
        lambda: svc.scalar(
            "SELECT status = 'withdrawn' FROM notifications.applications WHERE tenant_id = $1 "
            "AND employee_id = 'E3'",
            t,
        ),
        "the withdrawal",
    )
    await send(
        t,
        mob.RoleFilled(
            opportunity_id="O1",
            internal=True,
            employee_id="E1",
            hiring_manager_id="H1",
            move_kind=mob.MoveKind.PROMOTION,
            posted_at=NOW,
            filled_at=NOW,
        ),
        mob.OpportunityClosed(opportunity_id="O1", closed_at=NOW, reason="filled"),
    )
    await until(lambda: len(mail.to(f"e1@{t}.example")) >= 2, "the selection told")
    await until(lambda: mail.to(f"e2@{t}.example"), "the others told")
    assert subjects(mail, f"e1@{t}.example") == [
        "You are on the shortlist for Data Lead",
        "You have been selected for Data Lead",
    ]
    assert subjects(mail, f"e2@{t}.example") == ["About your application for Data Lead"]
    kind_word = mail.to(f"e2@{t}.example")[0].text()
    assert "http://console.test/me/plan" in kind_word
    assert "Another colleague was selected" in kind_word
    # who was selected is not said (links left out: a signed token may hold "E1")
    assert "E1" not in re.sub(r"https?://\S+", "", kind_word)
    assert mail.to(f"e3@{t}.example") == []  # withdrew: not told
    assert mail.to(f"h1@{t}.example") == []


async def test_a_failing_smtp_server_leads_to_retries_dead_letters_and_delivery_after_replay(
    svc: RunningService, send: Send, mail: MailSink
) -> None:
    t = tenant_id()
    await people(send, svc, t, ("E1", None))
    mail.handler.failing = True
    await send(t, opened("A1", "E1", NOW + timedelta(days=10)))
    await until(
        lambda: svc.scalar(
            "SELECT status = 'dead' FROM notifications.deliveries WHERE tenant_id = $1", t
        ),
        "the delivery dead after its attempts",
    )
    assert (
        await svc.scalar("SELECT attempts FROM notifications.deliveries WHERE tenant_id = $1", t)
        == 3
    )
    hr = auth(t, "HR", "hr_admin")
    dead = await svc.client.get("/v1/dead-letters", headers=hr)
    assert dead.status_code == 200, dead.text
    (letter,) = dead.json()
    assert letter["recipient_id"] == "E1"
    assert letter["kind"] == "assessment_opened"
    assert "451" in letter["last_error"]
    assert (
        await svc.client.get("/v1/dead-letters", headers=auth(t, "E1", "employee"))
    ).status_code == 403
    assert (
        await svc.client.get("/v1/dead-letters", headers=auth("x", "HR", "hr_admin"))
    ).json() == []
    mail.handler.failing = False
    replayed = await svc.client.post("/v1/dead-letters/replay", json={}, headers=hr)
    assert replayed.json() == {"replayed": 1}
    await until(lambda: mail.to(f"e1@{t}.example"), "delivered after the replay")
    assert len(mail.to(f"e1@{t}.example")) == 1
    stats = (await svc.client.get("/v1/delivery-stats", headers=hr)).json()
    assert stats["email"] == {"sent": 1}
    # A refused address is dead at once (a permanent failure is not retried).
    mail.handler.refuse.add(f"e1@{t}.example")
    await send(t, opened("A2", "E1", NOW + timedelta(days=10), cycle="C2"))
    await until(
        lambda: svc.scalar(
            "SELECT attempts FROM notifications.deliveries d JOIN notifications.notifications n "
            "ON n.id = d.notification_id WHERE d.tenant_id = $1 AND n.trigger_key = 'A2' "
            "AND d.status = 'dead'",
            t,
        ),
        "the refused delivery dead",
    )
    assert (
        await svc.scalar(
            "SELECT attempts FROM notifications.deliveries d JOIN notifications.notifications n "
            "ON n.id = d.notification_id WHERE d.tenant_id = $1 AND n.trigger_key = 'A2'",
            t,
        )
        == 1
    )


async def test_preferences_quiet_hours_digest_and_unsubscribe(
    svc: RunningService, send: Send, mail: MailSink
) -> None:
    t = tenant_id()
    await people(send, svc, t, ("E1", None), ("E2", None), ("E3", None))
    me = auth(t, "E1", "employee")
    bad = await svc.client.put(
        "/v1/me/notification-preferences",
        json={"channels": {"no_such_kind": {"email": False}}, "time_zone": "Mars/Base"},
        headers=me,
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert "channels" in fields
    assert "time_zone" in fields
    # E1: no e-mail for opened assessments. E2: quiet all day long. E3: a daily digest.
    ok = await svc.client.put(
        "/v1/me/notification-preferences",
        json={"channels": {"assessment_opened": {"email": False}}},
        headers=me,
    )
    assert ok.status_code == 200, ok.text
    hour = datetime.now(UTC).hour
    await svc.client.put(
        "/v1/me/notification-preferences",
        json={"time_zone": "UTC", "quiet_hours": {"start": hour, "end": (hour + 2) % 24}},
        headers=auth(t, "E2", "employee"),
    )
    await svc.client.put(
        "/v1/me/notification-preferences",
        json={"digest": True, "time_zone": "Europe/Berlin"},
        headers=auth(t, "E3", "employee"),
    )
    got = await svc.client.get("/v1/me/notification-preferences", headers=auth(t, "E3", "employee"))
    assert got.json()["digest"] is True
    deadline = NOW + timedelta(days=10)
    await send(
        t, opened("A1", "E1", deadline), opened("A2", "E2", deadline), opened("A3", "E3", deadline)
    )
    await until(
        lambda: svc.scalar(
            "SELECT count(*) = 3 FROM notifications.notifications WHERE tenant_id = $1", t
        ),
        "three decided",
    )
    rows = await svc.scalar(
        "SELECT json_agg(json_build_object('r', recipient_id, 'digest', digest, "
        "'later', next_attempt_at > now() + interval '30 minutes')) FROM notifications.deliveries "
        "WHERE tenant_id = $1",
        t,
    )
    import json

    plan = {r["r"]: r for r in json.loads(rows)}
    assert "E1" not in plan  # turned off: in the inbox only
    assert plan["E2"]["later"] is True  # after the quiet hours
    assert plan["E3"]["digest"] is True
    # With the digest (08:00 in Berlin), unless that is under half an hour away.
    berlin = timing.zone("Europe/Berlin")
    soon = timing.next_digest(datetime.now(UTC), berlin, 8) <= datetime.now(UTC) + timedelta(
        minutes=30
    )
    assert plan["E3"]["later"] is not soon
    inbox = await svc.client.get("/v1/me/notifications", headers=me)
    assert [i["kind"] for i in inbox.json()["items"]] == ["assessment_opened"]

    # The digest, when due, is one e-mail for everything waiting.
    await send(t, opened("A4", "E3", deadline, cycle="C2"))
    await until(
        lambda: svc.scalar(
            "SELECT count(*) = 2 FROM notifications.deliveries WHERE tenant_id = $1 AND recipient_id = 'E3'",
            t,
        ),
        "two waiting for the digest",
    )
    await svc.scalar(
        "UPDATE notifications.deliveries SET next_attempt_at = now() WHERE tenant_id = $1 "
        "AND recipient_id = 'E3' RETURNING 1",
        t,
    )
    await until(lambda: mail.to(f"e3@{t}.example"), "the digest")
    (digest,) = mail.to(f"e3@{t}.example")
    assert digest.subject == "Your careerstream digest: 2 updates"
    assert digest.text().count("Your assessment is open") == 2

    # Unsubscribe from a message's link, without signing in.
    await send(
        t,
        asm.AssessmentCompleted(
            assessment_id="A3",
            cycle_id="C1",
            employee_id="E3",
            role_id="r1",
            framework_id="f1",
            framework_version=1,
            levels=[],
            raters=[],
            completed_at=NOW,
        ),
    )
    await until(
        lambda: svc.scalar(
            "SELECT count(*) = 3 FROM notifications.deliveries WHERE tenant_id = $1 AND recipient_id = 'E3'",
            t,
        ),
        "the gaps notice waiting",
    )
    link = re.search(r"unsubscribe\?token=(\S+)", digest.text())
    assert link is not None
    token = link.group(1)
    page = await svc.client.get(f"/v1/unsubscribe?token={token}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "<form" in page.text
    done = await svc.client.post(f"/v1/unsubscribe?token={token}")
    assert done.status_code == 200, done.text
    assert done.json() == {"kind": "*", "stopped": "email"}
    assert (
        await svc.scalar(
            "SELECT status FROM notifications.deliveries d JOIN notifications.notifications n "
            "ON n.id = d.notification_id WHERE d.tenant_id = $1 AND n.kind = 'gaps_ready'",
            t,
        )
        == "suppressed"
    )
    forged = await svc.client.post(f"/v1/unsubscribe?token={token[:-3]}abc")
    assert forged.status_code == 400
    assert forged.json()["errors"][0]["field"] == "query.token"
    html = await svc.client.get(
        f"/v1/unsubscribe?token={token[:-3]}abc", headers={"Accept": "text/html"}
    )
    assert html.status_code == 400
    assert "does not work" in html.text


async def test_chat_webhook_posts_signed_slack_json(
    svc: RunningService, send: Send, mail: MailSink, webhook: Receiver
) -> None:
    t = tenant_id()
    await people(send, svc, t, ("E1", None))
    hr = auth(t, "HR", "hr_admin")
    for who in (auth(t, "E1", "employee"), auth(t, "M1", "manager")):
        denied = await svc.client.put(
            "/v1/notification-settings", json={"chat_webhook_url": webhook.url}, headers=who
        )
        assert denied.status_code == 403
    bad = await svc.client.put(
        "/v1/notification-settings", json={"chat_webhook_url": "ftp://x"}, headers=hr
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "chat_webhook_url"
    secret = "webhook-secret-0123456789"
    put = await svc.client.put(
        "/v1/notification-settings",
        json={"chat_webhook_url": webhook.url, "chat_webhook_secret": secret},
        headers=hr,
    )
    assert put.status_code == 200, put.text
    shown = (await svc.client.get("/v1/notification-settings", headers=hr)).json()
    assert shown == {
        "chat_webhook_url": webhook.url,
        "chat_webhook_signed": True,
        "time_zone": None,
    }
    await send(t, opened("A1", "E1", NOW + timedelta(days=5)))
    await until(lambda: webhook.posts, "the chat message")
    await until(lambda: mail.to(f"e1@{t}.example"), "the e-mail too")
    headers, body = webhook.posts[0]
    ts = headers["x-careerstream-request-timestamp"]
    want = (
        "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    )
    assert headers["x-careerstream-signature"] == want
    payload: dict[str, Any] = as_json(body)
    assert "Your assessment is open" in payload["text"]
    assert payload["metadata"]["event_payload"]["recipient_email"] == f"e1@{t}.example"
    assert payload["blocks"][1]["elements"][0]["url"] == "http://console.test/me/assessments"


async def test_leavers_are_told_nothing_and_erasure_removes_what_was_kept(
    svc: RunningService, send: Send, mail: MailSink
) -> None:
    t = tenant_id()
    await people(send, svc, t, ("HR", None), ("M1", None), ("E1", "M1"), ("E2", "M1"))
    await send(
        t,
        EmployeeTerminated(
            employee_id="E2",
            effective_date=NOW.date(),
            recorded_at=datetime.now(UTC),
            voluntary=True,
        ),
    )
    await until(
        lambda: svc.scalar(
            "SELECT NOT active FROM notifications.employees WHERE tenant_id = $1 AND employee_id = 'E2'",
            t,
        ),
        "E2 gone",
    )
    deadline = NOW + timedelta(days=10)
    await send(t, opened("A1", "E1", deadline), opened("A2", "E2", deadline))
    await until(lambda: mail.to(f"e1@{t}.example"), "E1 told")
    await until(lambda: mail.to(f"m1@{t}.example"), "M1 told")
    assert mail.to(f"e2@{t}.example") == []
    await send(
        t,
        prv.ErasureRequested(
            erasure_id="ER1",
            employee_id="E1",
            services=["notifications"],
            deadline=NOW + timedelta(days=3),
            requested_at=NOW,
            requested_by="HR",
        ),
    )
    await until(
        lambda: svc.scalar(
            "SELECT count(*) = 0 FROM notifications.notifications WHERE tenant_id = $1 "
            "AND (recipient_id = 'E1' OR about_id = 'E1')",
            t,
        ),
        "E1's notifications erased",
    )
    assert (
        await svc.scalar(
            "SELECT count(*) FROM notifications.employees WHERE tenant_id = $1 AND employee_id = 'E1'",
            t,
        )
        == 0
    )
    assert (
        await svc.scalar(
            "SELECT count(*) FROM notifications.deliveries WHERE tenant_id = $1 AND recipient_id = 'E1'",
            t,
        )
        == 0
    )
    await send(
        t,
        prv.ErasureCompleted(
            erasure_id="ER1", employee_id="E1", answered=["notifications"], completed_at=NOW
        ),
    )
    await until(lambda: mail.to(f"hr@{t}.example"), "the requester told")
    (done,) = mail.to(f"hr@{t}.example")
    assert done.subject == "An erasure you requested is complete"
    assert "Person E1" not in done.text()  # the erased person is not named
    assert "ER1" in done.text()
    # Events about the erased person that arrive later are not acted on.
    await send(t, opened("A9", "E1", deadline, cycle="C9"))
    await send(t, opened("A10", "M1", deadline, cycle="C9"))
    await until(
        lambda: svc.scalar(
            "SELECT count(*) FROM notifications.notifications WHERE tenant_id = $1 AND trigger_key = 'A10'",
            t,
        ),
        "a later event processed",
    )
    assert (
        await svc.scalar(
            "SELECT count(*) FROM notifications.notifications WHERE tenant_id = $1 AND trigger_key = 'A9'",
            t,
        )
        == 0
    )


async def test_matching_opportunities_come_in_the_daily_digest_only(
    svc: RunningService, send: Send, mail: MailSink, webhook: Receiver
) -> None:
    t = tenant_id()
    await people(send, svc, t, ("E1", None), ("E2", None))
    hr = auth(t, "HR", "hr_admin")
    await svc.client.put(
        "/v1/notification-settings", json={"chat_webhook_url": webhook.url}, headers=hr
    )
    await send(
        t,
        mob.OpportunityMatched(
            opportunity_id="O1",
            title="Data Lead",
            employee_ids=["E1", "E2"],
            threshold=0.6,
            matched_at=NOW,
        ),
        mob.OpportunityMatched(
            opportunity_id="O2",
            title="Platform Gig",
            employee_ids=["E1"],
            threshold=0.6,
            matched_at=NOW,
        ),
    )
    await until(
        lambda: svc.scalar(
            "SELECT count(*) = 3 FROM notifications.deliveries WHERE tenant_id = $1 AND digest", t
        ),
        "three waiting for the digest",
    )
    # No chat for these, and nothing before the digest hour: the inbox has them at once.
    assert (
        await svc.scalar(
            "SELECT count(*) FROM notifications.deliveries WHERE tenant_id = $1 AND channel = 'chat'",
            t,
        )
        == 0
    )
    assert await svc.scalar(
        "SELECT bool_and(next_attempt_at > now()) FROM notifications.deliveries WHERE tenant_id = $1",
        t,
    )
    inbox = (await svc.client.get("/v1/me/notifications", headers=auth(t, "E1", "employee"))).json()
    assert sorted(i["subject"] for i in inbox["items"]) == [
        "An opportunity that fits you: Data Lead",
        "An opportunity that fits you: Platform Gig",
    ]
    await svc.scalar(
        "UPDATE notifications.deliveries SET next_attempt_at = now() WHERE tenant_id = $1 RETURNING 1",
        t,
    )
    await until(lambda: mail.to(f"e1@{t}.example") and mail.to(f"e2@{t}.example"), "the digests")
    (one,) = mail.to(f"e1@{t}.example")
    assert one.subject == "Your careerstream digest: 2 updates"
    assert "An opportunity that fits you: Data Lead" in one.text()
    assert "An opportunity that fits you: Platform Gig" in one.text()
    assert webhook.posts == []


async def test_a_move_tells_the_mover_and_their_new_manager_once(
    svc: RunningService, send: Send, mail: MailSink
) -> None:
    t = tenant_id()
    await people(send, svc, t, ("M2", None), ("E1", "M2"))
    transition = pl.TransitionPlanDrafted(
        plan_id="TP1",
        employee_id="E1",
        manager_id="M2",
        from_role_id="r1",
        to_role_id="r2",
        source=pl.MoveSource.HRIS,
        closed_plan_id="P0",
        goals=2,
        moved_at=NOW,
        drafted_at=NOW,
    )
    await send(
        t,
        transition,
        pl.PlanCreated(
            plan_id="TP1",
            employee_id="E1",
            period_start=NOW.date(),
            period_end=(NOW + timedelta(days=180)).date(),
            status=pl.PlanStatus.DRAFT,
            transition_to_role_id="r2",
            created_at=NOW,
        ),
    )
    await send(t, transition)  # delivered again
    await until(lambda: mail.to(f"e1@{t}.example") and mail.to(f"m2@{t}.example"), "both told")
    await until(
        lambda: svc.scalar("SELECT count(*) FROM notifications.plans WHERE tenant_id = $1", t),
        "the transition plan recorded",
    )
    await until(
        lambda: svc.scalar(
            "SELECT count(*) = 0 FROM notifications.deliveries WHERE tenant_id = $1 "
            "AND status <> 'sent'",
            t,
        ),
        "every delivery sent",
    )
    # The transition plan is told as such, not also as a new draft to approve.
    assert subjects(mail, f"e1@{t}.example") == ["Your plan for your new role"]
    assert subjects(mail, f"m2@{t}.example") == ["Person E1 joins your team"]
    assert "http://console.test/team/E1" in mail.to(f"m2@{t}.example")[0].text()


@pytest.mark.postgres
@pytest.mark.kafka
async def test_the_lms_moving_a_plan_tells_the_employee_once_per_record(
    svc: RunningService, send: Send, mail: MailSink
) -> None:
    t = tenant_id()
    await people(send, svc, t, ("M1", None), ("E1", "M1"))

    def updated(statement: str | None, **over: Any) -> pl.ActionUpdated:
        values: dict[str, Any] = {
            "plan_id": "P1",
            "goal_id": "G1",
            "action_id": "A1",
            "employee_id": "E1",
            "kind": pl.ActionKind.COURSE,
            "entry_id": "secret-course",
            "status": pl.ActionStatus.IN_PROGRESS,
            "progress": 40,
            "via": pl.ActionVia.LMS if statement else pl.ActionVia.HAND,
            "learning_statement_id": statement,
            "learning_source_id": "moodle" if statement else None,
            "updated_at": NOW,
        }
        return pl.ActionUpdated(**{**values, **over})

    done = updated("s2", status=pl.ActionStatus.DONE, progress=100)
    await send(
        t,
        updated("s0"),  # progress only: nothing to tell
        updated("s1", failed_attempt=True),
        done,
        done,  # delivered again
        updated(None, action_id="A2", status=pl.ActionStatus.DONE, progress=100),  # by hand
    )
    await until(lambda: len(mail.to(f"e1@{t}.example")) >= 2, "the employee told twice")
    await until(
        lambda: svc.scalar(
            "SELECT count(*) = 0 FROM notifications.deliveries WHERE tenant_id = $1 "
            "AND status <> 'sent'",
            t,
        ),
        "every delivery sent",
    )
    assert subjects(mail, f"e1@{t}.example") == [
        "A course attempt did not pass",
        "Your plan moved: a course is done",
    ]
    assert mail.to(f"m1@{t}.example") == []
    for r in mail.received:  # no course in any message
        assert "secret-course" not in r.text() + r.html()
