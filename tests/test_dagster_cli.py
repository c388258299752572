"""The partitioned job runs through the Dagster CLI as CI would run it."""

import os
import subprocess

import dagster as dg
import pytest
import sqlalchemy as sa

from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage.results import register_dataset
from tests.conftest import DATA, REPO, dagster_execute


@pytest.mark.slow
def test_dagster_job_execute_materializes_a_partition(db_env, kfp_engine, results_engine):
    loaded = load_file(kfp_engine, DATA / "paraguay.jsonl.gz")
    key = f"paraguay_{loaded.collection_id}"
    with results_engine.begin() as conn:
        register_dataset(conn, key, collection_id=loaded.collection_id)
    dg.DagsterInstance.get().add_dynamic_partitions(datasets.name, [key])

    completed = subprocess.run(
        dagster_execute(key),
        cwd=REPO,
        env={**os.environ, **db_env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-3000:]
    with results_engine.connect() as conn:
        items, checked = conn.execute(
            sa.text("SELECT (SELECT count(*) FROM data_item), (SELECT count(*) FROM item_check)")
        ).one()
    assert (items, checked) == (12, 12)
    runs = dg.DagsterInstance.get().get_runs()
    assert runs and runs[0].tags["dagster/partition"] == key and runs[0].is_success
