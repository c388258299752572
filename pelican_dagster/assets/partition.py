"""The dataset behind a partition key, for every partitioned asset."""

import dagster as dg
from sqlalchemy.engine import Engine

from pelican_dagster.storage.results import Dataset, dataset_by_name


def partition_dataset(engine: Engine, key: str) -> Dataset:
    """The ``dataset`` row named ``key``; a clear failure when a partition has no dataset (e.g. it was
    added in the UI by hand, or the dataset was wiped)."""
    with engine.connect() as conn:
        dataset = dataset_by_name(conn, key)
    if dataset is None:
        raise dg.Failure(f"no dataset named {key!r}: register it (sensor, `pelican-dagster check`) first")
    return dataset
