"""The ``python -m pelican_dagster.reporting`` command."""

from __future__ import annotations

import pytest

from pelican_dagster.reporting.__main__ import main
from tests.conformance.compare import HERE


def test_writes_html_and_markdown(tmp_path):
    html, md = tmp_path / "r.html", tmp_path / "r.md"
    assert main([str(HERE / "armenia"), "--html", str(html), "--markdown", str(md), "--name", "Armenia"]) == 0
    assert "Data quality report: Armenia" in html.read_text(encoding="utf-8")
    assert md.read_text(encoding="utf-8").startswith("## Overview")


def test_markdown_to_stdout(capsys):
    assert main([str(HERE / "nigeria")]) == 0
    assert "## Dataset-level checks" in capsys.readouterr().out


def test_not_a_folder(tmp_path):
    with pytest.raises(SystemExit):
        main([str(tmp_path / "missing")])
