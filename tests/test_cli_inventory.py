"""``pelican-dagster list``, ``status`` and ``--version``: the CLI in subprocesses on real databases and
a temporary Dagster instance, after a real ``check`` with an ancestor."""

import os
import subprocess
import sys

import pytest

from pelican_dagster.cli import main
from tests.conftest import DATA


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pelican_dagster.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def checked(db_env, tmp_path, monkeypatch):
    monkeypatch.setenv("PELICAN_REPORTS_DIR", str(tmp_path / "reports"))
    args = [
        "check",
        str(DATA / "paraguay.jsonl.gz"),
        "--ancestor",
        str(DATA / "paraguay.snapshot-a.jsonl.gz"),
    ]
    assert main([*args, "--out", str(tmp_path / "out"), "--no-items", "--in-process"]) == 0
    return {**db_env, "PELICAN_REPORTS_DIR": str(tmp_path / "reports")}


def test_version():
    result = _cli({}, "--version")
    assert result.returncode == 0 and result.stdout.startswith("pelican-dagster ")


def test_list_and_status(checked):
    listed = _cli(checked, "list")
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split()[:5] == ["dataset", "phase", "size", "source", "ancestor"]
    assert len(rows) == 2
    ancestor, dataset = (row.split() for row in rows)
    assert ancestor[1] == dataset[1] == "CHECKED/OK"
    assert dataset[2] == "12" and dataset[4] == ancestor[0]
    assert "%" in rows[1]  # pass rates

    status = _cli(checked, "status", dataset[0])
    assert status.returncode == 0, status.stderr
    text = status.stdout
    assert "CHECKED/OK" in text and "12 extracted, 12 checked" in text and ancestor[0] in text
    assert "last run" in text and "SUCCESS" in text


def test_status_of_an_unknown_dataset_is_one_clear_line(checked):
    result = _cli(checked, "status", "no-such-dataset")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "pelican-dagster: no dataset named 'no-such-dataset' (see pelican-dagster list)"
    ]
