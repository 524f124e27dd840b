"""How every Kafka client of a service authenticates: TLS and SASL from the environment.

    CAREERSTREAM_KAFKA_SSL_CAFILE       a CA bundle: connect with TLS, verifying the brokers
    CAREERSTREAM_KAFKA_SASL_MECHANISM   PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
    CAREERSTREAM_KAFKA_SASL_USERNAME    the Kafka user (a Strimzi KafkaUser's name)
    CAREERSTREAM_KAFKA_SASL_PASSWORD    its password

Nothing set: plaintext, as the local stack runs. The broker (FastStream), the outbox relay's
producer and the lag meter's clients all connect the same way, so a KafkaUser's ACLs apply
to everything the service does.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


class KafkaSecurityError(ValueError):
    """The Kafka security settings contradict each other; the message names the variable."""


@dataclass(frozen=True)
class KafkaSecurity:
    cafile: str | None = None
    mechanism: str | None = None
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> KafkaSecurity:
        e = os.environ if env is None else env
        out = cls(
            cafile=e.get("CAREERSTREAM_KAFKA_SSL_CAFILE") or None,
            mechanism=(e.get("CAREERSTREAM_KAFKA_SASL_MECHANISM") or "").upper() or None,
            username=e.get("CAREERSTREAM_KAFKA_SASL_USERNAME") or None,
            password=e.get("CAREERSTREAM_KAFKA_SASL_PASSWORD") or None,
        )
        if out.mechanism is not None:
            if out.mechanism not in MECHANISMS:
                raise KafkaSecurityError(
                    f"CAREERSTREAM_KAFKA_SASL_MECHANISM: {out.mechanism!r} is not one of "
                    + ", ".join(MECHANISMS)
                )
            for name, value in (("USERNAME", out.username), ("PASSWORD", out.password)):
                if not value:
                    raise KafkaSecurityError(
                        f"CAREERSTREAM_KAFKA_SASL_{name}: required with a SASL mechanism"
                    )
        elif out.username or out.password:
            raise KafkaSecurityError(
                "CAREERSTREAM_KAFKA_SASL_MECHANISM: required with a SASL username or password"
            )
        return out

    @property
    def protocol(self) -> str:
        tls = self.cafile is not None
        if self.mechanism:
            return "SASL_SSL" if tls else "SASL_PLAINTEXT"
        return "SSL" if tls else "PLAINTEXT"

    def ssl_context(self) -> ssl.SSLContext | None:
        return ssl.create_default_context(cafile=self.cafile) if self.cafile else None

    def aiokafka(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's clients (producer, consumer, admin)."""
        out: dict[str, Any] = {"security_protocol": self.protocol}
        if self.cafile:
            out["ssl_context"] = self.ssl_context()
        if self.mechanism:
            out |= {
                "sasl_mechanism": self.mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        return out

    def faststream(self) -> BaseSecurity | None:
        """The same for FastStream's broker (None: plaintext)."""
        context = self.ssl_context()
        use_ssl = context is not None
        if self.mechanism is None:
            return BaseSecurity(ssl_context=context, use_ssl=True) if use_ssl else None
        assert self.username is not None
        assert self.password is not None
        kind = {
            "PLAIN": SASLPlaintext,
            "SCRAM-SHA-256": SASLScram256,
            "SCRAM-SHA-512": SASLScram512,
        }
        return kind[self.mechanism](
            self.username, self.password, ssl_context=context, use_ssl=use_ssl
        )
