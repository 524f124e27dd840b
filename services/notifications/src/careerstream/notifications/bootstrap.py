"""The one place the notifications service is wired together."""

import logging
from pathlib import Path

from faststream.kafka import KafkaBroker

from careerstream.notifications.adapters.channels import Smtp, SmtpSettings, Webhook
from careerstream.notifications.adapters.orm import metadata
from careerstream.notifications.config import Settings
from careerstream.notifications.entrypoints import api, consumers
from careerstream.notifications.service_layer import rules
from careerstream.notifications.service_layer.deciding import Policy
from careerstream.notifications.service_layer.delivering import Deliverer, Links
from careerstream.servicekit.erasure import export_router
from careerstream.servicekit.periodic import every
from careerstream.servicekit.service import ServiceRuntime, build_runtime
from careerstream.servicekit.uow import UowFactory

MIGRATIONS = str(Path(__file__).parent / "migrations")
log = logging.getLogger("careerstream.notifications")


def build(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    policy = Policy(default_time_zone=settings.default_time_zone, digest_hour=settings.digest_hour)

    def register(broker: KafkaBroker, uow: UowFactory) -> None:
        consumers.register(broker, uow, policy)

    rt = build_runtime(
        settings,
        metadata=metadata,
        migrations=MIGRATIONS,
        routers=[
            api.router,
            export_router(metadata.schema or "notifications", consumers.ERASURE_RULES),
        ],
        register_consumers=register,
        description=(
            "Notifications: tells people when something needs them (by e-mail, chat webhook "
            "and an in-app inbox), decided from the platform's events only."
        ),
    )
    # It publishes nothing personal: its relay seals nothing.
    rt.relay.keys = None
    links = Links(settings.console_url, settings.public_url, settings.unsubscribe_secret)
    rt.state["links"] = links
    rt.state["unsubscribe_secret"] = settings.unsubscribe_secret
    rt.state["allow_private_webhooks"] = settings.allow_private_webhooks
    deliverer = Deliverer(
        rt.uow,
        [
            Smtp(
                SmtpSettings(
                    host=settings.smtp_host,
                    port=settings.smtp_port,
                    username=settings.smtp_username,
                    password=settings.smtp_password,
                    tls=settings.smtp_tls,
                    starttls=settings.smtp_starttls,
                    timeout=settings.smtp_timeout_seconds,
                    sender=settings.mail_from,
                )
            )
            for _ in range(settings.smtp_connections)
        ],
        Webhook(settings.webhook_timeout_seconds, allow_private=settings.allow_private_webhooks),
        links,
        batch_size=settings.batch_size,
        max_attempts=settings.max_attempts,
        backoff_base=settings.backoff_base_seconds,
        backoff_max=settings.backoff_max_seconds,
        lease=settings.lease_seconds,
    )

    async def deliver() -> bool:
        return await deliverer.round() >= settings.batch_size

    async def timed() -> bool:
        async with rt.uow() as u:
            n = await rules.due_reminders(u, policy, settings.reminder_days)
            n += await rules.overdue_checkins(u, policy, settings.checkin_overdue_days)
            await u.commit()
        return n >= 2000

    rt.background += [
        every(settings.deliver_every_seconds, deliver, name="deliver", log=log),
        every(settings.timed_rules_every_seconds, timed, name="timed-rules", log=log),
    ]
    return rt
