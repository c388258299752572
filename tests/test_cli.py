"""The ``pelican-dagster`` commands, run against real databases and a temporary Dagster instance."""

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from pelican_dagster.cli import main
from pelican_dagster.partitions import datasets
from tests.conftest import DATA, REPO

EXPORT_FILES = {
    "dataset_meta.json",
    "items.jsonl.gz",
    "dataset_level.jsonl.gz",
    "time_based.jsonl.gz",
    "reports.jsonl.gz",
    "examples.jsonl.gz",
}


def _lines(path: Path) -> list[dict]:
    with gzip.open(path, "rt") as f:
        return [json.loads(line) for line in f]


def test_check_paraguay_writes_the_export_folder(db_env, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["check", str(DATA / "paraguay.jsonl.gz"), "--out", str(out), "--in-process"]) == 0
    assert {p.name for p in out.iterdir()} == EXPORT_FILES
    meta = json.loads((out / "dataset_meta.json").read_text())
    assert meta["size"] == 12 and meta["state"] == "OK"
    items = _lines(out / "items.jsonl.gz")
    assert len(items) == 12
    assert [i["line"] for i in items] == list(range(1, 13))
    with gzip.open(DATA / "paraguay.jsonl.gz", "rt") as f:
        assert [i["ocid"] for i in items] == [json.loads(line)["ocid"] for line in f]
    assert all(set(i) == {"ocid", "line", "item_id", "field_level", "resource_level"} for i in items)
    assert _lines(out / "time_based.jsonl.gz") == []
    assert "wrote" in capsys.readouterr().out


def test_check_with_ancestor_no_items_and_max_items(db_env, tmp_path):
    out = tmp_path / "out"
    code = main(
        [
            "check",
            str(DATA / "paraguay.jsonl.gz"),
            "--ancestor",
            str(DATA / "paraguay.snapshot-a.jsonl.gz"),
            "--out",
            str(out),
            "--no-items",
            "--max-items",
            "5",
            "--in-process",
        ]
    )
    assert code == 0
    assert not (out / "items.jsonl.gz").exists()
    assert json.loads((out / "dataset_meta.json").read_text())["size"] == 5
    engine = sa.create_engine(
        db_env["PELICAN_RESULTS_URL"].replace("postgresql://", "postgresql+psycopg2://")
    )
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, name, ancestor_id FROM dataset ORDER BY id")).all()
    engine.dispose()
    assert len(rows) == 2 and rows[1].ancestor_id == rows[0].id
    instance = dg.DagsterInstance.get()
    assert set(instance.get_dynamic_partitions(datasets.name)) == {rows[0].name, rows[1].name}


def test_bad_lines_are_reported_not_fatal(db_env, tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"ocid": "ocds-a-1"}\nnot json\n{"ocid": "ocds-a-2"}\n')
    out = tmp_path / "out"
    assert main(["check", str(path), "--out", str(out), "--in-process"]) == 0
    assert "skipped line 2: invalid JSON" in capsys.readouterr().err
    assert [i["line"] for i in _lines(out / "items.jsonl.gz")] == [1, 3]


def test_load_and_export_commands(db_env, tmp_path, capsys):
    assert main(["load", str(DATA / "uganda.jsonl.gz"), "--source-id", "uganda_x"]) == 0
    assert "10 compiled releases" in capsys.readouterr().out
    assert main(["export", "no-such-dataset", "--out", str(tmp_path / "x")]) == 2


def test_export_of_a_checked_dataset_recovers_lines(db_env, tmp_path):
    first = tmp_path / "first"
    assert main(["check", str(DATA / "uganda.jsonl.gz"), "--out", str(first), "--in-process"]) == 0
    key = next(iter(dg.DagsterInstance.get().get_dynamic_partitions(datasets.name)))
    again = tmp_path / "again"
    assert main(["export", key, "--out", str(again)]) == 0
    assert _lines(again / "items.jsonl.gz") == _lines(first / "items.jsonl.gz")


def test_failed_run_exits_non_zero(db_env, tmp_path):
    path = tmp_path / "huge.jsonl"
    path.write_text('{"ocid": "ocds-a-1", "padding": "' + "x" * 100 + '"}\n')
    # A 1-byte size limit leaves nothing to extract: the run fails, the command says so.
    assert main(["check", str(path), "--out", str(tmp_path / "o"), "--max-size", "1", "--in-process"]) == 1


@pytest.mark.slow
def test_check_with_the_multiprocess_executor_as_a_subprocess(db_env, tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, **db_env}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican_dagster.cli",
            "check",
            str(DATA / "uganda.jsonl.gz"),
            "--out",
            str(out),
            "--multiprocess",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "with the multiprocess executor" in completed.stdout
    assert len(_lines(out / "items.jsonl.gz")) == 10
    # The CLI had no other thread when the run started: its steps were forked from it, not from a
    # fork server (executors.WarmMultiprocessExecutor), each in a process of its own.
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        records = instance.all_logs(run.run_id)
    messages = [r.user_message for r in records]
    assert "step processes start by fork" in messages
    pids = {
        r.dagster_event.event_specific_data.metadata["pid"].value
        for r in records
        if r.dagster_event and r.dagster_event.event_type_value == "STEP_WORKER_STARTED"
    }
    assert len(pids) == len({r.step_key for r in records if r.step_key})


def test_a_small_file_runs_in_process_by_default(db_env, tmp_path, capsys):
    # Step processes would cost more start-up than a one-chunk dataset takes to check.
    assert main(["check", str(DATA / "uganda.jsonl.gz"), "--out", str(tmp_path / "out"), "--no-items"]) == 0
    assert "(10 items, in this process)" in capsys.readouterr().out


def test_demo_checks_the_bundled_data(db_env, tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--in-process"]) == 0
    assert json.loads((out / "dataset_meta.json").read_text())["size"] == 12
    printed = capsys.readouterr().out
    assert str(out) in printed and "pelican-dagster ui" in printed


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "f.jsonl.gz", "--out", "o", "--in-process", "--multiprocess"],
        ["check", "f.jsonl.gz", "--out", "o", "--in-process", "--executor", "celery"],
        ["check", "f.jsonl.gz", "--out", "o", "--multiprocess", "--executor", "in_process"],
        ["filter", "d", "--in-process", "--executor", "multiprocess"],
        ["demo", "--in-process", "--executor", "celery"],
    ],
    ids=["in-process+multiprocess", "in-process+executor", "multiprocess+executor", "filter", "demo"],
)
def test_executor_options_are_exclusive(argv, capsys):
    from pelican_dagster.cli import parser

    with pytest.raises(SystemExit) as exit_:
        parser().parse_args(argv)
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_the_command_exits_without_collecting_what_it_holds():
    """``pelican-dagster`` (``cli.run``) freezes the collector before the interpreter exits: the final
    collection of everything a check leaves behind took over a second after the last line."""
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count()))\n"
        "sys.argv = ['pelican-dagster', '--version']\n"
        "from pelican_dagster.cli import run\n"
        "run()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    frozen = int(done.stdout.split("frozen")[-1])
    assert frozen > 0
