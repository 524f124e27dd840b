"""Competencies linked to the skills library: links checked and labelled, roles drafted from
occupations, and the frameworks a re-import's withdrawals touch.

A link names a skill (or skill group) of the company's library by URI. When a draft is
saved the library must hold each linked skill (a link to something else is refused, naming
the competency and the URI), and each link gets the skill's preferred label in the
library's first language. A skill the library has withdrawn may stay linked in a draft that
already linked it (a re-import must not make every later edit fail), but is refused as a
new link and at publication: publishing names each such link, so nothing a framework uses
disappears silently.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from careerstream.frameworks.adapters.orm import occupation_skills, skill_concepts, skill_library
from careerstream.frameworks.domain import model as m
from careerstream.frameworks.domain.occupations import LibrarySkill
from careerstream.frameworks.domain.rules import Issue
from careerstream.frameworks.domain.version import FrameworkInvalid
from careerstream.frameworks.service_layer.skills import preferred_label
from careerstream.servicekit.domain import Invalid, NotFound
from careerstream.servicekit.uow import UnitOfWork

LINKABLE = ("skill", "group")


def linked(fw: m.Framework) -> set[str]:
    return {link.uri for comp in fw.competencies for link in comp.skills}


async def _language(u: UnitOfWork, tenant: str) -> str | None:
    langs = (
        await u.session.execute(
            sa.select(skill_library.c.languages).where(skill_library.c.tenant_id == tenant)
        )
    ).scalar_one_or_none()
    if langs is None:
        return None
    return "en" if "en" in langs else (langs[0] if langs else "en")


async def check_links(
    u: UnitOfWork,
    tenant: str,
    fw: m.Framework,
    before: m.Framework | None = None,
    *,
    publishing: bool = False,
) -> m.Framework:
    """`fw` with each link labelled from the library; 422 listing every link to something the
    library does not hold as a skill, and every withdrawn skill newly linked (or, when
    `publishing`, linked at all)."""
    uris = linked(fw)
    if not uris:
        return fw
    lang = await _language(u, tenant)
    rows = {
        r.uri: r
        for r in (
            await u.session.execute(
                sa.select(
                    skill_concepts.c.uri,
                    skill_concepts.c.kind,
                    skill_concepts.c.labels,
                    skill_concepts.c.withdrawn_in,
                ).where(skill_concepts.c.tenant_id == tenant, skill_concepts.c.uri.in_(uris))
            )
        ).all()
    }
    had = {(c.id, link.uri) for c in before.competencies for link in c.skills} if before else set()
    issues: list[Issue] = []
    competencies = []
    for ci, comp in enumerate(fw.competencies):
        links = []
        for li, link in enumerate(comp.skills):
            loc = ("competencies", ci, "skills", li, "uri")
            row = rows.get(link.uri)
            if lang is None:
                issues.append(
                    Issue(
                        loc,
                        f"competency '{comp.id}' links skill {link.uri}, but this company has no "
                        "skills library yet: an hr_admin imports ESCO with "
                        "POST /v1/skill-library/imports",
                    )
                )
                continue
            if row is None or row.kind not in LINKABLE:
                what = "an occupation" if row is not None else "not in the skills library"
                issues.append(
                    Issue(
                        loc,
                        f"competency '{comp.id}' links {link.uri}, which is {what}; link a skill "
                        "(find one with GET /v1/skills?q=)",
                    )
                )
                continue
            label = preferred_label(row.labels, link.uri, lang)
            if row.withdrawn_in and (publishing or (comp.id, link.uri) not in had):
                issues.append(
                    Issue(
                        loc,
                        f"competency '{comp.id}' links skill '{label}' ({link.uri}), which ESCO "
                        f"withdrew in version {row.withdrawn_in}; link a current skill instead",
                    )
                )
            links.append(link.model_copy(update={"label": label}))
        competencies.append(comp.model_copy(update={"skills": links}))
    if issues:
        raise FrameworkInvalid(issues, publishing=publishing)
    return fw.model_copy(update={"competencies": competencies})


async def essential_skills(
    u: UnitOfWork, tenant: str, occupation_uri: str
) -> tuple[str, str, list[LibrarySkill]]:
    """An occupation's label, description and live essential skills; 404 when the library
    holds no such occupation, 422 when it was withdrawn."""
    lang = await _language(u, tenant) or "en"
    occ = (
        await u.session.execute(
            sa.select(skill_concepts.c.labels, skill_concepts.c.withdrawn_in).where(
                skill_concepts.c.tenant_id == tenant,
                skill_concepts.c.uri == occupation_uri,
                skill_concepts.c.kind == "occupation",
            )
        )
    ).first()
    if occ is None:
        raise NotFound(f"the skills library holds no occupation {occupation_uri}")
    if occ.withdrawn_in:
        raise Invalid(
            [f"occupation_uri: ESCO withdrew {occupation_uri} in version {occ.withdrawn_in}"],
            title="Occupation withdrawn",
        )
    names: dict[str, Any] = occ.labels.get(lang) or next(iter(occ.labels.values()), {})
    rows = (
        await u.session.execute(
            sa.select(
                skill_concepts.c.uri,
                skill_concepts.c.labels,
                skill_concepts.c.skill_type,
                skill_concepts.c.reuse_level,
            )
            .join(
                occupation_skills,
                sa.and_(
                    occupation_skills.c.tenant_id == skill_concepts.c.tenant_id,
                    occupation_skills.c.skill_uri == skill_concepts.c.uri,
                ),
            )
            .where(
                occupation_skills.c.tenant_id == tenant,
                occupation_skills.c.occupation_uri == occupation_uri,
                occupation_skills.c.relation == "essential",
                skill_concepts.c.withdrawn_in.is_(None),
            )
        )
    ).all()
    skills = []
    for r in rows:
        own: dict[str, Any] = r.labels.get(lang) or next(iter(r.labels.values()), {})
        skills.append(
            LibrarySkill(
                r.uri,
                str(own.get("preferred", r.uri)),
                str(own.get("description", "")),
                r.skill_type,
                r.reuse_level,
            )
        )
    return str(names.get("preferred", occupation_uri)), str(names.get("description", "")), skills
