"""Numbers and orderings shared by every presentation (Markdown, charts, HTML).

Stored reports are untrusted JSON: a count that is not a number reads as 0 and a missing group as
empty, so that a damaged report still renders.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any

#: Symbols of the three outcomes of a check (dataset-level and time-based results).
BADGES = {True: "✅ pass", False: "❌ fail", None: "➖ n/a"}


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")
_WHITESPACE = re.compile(r"\s+")


def md_text(value: Any, limit: int = 200) -> str:
    """``value`` as inline Markdown text: one line, at most ``limit`` characters, nothing interpreted.

    HTML is escaped and Markdown syntax backslash-escaped, so a ``<script>`` or ``|`` in the data can
    neither run nor break a table cell.
    """
    text = _WHITESPACE.sub(" ", "" if value is None else str(value)).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def pass_rate(passed: Any, total: Any) -> float | None:
    """``passed`` as a percentage (0–100) of ``total``; None when there is nothing to rate."""
    p, t = count(passed), count(total)
    if t <= 0:
        return None
    return 100.0 * p / t


#: The keys of :func:`report_totals`, which add up across chunks.
TOTAL_KEYS = (
    "coverage_passed",
    "coverage_total",
    "quality_passed",
    "quality_total",
    "compiled_release_passed",
    "compiled_release_total",
)


def report_totals(field_report: dict[str, Any], resource_report: dict[str, Any]) -> dict[str, int]:
    """Passed and judged counts over every path (coverage, quality) and every compiled-release check
    (items with a result; not applicable ones are not judged). Sums of counts, so the totals of chunks
    add up to the dataset's."""
    totals = dict.fromkeys(TOTAL_KEYS, 0)
    for entry in field_report.values():
        for group in ("coverage", "quality"):
            counts = as_dict(as_dict(entry).get(group))
            totals[f"{group}_passed"] += count(counts.get("passed_count"))
            totals[f"{group}_total"] += count(counts.get("passed_count")) + count(counts.get("failed_count"))
    for entry in resource_report.values():
        entry = as_dict(entry)
        totals["compiled_release_passed"] += count(entry.get("passed_count"))
        totals["compiled_release_total"] += count(entry.get("passed_count")) + count(
            entry.get("failed_count")
        )
    return totals


def count(value: Any) -> int:
    """A stored count as an int (0 for anything that is not a finite number; bools are not counts)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    return 0


def number(value: Any) -> float | None:
    """A stored number as a float, or None (bools and non-finite values are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def fmt_rate(rate: float | None) -> str:
    """A percentage for people: ``97.5 %``, ``100 %``, ``<0.1 %``; ``–`` when undefined."""
    if rate is None:
        return "–"
    if rate == 100 or rate == 0:
        return f"{rate:.0f} %"
    if rate < 0.1:
        return "<0.1 %"
    if rate > 99.9:
        return ">99.9 %"
    return f"{rate:.1f} %"


def fmt_share(share: Any) -> str:
    """A stored share (0–1) as a percentage for people (``–`` when not a number)."""
    value = number(share)
    return fmt_rate(None if value is None else 100 * value)


def fmt_int(value: Any) -> str:
    """A count with thousands separators (``12,345``)."""
    return f"{count(value):,}"


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a dict, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class FieldRow:
    """One field path of the field-level report (docs/report-shapes.md §5.2), with its pass rates."""

    path: str
    group: str
    coverage_passed: int
    coverage_total: int
    quality_passed: int
    quality_total: int
    coverage_checks: dict[str, tuple[int, int]]
    quality_checks: dict[str, tuple[int, int]]

    @property
    def coverage_rate(self) -> float | None:
        return pass_rate(self.coverage_passed, self.coverage_total)

    @property
    def quality_rate(self) -> float | None:
        return pass_rate(self.quality_passed, self.quality_total)

    @property
    def coverage_failed(self) -> int:
        return self.coverage_total - self.coverage_passed

    @property
    def quality_failed(self) -> int:
        return self.quality_total - self.quality_passed

    @property
    def worst_rate(self) -> float | None:
        """The lower of the two pass rates (None when neither is defined)."""
        rates = [r for r in (self.coverage_rate, self.quality_rate) if r is not None]
        return min(rates) if rates else None


def _checks(group: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {
        str(name): (count(as_dict(c).get("passed_count")), count(as_dict(c).get("total_count")))
        for name, c in as_dict(group.get("checks")).items()
    }


def field_rows(report: dict[str, Any]) -> list[FieldRow]:
    """Every path of a field-level report, worst first.

    Order: paths that occur, by their lower pass rate (coverage or quality), then by coverage rate, then
    by name; then the paths that never occur (no entries at all), by name.
    """
    rows = []
    for path, entry in as_dict(report).items():
        entry = as_dict(entry)
        cov, qual = as_dict(entry.get("coverage")), as_dict(entry.get("quality"))
        rows.append(
            FieldRow(
                path=str(path),
                group=str(path).split(".", 1)[0],
                coverage_passed=count(cov.get("passed_count")),
                coverage_total=count(cov.get("total_count")),
                quality_passed=count(qual.get("passed_count")),
                quality_total=count(qual.get("total_count")),
                coverage_checks=_checks(cov),
                quality_checks=_checks(qual),
            )
        )

    def key(row: FieldRow) -> tuple:
        worst = row.worst_rate
        cov = row.coverage_rate
        return (worst is None, worst or 0.0, 101.0 if cov is None else cov, row.path)

    return sorted(rows, key=key)


@dataclass(frozen=True)
class ResourceRow:
    """One compiled-release-level check of the report (docs/report-shapes.md §5.1)."""

    name: str
    passed: int
    failed: int
    undefined: int
    individual_passed: int
    individual_application: int

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.undefined

    @property
    def rate(self) -> float | None:
        """Share of items passing among the items the check applied to."""
        return pass_rate(self.passed, self.passed + self.failed)

    @property
    def individual_failed(self) -> int:
        return self.individual_application - self.individual_passed

    @property
    def individual_rate(self) -> float | None:
        return pass_rate(self.individual_passed, self.individual_application)


def resource_rows(report: dict[str, Any]) -> list[ResourceRow]:
    """Every check of a compiled-release-level report, worst pass rate first, never-applied checks last."""
    rows = []
    for name, entry in as_dict(report).items():
        entry = as_dict(entry)
        rows.append(
            ResourceRow(
                name=str(name),
                passed=count(entry.get("passed_count")),
                failed=count(entry.get("failed_count")),
                undefined=count(entry.get("undefined_count")),
                individual_passed=count(entry.get("individual_passed_count")),
                individual_application=count(entry.get("individual_application_count")),
            )
        )
    return sorted(rows, key=lambda r: (r.rate is None, r.rate or 0.0, -r.failed, r.name))


def result_of(row: dict[str, Any], key: str = "result") -> bool | None:
    """A stored result as True/False/None (anything else counts as not applicable)."""
    value = row.get(key)
    return value if isinstance(value, bool) else None


def dataset_note(row: dict[str, Any]) -> str:
    """A one-line summary of a dataset-level result: the N/A reason, or what the meta says."""
    meta = as_dict(row.get("meta"))
    if result_of(row) is None and meta.get("reason") is not None:
        return f"n/a: {meta.get('reason')}"
    if "shares" in meta and "sums" in meta:
        shares = as_dict(meta["shares"])
        top = number(shares.get("0_1"))
        text = f"top 1 % of values hold {fmt_rate(None if top is None else 100 * top)} of the total"
        return f"{text} ({fmt_int(sum(count(v) for v in as_dict(meta.get('counts')).values()))} values)"
    if "shares" in meta:
        shares = sorted(
            (
                (str(code), number(as_dict(s).get("share")) or 0.0)
                for code, s in as_dict(meta["shares"]).items()
            ),
            key=lambda cs: -cs[1],
        )
        listed = ", ".join(f"{code} {fmt_rate(100 * share)}" for code, share in shares[:3])
        more = f" and {len(shares) - 3} more" if len(shares) > 3 else ""
        return f"{len(shares)} code{'' if len(shares) == 1 else 's'}: {listed}{more}"
    if "most_frequent" in meta:
        frequent = as_list(meta["most_frequent"])
        if frequent:
            first = as_dict(frequent[0])
            share = number(first.get("share"))
            return (
                f"most frequent: {first.get('value_str')} × {fmt_int(first.get('count'))} "
                f"({fmt_share(share)}) of {fmt_int(meta.get('total_processed'))}"
            )
    if "specifics" in meta:
        share = number(meta.get("ocid_share"))
        buyer = as_dict(meta.get("specifics")).get("buyer.id")
        return (
            f"largest buyer {buyer}: {fmt_int(meta.get('ocid_count'))} of"
            f" {fmt_int(meta.get('total_ocid_count'))} items ({fmt_share(share)})"
        )
    if "counts" in meta and "total_unique_count" in meta:
        single = count(as_dict(as_dict(meta["counts"]).get("1")).get("total_unique_count"))
        return (
            f"{fmt_int(meta.get('total_unique_count'))} buyers in"
            f" {fmt_int(meta.get('total_ocid_count'))} items; {fmt_int(single)} buyers appear once"
        )
    if "total_processed" in meta and "total_passed" in meta:
        return f"{fmt_int(meta.get('total_passed'))} of {fmt_int(meta.get('total_processed'))} passed"
    return ""
