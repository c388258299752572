"""Bad files and refused commands through the real CLI in a subprocess: one line, exit status 2, no
traceback, nothing registered."""

import gzip
import os
import subprocess
import sys

import dagster as dg
import pytest
import sqlalchemy as sa

from pelican_dagster.partitions import datasets
from tests.conftest import REPO

GOOD = b'{"ocid": "ocds-a-1"}\n'


def _write(path, content: bytes):
    path.write_bytes(content)
    return path


#: name → (how to make the path under tmp_path, expected words of the one line)
BAD_FILES = {
    "missing": (lambda p: p, "no such file"),
    "directory": (lambda p: p.mkdir() or p, "not a file"),
    "truncated gzip": (
        lambda p: _write(p, gzip.compress(GOOD * 100)[:25]),
        "truncated or corrupt gzip",
    ),
    "empty": (lambda p: _write(p, b""), "the file is empty"),
    "not JSON": (lambda p: _write(p, b"hello\n"), "line 1: invalid JSON"),
    "a JSON array": (lambda p: _write(p, b'[{"ocid": "x"}]\n'), "not an object: list"),
    "truncated JSON": (lambda p: _write(p, b'{"ocid": "x", "a": [\n'), "invalid JSON"),
    "no ocid": (lambda p: _write(p, b'{"foo": 1}\n'), "no line has an ocid"),
}


def _cli(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "pelican_dagster.cli", *args],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gives_one_line_and_status_2_with_nothing_registered(db_env, tmp_path, kfp_engine, case):
    make, words = BAD_FILES[case]
    path = make(tmp_path / "input.jsonl")
    completed = _cli(db_env, "check", str(path), "--out", str(tmp_path / "out"), "--in-process")
    assert completed.returncode == 2, completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in completed.stderr
    with kfp_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM collection")).scalar_one() == 0
    assert dg.DagsterInstance.get().get_dynamic_partitions(datasets.name) == []
    assert dg.DagsterInstance.get().get_runs() == []


def test_refused_commands_give_one_line_and_status_2(db_env, tmp_path):
    existing = tmp_path / "a-file"
    existing.write_text("x")
    cases = [
        (("filter", "nothing", "--filter", '{"max_items": 1}'), "no dataset named 'nothing'"),
        (("export", "nothing", "--out", str(tmp_path / "o")), "no dataset named 'nothing'"),
        (("report", "nothing", "--html", str(tmp_path / "r.html")), "no dataset named 'nothing'"),
        (("export", "nothing", "--out", str(existing)), "exists and is not a folder"),
        (("wipe", "nothing"), "no dataset named 'nothing'"),
        (("recheck", "nothing"), "no dataset named 'nothing'"),
    ]
    for args, words in cases:
        completed = _cli(db_env, *args)
        lines = completed.stderr.strip().splitlines()
        assert completed.returncode == 2 and len(lines) == 1 and words in lines[0], (args, completed.stderr)


def test_a_never_checked_dataset_is_not_exported(db_env, tmp_path):
    assert _cli(db_env, "load", str(REPO / "data" / "ocds" / "uganda.jsonl.gz")).returncode == 0
    from pelican_dagster.cli import Databases, register

    dbs = Databases.from_env()
    with dbs.kingfisher().connect() as conn:
        collection_id = conn.execute(sa.text("SELECT max(id) FROM collection")).scalar_one()
    name, _ = register(dbs, dg.DagsterInstance.get(), collection_id, None, {})
    completed = _cli(db_env, "export", name, "--out", str(tmp_path / "o"))
    assert completed.returncode == 2 and "is not checked yet (never run)" in completed.stderr
    assert not (tmp_path / "o").exists()
