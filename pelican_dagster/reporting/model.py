"""The in-memory shape of one checked dataset's results, as the presentation layer reads it.

The shapes inside are exactly those that Pelican stores (docs/report-shapes.md §3–§7); ``from_export_dir``
reads them from an export folder (docs/export-format.md).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class ReportData:
    """Everything a report presents about one dataset.

    ``field_report`` is docs/report-shapes.md §5.2 (path → counts), ``resource_report`` §5.1 (check name →
    counts), ``resource_examples`` §6.1 per check name, ``field_examples`` §6.2 per path,
    ``dataset_level`` §3 rows and ``time_based`` §4 rows. ``ancestor`` names the dataset the
    time-based checks compared with (None when there was none, or it is unknown and no rows exist).
    """

    name: str
    meta: dict[str, Any] = field(default_factory=dict)
    phase: str | None = None
    state: str | None = None
    size: int | None = None
    field_report: dict[str, dict[str, Any]] = field(default_factory=dict)
    resource_report: dict[str, dict[str, Any]] = field(default_factory=dict)
    resource_examples: dict[str, dict[str, Any]] = field(default_factory=dict)
    field_examples: dict[str, dict[str, Any]] = field(default_factory=dict)
    dataset_level: list[dict[str, Any]] = field(default_factory=list)
    time_based: list[dict[str, Any]] = field(default_factory=list)
    ancestor: str | None = None
    #: The ancestor's results (without examples), for "then and now" per check.
    ancestor_data: ReportData | None = None
    #: Earlier checked datasets of the same source (and the ancestor chain), oldest first, without
    #: examples: the history chart.
    history: list[ReportData] = field(default_factory=list)

    @property
    def has_time_based(self) -> bool:
        """True when time-based results exist (the dataset had an ancestor with items)."""
        return bool(self.time_based)

    @classmethod
    def from_export_dir(cls, path: str | Path, name: str | None = None) -> ReportData:
        """Read an export folder (docs/export-format.md). Missing files give empty parts, not errors.

        ``name`` defaults to the folder's name. The ancestor's name comes from ``manifest.json`` when the
        folder has one (the reference folders do).
        """
        folder = Path(path)
        data = cls(name=name or folder.name)
        meta_file = folder / "dataset_meta.json"
        if meta_file.exists():
            stored = json.loads(meta_file.read_text(encoding="utf-8"))
            data.meta = _as_dict(stored.get("meta"))
            data.phase = stored.get("phase")
            data.state = stored.get("state")
            data.size = stored.get("size")
        for row in _read_jsonl(folder / "reports.jsonl.gz"):
            if row.get("type") == "field_level_check":
                data.field_report = _as_dict(row.get("data"))
            elif row.get("type") == "resource_level_check":
                data.resource_report = _as_dict(row.get("data"))
        for row in _read_jsonl(folder / "examples.jsonl.gz"):
            target = {
                "field_level_check": data.field_examples,
                "resource_level_check": data.resource_examples,
            }.get(row.get("type"))
            if target is not None and isinstance(row.get("key"), str):
                target[row["key"]] = _as_dict(row.get("data"))
        data.dataset_level = list(_read_jsonl(folder / "dataset_level.jsonl.gz"))
        data.time_based = list(_read_jsonl(folder / "time_based.jsonl.gz"))
        manifest = folder / "manifest.json"
        if manifest.exists():
            ancestor = _as_dict(_as_dict(json.loads(manifest.read_text(encoding="utf-8"))).get("inputs")).get(
                "ancestor"
            )
            if isinstance(ancestor, dict):
                data.ancestor = str(ancestor.get("path") or "ancestor")
            elif isinstance(ancestor, str):
                data.ancestor = ancestor
        return data


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a gzip JSON Lines file; nothing when the file does not exist."""
    if not path.exists():
        return
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                if isinstance(row, dict):
                    yield row
