"""Imported once by the multiprocess executor's fork server (``executors.PRELOAD``): every step process is
forked from it, so what is imported and computed here is not paid again by each step.

Besides the definitions (the project's and Dagster's imports, ~2.4 s of CPU), the ECB exchange rates of
the reference configuration: every step's check context needs them, and building them costs ~0.6 s of
CPU (``load_default_rates`` caches them per process).
"""

import pelican_dagster.definitions  # noqa: F401
from pelican_dagster.checks.currency import load_default_rates

load_default_rates()
