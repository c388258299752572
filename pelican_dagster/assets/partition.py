"""The dataset behind a partition key, for every partitioned asset, and the checks a run passes before
its first write."""

import dagster as dg
from sqlalchemy.engine import Engine

from pelican_dagster.execution.instance import instance_problem
from pelican_dagster.partitions import datasets
from pelican_dagster.storage.lifecycle import is_wiped
from pelican_dagster.storage.results import Dataset, dataset_by_name


def partition_dataset(engine: Engine, key: str) -> Dataset:
    """The ``dataset`` row named ``key``; a clear failure when a partition has no dataset (e.g. it was
    added in the UI by hand) or the dataset was wiped."""
    with engine.connect() as conn:
        dataset = dataset_by_name(conn, key)
        wiped = dataset is not None and is_wiped(conn, dataset.id)
    if dataset is None:
        raise dg.Failure(f"no dataset named {key!r}: register it (sensor, `pelican-dagster check`) first")
    if wiped:
        raise dg.Failure(
            f"dataset {key!r} was wiped: `pelican-dagster recheck {key}` checks its collection again"
        )
    return dataset


def _option_problem(dataset: Dataset) -> str | None:
    for option in ("max_items", "max_size"):
        value = dataset.options.get(option)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            return (
                f"option {option} of dataset {dataset.name!r} is {value!r}: expected null or an integer ≥ 0"
            )
    return None


def checked_run_start(context: dg.AssetExecutionContext, engine: Engine) -> Dataset:
    """Everything a run needs, checked before it writes a row: a persistent Dagster instance, the
    partition registered in it, its dataset (not wiped) and valid options. Any failure is one line,
    and the dataset's rows and phase stay as they were."""
    key = context.partition_key
    problem = instance_problem(context.instance)
    if problem:
        raise dg.Failure(f"refusing to run dataset {key!r}: {problem}")
    if not context.instance.has_dynamic_partition(datasets.name, key):
        raise dg.Failure(
            f"partition {key!r} is not registered in this Dagster instance: register the dataset "
            "(sensor, `pelican-dagster check`) or set DAGSTER_HOME to the instance that holds it"
        )
    dataset = partition_dataset(engine, key)
    problem = _option_problem(dataset)
    if problem:
        raise dg.Failure(problem)
    return dataset
