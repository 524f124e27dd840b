"""The FastStream Kafka broker every service uses."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from careerstream.servicekit.settings import ServiceSettings


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    """A broker with an idempotent producer (acks=all) and the service's client id."""
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"careerstream-{settings.service_name}",
        enable_idempotence=True,
        acks="all",
        graceful_timeout=30.0,
    )
