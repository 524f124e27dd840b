"""The FastStream Kafka broker every service uses."""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from opentelemetry import trace

from careerstream.servicekit.kafka_security import KafkaSecurity
from careerstream.servicekit.settings import ServiceSettings


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    """A broker with an idempotent producer (acks=all), the service's client id and tracing.

    The telemetry middleware continues the W3C trace carried in each message's
    `traceparent` header in a consumer span around the handler.
    """
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"careerstream-{settings.service_name}",
        enable_idempotence=True,
        acks="all",
        graceful_timeout=30.0,
        security=KafkaSecurity.from_env().faststream(),
        middlewares=[KafkaTelemetryMiddleware(tracer_provider=trace.get_tracer_provider())],
    )
