"""``pelican-dagster codelists import`` and ``codelists status`` in subprocesses, on a real database."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from tests.register_server import FULL_REGISTER


def _cli(db_env, *args):
    env = {**os.environ, **db_env}
    env.pop("PELICAN_OCID_PREFIXES_FILE", None)
    env.pop("PELICAN_ORG_ID_FILE", None)
    return subprocess.run(
        [sys.executable, "-m", "pelican_dagster.cli", "codelists", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_status_before_anything_is_stored_names_the_snapshot(db_env):
    result = _cli(db_env, "status")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ocid_prefixes: 12 entries, snapshot -, sha256 ")
    assert lines[0].endswith("(only the shipped snapshot)")
    assert "pelican_dagster/data/codelists/ocid_prefixes.csv" in lines[1]
    (document_type,) = [line for line in lines if line.startswith("documentType:")]
    assert document_type.endswith("(OCDS codelist, bundled as in Pelican)")
    assert "well-formed prefixes missing from it pass unverified" in result.stdout


def test_import_makes_the_file_the_version_in_use(db_env, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(FULL_REGISTER)
    result = _cli(db_env, "import", "ocid_prefixes", str(path))
    assert result.returncode == 0, result.stderr
    digest = hashlib.sha256(FULL_REGISTER).hexdigest()
    assert result.stdout.strip() == f"imported 4 ocid_prefixes entries, sha256 {digest}: now in use"
    again = _cli(db_env, "import", "ocid_prefixes", str(path))
    assert "unchanged" in again.stdout

    status = _cli(db_env, "status").stdout.splitlines()
    assert status[0].startswith("ocid_prefixes: 4 entries, imported 20")
    assert status[0].endswith(f"sha256 {digest}")
    assert status[1] == f"  source: {path.resolve()}"
    assert "unverified" not in "\n".join(status)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "languages", "x.csv"], "unknown register 'languages': one of ocid_prefixes, org-id"),
        (["import", "org-id", "/nonexistent/file.csv"], "cannot import /nonexistent/file.csv as org-id:"),
        (["import", "ocid_prefixes", "{html}"], "no 'OCID' column"),
    ],
)
def test_bad_imports_are_one_clear_line(db_env, tmp_path, args, message):
    html = tmp_path / "page.html"
    html.write_text("<html>Sign in</html>")
    args = [str(html) if a == "{html}" else a for a in args]
    result = _cli(db_env, *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
