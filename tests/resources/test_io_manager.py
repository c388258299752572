"""Step outputs go through the results database (any executor, any machine), replaced on re-execution."""

import pickle

import dagster as dg
import pytest
import sqlalchemy as sa

from pelican_dagster.assets import dataset_items, item_checks
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage.results import register_dataset
from tests.conftest import DATA


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def _outputs(engine, run_id):
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT step_key, value FROM step_output WHERE run_id = :r AND output_name = 'result'"),
            {"r": run_id},
        ).all()
    return {step: pickle.loads(bytes(value)) for step, value in rows}


def test_chunk_outputs_are_stored_and_collected_through_the_database(
    instance, resources, kfp_engine, results_engine
):
    loaded = load_file(kfp_engine, DATA / "moldova.jsonl.gz")
    with results_engine.begin() as conn:
        register_dataset(conn, "moldova", collection_id=loaded.collection_id)
    instance.add_dynamic_partitions(datasets.name, ["moldova"])
    run_config = {"ops": {"item_checks": {"ops": {"plan_item_chunks": {"config": {"chunk_size": 20}}}}}}
    result = dg.materialize(
        [dataset_items, item_checks],
        partition_key="moldova",
        instance=instance,
        resources=resources,
        run_config=run_config,
    )
    assert result.success
    outputs = _outputs(results_engine, result.run_id)
    chunks = {k: v for k, v in outputs.items() if k.startswith("item_checks.check_item_chunk[")}
    assert len(chunks) == 3
    # Only ids and counts travel between steps, never item data.
    assert all(set(v) >= {"dataset_id", "first", "last", "count", "checked"} for v in chunks.values())
    assert sum(v["count"] for v in chunks.values()) == 51
    assert outputs["item_checks.collect_item_checks"]["checked"] == 51
    # The planning step's dynamic outputs are one row each (same step, same name, their mapping keys).
    with results_engine.connect() as conn:
        planned = (
            conn.execute(
                sa.text(
                    "SELECT value FROM step_output WHERE run_id = :r "
                    "AND step_key = 'item_checks.plan_item_chunks'"
                ),
                {"r": result.run_id},
            )
            .scalars()
            .all()
        )
    planned = [pickle.loads(bytes(value)) for value in planned]
    assert sorted(v["first"] for v in planned) == sorted(v["first"] for v in chunks.values())

    # Re-executing the run replaces the rows of its steps instead of adding to them.
    again = dg.materialize(
        [dataset_items, item_checks],
        partition_key="moldova",
        instance=instance,
        resources=resources,
        run_config=run_config,
    )
    assert again.success
    with results_engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*) FROM step_output")).scalar_one()
    assert rows == 2 * (len(outputs) + len(planned))
