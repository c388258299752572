"""Reading the reference results (copies of Pelican's outputs) and comparing under docs/export-format.md.

Ignored: random examples (every key ending in ``examples``), ``version``, database ids (``item_id``),
``processing_order`` and ``examples_filled``, and the wording of ``reason`` (only whether one is given).
Numbers compare as floats to 1e-9.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
REPO = HERE.parent.parent
DATA = REPO / "data" / "ocds"
CODELISTS = HERE / "codelists"
IGNORED_KEYS = {"version", "item_id", "processing_order", "examples_filled"}

#: Every reference folder, and the input (and ancestor) file it was made from.
FOLDERS = sorted(p.name for p in HERE.iterdir() if (p / "manifest.json").exists())


def input_file(folder: str) -> Path:
    """The OCDS file a reference folder was made from."""
    return DATA / f"{folder.removesuffix('.time-based')}.jsonl.gz"


def ancestor_file(folder: str) -> Path | None:
    """The ancestor OCDS file of a ``*.time-based`` folder, else None."""
    if folder.endswith(".time-based"):
        return DATA / f"{folder.removesuffix('.time-based')}.snapshot-a.jsonl.gz"
    return None


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """All lines of a (gzip) JSON Lines file."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def iter_items(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, compiled release)`` for every line of an OCDS JSON Lines file."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                yield number, json.loads(line)


def reference(folder: str, name: str) -> Any:
    """A reference file: ``items``, ``dataset_level``, ``time_based``, ``reports`` or ``dataset_meta``."""
    if name == "dataset_meta":
        return json.loads((HERE / folder / "dataset_meta.json").read_text())
    return read_jsonl(HERE / folder / f"{name}.jsonl.gz")


def norm(value: Any) -> Any:
    """Normalise a JSON value for comparison (see the module docstring)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in IGNORED_KEYS or k.endswith("examples"):
                continue
            out[k] = (v is not None) if k == "reason" else norm(v)
        return out
    if isinstance(value, list):
        return [norm(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def equal(a: Any, b: Any) -> bool:
    """Deep equality of normalised values, floats to 1e-9."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def first_diff(a: Any, b: Any, path: str = "") -> str:
    """A readable description of the first difference between two normalised values."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                return f"{path}.{k}: missing in reference"
            if k not in b:
                return f"{path}.{k}: missing in ours"
            if not equal(a[k], b[k]):
                return first_diff(a[k], b[k], f"{path}.{k}")
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: list length reference {len(a)} vs ours {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if not equal(x, y):
                return first_diff(x, y, f"{path}[{i}]")
    return f"{path}: reference {json.dumps(a)[:200]} vs ours {json.dumps(b)[:200]}"


def differences(expected: Any, actual: Any, label: str = "") -> list[str]:
    """[] when equal under the rules, else one line describing the first difference."""
    a, b = norm(expected), norm(actual)
    return [] if equal(a, b) else [f"{label}{first_diff(a, b)}"]
