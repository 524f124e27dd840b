"""Consumer lag: how far each of this service's consumer groups is behind, per topic.

Measured when `/metrics` is scraped, from the group's committed offsets and the
partitions' end offsets (what a lag exporter would compute), so it is right even
while a consumer is stuck or stopped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Gauge

from careerstream.servicekit.kafka_security import KafkaSecurity

log = logging.getLogger(__name__)

LAG = Gauge(
    "careerstream_consumer_lag",
    "Messages not yet consumed (end offset minus committed offset, summed over partitions)",
    ["consumer", "topic"],
)


class LagMonitor:
    """Measures each consumer group's lag for `/metrics` and `/readyz`."""

    def __init__(self, bootstrap: str, groups: Mapping[str, Sequence[str]]) -> None:
        self.bootstrap = bootstrap
        self.groups = groups
        self._admin: AIOKafkaAdminClient | None = None
        self._offsets: AIOKafkaConsumer | None = None

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._offsets is None:
            security = KafkaSecurity.from_env().aiokafka()
            self._admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, **security)
            await self._admin.start()
            self._offsets = AIOKafkaConsumer(
                bootstrap_servers=self.bootstrap, enable_auto_commit=False, **security
            )
            await self._offsets.start()
        return self._admin, self._offsets

    async def measure(self, timeout: float = 3.0) -> dict[tuple[str, str], int]:
        """Lag per (consumer, topic); also sets the Prometheus gauge. Empty if Kafka is away."""
        if not self.groups:
            return {}
        try:
            return await asyncio.wait_for(self._measure(), timeout)
        except Exception as exc:  # metrics must never fail the scrape
            log.warning("consumer lag not measured: %r", exc)
            await self.close()
            return {}

    async def _measure(self) -> dict[tuple[str, str], int]:
        admin, offsets = await self._clients()
        # Tracked by the client, so that `end_offsets` knows the partitions' leaders at once
        # (otherwise its first call waited out metadata refreshes: 1.4 s for one service).
        await offsets._client.set_topics(sorted({t for ts in self.groups.values() for t in ts}))
        cluster = await offsets._client.fetch_all_metadata()
        result: dict[tuple[str, str], int] = {}
        for group, topics in self.groups.items():
            committed = await admin.list_consumer_group_offsets(group)
            tps = [
                TopicPartition(t, p)
                for t in topics
                for p in sorted(cluster.partitions_for_topic(t) or ())
            ]
            if not tps:
                continue
            ends = await offsets.end_offsets(tps)
            starts = await offsets.beginning_offsets(tps)
            for tp in tps:
                done = committed[tp].offset if tp in committed else starts[tp]
                key = (group, tp.topic)
                result[key] = result.get(key, 0) + max(0, ends[tp] - max(done, starts[tp]))
        for (group, topic), lag in result.items():
            LAG.labels(group, topic).set(lag)
        return result

    async def close(self) -> None:
        """Stop the Kafka admin client."""
        if self._offsets is not None:
            await self._offsets.stop()
        if self._admin is not None:
            await self._admin.close()
        self._admin = self._offsets = None
