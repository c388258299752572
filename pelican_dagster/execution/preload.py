"""Imported once by the multiprocess executor's fork server (``executors.PRELOAD``): every step process is
forked from it, so what is imported and computed here is not paid again by each step.

Besides the definitions (the project's and Dagster's imports, ~2.4 s of CPU), this imports what a step
process needs before its first line of work, measured with py-spy on a DR 10k run:

* the modules of the Dagster instance (``DAGSTER_HOME``): every step opens the instance, and opening it
  imported ~300 modules (its storage classes, psycopg2 with libpq, the secrets loader, the state
  storage's ``upath``): ~0.35 s of CPU per step, on the critical path of every step after the first;
* the ECB exchange rates of the reference configuration: every step's check context needs them, and
  building them costs ~0.6 s of CPU (``load_default_rates`` caches them per process);
* the ``pelican`` job's definition and its run config schema: every step rebuilds the job from its
  reconstructable form and resolves the run config against it (~35 ms a step), and Dagster caches the
  definition by the reconstructable job's value (``executors.reconstructable_job``).

Nothing here connects to a database: a socket opened in the server would be shared by every child.
"""

import gc

import pelican_dagster.definitions  # noqa: F401
from pelican_dagster.checks.currency import load_default_rates
from pelican_dagster.execution.executors import reconstructable_job
from pelican_dagster.execution.instance import import_instance_modules

import_instance_modules()
load_default_rates()
reconstructable_job("multiprocess").get_definition().run_config_schema  # noqa: B018
# What the server holds now lives as long as it does: moved out of the collector's reach, a step
# process forked from it never scans (nor copies, page by page) these objects in its collections, and
# the server's own exit skips collecting them (~1 s, which held the CLI's output pipe open).
gc.freeze()
