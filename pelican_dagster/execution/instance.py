"""Which Dagster instance pelican-dagster may work on: one persistent instance, whatever the entry point.

Dagster falls back to a throw-away instance when ``DAGSTER_HOME`` is not set: an in-memory one
(``dagster job execute``, ``dg.materialize`` without an instance) or a ``.tmp_dagster_home_*`` folder
(``dagster dev``). Such an instance knows none of the registered dataset partitions, so its sensors
would re-run every dataset and its runs would fail only after replacing rows. Sensors and the first
asset ask :func:`instance_problem` and refuse, saying what to set.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from pathlib import Path

import dagster as dg

from pelican_dagster import settings

#: Dagster's prefix for the temporary ``DAGSTER_HOME`` of ``dagster dev`` (``dagster._cli.utils``).
TEMPORARY_HOME_PREFIX = ".tmp_dagster_home_"

HOW_TO_FIX = (
    "set DAGSTER_HOME to the instance that holds the datasets (the CLI's is PELICAN_HOME/dagster_home, "
    "~/.pelican-dagster/dagster_home by default; `pelican-dagster ui` sets it for you)"
)


def is_temporary(instance: dg.DagsterInstance) -> bool:
    """Whether ``instance`` is one Dagster made up because ``DAGSTER_HOME`` is not set."""
    if instance.is_ephemeral:
        return True
    root = getattr(instance, "root_directory", None)
    return bool(root) and Path(root).name.startswith(TEMPORARY_HOME_PREFIX)


def instance_problem(instance: dg.DagsterInstance) -> str | None:
    """One line saying why pelican-dagster refuses to work on ``instance``, or None when it may."""
    if not is_temporary(instance):
        return None
    return f"this Dagster instance is temporary (DAGSTER_HOME is not set): {HOW_TO_FIX}"


#: Imported by opening an instance or a SQLAlchemy engine on PostgreSQL, not by the definitions.
INSTANCE_MODULES = (
    "psycopg2",
    "psycopg2.extensions",
    "psycopg2.extras",
    "sqlalchemy.dialects.postgresql.psycopg2",
    "dagster._core.secrets.env_file",
    "dagster._core.secrets.loader",
    "dagster._core.instance.factory",
    "dagster._core.storage.defs_state.blob_storage_state_storage",
    "upath",
    "upath.implementations.local",
    "fsspec.implementations.local",
)


def import_instance_modules() -> list[str]:
    """Import the modules that opening the instance of ``DAGSTER_HOME`` imports (its configured storage,
    run coordinator, launcher and log manager classes, and :data:`INSTANCE_MODULES`), without opening it;
    returns the names imported. An instance that cannot be read is left to the step to report."""
    names = list(INSTANCE_MODULES)
    home = os.environ.get(settings.DAGSTER_HOME)
    if home:
        from dagster._core.instance.ref import InstanceRef

        try:
            ref = InstanceRef.from_dir(home)
        except Exception:  # the step opening the instance reports it, with Dagster's message
            ref = None
        if ref is not None:
            classes = (
                ref.storage_data,
                ref.run_storage_data,
                ref.event_storage_data,
                ref.schedule_storage_data,
                ref.compute_logs_data,
                ref.local_artifact_storage_data,
                ref.run_coordinator_data,
                ref.run_launcher_data,
            )
            names += [data.module_name for data in classes if data is not None]
    for name in names:
        # An optional part this Dagster version lacks: the step imports what it needs.
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    return names
