"""The check catalogue covers every check the registries run, and docs/checks.md is up to date."""

import pathlib

import pytest

from pelican_dagster.checks import catalogue
from pelican_dagster.checks.compiled_release import CHECK_NAMES as COMPILED_RELEASE
from pelican_dagster.checks.dataset import CHECK_NAMES as DATASET
from pelican_dagster.checks.field.paths import PATHS, QUALITY_CHECKS
from pelican_dagster.checks.time_based import CHECKS as TIME_BASED

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"

REGISTRIES = [
    ("coverage", ("exists", "non_empty")),
    ("quality", QUALITY_CHECKS),
    ("compiled_release", COMPILED_RELEASE),
    ("dataset", DATASET),
    ("time_based", tuple(check.NAME for check in TIME_BASED)),
]


@pytest.mark.parametrize(("level", "name"), [(level, name) for level, names in REGISTRIES for name in names])
def test_every_check_has_a_complete_entry(level, name):
    entry = catalogue.entry(name)
    assert entry is not None, f"{name} has no catalogue entry"
    assert entry.level == level
    for field in ("title", "measures", "passes", "not_applicable", "on_failure", "section"):
        assert getattr(entry, field).strip(), f"{name}: empty {field}"


def test_counts_and_no_stray_entries():
    counts = {level: len(names) for level, names in REGISTRIES}
    assert counts == {"coverage": 2, "quality": 10, "compiled_release": 37, "dataset": 24, "time_based": 3}
    registered = {name for _, names in REGISTRIES for name in names}
    assert set(catalogue.CATALOGUE) == registered


def test_every_field_path_has_a_summary():
    assert len(PATHS) == 559
    for path in PATHS:
        assert path.quality is None or path.quality in catalogue.CATALOGUE
        assert path.path in catalogue.field_path_summary(path.path, path.quality, path.past, path.section)


def test_docs_checks_md_is_generated_from_the_catalogue():
    text = (DOCS / "checks.md").read_text(encoding="utf-8")
    assert catalogue.splice(text) == text, "run: python -m pelican_dagster.checks.catalogue"
