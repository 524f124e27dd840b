"""Pay bands: the compensation range of a level at a location (no I/O).

A band belongs to a level of a family of a framework, at a location (`*`: wherever
no band of its own is set), in one currency, with a minimum, a midpoint and a
maximum. Bands are kept apart from the framework's versions: they change with
the market, not with the framework, and they never travel in an event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from careerstream.frameworks.domain.model import Framework, Level

ANYWHERE = "*"
CURRENCY = re.compile(r"^[A-Z]{3}$")
CEILING = Decimal("1000000000000")


@dataclass(frozen=True)
class Band:
    currency: str
    minimum: Decimal
    midpoint: Decimal
    maximum: Decimal


def band_problems(band: Band) -> list[str]:
    """What is wrong with a band, each problem naming its field."""
    problems = []
    if not CURRENCY.match(band.currency):
        problems.append(
            f"currency: '{band.currency}' is not an ISO 4217 code (three capital letters, e.g. EUR)"
        )
    for name in ("minimum", "midpoint", "maximum"):
        value: Decimal = getattr(band, name)
        if value < 0 or value >= CEILING:
            problems.append(f"{name}: {value} is outside 0 to {CEILING}")
    if band.minimum > band.midpoint:
        problems.append(f"midpoint: {band.midpoint} is below the minimum {band.minimum}")
    if band.midpoint > band.maximum:
        problems.append(f"maximum: {band.maximum} is below the midpoint {band.midpoint}")
    return problems


def level_problems(fw: Framework, family_id: str, level_id: str) -> list[str]:
    """Whether the framework has this family and level."""
    family = fw.family(family_id)
    if family is None:
        known = ", ".join(f.id for f in fw.families) or "none"
        return [f"family_id: '{family_id}' is not a family of '{fw.id}' (families: {known})"]
    if not any(lv.id == level_id for lv in family.levels):
        known = ", ".join(lv.id for lv in family.levels) or "none"
        return [f"level_id: '{level_id}' is not a level of '{family_id}' (levels: {known})"]
    return []


def own_and_next(fw: Framework, role_id: str) -> list[tuple[str, Level]]:
    """(family, level) of a role's level and of the levels one rank above it on its tracks."""
    role = fw.role(role_id)
    if role is None:
        return []
    family = fw.family(role.family_id)
    level = fw.level_of(role)
    if family is None or level is None:
        return []
    above = [
        lv
        for lv in family.levels
        if lv.rank == level.rank + 1 and set(lv.track_ids) & set(level.track_ids)
    ]
    return [(family.id, level), *((family.id, lv) for lv in sorted(above, key=lambda lv: lv.id))]
