"""Pay bands (`/v1/frameworks/{id}/pay-bands`, `/v1/pay-settings`, `/v1/me/pay-bands`)."""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from careerstream.frameworks.domain.pay import ANYWHERE
from careerstream.frameworks.entrypoints.common import SlugPath
from careerstream.frameworks.service_layer import pay
from careerstream.servicekit.deps import CurrentPrincipal, HrAdmin, Uow
from careerstream.servicekit.errors import unit

router = APIRouter(prefix="/v1", tags=["pay"])


def cents(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


Location = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]
Amount = Annotated[float, Field(ge=0, lt=1e12, allow_inf_nan=False)]
"""A number (JSON), kept to the cent."""
"""A number (JSON), kept to the cent."""


class BandIn(BaseModel):
    model_config = {"extra": "forbid"}
    location: Location = ANYWHERE
    """A work location as the HRIS names it; `*` (default) wherever no band of its own is set."""
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. EUR")
    minimum: Amount
    midpoint: Amount
    maximum: Amount


class PaySettings(BaseModel):
    model_config = {"extra": "forbid"}
    employees_see_bands: bool = False
    """Employees see the bands of their own level and the next ones (default: HR only)."""


@router.get("/frameworks/{framework_id}/pay-bands", summary="A framework's pay bands (hr_admin)")
async def list_bands(framework_id: SlugPath, principal: HrAdmin, uow: Uow) -> list[dict[str, Any]]:
    async with unit(uow) as u:
        return await pay.bands(u, principal, framework_id)


@router.put(
    "/frameworks/{framework_id}/pay-bands/{family_id}/{level_id}",
    summary="Set a level's pay band at a location (hr_admin)",
)
async def put_band(
    framework_id: SlugPath,
    family_id: SlugPath,
    level_id: SlugPath,
    body: BandIn,
    principal: HrAdmin,
    uow: Uow,
) -> dict[str, Any]:
    band = pay.to_band(
        body.currency, cents(body.minimum), cents(body.midpoint), cents(body.maximum)
    )
    async with unit(uow) as u:
        out = await pay.put_band(
            u, principal, framework_id, family_id, level_id, body.location, band
        )
        await u.commit()
    return out


@router.delete(
    "/frameworks/{framework_id}/pay-bands/{family_id}/{level_id}",
    status_code=204,
    summary="Remove a level's pay band at a location (hr_admin)",
)
async def delete_band(
    framework_id: SlugPath,
    family_id: SlugPath,
    level_id: SlugPath,
    principal: HrAdmin,
    uow: Uow,
    location: Annotated[
        str, Query(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
    ] = ANYWHERE,
) -> Response:
    async with unit(uow) as u:
        await pay.delete_band(u, principal, framework_id, family_id, level_id, location)
        await u.commit()
    return Response(status_code=204)


@router.get("/pay-settings", summary="Who sees pay bands in this company")
async def get_pay_settings(principal: CurrentPrincipal, uow: Uow) -> PaySettings:
    async with unit(uow) as u:
        return PaySettings(
            employees_see_bands=await pay.employees_see_bands(u, principal.tenant_id)
        )


@router.put("/pay-settings", summary="Let employees see their bands, or not (hr_admin)")
async def put_pay_settings(body: PaySettings, principal: HrAdmin, uow: Uow) -> PaySettings:
    async with unit(uow) as u:
        await pay.set_employees_see_bands(u, principal.tenant_id, body.employees_see_bands)
        await u.commit()
    return body


@router.get(
    "/me/pay-bands",
    summary="The pay bands of your level and the next ones, at your location (if allowed)",
)
async def my_bands(principal: CurrentPrincipal, uow: Uow) -> dict[str, Any]:
    async with unit(uow) as u:
        return await pay.my_bands(u, principal)
