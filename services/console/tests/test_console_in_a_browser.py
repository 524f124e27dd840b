"""Each role's story in real Chromium, signed in through a real OpenID provider, against the
whole platform: what a person sees (text, table cells, chart data), axe-core on every page."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    FilePayload,
    Page,
    async_playwright,
    expect,
)

from careerstream.devstack.processes import eventually

from .conftest import AXE, Console, chromium

pytestmark = [pytest.mark.postgres, pytest.mark.kafka, pytest.mark.browser]
DOCS = Path(__file__).resolve().parents[3] / "docs" / "console"
AXE_REPORT: dict[str, list[str]] = {}
SEEN_URLS: list[str] = []
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.")
"""A signed token: a JSON header and a payload, base64url, dot-separated. Not the bare
`eyJ`, which a random PKCE challenge in the sign-in URL may hold (it did, once)."""
PAGE_ERRORS: list[str] = []


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        yield b
        await b.close()


async def sign_in(browser: Browser, console: Console, who: str) -> tuple[BrowserContext, Page]:
    """Through the identity provider's own login and consent pages, as a person would."""
    ctx = await browser.new_context(base_url=console.url, viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    page.on("request", lambda r: SEEN_URLS.append(r.url))
    page.on("pageerror", lambda e: PAGE_ERRORS.append(f"{page.url}: {e}"))
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/signin"))
    await page.get_by_role("link", name="Sign in with your company account").click()
    await expect(page).to_have_url(re.compile(re.escape(console.idp)))
    await page.locator("input[name=login]").fill(who)
    await page.locator("input[name=password]").fill("any password")
    await page.locator("button[type=submit]").click()
    await page.locator("button[type=submit]").click()  # consent: the console may read the profile
    await expect(page).to_have_url(re.compile(re.escape(console.url)))
    return ctx, page


async def axe(page: Page) -> None:
    """No serious or critical accessibility violation on the page as it is now."""
    await page.evaluate(AXE.read_text())
    result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    path = re.sub(r"^https?://[^/]+", "", page.url)
    AXE_REPORT[path] = [f"{v['id']} ({v['impact']})" for v in result["violations"]]
    assert not bad, f"{path}:\n" + "\n".join(bad)


async def shot(page: Page, name: str) -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)


async def test_an_employee_sees_their_path_and_gaps_accepts_a_plan_and_applies_to_a_gig(
    console: Console, browser: Browser
) -> None:
    ctx, page = await sign_in(browser, console, "E1")
    await expect(page).to_have_url(re.compile(r"/me$"))
    await expect(page.get_by_test_id("who")).to_contain_text("Eli Engineer · Employee")
    await expect(page.get_by_test_id("current-role")).to_have_text("Software Engineer")
    graph = page.locator("#path-graph")
    assert not PAGE_ERRORS, PAGE_ERRORS
    await expect(graph).to_have_attribute("data-drawn", "true")
    assert int(await graph.get_attribute("data-nodes") or 0) >= 4
    await expect(
        page.locator("section.step[data-role='engineering.senior-engineer'] h3")
    ).to_contain_text("Senior Engineer")
    await axe(page)
    await shot(page, "employee-path")

    await page.get_by_role("link", name="My gaps").click()
    current = page.locator("section[data-reference='current']")
    await expect(current).to_contain_text("Software engineer")
    readiness = await page.get_by_test_id("readiness-current").inner_text()
    assert readiness.endswith("%")
    assert int(readiness[:-1]) < 100
    for competency in console.facts["short"]:
        row = current.locator("tr", has_text=competency.replace("-", " ").capitalize())
        await expect(row.locator("td").nth(2)).to_have_text("1")
    await axe(page)
    await shot(page, "employee-gaps")

    # The plan, accepted with the keyboard alone.
    await page.get_by_role("link", name="My plan").click()
    await expect(page.get_by_test_id("plan-status")).to_have_text("suggested")
    await axe(page)
    button = page.get_by_role("button", name="Accept this plan")
    for _ in range(60):
        await page.keyboard.press("Tab")
        if await button.evaluate("b => b === document.activeElement"):
            break
    else:
        raise AssertionError("the accept button cannot be reached with Tab")
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("plan-status")).to_have_text("draft")
    await shot(page, "employee-plan")

    await page.get_by_role("link", name="Marketplace").click()
    card = page.locator(f"section[data-opportunity='{console.facts['gig']}']")
    await expect(card).to_contain_text("Checkout redesign gig")
    await expect(card).to_contain_text("Match")
    await card.get_by_text("Why this match").click()
    await expect(card.locator("details table")).to_be_visible()
    await axe(page)
    await card.get_by_role("button", name=re.compile("^Apply")).click()
    await expect(card).to_contain_text("You applied: submitted")
    await shot(page, "employee-marketplace")

    for link, heading in (("Assessments", "Assessments"), ("Aspirations", "My aspirations")):
        await page.get_by_role("link", name=link, exact=True).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        await axe(page)
    await page.get_by_label("being approached by hiring managers").check()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("Saved.")

    # The inbox: what the platform told E1 (the plan accepted above is a draft now).
    drafted = page.locator("li[data-kind='plan_drafted']")

    async def told() -> bool | None:
        await page.goto("/me/notifications")
        return True if await drafted.count() else None

    await eventually(told, "the drafted plan in E1's inbox", timeout=90)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    await expect(drafted).to_contain_text("A development plan is ready for you")
    await expect(drafted.get_by_role("link", name="Open my plan")).to_have_attribute(
        "href", "/me/plan"
    )
    await axe(page)
    await drafted.get_by_role("button", name=re.compile("^Mark")).click()
    await expect(drafted.get_by_role("button")).to_have_count(0)
    await shot(page, "employee-inbox")
    await page.get_by_role("link", name="Choose what you receive, and when").click()
    await page.get_by_label("Send my e-mails once a day, as one digest").check()
    await page.get_by_label("My time zone (e.g. Europe/Berlin)").fill("Europe/Berlin")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("Saved.")
    await expect(page.get_by_label("Send my e-mails once a day, as one digest")).to_be_checked()
    await axe(page)
    await page.get_by_label("My time zone (e.g. Europe/Berlin)").fill("Mars/Base")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("#time_zone-error")).to_contain_text("IANA time zone")
    await ctx.close()


async def test_the_manager_reads_the_heatmap_approves_the_plan_checks_in_and_shortlists(
    console: Console, browser: Browser
) -> None:
    plan = console.facts["plan_id"]

    async def drafted() -> Any:
        p = (await console.platform["plans"].get(f"/v1/plans/{plan}", headers=console.hr())).json()
        return p["status"] == "draft"

    await eventually(drafted, "E1's plan accepted", timeout=30)
    ctx, page = await sign_in(browser, console, "M1")
    await expect(page).to_have_url(re.compile(r"/team$"))
    await expect(page.get_by_test_id("who")).to_contain_text("Maya Manager · Manager")
    heatmap = page.get_by_test_id("heatmap")
    row = heatmap.locator("tr[data-person='E1']")
    await expect(row).to_contain_text("Eli Engineer")
    for competency in console.facts["short"]:
        await expect(row.locator(f"td[data-competency='{competency}']")).to_have_attribute(
            "data-gap", "1"
        )
    await expect(heatmap.locator("tr[data-person='E2']")).to_contain_text("Fay Fellow")
    await axe(page)
    await shot(page, "manager-team")

    await row.get_by_role("link", name="Eli Engineer").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Eli Engineer")
    await expect(page.get_by_text("Career conversation guide")).to_be_visible()
    await axe(page)
    await page.get_by_label("Private notes").fill("Talked about the senior step")
    await page.get_by_role("button", name="Log conversation").click()
    await expect(page.locator("ul.conversations")).to_contain_text("Talked about the senior step")
    await page.locator(f"a[data-plan='{plan}']").click()
    await expect(page.get_by_test_id("plan-status")).to_have_text("draft")
    await page.get_by_role("button", name="Approve this plan").click()
    await expect(page.get_by_test_id("plan-status")).to_have_text("active")
    await page.get_by_label("Check-in notes").fill("Good start on the first goal")
    await page.get_by_role("button", name="Record check-in").click()
    await expect(page.locator("ul.checkins")).to_contain_text("Good start on the first goal")
    await axe(page)
    await shot(page, "manager-plan")

    await page.get_by_role("link", name="My postings").click()
    await page.get_by_role("link", name="Checkout redesign gig").click()
    applicant = page.locator("tr[data-applicant='E1']")
    await expect(applicant).to_contain_text("submitted")
    await expect(page.locator("tr[data-candidate='E1']")).to_contain_text("(applied)")
    await axe(page)
    await applicant.get_by_role("button", name=re.compile("^Shortlist")).click()
    await expect(page.locator("tr[data-applicant='E1']")).to_contain_text("shortlisted")
    await shot(page, "manager-posting")
    await ctx.close()


async def test_hr_publishes_a_framework_change_the_employee_sees_opens_a_cycle_and_reads_the_dashboard(
    console: Console, browser: Browser
) -> None:
    fw = console.platform["frameworks"]
    doc = (await fw.get("/v1/frameworks/typical-company/versions/1", headers=console.hr())).json()[
        "document"
    ]
    top = (
        max(s["level"] for s in doc["scale"]["steps"])
        if isinstance(doc.get("scale"), dict) and "steps" in doc["scale"]
        else 4
    )
    senior = next(r for r in doc["roles"] if r["id"] == "engineering.senior-engineer")
    req = next(r for r in senior["requirements"] if r["level"] < top)
    new_level = req["level"] + 1

    ctx, page = await sign_in(browser, console, "H1")
    await expect(page).to_have_url(re.compile(r"/hr$"))
    await axe(page)
    await page.get_by_role("link", name="version 1").click()
    cell = page.locator(
        f"table.matrix td[data-role='engineering.senior-engineer'][data-competency='{req['competency_id']}']"
    ).first
    await expect(cell).to_have_attribute("data-level", str(req["level"]))
    await axe(page)
    await shot(page, "hr-framework-matrix")
    await page.get_by_role("button", name="Start a new draft").click()
    await expect(page.get_by_test_id("version-status")).to_have_text("draft")
    await page.get_by_label("Role").select_option("engineering.senior-engineer")
    await page.get_by_label("Competency").select_option(req["competency_id"])
    await page.get_by_label("Level", exact=True).fill(str(new_level))
    await page.get_by_role("button", name="Save requirement").click()
    await expect(cell).to_have_attribute("data-level", str(new_level))
    await page.get_by_role("button", name=re.compile("^Publish")).click()
    await expect(page.get_by_test_id("version-status")).to_have_text("published")
    await page.get_by_role("button", name="Diff").click()
    diff = page.get_by_test_id("diff")
    await expect(diff).to_contain_text(f"requirements[{req['competency_id']}]")
    await axe(page)

    # The employee's path shows the new requirement.
    ectx, epage = await sign_in(browser, console, "E1")
    step = epage.locator("section.step[data-role='engineering.senior-engineer']")

    async def shows_new_level() -> bool:
        await epage.goto("/me")
        row = step.locator(
            "tr", has=epage.locator("th", has_text=req["competency_id"].split("-")[0].capitalize())
        )
        return await row.count() > 0 and (await row.first.locator("td").nth(1).inner_text()) == str(
            new_level
        )

    await eventually(shows_new_level, "the new requirement on the employee's path", timeout=60)
    await ectx.close()

    await page.get_by_role("link", name="Cycles").click()
    await page.get_by_label("Name").fill("Autumn review")
    await page.get_by_role("button", name="Open cycle").click()
    row = page.locator("tr", has_text="Autumn review")
    await expect(row).to_contain_text("open")
    await axe(page)
    await row.get_by_role("link", name="Autumn review").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Autumn review")
    await axe(page)

    # Calibrate E1's completed assessment, with the reason kept beside the result.
    await page.get_by_role("link", name="Cycles").click()
    await page.get_by_role("link", name="Spring review").click()
    await page.get_by_role("link", name="E1", exact=True).click()
    await expect(page.get_by_test_id("assessment-status")).to_have_text("completed")
    await axe(page)
    competency = console.facts["short"][0]
    await page.get_by_label("Competency").select_option(competency)
    await page.get_by_label("Calibrated level").fill("3")
    await page.get_by_label("Reason (kept with the result)").fill("Led the incident review well")
    await page.get_by_role("button", name="Calibrate").click()
    await expect(page.locator("table", has_text="From")).to_contain_text(
        "Led the incident review well"
    )

    await page.get_by_role("link", name="Catalogue").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Development catalogue")
    await axe(page)
    await page.get_by_label("Id", exact=True).fill("sd-course")
    await page.get_by_label("Title").fill("System design course")
    await page.get_by_label("Competency (id, or empty for any)").fill("system-design")
    await page.get_by_label("For levels from").fill("3")
    await page.get_by_label("to", exact=True).fill("2")
    await page.get_by_role("button", name="Save entry").click()
    # The API's words, beside the field they concern.
    await expect(page.locator("#max_level-error")).to_contain_text("above max_level 2")
    await axe(page)
    await page.get_by_label("to", exact=True).fill("3")
    await page.get_by_role("button", name="Save entry").click()
    await expect(page.locator("tr", has_text="System design course")).to_contain_text("yours")

    # Learning records: HR connects an LMS; its statement about E1 waits for a mapping; the
    # LMS's catalogue, previewed then applied, maps the course and replays the record.
    await page.get_by_role("link", name="Learning").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Learning records")
    await axe(page)
    await page.get_by_label("LMS id").fill("moodle")
    await page.get_by_label("Name", exact=True).fill("Moodle")
    await page.get_by_label("Match people by").select_option("employee_id")
    await page.get_by_role("button", name="Issue credentials").click()
    key = await page.get_by_test_id("lrs-key").inner_text()
    secret = await page.get_by_test_id("lrs-secret").inner_text()
    await expect(page.locator("tr[data-source='moodle']")).to_contain_text("HRIS employee id")
    await axe(page)
    course = "https://moodle.acme.example/course/view.php?id=7"
    sent = await console.platform["hris"].post(
        "/xapi/statements",
        json={
            "actor": {"account": {"homePage": "https://moodle.acme.example", "name": "E1"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": course, "definition": {"name": {"en": "Incident review basics"}}},
        },
        headers={
            "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(),
            "X-Experience-API-Version": "1.0.3",
        },
    )
    assert sent.status_code == 200, sent.text

    async def waits() -> bool | None:
        await page.goto("/hr/learning")
        return True if await page.get_by_test_id("waiting").count() else None

    await eventually(waits, "the statement waiting for a mapping", timeout=60)
    await expect(page.get_by_test_id("waiting")).to_contain_text("Incident review basics")
    catalogue = f"activity_id,title,competency_id\n{course},Incident review basics,\n"
    await page.get_by_label("Course catalogue (CSV)").set_input_files(
        files=FilePayload(name="courses.csv", mimeType="text/csv", buffer=catalogue.encode())
    )
    await page.get_by_role("button", name="Preview").click()
    preview = page.get_by_test_id("preview")
    await expect(preview).to_contain_text("new")
    await expect(preview.locator("tbody tr td").last).to_have_text("1")  # one record waits
    await axe(page)
    await page.get_by_role("button", name="Apply this import").click()
    await expect(page.get_by_test_id("import-applied")).to_contain_text(
        "1 waiting records replayed"
    )
    await axe(page)

    # A pulse: HR starts it for everyone, E1 answers it, the results stay hidden (too few).
    await page.get_by_role("link", name="Pulses").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Pulse surveys")
    await axe(page)
    await page.get_by_label("Name", exact=True).fill("Quarterly pulse")
    await page.get_by_label("Question 1 text").fill("I see a future for myself here")
    await page.get_by_label("Question 1 measures").select_option("growth")
    await page.get_by_label("Audience").select_option("departments")
    await page.get_by_role("button", name="Start the pulse").click()
    # The API's words, beside the field they concern.
    await expect(page.locator("#audience-error")).to_contain_text("name the departments")
    await axe(page)
    await page.get_by_label("Audience").select_option("all")
    await page.get_by_role("button", name="Start the pulse").click()
    row = page.locator("tr", has_text="Quarterly pulse")
    await expect(row).to_contain_text("open")
    invited = int(await row.get_by_test_id("invited").inner_text())
    assert invited > 1
    sctx, spage = await sign_in(browser, console, "E1")
    await spage.get_by_role("link", name="Pulse surveys").click()
    survey = spage.locator("section", has_text="Quarterly pulse")
    await survey.get_by_label("4").check()
    await axe(spage)
    await survey.get_by_role("button", name="Send my answers").click()
    await expect(spage.get_by_test_id("answered")).to_be_visible()
    await expect(spage.locator("section", has_text="Quarterly pulse")).to_have_count(0)
    await sctx.close()
    await page.reload()
    await expect(row.get_by_test_id("answered")).to_have_text("1")
    await row.get_by_role("link", name="Quarterly pulse").click()
    await expect(page.get_by_test_id("suppressed")).to_be_visible()
    await axe(page)

    # Succession: HR marks the senior role critical and nominates E1, whose levels alone
    # would not put them on the slate; the API's words land beside the field.
    await page.get_by_role("link", name="Succession").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Succession")
    await axe(page)
    await page.get_by_role("button", name="Mark critical").click()
    await expect(page.locator("#role-error")).to_contain_text("choose a role")
    await page.get_by_label("Role", exact=True).select_option("engineering.senior-engineer")
    await page.get_by_label("Why it is critical").fill("Two seniors hold the platform")
    await page.get_by_role("button", name="Mark critical").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Successors for engineering.senior-engineer"
    )
    await axe(page)
    await page.get_by_label("Employee id").fill("NOBODY")
    await page.get_by_role("button", name="Nominate").click()
    await expect(page.locator("section.card")).to_contain_text("no active employee 'NOBODY'")
    await page.get_by_label("Employee id").fill("E1")
    await page.get_by_label("Readiness").select_option("ready_1_2_years")
    await page.get_by_label("Note (kept with the slate, never published)").fill("runs reviews")
    await page.get_by_role("button", name="Nominate").click()
    nominee = page.locator("tr[data-employee='E1']")
    await expect(nominee.get_by_test_id("readiness")).to_have_text("in 1-2 years")
    await expect(nominee).to_contain_text("runs reviews")
    await axe(page)
    await page.get_by_role("link", name="Succession").click()
    await expect(page.locator("tr[data-role='engineering.senior-engineer']")).to_contain_text(
        "Two seniors hold the platform"
    )

    # Personal data: who read E1's career data, E1's export, and E3 erased everywhere.
    await page.get_by_role("link", name="Personal data").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Personal data")
    await axe(page)
    await page.get_by_label("Employee id to look up").fill("E1")
    await page.get_by_role("button", name="Show who read it").click()
    trail = page.locator("table", has_text="Who read or changed E1")
    await expect(trail).to_contain_text("M1")  # the manager read E1's page in their story
    await axe(page)
    link = page.get_by_role("link", name=re.compile("^Download everything held about E1"))
    got = await page.request.get(str(await link.get_attribute("href")))  # the session's cookies
    assert got.ok, await got.text()
    assert got.headers["content-disposition"] == 'attachment; filename="careerstream-E1.json"'
    export = await got.json()
    assert export["services"]["hris"]["records"]["people"][0]["employee_id"] == "E1"
    await page.get_by_label("Employee id", exact=True).fill("E3")
    await page.get_by_label("Reason (kept with the erasure)").fill("left and asked to be forgotten")
    await page.get_by_label("I understand that this cannot be undone").check()
    await page.get_by_role("button", name="Erase everywhere").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Erasure of E3")
    await axe(page)

    async def erased() -> bool | None:
        await page.reload()
        status = await page.get_by_test_id("erasure-status").inner_text()
        return True if status == "completed" else None

    await eventually(erased, "E3 erased everywhere", timeout=180)
    await expect(page.locator("tr[data-service='notifications']")).not_to_contain_text("waiting")
    await expect(page.locator("tr[data-service='hris']")).to_contain_text("people 1")
    await shot(page, "hr-erasure")

    await page.get_by_role("link", name="HRIS import").click()
    await axe(page)
    export = "employee_id,display_name,job_code,manager_id,department_id\nE9,Ivy New,engineering.junior-developer,M1,engineering\n"
    await page.get_by_label("Export file").set_input_files(
        files=FilePayload(name="export.csv", mimeType="text/csv", buffer=export.encode())
    )
    await page.get_by_role("button", name="Import").click()
    await expect(page.get_by_test_id("import-status")).to_have_text("done", timeout=60_000)
    await expect(page.get_by_test_id("count-hired")).to_have_text("1")

    await page.get_by_role("link", name="Metrics").click()
    await expect(page.locator("dd[data-figure='headcount']")).to_have_text(re.compile(r"^\d+$"))
    assert not PAGE_ERRORS, PAGE_ERRORS
    await expect(page.locator("#trend-chart")).to_have_attribute("data-drawn", "true")
    await expect(page.locator("table[data-view='fairness'] .suppressed").first).to_be_visible()
    await expect(
        page.get_by_text(re.compile(r"Figures as computed at \d{4}-\d\d-\d\d \d\d:\d\d UTC"))
    ).to_be_visible()
    await axe(page)
    await shot(page, "hr-metrics")
    csv = await page.request.get("/hr/metrics/export.csv")
    assert csv.ok
    assert "text/csv" in csv.headers["content-type"]
    assert "headcount" in await csv.text()
    await ctx.close()


async def test_no_token_reaches_a_url_or_the_log_and_every_page_passed_axe(
    console: Console,
) -> None:
    assert SEEN_URLS, "the stories ran first"
    assert not [u for u in SEEN_URLS if JWT.search(u)], "a token in a URL"
    assert not PAGE_ERRORS, PAGE_ERRORS
    assert not JWT.search(console.log.read_text(errors="replace"))
    report = {path: found for path, found in sorted(AXE_REPORT.items())}
    (console.log.parent / "axe.json").write_text(json.dumps(report, indent=1))
    assert len(report) >= 15, sorted(report)


async def test_signed_out_reaches_nothing_forms_need_their_csrf_token_and_a_sign_in_is_a_new_session(
    console: Console,
) -> None:
    async with httpx.AsyncClient(base_url=console.url, follow_redirects=False) as c:
        for path in (
            "/me",
            "/me/gaps",
            "/me/plan",
            "/marketplace",
            "/team",
            "/team/E1",
            "/postings",
            "/hr",
            "/hr/metrics",
            "/hr/metrics/export.csv",
            f"/plans/{console.facts['plan_id']}",
        ):
            r = await c.get(path)
            assert r.status_code == 303, path
            assert r.headers["location"].startswith("/signin"), path
        r = await c.get("/me", headers={"HX-Request": "true"})
        assert r.status_code == 401
        assert r.headers["HX-Redirect"].startswith("/signin")
        assert (await c.post("/me/target-role", data={"role_id": "x"})).status_code in (401, 403)

        page = await c.get("/signin")
        assert "Content-Security-Policy" in page.headers
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Frame-Options"] == "DENY"
        before = c.cookies.get("careerstream_console")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        assert before
        # Without the form's token the sign-in is refused (login CSRF).
        assert (
            await c.post(
                "/signin/dev",
                data={"tenant": console.tenant, "employee_id": "E1", "role": "employee"},
            )
        ).status_code == 403
        r = await c.post(
            "/signin/dev",
            data={
                "tenant": console.tenant,
                "employee_id": "E1",
                "role": "employee",
                "csrf_token": token.group(1),
            },
        )
        assert r.status_code == 303
        after = c.cookies.get("careerstream_console")
        assert after
        assert after != before
        set_cookie = r.headers["set-cookie"].lower()
        assert "httponly" in set_cookie
        assert "samesite=lax" in set_cookie
        # The cookie from before the sign-in is not a signed-in session.
        async with httpx.AsyncClient(
            base_url=console.url, cookies={"careerstream_console": before}
        ) as old:
            assert (await old.get("/me")).status_code == 303
        assert (await c.get("/me")).status_code == 200
        # A form without the session's token is refused, with the header or field it is accepted.
        r = await c.post("/me/target-role", data={"role_id": ""})
        assert r.status_code == 403
        assert "expired" in r.text
        me = await c.get("/me/gaps")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', me.text)
        assert csrf
        r = await c.post(
            "/me/target-role",
            data={"role_id": "no-such-role"},
            headers={"X-CSRF-Token": csrf.group(1)},
        )
        assert r.status_code == 422
        assert "no-such-role" in r.text
        # Another person's plan is not shown: what the API refuses, the page does not show.
        hr_plan = await c.get("/hr")
        assert hr_plan.status_code == 403
        r = await c.post("/signout", data={"csrf_token": csrf.group(1)})
        assert r.status_code == 303
        assert (await c.get("/me")).status_code == 303

    # A body larger than any page takes is refused before it is read.
    async with httpx.AsyncClient(base_url=console.url) as c:
        huge = await c.post(
            "/signin/dev",
            content=b"x" * (18 * 1024 * 1024),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert huge.status_code == 413
        assert "Content-Security-Policy" in huge.headers

    # A report at the top of their track has no conversation guide up: the page says so.
    async with httpx.AsyncClient(base_url=console.url) as c:
        page = await c.get("/signin", params={"tenant": console.tenant})
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        signin = {"tenant": console.tenant, "employee_id": "D1", "role": "manager"}
        r = await c.post("/signin/dev", data={**signin, "csrf_token": token.group(1)})
        assert r.status_code == 303
        report = await c.get("/team/D2")
        assert report.status_code == 200, report.text[-2000:]
        assert "at the top of its track" in report.text
