"""Who is signed in: the person the session names, and how an ID token's claims map to one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from careerstream.console.settings import Settings
from careerstream.servicekit.auth import RESERVED_TENANTS, SUBJECT, TENANT_ID, Role

PLATFORM_ROLES = {"employee", "manager", "hr_admin"}


class SignInRefused(Exception):
    """The identity provider vouched for someone the console cannot map to a person."""


@dataclass(frozen=True)
class Person:
    """The signed-in person: tenant, employee id, display name and roles."""

    tenant: str
    employee_id: str
    name: str
    roles: tuple[str, ...]

    @property
    def is_manager(self) -> bool:
        return "manager" in self.roles

    @property
    def is_hr(self) -> bool:
        return "hr_admin" in self.roles

    @property
    def role_label(self) -> str:
        if self.is_hr:
            return "HR admin"
        return "Manager" if self.is_manager else "Employee"

    def to_session(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "employee_id": self.employee_id,
            "name": self.name,
            "roles": list(self.roles),
        }

    @classmethod
    def from_session(cls, data: Any) -> Person | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                tenant=str(data["tenant"]),
                employee_id=str(data["employee_id"]),
                name=str(data["name"]),
                roles=tuple(str(r) for r in data["roles"]),
            )
        except (KeyError, TypeError):
            return None


def checked(tenant: str, employee_id: str, name: str, roles: list[str]) -> Person:
    """A person whose tenant, id and roles the platform's tokens accept."""
    if not TENANT_ID.fullmatch(tenant) or tenant.lower() in RESERVED_TENANTS:
        raise SignInRefused(f"'{tenant[:64]}' is not a tenant id")
    if not SUBJECT.fullmatch(employee_id):
        raise SignInRefused("the employee id is empty, too long or holds control characters")
    kept = sorted({r for r in roles if r in PLATFORM_ROLES} | {Role.EMPLOYEE.value})
    return Person(tenant, employee_id, (name or employee_id)[:200], tuple(kept))


def person_from_claims(claims: dict[str, Any], settings: Settings) -> Person:
    """Map a verified ID token's claims to a person, by the configured claim names."""
    tenant = claims.get(settings.claim_tenant) or settings.tenant
    if not isinstance(tenant, str) or not tenant:
        raise SignInRefused(
            f"the ID token has no '{settings.claim_tenant}' claim and CONSOLE_TENANT is not set"
        )
    employee = claims.get(settings.claim_employee)
    if not isinstance(employee, str) or not employee:
        raise SignInRefused(f"the ID token has no '{settings.claim_employee}' claim")
    raw = claims.get(settings.claim_roles, [])
    if isinstance(raw, str):
        raw = raw.split()
    if not isinstance(raw, list):
        raise SignInRefused(f"the '{settings.claim_roles}' claim is not a list of roles")
    if settings.role_map:
        mapped = [settings.role_map[str(r)] for r in raw if str(r) in settings.role_map]
    else:
        mapped = [str(r) for r in raw]
    name = claims.get(settings.claim_name)
    return checked(tenant, employee, name if isinstance(name, str) else employee, mapped)
