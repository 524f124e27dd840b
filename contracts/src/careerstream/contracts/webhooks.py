"""Signing HRIS webhooks as the hris gateway verifies them: a client helper for senders.

The gateway (`POST /v1/webhooks/{tenant}/{vendor}`) accepts a body only with
the vendor's signature headers, made with the source's shared secret (HMAC
SHA-256) over the timestamp and the body, the way each vendor signs:

| vendor          | timestamp header        | signature header        | signed bytes           | encoding              |
|-----------------|-------------------------|-------------------------|------------------------|-----------------------|
| workday         | X-Workday-Timestamp     | X-Workday-Signature     | `ts` + `.` + body      | `sha256=` + hex       |
| successfactors  | X-SF-Timestamp (ISO)    | X-SF-Signature          | `ts` + body            | base64                |
| bamboohr        | X-BambooHR-Timestamp    | X-BambooHR-Signature    | body + `ts`            | hex                   |

Unix-second timestamps except SuccessFactors (ISO 8601). The gateway refuses
a timestamp more than five minutes from its clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

VENDORS = ("workday", "successfactors", "bamboohr")


def mac(secret: str, message: bytes) -> bytes:
    """HMAC SHA-256 of `message` with the shared secret."""
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def sign(vendor: str, secret: str, body: bytes, now: datetime) -> dict[str, str]:
    """The headers `vendor` sends with `body` at `now`; ValueError for an unknown vendor."""
    if vendor == "workday":
        ts = str(int(now.timestamp()))
        return {
            "X-Workday-Timestamp": ts,
            "X-Workday-Signature": "sha256=" + mac(secret, ts.encode() + b"." + body).hex(),
        }
    if vendor == "successfactors":
        ts = now.isoformat()
        return {
            "X-SF-Timestamp": ts,
            "X-SF-Signature": base64.b64encode(mac(secret, ts.encode() + body)).decode(),
        }
    if vendor == "bamboohr":
        ts = str(int(now.timestamp()))
        return {
            "X-BambooHR-Timestamp": ts,
            "X-BambooHR-Signature": mac(secret, body + ts.encode()).hex(),
        }
    raise ValueError(f"unknown vendor '{vendor}'; one of {', '.join(VENDORS)}")
