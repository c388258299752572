"""The layering the README's "Layout" describes: the plain layers import no Dagster and none of the
Dagster wiring, so that every check, query and rendering can be used, tested and benchmarked alone."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import pelican_dagster

PACKAGE = Path(pelican_dagster.__file__).parent
PLAIN = ("checks", "pipeline", "storage", "reporting", "frontend")
WIRING = ("assets", "jobs", "automation", "execution", "resources", "definitions", "cli", "partitions")


def _plain_modules() -> list[str]:
    return sorted(
        path.relative_to(PACKAGE).as_posix() for layer in PLAIN for path in (PACKAGE / layer).rglob("*.py")
    )


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("module", _plain_modules())
def test_a_plain_module_imports_no_dagster_and_no_wiring(module):
    """Imports inside functions count too: a lazy import is still a dependency."""
    wrong = sorted(
        name
        for name in _imports(PACKAGE / module)
        if name.split(".")[0].startswith("dagster")
        or any(name.startswith(f"pelican_dagster.{part}") for part in WIRING)
    )
    assert wrong == [], f"{module} imports {wrong}"


def test_the_package_root_holds_only_the_wiring():
    modules = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__"}
    assert modules == {"cli", "definitions", "partitions", "settings"}


def test_importing_every_plain_module_loads_no_dagster():
    """In a fresh interpreter, so that nothing this test session imported hides a dependency."""
    names = [f"pelican_dagster.{m.removesuffix('.py').replace('/', '.')}" for m in _plain_modules()]
    # Migrations run only inside Alembic (their env.py needs its context).
    names = [
        n.removesuffix(".__init__")
        for n in names
        if not n.endswith("__main__") and ".storage.migrations" not in n
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'dagster'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _project_imports() -> list[tuple[str, str]]:
    """``(file, module)`` of every ``pelican_dagster`` import in the package, tests and benchmarks,
    those inside functions included (a lazy import of a moved module fails only when it runs)."""
    root = PACKAGE.parent
    found = []
    for folder in ("pelican_dagster", "tests", "benchmarks"):
        for path in sorted((root / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                found += [
                    (path.relative_to(root).as_posix(), n) for n in names if n.startswith("pelican_dagster")
                ]
    return found


def test_every_project_import_names_a_module_that_exists():
    import importlib.util

    def exists(module: str) -> bool:
        # Within this checkout: an editable install elsewhere must not stand in for a moved module.
        spec = importlib.util.find_spec(module)
        return spec is not None and str(spec.origin or "").startswith(str(PACKAGE))

    missing = sorted({(f, m) for f, m in _project_imports() if not exists(m)})
    assert missing == []


@pytest.mark.parametrize("module", sorted(p.name for p in (PACKAGE / "assets").glob("*.py")))
def test_the_assets_hold_no_sql(module):
    """Queries live in ``storage/``: an asset passes an engine or a connection to it, nothing more."""
    path = PACKAGE / "assets" / module
    wrong = sorted(
        n for n in _imports(path) if n.startswith("sqlalchemy") and not n.startswith("sqlalchemy.engine")
    )
    assert wrong == []
    assert "conn.execute(" not in path.read_text()
