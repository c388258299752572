"""Which Dagster instance pelican-dagster may work on: one persistent instance, whatever the entry point.

Dagster falls back to a throw-away instance when ``DAGSTER_HOME`` is not set: an in-memory one
(``dagster job execute``, ``dg.materialize`` without an instance) or a ``.tmp_dagster_home_*`` folder
(``dagster dev``). Such an instance knows none of the registered dataset partitions, so its sensors
would re-run every dataset and its runs would fail only after replacing rows. Sensors and the first
asset ask :func:`instance_problem` and refuse, saying what to set.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

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
