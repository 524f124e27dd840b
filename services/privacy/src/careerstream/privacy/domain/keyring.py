"""Master keys wrap the data keys (envelope encryption); rotation re-wraps them.

A data key is stored only wrapped: `nonce || AES-256-GCM(master, key, aad)` with
`aad = <tenant>|<employee>|<kid>`, so a wrapped key copied to another row does
not unwrap. The configuration lists master keys newest first; the first wraps,
any of them unwraps. Data keys never change on rotation: what they sealed stays
readable.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE = 12


class KeyringError(ValueError):
    """The master key configuration is unusable, or a wrapped key does not unwrap."""


@dataclass(frozen=True)
class Keyring:
    current: str
    keys: dict[str, AESGCM]

    @classmethod
    def parse(cls, spec: str) -> Keyring:
        """`id:base64key,id:base64key`: newest first."""
        keys: dict[str, AESGCM] = {}
        order: list[str] = []
        for i, part in enumerate(p.strip() for p in spec.split(",") if p.strip()):
            kid, sep, b64 = part.partition(":")
            if not sep or not kid:
                raise KeyringError(f"master key {i + 1}: expected 'id:base64key'")
            try:
                raw = base64.b64decode(b64, validate=True)
            except binascii.Error as exc:
                raise KeyringError(f"master key {kid!r}: not base64") from exc
            if len(raw) != 32:
                raise KeyringError(f"master key {kid!r}: must be 32 bytes, is {len(raw)}")
            if kid in keys:
                raise KeyringError(f"master key {kid!r} is listed twice")
            keys[kid] = AESGCM(raw)
            order.append(kid)
        if not order:
            raise KeyringError("no master key is configured")
        return cls(current=order[0], keys=keys)

    def wrap(self, secret: bytes, aad: str) -> tuple[str, bytes]:
        """(master key id, wrapped key)."""
        nonce = os.urandom(NONCE)
        return self.current, nonce + self.keys[self.current].encrypt(nonce, secret, aad.encode())

    def unwrap(self, master: str, wrapped: bytes, aad: str) -> bytes:
        aead = self.keys.get(master)
        if aead is None:
            raise KeyringError(
                f"data key wrapped with master key {master!r}, which is not configured "
                "(keep old master keys listed until `rewrap` has run)"
            )
        try:
            return aead.decrypt(wrapped[:NONCE], wrapped[NONCE:], aad.encode())
        except InvalidTag as exc:
            raise KeyringError(f"a data key does not unwrap with master key {master!r}") from exc


def aad(tenant: str, employee_id: str, kid: str) -> str:
    return f"{tenant}|{employee_id}|{kid}"
