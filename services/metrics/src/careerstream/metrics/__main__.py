"""`python -m careerstream.metrics [serve|migrate|asyncapi|replay|snapshot] [...]`.

replay    rebuild every projection from the start of the topics and swap it in
snapshot  take today's snapshots now (normally a background job does it daily)
"""

import asyncio
import sys
from datetime import UTC, datetime, timedelta

from careerstream.metrics.bootstrap import build
from careerstream.metrics.config import Settings
from careerstream.servicekit.cli import run


def main(argv: list[str]) -> int:
    if argv[:1] == ["replay"]:
        from careerstream.metrics.service_layer.replay import replay

        settings = Settings()
        asyncio.run(replay(settings.database_url, settings.kafka_bootstrap_servers))
        return 0
    if argv[:1] == ["snapshot"]:
        from careerstream.metrics.service_layer.snapshots import take_all

        settings = Settings()
        rt = build(settings)
        day = datetime.now(UTC).date() - timedelta(days=1)
        n = asyncio.run(take_all(rt.uow, day, settings.anonymity_threshold))
        print(f"{n} snapshot(s) taken for {day}")
        return 0
    return run(build, argv)


sys.exit(main(sys.argv[1:]))
