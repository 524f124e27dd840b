"""Pulse surveys (`/v1/surveys`): HR defines them and reads the results; people answer theirs."""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from careerstream.hris.service_layer import surveys
from careerstream.servicekit.deps import CurrentPrincipal, HrAdmin, Uow
from careerstream.servicekit.errors import unit

router = APIRouter(prefix="/v1", tags=["surveys"])

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
SurveyPath = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
]


class QuestionIn(BaseModel):
    model_config = {"extra": "forbid"}
    question_id: Id
    text: str = Field(min_length=1, max_length=500)
    topic: Literal["growth", "manager_confidence", "career_conversations", "engagement", "other"]
    """What the question measures (the metrics read growth and manager_confidence)."""
    scale_max: int = Field(default=5, ge=2, le=10)
    """Answers are 1 to this."""


class AudienceIn(BaseModel):
    model_config = {"extra": "forbid"}
    kind: Literal["all", "departments", "roles", "managers"]
    ids: list[Id] = Field(default=[], max_length=500)
    """The departments or roles (nothing for all and managers)."""


class PulseIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: str = Field(min_length=1, max_length=200)
    questions: list[QuestionIn] = Field(min_length=1, max_length=20)
    audience: AudienceIn
    opens_at: datetime
    closes_at: datetime


class AnswersIn(BaseModel):
    model_config = {"extra": "forbid"}
    answers: dict[Id, Annotated[int, Field(ge=0, le=100)]] = Field(min_length=1, max_length=20)
    """Question id -> score (1 to the question's scale maximum), every question once."""


@router.post(
    "/surveys", status_code=201, summary="Define a pulse and invite its audience (hr_admin)"
)
async def create_pulse(body: PulseIn, principal: HrAdmin, uow: Uow) -> dict[str, Any]:
    async with unit(uow) as u:
        out = await surveys.create(
            u,
            principal,
            name=body.name,
            questions=[q.model_dump() for q in body.questions],
            audience=body.audience.model_dump(),
            opens_at=body.opens_at,
            closes_at=body.closes_at,
        )
        await u.commit()
    return out


@router.get("/surveys", summary="Every pulse, with how many were asked and answered (hr_admin)")
async def list_pulses(principal: HrAdmin, uow: Uow) -> list[dict[str, Any]]:
    async with unit(uow) as u:
        return await surveys.all_pulses(u, principal.tenant_id)


@router.get("/me/surveys", summary="The open pulses waiting for your answer")
async def my_pulses(principal: CurrentPrincipal, uow: Uow) -> list[dict[str, Any]]:
    async with unit(uow) as u:
        return await surveys.mine(u, principal)


@router.post(
    "/surveys/{survey_id}/responses", status_code=201, summary="Answer a pulse you are asked"
)
async def answer_pulse(
    survey_id: SurveyPath, body: AnswersIn, principal: CurrentPrincipal, uow: Uow
) -> dict[str, Any]:
    async with unit(uow) as u:
        out = await surveys.answer(u, principal, survey_id, dict(body.answers))
        await u.commit()
    return out


@router.get(
    "/surveys/{survey_id}/results",
    summary="A pulse's results per question, small groups suppressed (hr_admin)",
)
async def pulse_results(
    request: Request,
    survey_id: SurveyPath,
    principal: HrAdmin,
    uow: Uow,
    department: Annotated[
        str | None, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    ] = None,
) -> dict[str, Any]:
    threshold = request.app.state.runtime.settings.survey_anonymity_threshold
    async with unit(uow) as u:
        return await surveys.result(u, principal.tenant_id, survey_id, threshold, department)
