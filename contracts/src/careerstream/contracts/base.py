"""Base classes of every event payload of the contract."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

TenantId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Id = Annotated[str, Field(min_length=1, max_length=128)]
ProficiencyLevel = Annotated[int, Field(ge=0, le=10)]


class ContractModel(BaseModel):
    """Immutable; unknown fields are ignored so that consumers survive additive changes."""

    model_config = ConfigDict(frozen=True, extra="ignore", use_attribute_docstrings=True)


class EventPayload(ContractModel):
    """The `data` of one event type.

    A subclass names its CloudEvents `type`, the topic that carries it and the
    aggregate it belongs to (its `subject`, and with the tenant its message key).
    """

    event_type: ClassVar[str]
    topic: ClassVar[str]
    aggregate_field: ClassVar[str]

    def aggregate_id(self) -> str:
        return str(getattr(self, self.aggregate_field))
