"""The Definitions load, and resources follow the environment."""

import dagster as dg

import pelican_dagster.definitions as module


def test_definitions_load_and_hold_the_pipeline():
    defs = module.defs
    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("pelican")
    assert job.partitions_def.name == "datasets"
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"dataset_items", "item_checks"} <= keys
    assert defs.resolve_sensor_def("kingfisher_process_collections").job_name == "pelican"
    assert module.pelican_job_definition().name == "pelican"


def test_resources_use_env_vars_when_set(monkeypatch):
    monkeypatch.setenv("PELICAN_KINGFISHER_PROCESS_URL", "postgresql://u@h/kfp")
    monkeypatch.setenv("PELICAN_RESULTS_URL", "postgresql://u@h/pelican")
    resources = module.resources()
    # EnvVar values are resolved when Dagster initialises the resource (at run time).
    kfp = resources["kingfisher_process"].process_config_and_initialize()
    results = resources["results"].process_config_and_initialize()
    assert kfp.resolved_url() == "postgresql+psycopg2://u@h/kfp"
    assert results.resolved_url() == "postgresql+psycopg2://u@h/pelican"


def test_resources_default_to_the_embedded_server(monkeypatch):
    monkeypatch.delenv("PELICAN_KINGFISHER_PROCESS_URL", raising=False)
    monkeypatch.delenv("PELICAN_RESULTS_URL", raising=False)
    resources = module.resources()
    assert resources["kingfisher_process"].url is None and resources["results"].url is None


def test_workspace_file_points_at_the_module():
    from pathlib import Path

    text = (Path(__file__).parent.parent / "workspace.yaml").read_text()
    assert "pelican_dagster.definitions" in text


def test_the_codelists_asset_has_a_job_and_a_daily_schedule():
    defs = module.defs
    assert defs.resolve_job_def("codelists_refresh").name == "codelists_refresh"
    schedule = defs.resolve_schedule_def("codelists_daily")
    assert schedule.job_name == "codelists_refresh" and schedule.cron_schedule == "17 4 * * *"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
