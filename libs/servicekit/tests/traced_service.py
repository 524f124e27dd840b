"""A small service built with the standard wiring, for the cross-process trace test.

`python traced_service.py api|consumers`, configured by `KIT_*` variables
(KIT_DATABASE_URL, KIT_KAFKA_BOOTSTRAP_SERVERS, KIT_HTTP_PORT, KIT_TOPIC):
`POST /v1/hires/{employee_id}` publishes an employee.hired event through the
outbox; the consumer records it in `kit.effects`.
"""

import os
import sys
from pathlib import Path

from fastapi import APIRouter
from faststream.kafka import KafkaBroker
from harness import hired, metadata, record_effect  # type: ignore[import-not-found]
from pydantic_settings import SettingsConfigDict

from careerstream.contracts.events.hris import EmployeeHired
from careerstream.servicekit.cli import run
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.deps import Uow
from careerstream.servicekit.service import ServiceRuntime, build_runtime
from careerstream.servicekit.settings import ServiceSettings
from careerstream.servicekit.subscriptions import subscribe
from careerstream.servicekit.uow import UowFactory

TOPIC = os.environ.get("KIT_TOPIC", "kit.hires")
router = APIRouter(prefix="/v1")


class KitSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KIT_", extra="ignore", frozen=True)
    service_name: str = "kit"


@router.post("/hires/{employee_id}", status_code=202)
async def hire(employee_id: str, uow: Uow) -> dict[str, str]:
    async with uow() as u:
        event = u.publish(hired(employee_id, 1), tenant_id="acme", topic=TOPIC)
        await u.commit()
    return {"event_id": event.id}


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    subscribe(
        broker,
        EventConsumer("kit-trace", uow, {EmployeeHired: record_effect}, topics_override=[TOPIC]),
    )


def build() -> ServiceRuntime:
    return build_runtime(
        KitSettings(),
        metadata=metadata,
        migrations=str(Path(__file__).parent / "kit_migrations"),
        routers=[router],
        register_consumers=register,
    )


if __name__ == "__main__":
    mode = sys.argv[1]
    sys.exit(run(build, ["serve", "--api-only" if mode == "api" else "--consumers-only"]))
