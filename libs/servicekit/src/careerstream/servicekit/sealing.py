"""Sealing and opening the personal fields of events (crypto-shredding).

See `careerstream.contracts.personal` for the wire format. Producers seal in
the outbox relay, just before an event leaves the service: the service's own
database holds the value in the clear (it is that service's data), Kafka never
does. Consumers open what they read before the payload is parsed; a key that
is gone (the person was erased) leaves the erased form in place.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pydantic_core
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from careerstream.contracts.base import PersonalPayload
from careerstream.contracts.personal import (
    KID_ATTRIBUTE,
    SEALED_FIELD,
    expand,
    locate,
    personal_pointers,
)
from careerstream.contracts.registry import EVENT_TYPES

NONCE_BYTES = 12


CIPHERS_KEPT = 4096
"""Ciphers kept ready, most recently used first. A cipher holds about 2.5 KB of OpenSSL state,
four times its key's cache entry, so a process keeps one for the people it is busy with, not
one for every key it caches; making one again costs about 2 microseconds."""


@lru_cache(maxsize=CIPHERS_KEPT)
def _cipher(secret: bytes) -> AESGCM:
    return AESGCM(secret)


def forget_ciphers() -> None:
    """Drop every cipher kept (and the secrets they are kept by): a person's erasure does, so
    that their key's secret does not stay in the process's memory."""
    _cipher.cache_clear()


@dataclass(frozen=True, slots=True)
class DataKey:
    """One person's data key."""

    kid: str
    secret: bytes = field(repr=False)

    def aead(self) -> AESGCM:
        """The cipher (kept while the key is in use: a key is used for many events)."""
        return _cipher(self.secret)


class Unsealable(ValueError):
    """A sealed value that does not open with its key: tampered with, or not ours."""


def personal_types() -> dict[str, tuple[str, tuple[tuple[str, Any], ...]]]:
    """Event types with personal fields: type -> (subject field, pointer templates)."""
    out: dict[str, tuple[str, tuple[tuple[str, Any], ...]]] = {}
    for event_type, model in EVENT_TYPES.items():
        if issubclass(model, PersonalPayload):
            out[event_type] = (model.personal_subject, personal_pointers(model))
    return out


PERSONAL_TYPES = personal_types()


def _aad(event_id: str, pointer: str) -> bytes:
    return f"{event_id}|{pointer}".encode()


def subject_of(event: dict[str, Any]) -> str | None:
    """The employee whose key seals this event's personal fields (None: it has none)."""
    spec = PERSONAL_TYPES.get(str(event.get("type")))
    data = event.get("data")
    if spec is None or not isinstance(data, dict):
        return None
    subject = data.get(spec[0])
    return subject if isinstance(subject, str) else None


def seal(event: dict[str, Any], key: DataKey | None) -> bool:
    """Seal the personal fields of a decoded CloudEvent in place; True when it changed.

    With no key (the person was erased), the fields are erased instead.
    """
    spec = PERSONAL_TYPES.get(str(event.get("type")))
    data = event.get("data")
    if spec is None or not isinstance(data, dict) or event.get(KID_ATTRIBUTE):
        return False  # no personal fields, or sealed already
    sealed: dict[str, str] = {}
    aead = key.aead() if key is not None else None
    event_id = str(event["id"])
    for template, erased in spec[1]:
        for pointer, container, name in expand(data, template):
            value = container.get(name)
            if value is None or value == erased:
                continue
            container[name] = erased
            if aead is not None:
                nonce = os.urandom(NONCE_BYTES)
                plain = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
                ct = aead.encrypt(nonce, plain, _aad(event_id, pointer))
                sealed[pointer] = base64.b64encode(nonce + ct).decode()
    if sealed and key is not None:
        data[SEALED_FIELD] = sealed
        event[KID_ATTRIBUTE] = key.kid
    return True


def open_sealed(data: dict[str, Any], event_id: str, key: DataKey | None) -> None:
    """Put the sealed values of `data` back in their places (in place); none when `key` is None.

    Raises Unsealable when a value does not open with the key.
    """
    sealed = data.pop(SEALED_FIELD, None)
    if not isinstance(sealed, dict) or key is None:
        return
    aead = key.aead()
    for pointer, blob in sealed.items():
        place = locate(data, pointer)
        if place is None or not isinstance(blob, str):
            raise Unsealable(f"sealed value at {pointer!r} has no place in the payload")
        try:
            # binascii's strict mode is base64.b64decode(validate=True) without its regex.
            raw = binascii.a2b_base64(blob, strict_mode=True)
            plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(event_id, pointer))
            value = pydantic_core.from_json(plain)
        except (InvalidTag, ValueError) as exc:
            raise Unsealable(f"sealed value at {pointer!r} does not open with key") from exc
        container, name = place
        container[name] = value


def new_key_secret() -> bytes:
    """A fresh 256-bit data key."""
    return AESGCM.generate_key(bit_length=256)
