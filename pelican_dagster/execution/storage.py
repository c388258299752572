"""Dagster instance storage on PostgreSQL that keeps its connections between events.

``dagster_postgres`` opens a new connection for every statement of its run, event log and schedule
storages (SQLAlchemy's ``NullPool``) unless it runs in the webserver. A run of the ``pelican`` job writes
~160 events, each over one or two connections (its row, then the asset or asset-check index): on a DR
10k run some 300 PostgreSQL backends started and stopped, 5–6 ms of wall time per event against ~1 ms
over a kept connection (measured here with ``report_engine_event``), on the critical path of every step.

:class:`PooledPostgresStorage` is ``dagster_postgres``'s storage (same tables, same configuration) with one
kept connection per process, shared by the three storages (``pool_size=1``; threads needing more at
once open and close extra ones), checked before use (``pool_pre_ping``: a restarted server costs a
reconnect, not an error), closed when the instance is disposed, and never shared with a forked child:
after a fork the child drops its inherited pools without closing them, so it opens its own and never
talks on (nor closes) the parent's sockets. The embedded default's ``dagster.yaml`` names it; a
deployment opts in with::

    storage:
      custom:
        module: pelican_dagster.execution.storage
        class: PooledPostgresStorage
        config:
          postgres_url: ...
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from dagster._serdes import ConfigurableClassData
from dagster_postgres import (
    DagsterPostgresStorage,
    PostgresEventLogStorage,
    PostgresRunStorage,
    PostgresScheduleStorage,
)
from dagster_postgres.utils import create_pg_engine, get_token_provider_from_config, pg_url_from_config
from sqlalchemy.engine import Engine

from pelican_dagster.storage.db import forget_in_forked_children

__all__ = ["PooledPostgresStorage", "pooled_engine"]


def pooled_engine(postgres_url: str, token_provider: Any = None) -> Engine:
    """An autocommit engine on ``postgres_url`` that keeps one connection between uses."""
    engine = create_pg_engine(
        postgres_url,
        token_provider,
        isolation_level="AUTOCOMMIT",
        pool_size=1,
        max_overflow=8,
        pool_pre_ping=True,
        # Well below any idle-session limit of a server or a proxy in between.
        pool_recycle=3600,
    )
    return forget_in_forked_children(engine)


#: A table of each storage whose absence makes ``dagster_postgres`` create that storage's tables.
_MARKER_TABLES = ("runs", "instance_info", "event_logs", "jobs")


def _tables_exist(engine: Engine) -> bool:
    with engine.connect() as conn:
        found = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = ANY(:t)"
            ),
            {"t": list(_MARKER_TABLES)},
        ).scalar_one()
    return found == len(_MARKER_TABLES)


class _KeptConnection:
    """A ``dagster_postgres`` storage whose per-statement engine is replaced by a shared pooled one
    (closed at disposal)."""

    _engine: Engine

    def _keep_connection(self, engine: Engine) -> None:
        self._engine.dispose()
        self._engine = engine

    def dispose(self) -> None:
        super().dispose()  # type: ignore[misc]
        self._engine.dispose()


class PooledRunStorage(_KeptConnection, PostgresRunStorage):
    """``PostgresRunStorage`` with a kept connection."""


class PooledEventLogStorage(_KeptConnection, PostgresEventLogStorage):
    """``PostgresEventLogStorage`` with a kept connection."""


class PooledScheduleStorage(_KeptConnection, PostgresScheduleStorage):
    """``PostgresScheduleStorage`` with a kept connection."""


class PooledPostgresStorage(DagsterPostgresStorage):
    """``dagster_postgres``'s storage whose run, event log and schedule storages share one pooled engine.

    Opening it costs one connection and one query when the tables exist (each step process opens the
    instance): ``dagster_postgres`` inspects the tables over a new connection per storage."""

    def __init__(
        self,
        postgres_url: str,
        should_autocreate_tables: bool = True,
        inst_data: ConfigurableClassData | None = None,
        token_provider: Any = None,
    ):
        # DagsterPostgresStorage's constructor, with the pooled storages.
        self.postgres_url = postgres_url
        self.should_autocreate_tables = should_autocreate_tables
        self._inst_data = inst_data
        engine = pooled_engine(postgres_url, token_provider)
        create = should_autocreate_tables and not _tables_exist(engine)
        # With ``create``, each constructor creates its missing tables over its own engine first.
        self._run_storage = PooledRunStorage(postgres_url, create, token_provider=token_provider)
        self._event_log_storage = PooledEventLogStorage(postgres_url, create, token_provider=token_provider)
        self._schedule_storage = PooledScheduleStorage(postgres_url, create, token_provider=token_provider)
        for storage in (self._run_storage, self._event_log_storage, self._schedule_storage):
            storage._keep_connection(engine)
        super(DagsterPostgresStorage, self).__init__()

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> PooledPostgresStorage:
        return cls(
            inst_data=inst_data,
            postgres_url=pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            token_provider=get_token_provider_from_config(config_value),
        )
