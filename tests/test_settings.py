"""Environment variables are named in one place (``pelican_dagster.settings``) and the README explains
every one of them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pelican_dagster import settings

PACKAGE = Path(settings.__file__).parent
README = (PACKAGE.parent / "README.md").read_text()
NAME = re.compile(r"(PELICAN_[A-Z0-9_]+|RABBIT_URL|RABBIT_EXCHANGE_NAME|DAGSTER_HOME)")

VARIABLES = sorted(
    value
    for key, value in vars(settings).items()
    if key.isupper() and isinstance(value, str) and NAME.fullmatch(value)
)


def _spelled_names(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module that are a whole variable name (docstrings and messages that
    mention a name are prose, not a second definition)."""
    tree = ast.parse(path.read_text())
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and NAME.fullmatch(node.value)
    ]


def test_settings_names_every_variable_once():
    assert len(VARIABLES) == len(set(VARIABLES))
    assert len(VARIABLES) >= 30


@pytest.mark.parametrize(
    "path", sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")), ids=str
)
def test_no_other_module_spells_a_variable_name(path):
    if path == "settings.py":
        return
    assert _spelled_names(PACKAGE / path) == [], f"read it through pelican_dagster.settings in {path}"


@pytest.mark.parametrize("name", VARIABLES)
def test_the_readme_explains_each_variable(name):
    assert f"`{name}`" in README, f"{name} is not in the README's Configuration"
