"""Kafka security settings: every client of a service connects the same way, and settings that
contradict each other are refused naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from faststream.security import BaseSecurity, SASLScram512

from careerstream.servicekit.kafka_security import KafkaSecurity, KafkaSecurityError


def test_nothing_set_is_plaintext() -> None:
    s = KafkaSecurity.from_env({})
    assert s.aiokafka() == {"security_protocol": "PLAINTEXT"}
    assert s.faststream() is None


def _ca(path: Path) -> str:
    """A self-signed CA certificate in PEM, as a cluster's CA secret holds it."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cluster-ca")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    out = path / "ca.crt"
    out.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(out)


def test_scram_over_tls_for_every_client(tmp_path: Path) -> None:
    import ssl

    ca = _ca(tmp_path)
    env = {
        "CAREERSTREAM_KAFKA_SSL_CAFILE": ca,
        "CAREERSTREAM_KAFKA_SASL_MECHANISM": "scram-sha-512",
        "CAREERSTREAM_KAFKA_SASL_USERNAME": "cs-metrics",
        "CAREERSTREAM_KAFKA_SASL_PASSWORD": "secret",
    }
    s = KafkaSecurity.from_env(env)
    kw = s.aiokafka()
    assert kw["security_protocol"] == "SASL_SSL"
    assert kw["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (kw["sasl_plain_username"], kw["sasl_plain_password"]) == ("cs-metrics", "secret")
    assert isinstance(kw["ssl_context"], ssl.SSLContext)
    assert isinstance(s.faststream(), SASLScram512)
    tls_only = KafkaSecurity.from_env({"CAREERSTREAM_KAFKA_SSL_CAFILE": ca})
    assert tls_only.aiokafka()["security_protocol"] == "SSL"
    assert isinstance(tls_only.faststream(), BaseSecurity)
    plain_sasl = KafkaSecurity.from_env({k: v for k, v in env.items() if "CAFILE" not in k})
    assert plain_sasl.aiokafka()["security_protocol"] == "SASL_PLAINTEXT"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CAREERSTREAM_KAFKA_SASL_MECHANISM": "GSSAPI"}, "CAREERSTREAM_KAFKA_SASL_MECHANISM"),
        (
            {"CAREERSTREAM_KAFKA_SASL_MECHANISM": "PLAIN", "CAREERSTREAM_KAFKA_SASL_USERNAME": "u"},
            "CAREERSTREAM_KAFKA_SASL_PASSWORD",
        ),
        ({"CAREERSTREAM_KAFKA_SASL_USERNAME": "u"}, "CAREERSTREAM_KAFKA_SASL_MECHANISM"),
    ],
)
def test_contradictions_are_refused_naming_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(KafkaSecurityError, match=named):
        KafkaSecurity.from_env(env)
