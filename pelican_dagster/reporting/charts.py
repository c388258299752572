"""Charts: Unicode bar charts in Markdown for the Dagster UI, and SVG for the HTML report.

Dagster renders Markdown metadata but no images or scripts, so its charts are text bars in a code
block. The SVG functions build plain strings (no plotting library) and escape every label: data is
untrusted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from pelican_dagster.reporting.summary import (
    as_dict,
    as_list,
    count,
    field_rows,
    fmt_int,
    fmt_rate,
    md_text,
    number,
    result_of,
)

#: Eighths of a block, for bars with sub-character precision.
_EIGHTHS = " ▏▎▍▌▋▊▉"
_UNSAFE_IN_CODE = re.compile(r"[`\x00-\x1f\x7f]")

#: Buckets of a pass-rate histogram: ten 10 % buckets, with exactly 100 % apart (most paths sit there).
RATE_BUCKETS = [f"{lo}–{lo + 10} %" for lo in range(0, 100, 10)] + ["100 %"]
#: The bands of the value distributions and the buckets of distribution.buyer, in display order.
VALUE_BANDS = {"0_1": "top 1 %", "1_5": "1–5 %", "5_20": "5–20 %", "20_50": "20–50 %", "50_100": "50–100 %"}
BUYER_BUCKETS = {"1": "1 item", "2_20": "2–20", "21_50": "21–50", "51_100": "51–100", "100+": "over 100"}


def text_bar(fraction: float, width: int = 30) -> str:
    """A bar of ``fraction`` (0–1) of ``width`` characters, with eighth-character precision."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full + (_EIGHTHS[part] if part else "")
    return bar.ljust(width)


def _code_label(value: Any, limit: int = 24) -> str:
    """A label that is safe inside a fenced code block (no backticks or control characters).

    Angle brackets become look-alikes: CommonMark keeps a code block's HTML literal, but not every
    renderer follows it, and the data is untrusted.
    """
    text = _UNSAFE_IN_CODE.sub(" ", str(value)).replace("<", "‹").replace(">", "›")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bars_md(items: Sequence[tuple[Any, ...]], width: int = 30) -> str:
    """A fenced code block with one bar per ``(label, fraction 0–1, text after the bar)``."""
    if not items:
        return ""
    labels = [_code_label(item[0]) for item in items]
    pad = max(len(label) for label in labels)
    lines = [
        f"{label.rjust(pad)} │{text_bar(fraction, width)} {_code_label(note, 40)}"
        for label, (_, fraction, note, *_colour) in zip(labels, items, strict=True)
    ]
    return "```\n" + "\n".join(lines) + "\n```"


def rate_buckets(rates: Sequence[float]) -> list[int]:
    """How many rates (0–100) fall in each of :data:`RATE_BUCKETS`."""
    counts = [0] * len(RATE_BUCKETS)
    for rate in rates:
        counts[10 if rate >= 100 else min(max(int(rate // 10), 0), 9)] += 1
    return counts


def _histogram_items(rates: list[float]) -> list[tuple[str, float, str]]:
    counts = rate_buckets(rates)
    most = max(counts) or 1
    return [(label, n / most, f"{n:,}") for label, n in zip(RATE_BUCKETS, counts, strict=True)]


def coverage_histogram_md(field_report: dict[str, Any]) -> str:
    """Markdown histograms of the coverage and quality pass rates of the paths that occur."""
    rows = field_rows(field_report)
    coverage = [r.coverage_rate for r in rows if r.coverage_rate is not None]
    quality = [r.quality_rate for r in rows if r.quality_rate is not None]
    if not coverage:
        return ""
    parts = [f"**Coverage pass rate** of the {len(coverage):,} paths that occur (paths per bucket)"]
    parts.append(bars_md(_histogram_items(coverage)))
    if quality:
        parts.append(f"**Quality pass rate** of the {len(quality):,} paths with quality results")
        parts.append(bars_md(_histogram_items(quality)))
    return "\n\n".join(parts)


# --- what each dataset-level check's meta shows ---------------------------------------------------------


def chart_items(row: dict[str, Any], top: int = 10) -> tuple[str, list[tuple[str, float, str]]]:
    """The title and bars ``(label, fraction 0–1, note)`` that picture one dataset-level result.

    Code shares, value bands, repeated values, buyer buckets, the largest buyer's share or the
    passed share; an empty list for a result with nothing to draw (N/A, or an unknown meta).
    """
    meta = as_dict(row.get("meta"))
    if result_of(row) is None:
        return "", []
    if "shares" in meta and "sums" in meta:
        shares, counts = as_dict(meta["shares"]), as_dict(meta.get("counts"))
        items = [
            (
                label,
                number(shares.get(band)) or 0.0,
                f"{fmt_rate(100 * (number(shares.get(band)) or 0.0))}"
                f" of the sum, {fmt_int(counts.get(band))} values",
            )
            for band, label in VALUE_BANDS.items()
        ]
        return "Share of the total amount held by each rank band of values", items
    if "shares" in meta:
        entries = sorted(
            ((str(code), as_dict(s)) for code, s in as_dict(meta["shares"]).items()),
            key=lambda cs: (-(number(cs[1].get("share")) or 0.0), cs[0]),
        )
        items = [
            (
                code,
                number(s.get("share")) or 0.0,
                f"{fmt_rate(100 * (number(s.get('share')) or 0.0))} ({fmt_int(s.get('count'))})",
            )
            for code, s in entries[:top]
        ]
        if len(entries) > top:
            rest = entries[top:]
            share = sum(number(s.get("share")) or 0.0 for _, s in rest)
            items.append(
                (
                    f"{len(rest)} others",
                    share,
                    f"{fmt_rate(100 * share)} ({fmt_int(sum(count(s.get('count')) for _, s in rest))})",
                )
            )
        return "Share of each code", items
    if "most_frequent" in meta:
        items = []
        for entry in as_list(meta["most_frequent"])[:top]:
            entry = as_dict(entry)
            share = number(entry.get("share")) or 0.0
            items.append(
                (
                    str(entry.get("value_str")),
                    share,
                    f"{fmt_rate(100 * share)} ({fmt_int(entry.get('count'))})",
                )
            )
        return f"Most frequent values among {fmt_int(meta.get('total_processed'))}", items
    if "specifics" in meta:
        share = number(meta.get("ocid_share")) or 0.0
        buyer = as_dict(meta.get("specifics")).get("buyer.id")
        return "Share of items of the largest buyer", [(str(buyer), share, fmt_rate(100 * share))]
    if "counts" in meta and "total_unique_count" in meta:
        counts = as_dict(meta["counts"])
        total = count(meta.get("total_ocid_count")) or 1
        items = []
        for bucket, label in BUYER_BUCKETS.items():
            entry = as_dict(counts.get(bucket))
            items.append(
                (
                    label,
                    count(entry.get("total_ocid_count")) / total,
                    f"{fmt_int(entry.get('total_unique_count'))} buyers,"
                    f" {fmt_int(entry.get('total_ocid_count'))} items",
                )
            )
        return "Items per buyer: buyers grouped by how many items name them", items
    if "total_processed" in meta and "total_passed" in meta:
        total = count(meta.get("total_processed")) or 1
        passed, failed = count(meta.get("total_passed")), count(meta.get("total_failed"))
        return "Passed and failed", [
            ("passed", passed / total, fmt_int(passed), PASS_COLOUR),
            ("failed", failed / total, fmt_int(failed), FAIL_COLOUR),
        ]
    return "", []


def dataset_charts_md(rows: list[dict[str, Any]]) -> str:
    """Markdown bar charts of every dataset-level result that has something to draw."""
    parts = []
    for row in rows:
        title, items = chart_items(row)
        if items:
            parts.append(f"**{md_text(row.get('check_name'), 80)}**: {title}\n\n{bars_md(items)}")
    return "\n\n".join(parts)


# --- SVG -------------------------------------------------------------------------------------------------

_FONT = "font-family:system-ui,sans-serif;font-size:12px"


#: The colours of the three outcomes, everywhere (HTML badges, bars, history lines), and of neutral bars.
PASS_COLOUR, FAIL_COLOUR, NA_COLOUR, NEUTRAL_COLOUR = "#2e8540", "#c0392b", "#6b7280", "#3b73b9"


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def svg_hbars(
    items: Sequence[tuple[Any, ...]],
    title: str = "",
    width: int = 600,
    label_width: int = 190,
    color: str = NEUTRAL_COLOUR,
) -> str:
    """A horizontal bar chart: one bar per ``(label, fraction 0–1, note[, colour])``; the note follows
    the bar, and a bar's own colour wins over ``color``."""
    if not items:
        return ""
    bar_height, gap, top = 18, 6, 24 if title else 4
    note_width = 170
    bar_space = width - label_width - note_width - 16
    height = top + len(items) * (bar_height + gap) + 4
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" style="{_FONT}">'
    ]
    if title:
        out.append(f'<title>{_esc(title)}</title><text x="0" y="15" font-weight="600">{_esc(title)}</text>')
    for i, (label, fraction, note, *own) in enumerate(items):
        fill = own[0] if own else color
        y = top + i * (bar_height + gap)
        fraction = min(max(fraction, 0.0), 1.0)
        w = max(round(fraction * bar_space, 1), 1 if fraction > 0 else 0)
        text = str(label)
        short = text if len(text) <= 26 else text[:25] + "…"
        out.append(
            f"<g><title>{_esc(text)}: {_esc(note)}</title>"
            f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{_esc(short)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{bar_space}" height="{bar_height}" fill="#eef1f5"/>'
            f'<rect class="bar" x="{label_width}" y="{y}" width="{w}" height="{bar_height}" fill="{fill}"/>'
            f'<text x="{label_width + bar_space + 6}" y="{y + 13}">{_esc(note)}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


def svg_histogram(counts: Sequence[int], labels: Sequence[str], title: str = "", width: int = 560) -> str:
    """A vertical bar chart of ``counts`` under ``labels`` (e.g. paths per pass-rate bucket)."""
    if not counts:
        return ""
    height, base, top = 190, 150, 26
    step = (width - 20) / len(counts)
    most = max(counts) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" style="{_FONT}">'
    ]
    if title:
        out.append(f'<title>{_esc(title)}</title><text x="0" y="15" font-weight="600">{_esc(title)}</text>')
    out.append(f'<line x1="10" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#999"/>')
    for i, (n, label) in enumerate(zip(counts, labels, strict=True)):
        h = round((base - top - 14) * n / most, 1)
        x = round(10 + i * step + 3, 1)
        w = round(step - 6, 1)
        cx = round(x + w / 2, 1)
        out.append(
            f"<g><title>{_esc(label)}: {n:,}</title>"
            f'<rect class="bar" x="{x}" y="{base - h}" width="{w}" height="{h}" fill="#3b73b9"/>'
            f'<text x="{cx}" y="{base - h - 3}" text-anchor="middle">{n:,}</text>'
            f'<text x="{cx}" y="{base + 14}" text-anchor="middle" font-size="10">{_esc(label)}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


def svg_rate_histogram(field_report: dict[str, Any], group: str = "coverage") -> str:
    """SVG histogram of the ``coverage`` or ``quality`` pass rates of the paths that occur."""
    rows = field_rows(field_report)
    rates = [r.coverage_rate if group == "coverage" else r.quality_rate for r in rows]
    present = [r for r in rates if r is not None]
    if not present:
        return ""
    labels = [label.replace(" %", "") for label in RATE_BUCKETS[:-1]] + ["100"]
    title = f"{group.capitalize()} pass rate (%) of {len(present):,} paths: paths per bucket"
    return svg_histogram(rate_buckets(present), labels, title)


def svg_dataset_chart(row: dict[str, Any]) -> str:
    """The SVG chart of one dataset-level result ("" when there is nothing to draw)."""
    title, items = chart_items(row, top=15)
    if not items:
        return ""
    # Passed and failed bars carry their own colours; other bars are neutral whatever the result.
    return svg_hbars(items, title)


#: Line colours of the history chart, one per level (not the outcome colours: every line is a rate).
HISTORY_COLOURS = ("#1f77b4", "#ff7f0e", "#9467bd", "#17becf", "#8c564b")


def _anchor(i: int, n: int) -> str:
    # The end labels grow inwards, so that they are not clipped at the chart's edges.
    return "middle" if n == 1 else "start" if i == 0 else "end" if i == n - 1 else "middle"


def svg_history(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], width: int = 720
) -> str:
    """A line chart of pass rates (0–100 %) over datasets: ``labels`` on the x axis (oldest first), one
    line per ``(name, rates)``; a None rate leaves a gap. "" when there is nothing to draw."""
    if not labels or not series:
        return ""
    left, right, top, bottom = 44, 150, 24, 56
    height = 260
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return round(left + (i * step if len(labels) > 1 else plot_w / 2), 1)

    def y(rate: float) -> float:
        return round(top + plot_h * (1 - rate / 100), 1)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart history" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" style="{_FONT}">'
        "<title>Pass rates over time</title>"
    ]
    for tick in (0, 25, 50, 75, 100):
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick)}" y2="{y(tick)}" stroke="#e3e7ec"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4}" text-anchor="end">{tick} %</text>'
        )
    for i, label in enumerate(labels):
        short = label if len(label) <= 22 else label[:21] + "…"
        out.append(
            f'<text x="{x(i)}" y="{top + plot_h + 16}" text-anchor="{_anchor(i, len(labels))}">'
            f"<title>{_esc(label)}</title>{_esc(short)}</text>"
        )
    for n, (name, rates) in enumerate(series):
        colour = HISTORY_COLOURS[n % len(HISTORY_COLOURS)]
        points = [(x(i), y(r)) for i, r in enumerate(rates) if r is not None]
        if len(points) > 1:
            path = " ".join(f"{px},{py}" for px, py in points)
            out.append(
                f'<polyline class="series" fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>'
            )
        for i, r in enumerate(rates):
            if r is not None:
                out.append(
                    f'<circle cx="{x(i)}" cy="{y(r)}" r="3.5" fill="{colour}">'
                    f"<title>{_esc(name)}, {_esc(labels[i])}: {r:.1f} %</title></circle>"
                )
        ly = top + 14 + n * 18
        out.append(
            f'<rect x="{left + plot_w + 14}" y="{ly - 9}" width="12" height="4" fill="{colour}"/>'
            f'<text x="{left + plot_w + 32}" y="{ly - 4}">{_esc(name)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
