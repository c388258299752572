"""A snapshot of the definitions: what the UI, sensors and CLI rely on by name. A change here is a change
users see (asset keys, check names, jobs, sensors, schedules): update the expected lists on purpose."""

from __future__ import annotations

import pytest

from pelican_dagster.checks import compiled_release, dataset, time_based, versions
from pelican_dagster.definitions import defs

ASSETS = [
    "codelists",
    "dataset_checks",
    "dataset_items",
    "frontend_messages",
    "item_checks",
    "report",
    "time_based_checks",
]
JOBS = ["codelists_refresh", "filter_dataset", "pelican", "pelican_time_based", "wipe_dataset"]
SENSORS = [
    "ancestors_checked",
    "failed_runs",
    "kingfisher_process_collections",
    "pelican_frontend_messages",
    "pending_datasets",
]
SCHEDULES = ["codelists_daily"]


def _graph():
    return defs.resolve_asset_graph()


def test_asset_keys() -> None:
    keys = sorted(key.to_user_string() for key in _graph().get_all_asset_keys())
    assert keys == ASSETS


def test_jobs_sensors_schedules() -> None:
    repository = defs.get_repository_def()
    assert sorted(job for job in repository.job_names if not job.startswith("__")) == JOBS
    assert sorted(sensor.name for sensor in repository.sensor_defs) == SENSORS
    assert sorted(schedule.name for schedule in repository.schedule_defs) == SCHEDULES


def test_asset_check_names() -> None:
    checks: dict[str, set[str]] = {}
    for key in _graph().asset_check_keys:
        checks.setdefault(key.asset_key.to_user_string(), set()).add(key.name)
    assert checks["dataset_checks"] == {name.replace(".", "__") for name in dataset.CHECK_NAMES}
    assert checks["time_based_checks"] == {check.NAME for check in time_based.CHECKS}
    assert len(checks["dataset_checks"]) == 24
    assert checks["codelists"] == {"downloaded"}


@pytest.mark.parametrize(
    ("asset", "stages"),
    [
        ("dataset_items", ()),
        ("item_checks", ("field", "compiled_release")),
        ("dataset_checks", ("dataset",)),
        ("time_based_checks", ("time_based",)),
        ("report", ("field", "compiled_release")),
    ],
)
def test_code_versions_follow_the_checks_they_run(asset: str, stages: tuple[str, ...]) -> None:
    node = _graph().get(dg_key(asset))
    assert node.code_version == versions.code_version(*stages)
    assert node.code_version.startswith(versions.package_version() + "-")


def test_a_check_version_bump_changes_the_code_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = {stage: versions.code_version(stage) for stage in versions.STAGE_VERSIONS}
    name = compiled_release.CHECK_NAMES[0]
    monkeypatch.setitem(versions.STAGE_VERSIONS["compiled_release"], name, 99.0)
    after = {stage: versions.code_version(stage) for stage in versions.STAGE_VERSIONS}
    assert after["compiled_release"] != before["compiled_release"]
    assert {s: v for s, v in after.items() if s != "compiled_release"} == {
        s: v for s, v in before.items() if s != "compiled_release"
    }


def dg_key(name: str):
    import dagster as dg

    return dg.AssetKey(name)
