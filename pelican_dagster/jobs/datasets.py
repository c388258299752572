"""Jobs on whole datasets: ``filter_dataset`` (a new dataset from a subset of a checked one, docs/pipeline.md
§3) and ``wipe_dataset`` (delete every row of a dataset and its partition, §4.5).

``filter_dataset`` only registers the new dataset (row, lineage, dynamic partition); the sensor
``pending_datasets`` then starts the ``pelican`` run that copies the matching items and checks them (the
CLI's ``pelican-dagster filter`` runs it directly).
"""

# No ``from __future__ import annotations``: Dagster reads the Config annotations when the ops are defined.
from typing import Any

import dagster as dg
import sqlalchemy as sa

from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline.filters import FilterError, FilterSpec
from pelican_dagster.resources import ResultsDatabaseResource
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.lifecycle import (
    LifecycleError,
    create_filtered_dataset,
    descendants,
    is_wiped,
    wipe_dataset,
)
from pelican_dagster.storage.results import dataset_by_name, get_progress

#: Run statuses during which a dataset's rows are being written: a wipe then is refused.
_ACTIVE = (
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
)


class FilterDatasetConfig(dg.Config):
    """``original``: the dataset to filter (its name); ``filter``: the filter message
    (``pelican_dagster.pipeline.filters``); ``name``: the new dataset's name (default
    ``<original>_filtered_<id>``); ``max_items``: Pelican's top-level ``max_items``."""

    original: str
    filter: dict[str, Any]
    name: str | None = None
    max_items: int | None = None


def filter_message(message: dict[str, Any], max_items: int | None) -> dict[str, Any]:
    """The filter message with the top-level ``max_items`` folded in (given twice, they must agree)."""
    if max_items is None:
        return message
    if "max_items" in message and message["max_items"] != max_items:
        raise FilterError(
            f"max_items is given twice with different values ({message['max_items']!r} and {max_items!r})"
        )
    return {**message, "max_items": max_items}


def _check_name(name: str) -> None:
    try:  # Dagster's own list of what a partition key may not contain (a private module)
        from dagster._core.definitions.partitions.utils.base import INVALID_PARTITION_SUBSTRINGS
    except ImportError:
        INVALID_PARTITION_SUBSTRINGS = ["...", "\a", "\b", "\f", "\n", "\r", "\t", "\v", "\0"]
    if not name.strip() or len(name) > 255 or any(bad in name for bad in INVALID_PARTITION_SUBSTRINGS):
        raise dg.Failure(
            f"{name!r} cannot name a dataset: give 1 to 255 characters, without '...' or control characters"
        )


@dg.op(pool="pelican_database")
def create_filtered(
    context: dg.OpExecutionContext, config: FilterDatasetConfig, results: ResultsDatabaseResource
) -> dict[str, Any]:
    """Validate the filter, then register the filtered dataset: its row, its lineage and its partition.

    Nothing is created when the filter is invalid, the original is missing or not yet checked (phase
    CHECKED), or the name is taken. The new partition's ``pelican`` run is started by the sensor
    ``pending_datasets``.
    """
    try:
        spec = FilterSpec.parse(filter_message(config.filter, config.max_items))
    except FilterError as e:
        raise dg.Failure(description=f"invalid filter: {e}") from e
    if config.name is not None:
        _check_name(config.name)
    engine = results.get_engine()
    try:
        with engine.begin() as conn:
            original = dataset_by_name(conn, config.original)
            if original is None:
                raise dg.Failure(description=f"no dataset named {config.original!r}")
            progress = get_progress(conn, original.id)
            if progress is None or progress["phase"] != "CHECKED":
                # A NULL size is the registration's row (results.mark_registered): never run.
                ran = progress is not None and progress["size"] is not None
                phase = f"{progress['phase']}/{progress['state']}" if ran else "never run"
                raise dg.Failure(
                    description=f"dataset {config.original!r} is not checked yet ({phase}): "
                    "only a checked dataset can be filtered"
                )
            new_id = create_filtered_dataset(conn, original, spec, config.name)
            name = conn.execute(sa.select(s.dataset.c.name).where(s.dataset.c.id == new_id)).scalar_one()
    except LifecycleError as e:
        raise dg.Failure(description=str(e)) from e
    context.instance.add_dynamic_partitions(datasets.name, [name])
    message = spec.to_message()
    context.log.info(f"registered filtered dataset {name!r} (id {new_id}) from {original.name!r}: {message}")
    context.add_output_metadata(
        {
            "dataset": name,
            "dataset_id": new_id,
            "original": original.name,
            "original_dataset_id": original.id,
            "filter": dg.MetadataValue.json(message),
        }
    )
    return {"dataset": name, "dataset_id": new_id, "original_dataset_id": original.id, "filter": message}


@dg.job(
    description="Create a filtered dataset from a checked one (its pelican run follows, by the sensor "
    "pending_datasets)."
)
def filter_dataset() -> None:
    create_filtered()


class WipeDatasetConfig(dg.Config):
    """``dataset``: the dataset to wipe (its name); ``cascade``: also wipe the datasets filtered from it
    (else their existence refuses the wipe)."""

    dataset: str
    cascade: bool = False


def _active_runs(instance: dg.DagsterInstance, names: list[str]) -> list[str]:
    active = []
    for name in names:
        runs = instance.get_run_records(
            filters=dg.RunsFilter(statuses=list(_ACTIVE), tags={"dagster/partition": name}), limit=1
        )
        if runs:
            active.append(f"{name} (run {runs[0].dagster_run.run_id})")
    return active


@dg.op(pool="pelican_database")
def wipe(
    context: dg.OpExecutionContext, config: WipeDatasetConfig, results: ResultsDatabaseResource
) -> dict[str, Any]:
    """Delete every row of the dataset (and, with ``cascade``, of the datasets filtered from it, first)
    in one transaction, then remove their partitions. A collection's dataset keeps its row as a
    ``DELETED`` tombstone, so no sensor registers the collection again (``pelican-dagster recheck``
    does, on purpose); datasets whose ancestor it is are not touched and report it as wiped."""
    engine = results.get_engine()
    with engine.connect() as conn:
        dataset = dataset_by_name(conn, config.dataset)
        if dataset is None:
            raise dg.Failure(description=f"no dataset named {config.dataset!r}")
        if is_wiped(conn, dataset.id):
            raise dg.Failure(description=f"dataset {config.dataset!r} is already wiped")
        children = descendants(conn, dataset.id)
        names = dict(
            conn.execute(
                sa.select(s.dataset.c.id, s.dataset.c.name).where(s.dataset.c.id.in_(children))
            ).all()
        )
    if children and not config.cascade:
        listed = ", ".join(repr(names[i]) for i in children)
        raise dg.Failure(
            description=f"datasets were filtered from {config.dataset!r}: {listed}. Wipe them first, or "
            "wipe with cascade: true to wipe them too"
        )
    order = [*children, dataset.id]
    names[dataset.id] = dataset.name
    busy = _active_runs(context.instance, [names[i] for i in order])
    if busy:
        raise dg.Failure(description=f"runs are still writing these datasets: {', '.join(busy)}")
    deleted: dict[str, dict[str, int]] = {}
    try:
        with engine.begin() as conn:
            for dataset_id in order:
                deleted[names[dataset_id]] = wipe_dataset(conn, dataset_id)
    except LifecycleError as e:  # a dataset filtered from it appeared meanwhile
        raise dg.Failure(description=str(e)) from e
    for dataset_id in order:
        if context.instance.has_dynamic_partition(datasets.name, names[dataset_id]):
            context.instance.delete_dynamic_partition(datasets.name, names[dataset_id])
    context.log.info(f"wiped {', '.join(repr(names[i]) for i in order)}")
    context.add_output_metadata(
        {"wiped": dg.MetadataValue.json([names[i] for i in order]), "rows": dg.MetadataValue.json(deleted)}
    )
    return {"wiped": [names[i] for i in order], "rows": deleted}


@dg.job(
    name="wipe_dataset",
    description="Delete every row of a dataset and its partition (with cascade, also of the datasets "
    "filtered from it).",
)
def wipe_dataset_job() -> None:
    wipe()


DATASET_JOBS = [filter_dataset, wipe_dataset_job]
