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


class PersonalPayload(EventPayload):
    """A payload with personal fields (see `careerstream.contracts.personal`).

    `personal_subject` names the field holding the employee whose data key seals them.
    """

    personal_subject: ClassVar[str] = "employee_id"

    sealed: dict[str, str] = Field(default_factory=dict)
    """Personal fields sealed with the subject's data key (named by the envelope's `kid`), by
    JSON Pointer: base64(12-byte nonce || AES-256-GCM ciphertext of the value's JSON), with
    `<event id>|<pointer>` as associated data. Their slots in `data` hold null (or the empty
    value); once the person is erased, the key is gone and that is all anyone can read."""
