"""The ``codelists`` asset through Dagster on a real database and a real local HTTP server, and the
version a dataset was checked with in its metadata (snapshot-only and full register)."""

from __future__ import annotations

import gzip

import dagster as dg
import orjson
import pytest
import sqlalchemy as sa

from pelican_dagster.assets import PIPELINE_ASSETS
from pelican_dagster.assets.codelists import codelists
from pelican_dagster.automation.codelists import codelists_daily
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline.export import export_dataset
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.codelists import load_current, store_version
from pelican_dagster.storage.results import register_dataset
from tests.register_server import FULL_REGISTER, ORG_ID, register_server

#: ocids: registered (in the full register, not in the snapshot), well-formed but unregistered, malformed.
OCIDS = ("ocds-a2ef3d-1", "ocds-qqqqqq-2", "OCDS-bad-3")


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


@pytest.fixture
def server(monkeypatch):
    with register_server({"/ocid.csv": FULL_REGISTER, "/org-id.csv": ORG_ID}) as s:
        monkeypatch.setenv("PELICAN_OCID_PREFIXES_URL", s.url("/ocid.csv"))
        monkeypatch.setenv("PELICAN_ORG_ID_URL", s.url("/org-id.csv"))
        yield s


def _materialize(instance, resources, config=None):
    return dg.materialize(
        [codelists],
        instance=instance,
        resources={"results": resources["results"]},
        run_config={"ops": {"codelists": {"config": config or {}}}},
        raise_on_error=False,
    )


def _check(result):
    (evaluation,) = [
        e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    return evaluation


def test_materialization_stores_the_registers_with_provenance(instance, resources, results_engine, server):
    result = _materialize(instance, resources)
    assert result.success
    metadata = result.asset_materializations_for_node("codelists")[0].metadata
    assert metadata["ocid_prefixes_status"].value == "downloaded"
    assert metadata["ocid_prefixes_entries"].value == 4
    assert metadata["ocid_prefixes_changed"].value is True
    assert metadata["ocid_prefixes_source"].value == server.url("/ocid.csv")
    assert metadata["org-id_entries"].value == 2
    lists = load_current(results_engine)
    assert metadata["ocid_prefixes_sha256"].value == lists.versions["ocid_prefixes"].sha256
    assert _check(result).passed

    # The daily schedule's configuration leaves a register downloaded in the last 12 hours.
    tick = codelists_daily.evaluate_tick(dg.build_schedule_context(instance))
    (request,) = tick.run_requests
    again = _materialize(instance, resources, request.run_config["ops"]["codelists"]["config"])
    metadata = again.asset_materializations_for_node("codelists")[0].metadata
    assert metadata["ocid_prefixes_status"].value == "cached"
    assert metadata["ocid_prefixes_changed"].value is False
    assert server.hits["/ocid.csv"] == 1


def test_a_failed_download_warns_and_keeps_the_previous_copy(instance, resources, results_engine, server):
    assert _materialize(instance, resources).success
    before = load_current(results_engine).versions
    server.files.clear()  # every path now answers 404
    result = _materialize(instance, resources, {"timeout_seconds": 2})
    assert result.success  # a stale register never blocks anything
    check = _check(result)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert "404" in check.metadata["failures"].value
    metadata = result.asset_materializations_for_node("codelists")[0].metadata
    assert metadata["ocid_prefixes_status"].value == "failed"
    assert metadata["ocid_prefixes_sha256"].value == before["ocid_prefixes"].sha256
    assert load_current(results_engine).versions == before


def _dataset(kfp_engine, results_engine, instance, tmp_path):
    path = tmp_path / "items.jsonl.gz"
    with gzip.open(path, "wb") as f:
        for i, ocid in enumerate(OCIDS):
            f.write(orjson.dumps({"ocid": ocid, "id": str(i), "date": "2020-01-01T00:00:00Z"}) + b"\n")
    loaded = load_file(kfp_engine, path)
    with results_engine.begin() as conn:
        dataset_id = register_dataset(conn, "prefixes", collection_id=loaded.collection_id)
    instance.add_dynamic_partitions(datasets.name, ["prefixes"])
    return dataset_id


def _check_dataset(instance, resources, results_engine, dataset_id):
    result = dg.materialize(PIPELINE_ASSETS, partition_key="prefixes", instance=instance, resources=resources)
    with results_engine.connect() as conn:
        meta = conn.execute(sa.select(s.dataset.c.meta).where(s.dataset.c.id == dataset_id)).scalar_one()
        field = conn.execute(
            sa.select(s.report.c.data).where(
                s.report.c.dataset_id == dataset_id, s.report.c.type == "field_level_check"
            )
        ).scalar_one()
    counts = field["ocid"]["quality"]["checks"]["ocid_prefix_check"]
    report_metadata = result.asset_materializations_for_node("report")[0].metadata
    return meta["pelican_dagster"], (counts["passed_count"], counts["failed_count"]), report_metadata


def test_snapshot_only_passes_well_formed_prefixes_and_says_so(
    instance, resources, kfp_engine, results_engine, tmp_path, monkeypatch
):
    monkeypatch.delenv("PELICAN_OCID_PREFIXES_FILE", raising=False)
    dataset_id = _dataset(kfp_engine, results_engine, instance, tmp_path)
    recorded, counts, report_metadata = _check_dataset(instance, resources, results_engine, dataset_id)
    assert counts == (2, 1)  # only the malformed ocid fails
    assert recorded["unverified_ocid_prefixes"] == {"ocds-a2ef3d": 1, "ocds-qqqqqq": 1}
    assert "register unavailable" in recorded["warnings"][0]
    assert "register unavailable" in report_metadata["warnings"].value
    provenance = recorded["configuration"]["codelists"]["ocid_prefixes"]
    assert provenance["origin"] == "snapshot" and provenance["fetched_at"] is None


def test_with_the_full_register_the_dataset_records_its_version(
    instance, resources, kfp_engine, results_engine, tmp_path, monkeypatch, server
):
    monkeypatch.delenv("PELICAN_OCID_PREFIXES_FILE", raising=False)
    assert _materialize(instance, resources).success
    version = load_current(results_engine).versions["ocid_prefixes"]
    dataset_id = _dataset(kfp_engine, results_engine, instance, tmp_path)
    recorded, counts, report_metadata = _check_dataset(instance, resources, results_engine, dataset_id)
    assert counts == (1, 2)  # Pelican's behaviour: the unregistered prefix fails too
    assert recorded["unverified_ocid_prefixes"] == {} and recorded["warnings"] == []
    assert recorded["configuration"]["codelists"]["ocid_prefixes"] == version.provenance()
    assert version.provenance()["source"] == server.url("/ocid.csv")
    assert report_metadata["codelists"].value["ocid_prefixes"]["sha256"] == version.sha256
    assert "warnings" not in report_metadata

    # The register changes afterwards (ocds-a2ef3d withdrawn): the export rebuilds the items' results
    # with the version the dataset was checked with.
    with results_engine.begin() as conn:
        store_version(conn, "ocid_prefixes", b"OCID\nocds-qqqqqq\n", "import", "/elsewhere.csv")
    export_dataset(results_engine, "prefixes", tmp_path / "out")
    with gzip.open(tmp_path / "out" / "items.jsonl.gz") as f:
        items = [orjson.loads(line) for line in f]
    outcomes = {item["ocid"]: _ocid_outcome(item["field_level"]) for item in items}
    assert outcomes == {"ocds-a2ef3d-1": True, "ocds-qqqqqq-2": False, "OCDS-bad-3": False}


def _ocid_outcome(field_level):
    (entry,) = field_level["checks"]["ocid"]
    (check,) = [c for c in entry["quality"]["check_results"] if c["name"] == "ocid_prefix_check"]
    return check["result"]
