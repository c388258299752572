"""Imported once by the multiprocess executor's fork server (``executors.PRELOAD``): every step process is
forked from it, so what is imported and computed here is not paid again by each step.

Besides the definitions (the project's and Dagster's imports, ~2.4 s of CPU), this imports what a step
process needs before its first line of work, measured with py-spy on a DR 10k run:

* the modules of the Dagster instance (``DAGSTER_HOME``): every step opens the instance, and opening it
  imported ~300 modules (its storage classes, psycopg2 with libpq, the secrets loader, the state
  storage's ``upath``): ~0.35 s of CPU per step, on the critical path of every step after the first;
* the ECB exchange rates of the reference configuration: every step's check context needs them, and
  building them costs ~0.6 s of CPU (``load_default_rates`` caches them per process).

Nothing here connects to a database: a socket opened in the server would be shared by every child.
"""

import contextlib
import importlib
import os

import pelican_dagster.definitions  # noqa: F401
from pelican_dagster import settings
from pelican_dagster.checks.currency import load_default_rates

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


import_instance_modules()
load_default_rates()
