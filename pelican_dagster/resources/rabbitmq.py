"""The RabbitMQ broker the Pelican frontend publishes its create / filter / wipe messages to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import pika
from pika.adapters.blocking_connection import BlockingChannel

from pelican_dagster.frontend.messages import SUFFIXES

#: Pelican backend's and the frontend's default ``RABBIT_EXCHANGE_NAME``.
DEFAULT_EXCHANGE = "pelican_development"


class RabbitMQResource(dg.ConfigurableResource):
    """The broker and exchange of Pelican backend's ``RABBIT_URL`` and ``RABBIT_EXCHANGE_NAME``; no URL
    means no broker (the frontend's messages are not read)."""

    url: str | None = None
    exchange_name: str = DEFAULT_EXCHANGE

    def queue_name(self, suffix: str) -> str:
        """The durable queue (and routing key) of one message type: ``<exchange>_<suffix>``."""
        return f"{self.exchange_name}_{suffix}"

    @contextmanager
    def channel(self) -> Iterator[BlockingChannel]:
        """A channel on which the exchange and the three queues are declared and bound (as Pelican's
        workers declare them, so that what the frontend publishes waits there)."""
        if not self.url:
            raise ValueError("no RabbitMQ URL (RABBIT_URL) is configured")
        connection = pika.BlockingConnection(pika.URLParameters(self.url))
        try:
            channel = connection.channel()
            channel.exchange_declare(self.exchange_name, exchange_type="direct", durable=True)
            for suffix in SUFFIXES:
                queue = self.queue_name(suffix)
                channel.queue_declare(queue, durable=True)
                channel.queue_bind(queue, self.exchange_name, routing_key=queue)
            yield channel
        finally:
            if connection.is_open:
                connection.close()
