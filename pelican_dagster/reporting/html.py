"""One self-contained HTML report of a checked dataset (inline CSS, JS and SVG; opens without network).

Every value from the data goes through :func:`e` (``html.escape``); links are made only from
``http``/``https`` URLs. The only script sorts tables by a clicked column and filters field paths; it
reads the DOM and holds no data.
"""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from typing import Any

from pelican_dagster.checks.catalogue import entry as catalogue_entry
from pelican_dagster.reporting.charts import svg_dataset_chart, svg_hbars, svg_history, svg_rate_histogram
from pelican_dagster.reporting.headline import check_rates, configuration_lines, level_rates
from pelican_dagster.reporting.model import ReportData
from pelican_dagster.reporting.summary import (
    BADGES,
    FieldRow,
    as_dict,
    as_list,
    count,
    dataset_note,
    field_rows,
    fmt_int,
    fmt_rate,
    resource_rows,
    result_of,
)

#: How many examples each compiled-release check, dataset-level check and time-based check shows.
EXAMPLES_SHOWN = 5
#: How many of the worst field paths the summary table lists.
WORST_PATHS = 25

_CSS = """
:root{--pass:#2e8540;--fail:#c0392b;--na:#6b7280;--line:#d9dee5;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#fff}
header{background:#1f3b5c;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.85}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);padding:8px 28px;z-index:2}
nav a{margin-right:18px;color:#1f3b5c;text-decoration:none;font-weight:600}
main{padding:8px 28px 40px;max-width:1400px}
section{margin-top:26px}
h2{border-bottom:2px solid #1f3b5c;padding-bottom:4px}
h3{margin:18px 0 6px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid var(--line);padding:4px 8px;vertical-align:top;text-align:left}
th{background:var(--bg)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th[aria-sort=ascending]::after{content:" ▲"}
table.sortable th[aria-sort=descending]::after{content:" ▼"}
.badge{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;font-weight:600;color:#fff;
white-space:nowrap}
.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}.badge.na{background:var(--na)}
.rate{display:inline-block;min-width:56px}
td.n{white-space:nowrap}td.name{overflow-wrap:break-word}
.meter{display:inline-block;width:60px;height:8px;background:#eef1f5;margin-left:6px;vertical-align:middle}
.meter i{display:block;height:100%;background:var(--pass)}
.meter.low i{background:var(--fail)}.meter.mid i{background:#d4a017}
dl.kv{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:6px 0}
dl.kv dt{font-weight:600;color:#444}dl.kv dd{margin:0;overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(600px,1fr));gap:14px}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 14px;background:#fff}
.card h3{margin:0 0 4px;font-size:15px}
.muted{color:var(--na)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;overflow-wrap:anywhere}
details{margin:6px 0;border:1px solid var(--line);border-radius:6px;padding:4px 10px}
details>summary{cursor:pointer;font-weight:600}
input[type=search]{padding:5px 8px;width:320px;font-size:14px}
ul.examples{margin:4px 0;padding-left:18px}
.charts{display:flex;flex-wrap:wrap;gap:24px}
.explain{font-size:12px;color:#374151;margin:2px 0}.explain b{color:#1f2328}
details.explain{border:0;padding:0;margin:2px 0}details.explain>summary{font-weight:400;color:#1f3b5c}
.title{display:block;font-size:12px;color:#374151;font-family:system-ui,sans-serif}
.warn{background:#fff4e5;border-left:4px solid #d4a017;padding:4px 8px}
.up{color:var(--pass)}.down{color:var(--fail)}
ul.examples li.pass::marker{color:var(--pass)}ul.examples li.fail::marker{color:var(--fail)}
.legend span{margin-right:14px}
"""

_JS = """
(function(){
  function key(cell){
    var v = cell.getAttribute('data-v');
    if (v !== null) { return v === '' ? null : parseFloat(v); }
    return cell.textContent.trim().toLowerCase();
  }
  function sortBy(table, col, th){
    var body = table.tBodies[0];
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function(c){ c.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function(a, b){
      var x = key(a.cells[col]), y = key(b.cells[col]);
      if (x === null && y === null) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      var r = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y));
      return asc ? r : -r;
    });
    rows.forEach(function(r){ body.appendChild(r); });
  }
  document.querySelectorAll('table.sortable').forEach(function(table){
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function(th, col){
      th.addEventListener('click', function(){ sortBy(table, col, th); });
    });
    table.setAttribute('data-sortable-ready', '1');
  });
  var box = document.getElementById('path-filter');
  if (box) {
    box.addEventListener('input', function(){
      var q = box.value.trim().toLowerCase();
      document.querySelectorAll('#field-groups details').forEach(function(d){
        var shown = 0;
        d.querySelectorAll('tbody tr').forEach(function(tr){
          var hit = !q || tr.getAttribute('data-path').toLowerCase().indexOf(q) >= 0;
          tr.style.display = hit ? '' : 'none';
          if (hit) shown++;
        });
        d.style.display = shown ? '' : 'none';
        d.open = !!q && shown > 0;
      });
    });
  }
})();
"""


def e(value: Any) -> str:
    """``value`` as escaped HTML text (None as an empty string)."""
    return "" if value is None else html.escape(str(value), quote=True)


def _breakable(name: Any) -> str:
    """An escaped check name or path that wraps only after its dots and underscores."""
    text = e(name)
    if len(text) > 200:
        return text  # not a real name: leave it to overflow-wrap
    return text.replace(".", ".<wbr>").replace("_", "_<wbr>")


def _short(value: Any, limit: int = 160) -> str:
    """A compact, truncated text of any JSON value, escaped."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return e(text)


def _compact(value: Any) -> str:
    """A JSON value as short unescaped text (strings without quotes)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _link(url: Any) -> str:
    """A link for an http(s) URL, else the escaped text."""
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return f'<a href="{e(url)}" rel="noopener noreferrer nofollow">{_short(url, 120)}</a>'
    return _short(url, 120)


def _explain(name: Any, open_: bool = False) -> str:
    """The catalogue's explanation of a check: title, what it measures, pass rule, N/A, what to do."""
    known = catalogue_entry(str(name))
    if known is None:
        return ""
    return (
        f'<details class="explain" data-explains="{e(name)}"{" open" if open_ else ""}>'
        f"<summary>{e(known.title)}</summary>"
        f"<div><b>Measures:</b> {e(known.measures)}</div><div><b>Passes when:</b> {e(known.passes)}</div>"
        f"<div><b>Not applicable when:</b> {e(known.not_applicable)}</div>"
        f"<div><b>On failure:</b> {e(known.on_failure)}</div>"
        f'<div class="muted">docs/checks.md {e(known.section)}</div></details>'
    )


def _badge(result: bool | None) -> str:
    cls = {True: "pass", False: "fail", None: "na"}[result]
    return f'<span class="badge {cls}">{e(BADGES[result].split(" ", 1)[1])}</span>'


def _rate_cell(rate: float | None) -> str:
    """A sortable table cell with a percentage and a small meter."""
    if rate is None:
        return '<td class="n" data-v="">–</td>'
    level = "low" if rate < 50 else "mid" if rate < 90 else ""
    return (
        f'<td class="n" data-v="{rate:.6f}"><span class="rate">{e(fmt_rate(rate))}</span>'
        f'<span class="meter {level}"><i style="width:{rate:.1f}%"></i></span></td>'
    )


def _value(value: Any) -> str:
    """A stored value, escaped, or a dash when there is none."""
    return "–" if value is None else e(value)


def _num(value: int) -> str:
    return f'<td class="n" data-v="{value}">{value:,}</td>'


def _kv(pairs: list[tuple[str, str]]) -> str:
    """A definition list of (label, already-escaped HTML) pairs, leaving out empty values."""
    items = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in pairs if v not in ("", None))
    return f'<dl class="kv">{items}</dl>' if items else '<p class="muted">None recorded.</p>'


# --- overview ----------------------------------------------------------------------------------------------


def _overview(data: ReportData) -> str:
    meta = data.meta
    kingfisher = as_dict(meta.get("kingfisher_metadata"))
    collection = as_dict(meta.get("collection_metadata"))
    tool = as_dict(meta.get("data_quality_tool_metadata"))
    lifecycle = as_dict(meta.get("tender_lifecycle"))
    unique = as_dict(meta.get("compiled_releases")).get("total_unique_ocids")
    dataset = _kv(
        [
            ("Items", fmt_int(data.size)),
            ("Unique OCIDs", "" if unique is None else fmt_int(unique)),
            ("Phase / state", f"{e(data.phase or '?')} / {e(data.state or '?')}"),
            ("Ancestor (time-based checks)", e(data.ancestor) if data.ancestor else "none"),
        ]
    )
    extensions = []
    for ext in as_list(collection.get("extensions")):
        ext = as_dict(ext)
        name = as_dict(ext.get("name")).get("en") or ext.get("name") or ext.get("repositoryUrl")
        extensions.append(f"<li>{_short(name, 80)} {_link(ext.get('repositoryUrl'))}</li>")
    kingfisher_html = _kv(
        [
            ("Collection", e(kingfisher.get("collection_id"))),
            ("Processing start", e(kingfisher.get("processing_start"))),
            ("Processing end", e(kingfisher.get("processing_end"))),
        ]
    )
    collection_html = _kv(
        [
            ("Publisher", e(collection.get("publisher"))),
            ("OCID prefix", e(collection.get("ocid_prefix"))),
            ("Data license", _link(collection.get("data_license")) if collection.get("data_license") else ""),
            (
                "Publication policy",
                _link(collection.get("publication_policy")) if collection.get("publication_policy") else "",
            ),
            ("Published from", e(collection.get("published_from"))),
            ("Published to", e(collection.get("published_to"))),
            ("Extensions", f"<ul>{''.join(extensions)}</ul>" if extensions else ""),
        ]
    )
    tool_html = _kv(
        [
            ("Checks started", e(tool.get("processing_start"))),
            ("Checks finished", e(tool.get("processing_end"))),
        ]
    )
    stages = ("planning", "tender", "award", "contract", "implementation")
    most = max([count(lifecycle.get(s)) for s in stages] + [1])
    lifecycle_svg = svg_hbars(
        [(s, count(lifecycle.get(s)) / most, fmt_int(lifecycle.get(s))) for s in stages],
        "Tender lifecycle: items with planning / tender; awards, contracts, implementations",
        label_width=110,
    )
    return (
        '<section id="overview"><h2>Overview</h2><div class="cards">'
        f'<div class="card"><h3>Dataset</h3>{dataset}</div>'
        f'<div class="card"><h3>Lifecycle</h3>{lifecycle_svg or "<p class=muted>Not recorded.</p>"}</div>'
        f'<div class="card"><h3>Collection metadata</h3>{collection_html}</div>'
        f'<div class="card"><h3>Kingfisher metadata</h3>{kingfisher_html}'
        f"<h3>Processing</h3>{tool_html}</div>"
        f'<div class="card" id="configuration"><h3>Configuration of this run</h3>{_configuration(data)}</div>'
        f'<div class="card" id="headline"><h3>Pass rates</h3>{_headline(data)}</div>'
        "</div></section>"
    )


def _configuration(data: ReportData) -> str:
    lines = configuration_lines(data.meta)
    if not lines:
        return '<p class="muted">Not recorded (checked by an earlier version).</p>'
    return _kv(
        [
            (
                label,
                f'<div class="warn" id="url-offline">{e(text)}</div>'
                if text.startswith("OFFLINE")
                else e(text),
            )
            for label, text in lines
        ]
    )


_LEVEL_LABELS = {
    "coverage": "Field coverage",
    "quality": "Field quality",
    "compiled_release": "Compiled release",
    "dataset": "Dataset level",
    "time_based": "Time based",
}


def _headline(data: ReportData) -> str:
    now = level_rates(data)
    then = level_rates(data.ancestor_data) if data.ancestor_data else {}
    rows = "".join(
        f"<tr><td>{e(_LEVEL_LABELS[k])}</td>{_rate_cell(v)}"
        + (f"{_rate_cell(then.get(k))}{_change(then.get(k), v)}" if data.ancestor_data else "")
        + "</tr>"
        for k, v in now.items()
    )
    head = "<th>Level</th><th class=n>Now</th>" + (
        "<th class=n>Ancestor</th><th class=n>Change</th>" if data.ancestor_data else ""
    )
    return (
        f'<table id="level-rates"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        '<p class="muted legend"><span class="badge pass">pass</span> <span class="badge fail">fail</span> '
        '<span class="badge na">n/a</span> N/A (nothing to test) is left out of every pass rate.</p>'
    )


def _change(then: float | None, now: float | None) -> str:
    if then is None or now is None:
        return '<td class="n" data-v="">–</td>'
    delta = now - then
    cls = "up" if delta > 0.05 else "down" if delta < -0.05 else "muted"
    return f'<td class="n {cls}" data-v="{delta:.6f}">{delta:+.1f} pt</td>'


# --- field level -------------------------------------------------------------------------------------------

_FIELD_HEAD = (
    "<thead><tr><th>Path</th><th class=n>Coverage</th><th class=n>Passed</th><th class=n>Failed</th>"
    "<th class=n>Total</th><th class=n>Quality</th><th class=n>Passed</th><th class=n>Failed</th>"
    "<th class=n>Total</th><th>Checks</th><th>Examples (✓ passed, ✗ failed)</th></tr></thead>"
)


def _checks_text(row: FieldRow) -> str:
    parts = [
        f"{name} {passed:,}/{total:,}"
        for group in (row.coverage_checks, row.quality_checks)
        for name, (passed, total) in group.items()
    ]
    return e(", ".join(parts))


def _field_examples(examples: dict[str, Any], shown: int = 2) -> str:
    """Passed and failed examples of a path, for coverage and quality: OCID, indexed path, check,
    reason and value, as Pelican frontend lists them."""
    items = []
    for group in ("coverage", "quality"):
        samples = as_dict(examples.get(group))
        for outcome, mark in (("failed", "fail"), ("passed", "pass")):
            for example in as_list(samples.get(f"{outcome}_examples"))[:shown]:
                example = as_dict(example)
                result = as_dict(example.get("result"))
                value = result.get("value")
                reason = result.get("reason")
                items.append(
                    f'<li class="{mark}">{"✓" if mark == "pass" else "✗"} {e(group)} '
                    f'<span class="mono">{e(as_dict(example.get("meta")).get("ocid"))}</span> '
                    f'<span class="mono">{e(example.get("path"))}</span> {e(result.get("name"))}'
                    + (f" – {_short(reason, 60)}" if reason else "")
                    + (f' (<span class="mono">{_short(value, 40)}</span>)' if value is not None else "")
                    + "</li>"
                )
    return f'<ul class="examples field-examples">{"".join(items)}</ul>' if items else ""


def _checks_with_titles(row: FieldRow) -> str:
    names = [n for group in (row.coverage_checks, row.quality_checks) for n in group]
    titles = "; ".join(f"{n}: {catalogue_entry(n).title}" for n in names if catalogue_entry(n))
    return f'<td class=muted title="{e(titles)}">{_checks_text(row)}</td>'


def _field_tr(row: FieldRow, examples: dict[str, Any] | None = None) -> str:
    return (
        f'<tr data-path="{e(row.path)}"><td class="mono name">{_breakable(row.path)}</td>'
        f"{_rate_cell(row.coverage_rate)}{_num(row.coverage_passed)}{_num(row.coverage_failed)}"
        f"{_num(row.coverage_total)}{_rate_cell(row.quality_rate)}{_num(row.quality_passed)}"
        f"{_num(row.quality_failed)}{_num(row.quality_total)}{_checks_with_titles(row)}"
        f"<td>{_field_examples(examples or {})}</td></tr>"
    )


def _field_failure(examples: dict[str, Any], row: FieldRow) -> str:
    """One failed example of a path (coverage first, else quality): ocid, indexed path, reason, value."""
    for group in ("coverage", "quality"):
        for example in as_list(as_dict(examples.get(group)).get("failed_examples"))[:1]:
            example = as_dict(example)
            result = as_dict(example.get("result"))
            value = result.get("value")
            return (
                f'<span class="mono">{e(as_dict(example.get("meta")).get("ocid"))}</span> '
                f'<span class="mono">{e(example.get("path"))}</span>: {e(result.get("name"))} – '
                f"{_short(result.get('reason'), 80)}"
                + (f' (<span class="mono">{_short(value, 60)}</span>)' if value is not None else "")
            )
    return ""


def _field_level(data: ReportData) -> str:
    rows = field_rows(data.field_report)
    present = [r for r in rows if r.coverage_total or r.quality_total]
    absent = sorted(r.path for r in rows if not (r.coverage_total or r.quality_total))
    charts = svg_rate_histogram(data.field_report, "coverage") + svg_rate_histogram(
        data.field_report, "quality"
    )
    worst = [r for r in present if (r.worst_rate or 0) < 100][:WORST_PATHS]
    worst_html = "".join(
        f'<tr><td class="mono name">{_breakable(r.path)}</td>{_rate_cell(r.coverage_rate)}'
        f"{_rate_cell(r.quality_rate)}"
        f"<td>{_field_failure(as_dict(data.field_examples.get(r.path)), r)}</td></tr>"
        for r in worst
    )
    groups: dict[str, list[FieldRow]] = defaultdict(list)
    for row in present:
        groups[row.group].append(row)
    group_html = []
    for name in sorted(groups):
        members = sorted(groups[name], key=lambda r: r.path)
        rates = [r.worst_rate for r in members if r.worst_rate is not None]
        low = min(rates) if rates else None
        group_html.append(
            f'<details class="field-group"><summary>{e(name)} <span class="muted">– {len(members)} '
            f"path{'s' if len(members) != 1 else ''}, lowest pass rate {e(fmt_rate(low))}</span></summary>"
            f'<table class="sortable field-table">{_FIELD_HEAD}<tbody>'
            + "".join(_field_tr(r, as_dict(data.field_examples.get(r.path))) for r in members)
            + "</tbody></table></details>"
        )
    return (
        '<section id="field-level"><h2>Field-level checks</h2>'
        f"<p>{len(present):,} of {len(rows):,} field paths occur in the dataset. Coverage: the field is set "
        "and not empty where its parent exists; quality: the value is valid (counted where coverage "
        "passed).</p>"
        + "".join(_explain(name) for name in ("exists", "non_empty"))
        + f'<div class="charts">{charts}</div>'
        f"<h3>Worst paths</h3>"
        + (
            '<table class="sortable" id="worst-paths"><thead><tr><th>Path</th><th class=n>Coverage</th>'
            "<th class=n>Quality</th><th>Example failure</th></tr></thead>"
            f"<tbody>{worst_html}</tbody></table>"
            if worst_html
            else "<p>Every path that occurs passes all its checks.</p>"
        )
        + "<h3>All paths by object</h3>"
        '<p><input type="search" id="path-filter" placeholder="Filter paths, e.g. awards.date" '
        'aria-label="Filter field paths"></p>'
        f'<div id="field-groups">{"".join(group_html)}</div>'
        + (
            f'<details><summary>Paths that never occur ({len(absent):,})</summary><p class="mono">'
            + e(", ".join(absent))
            + "</p></details>"
            if absent
            else ""
        )
        + "</section>"
    )


# --- compiled-release level --------------------------------------------------------------------------------


def _failed_paths(meta: Any) -> str:
    """What failed in one item: the paths in ``failed_paths``, or the single-application meta."""
    meta = as_dict(meta)
    failed = meta.get("failed_paths")
    if not isinstance(failed, list):
        return f'<span class="mono">{_short(meta, 200)}</span>' if meta else ""
    parts = []
    for entry in failed[:3]:
        if isinstance(entry, dict):
            if "path_1" in entry:
                text = (
                    f"{entry.get('path_1')} = {entry.get('value_1')} vs "
                    f"{entry.get('path_2')} = {entry.get('value_2')}"
                )
            elif "party" in entry or "reference" in entry:
                party, ref = as_dict(entry.get("party")), as_dict(entry.get("reference"))
                text = f"{ref.get('path')} → {party.get('path')}"
            elif "path" in entry:
                rest = ", ".join(f"{k}: {_compact(v)}" for k, v in entry.items() if k != "path")
                text = f"{entry.get('path')} ({rest})" if rest else str(entry.get("path"))
            else:
                text = json.dumps(entry, ensure_ascii=False, default=str)
        else:
            text = str(entry)
        parts.append(f'<span class="mono">{_short(text, 160)}</span>')
    more = f" … and {len(failed) - 3} more" if len(failed) > 3 else ""
    return "; ".join(parts) + e(more)


def _resource_examples(examples: dict[str, Any]) -> str:
    failed = [as_dict(x) for x in as_list(examples.get("failed_examples"))[:EXAMPLES_SHOWN]]
    passed = [as_dict(x) for x in as_list(examples.get("passed_examples"))[:3]]
    undefined = as_list(examples.get("undefined_examples"))
    items = [
        f'<li class="fail">✗ <span class="mono">{e(as_dict(x.get("meta")).get("ocid"))}</span>: '
        f"{_failed_paths(as_dict(x.get('result')).get('meta'))}</li>"
        for x in failed
    ] + [
        f'<li class="pass">✓ <span class="mono">{e(as_dict(x.get("meta")).get("ocid"))}</span>'
        + (
            f" ({count(as_dict(x.get('result')).get('pass_count'))} of "
            f"{count(as_dict(x.get('result')).get('application_count'))} tests)"
            if as_dict(x.get("result")).get("application_count")
            else ""
        )
        + "</li>"
        for x in passed
    ]
    reasons = Counter(
        str(as_dict(as_dict(as_dict(x).get("result")).get("meta")).get("reason")) for x in undefined
    )
    html_parts = []
    if items:
        html_parts.append(f'<ul class="examples">{"".join(items)}</ul>')
    if reasons:
        listed = "; ".join(f"{reason} ({n})" for reason, n in reasons.most_common(3))
        html_parts.append(f'<div class="muted">N/A because: {e(listed)} (in the sampled examples)</div>')
    return "".join(html_parts)


def _compiled_release(data: ReportData) -> str:
    rows = resource_rows(data.resource_report)
    if not rows:
        return (
            '<section id="compiled-release"><h2>Compiled-release-level checks</h2>'
            "<p>No results.</p></section>"
        )
    body = []
    for r in rows:
        examples = as_dict(data.resource_examples.get(r.name))
        body.append(
            f'<tr data-check="{e(r.name)}"><td class="mono name">{_breakable(r.name)}{_explain(r.name)}</td>'
            f"{_rate_cell(r.rate)}"
            f"{_num(r.passed)}{_num(r.failed)}{_num(r.undefined)}{_rate_cell(r.individual_rate)}{_num(r.individual_application)}"
            f"<td>{_resource_examples(examples)}</td></tr>"
        )
    return (
        '<section id="compiled-release"><h2>Compiled-release-level checks</h2>'
        "<p>Items passing, failing, or not applicable (N/A) for each check; the individual rate counts every "
        "application (e.g. each award) in the items the check applied to. Examples are random failed items."
        "</p>"
        '<table class="sortable" id="compiled-release-table"><thead><tr><th>Check</th>'
        "<th class=n>Pass rate</th><th class=n>Passed</th><th class=n>Failed</th><th class=n>N/A</th>"
        "<th class=n>Individual rate</th>"
        "<th class=n>Applications</th><th>Examples (✗ failed: what failed; ✓ passed)</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></section>"
    )


# --- dataset level -----------------------------------------------------------------------------------------


def _dataset_examples(meta: dict[str, Any]) -> str:
    """A few failed examples of the checks that keep them (URLs, tender ids, related processes)."""
    failed = as_list(meta.get("failed_examples"))[:EXAMPLES_SHOWN]
    items = []
    for x in failed:
        x = as_dict(x)
        if "value" in x:
            text = f"{_link(x.get('value'))} – status {e(x.get('status'))}"
        elif "tender_id" in x:
            ocids = ", ".join(str(as_dict(i).get("ocid")) for i in as_list(x.get("all_items"))[:5])
            text = f"tender id <span class=mono>{_short(x.get('tender_id'), 80)}</span> in {e(ocids)}"
        elif "related_path" in x:
            text = f"{e(x.get('related_path'))} → {e(x.get('related_ocid'))}"
            if "related_title" in x:
                text += (
                    f" (title {_short(x.get('related_title'), 60)} vs {_short(x.get('original_title'), 60)})"
                )
        else:
            text = _short(x, 160)
        items.append(f'<li><span class="mono">{e(x.get("ocid"))}</span>: {text}</li>')
    passed = [as_dict(x) for x in as_list(meta.get("passed_examples"))[:3]]
    shown = "".join(
        f'<li class="pass"><span class="mono">{e(x.get("ocid"))}</span>'
        + (f": {_link(x.get('value'))}" if "value" in x else "")
        + (
            f": tender id <span class=mono>{_short(x.get('tender_id'), 80)}</span>"
            if "tender_id" in x
            else ""
        )
        + "</li>"
        for x in passed
    )
    out = f'<div>Failed examples:<ul class="examples">{"".join(items)}</ul></div>' if items else ""
    return out + (f'<div>Passed examples:<ul class="examples">{shown}</ul></div>' if shown else "")


def _dataset_level(data: ReportData) -> str:
    if not data.dataset_level:
        return (
            '<section id="dataset-level"><h2>Dataset-level checks</h2>'
            "<p>No results: the dataset has no items.</p></section>"
        )
    results = Counter(result_of(r) for r in data.dataset_level)
    # Failures first, then passes (stored order within each); N/A results go to one compact table.
    order = {False: 0, True: 1}
    applicable = sorted(
        (r for r in data.dataset_level if result_of(r) is not None), key=lambda r: order[result_of(r)]
    )
    cards = []
    for row in applicable:
        meta = as_dict(row.get("meta"))
        value = row.get("value")
        cards.append(
            f'<div class="card dataset-check" data-check="{e(row.get("check_name"))}">'
            f'<h3><span class="mono">{e(row.get("check_name"))}</span> {_badge(result_of(row))}'
            + (f' <span class="muted">value {e(value)}</span>' if value is not None else "")
            + f"</h3>{_explain(row.get('check_name'), open_=result_of(row) is False)}"
            f"<p>{e(dataset_note(row))}</p>{svg_dataset_chart(row)}{_dataset_examples(meta)}</div>"
        )
    na_rows = "".join(
        f'<tr class="dataset-check" data-check="{e(r.get("check_name"))}"><td class="mono name">'
        f"{e(r.get('check_name'))}{_explain(r.get('check_name'))}</td><td>{_badge(None)}</td>"
        f"<td>{e(as_dict(r.get('meta')).get('reason'))}</td></tr>"
        for r in data.dataset_level
        if result_of(r) is None
    )
    na_table = (
        '<h3>Not applicable</h3><table id="dataset-na"><thead><tr><th>Check</th><th>Result</th>'
        f"<th>Reason</th></tr></thead><tbody>{na_rows}</tbody></table>"
        if na_rows
        else ""
    )
    return (
        '<section id="dataset-level"><h2>Dataset-level checks</h2>'
        f"<p>{results[False]} failed, {results[True]} passed, {results[None]} not applicable.</p>"
        f'<div class="cards">{"".join(cards)}</div>{na_table}</section>'
    )


# --- against the ancestor, and the source's history ---------------------------------------------------


def _comparison(data: ReportData) -> str:
    if data.ancestor_data is None:
        return (
            '<section id="comparison"><h2>Against the ancestor</h2>'
            "<p>No ancestor: nothing to compare with.</p></section>"
        )
    now, then = check_rates(data), check_rates(data.ancestor_data)
    rows = "".join(
        f'<tr data-check="{e(name)}"><td class="mono name">{_breakable(name)}'
        f'<span class="title">{e(catalogue_entry(name).title if catalogue_entry(name) else "")}</span></td>'
        f"{_rate_cell(then.get(name))}{_rate_cell(now.get(name))}"
        f"{_change(then.get(name), now.get(name))}</tr>"
        for name in dict.fromkeys([*now, *then])
    )
    return (
        '<section id="comparison"><h2>Against the ancestor</h2>'
        f"<p>Every check's pass rate in the ancestor {e(data.ancestor_data.name)} and now (– = not "
        "applicable); dataset-level and time-based checks are 100 % or 0 %.</p>"
        '<table class="sortable" id="comparison-table"><thead><tr><th>Check</th><th class=n>Ancestor</th>'
        f"<th class=n>Now</th><th class=n>Change</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _history(data: ReportData) -> str:
    points = [*data.history, data]
    labels = [
        f"{d.name} ({as_dict(d.meta.get('data_quality_tool_metadata')).get('processing_end', '?')[:10]})"
        for d in points
    ]
    rates = [level_rates(d) for d in points]
    series = [(_LEVEL_LABELS[k], [r.get(k) for r in rates]) for k in _LEVEL_LABELS]
    series = [(name, values) for name, values in series if any(v is not None for v in values)]
    rows = "".join(
        f"<tr><td class=mono>{e(label)}</td>" + "".join(_rate_cell(r.get(k)) for k in _LEVEL_LABELS) + "</tr>"
        for label, r in zip(labels, rates, strict=True)
    )
    head = "".join(f"<th class=n>{e(v)}</th>" for v in _LEVEL_LABELS.values())
    note = (
        "Only this dataset so far: the chart fills as later datasets of the source are checked."
        if not data.history
        else f"{len(points)} checked datasets of this source, oldest first."
    )
    return (
        '<section id="history"><h2>History of the source</h2>'
        f"<p>{e(note)}</p>{svg_history(labels, series)}"
        f'<table id="history-table"><thead><tr><th>Dataset</th>{head}</tr></thead><tbody>{rows}</tbody>'
        "</table></section>"
    )


# --- time based --------------------------------------------------------------------------------------------


def _time_based(data: ReportData) -> str:
    if not data.time_based:
        why = (
            f"the ancestor {e(data.ancestor)} has no items"
            if data.ancestor
            else "no ancestor (time-based checks compare a dataset with an earlier one of the same source)"
        )
        return (
            '<section id="time-based"><h2>Time-based checks</h2>'
            f'<p id="no-ancestor">Not run: {why}.</p></section>'
        )
    body = []
    for row in data.time_based:
        meta = as_dict(row.get("meta"))
        examples = "".join(
            f'<li><span class="mono">{e(as_dict(x).get("ocid"))}</span></li>'
            for x in as_list(meta.get("examples"))[:EXAMPLES_SHOWN]
        )
        body.append(
            f'<tr><td class="mono">{e(row.get("check_name"))}{_explain(row.get("check_name"))}</td>'
            f"<td>{_badge(result_of(row, 'coverage_result'))}</td>"
            f'<td class="n">{_value(row.get("coverage_value"))}</td>'
            f"<td>{_badge(result_of(row, 'check_result'))}</td>"
            f'<td class="n">{_value(row.get("check_value"))}</td>'
            f"{_num(count(meta.get('total_count')))}{_num(count(meta.get('coverage_count')))}"
            f"{_num(count(meta.get('ok_count')))}{_num(count(meta.get('failed_count')))}"
            f'<td><ul class="examples">{examples}</ul></td></tr>'
        )
    return (
        '<section id="time-based"><h2>Time-based checks</h2>'
        f"<p>Compared with the ancestor {e(data.ancestor or '')}. Coverage: share of the ancestor's "
        "applicable items found again (by OCID); result: share of found pairs that pass. Each passes above "
        "95 %.</p>"
        '<table id="time-based-table"><thead><tr><th>Check</th><th>Coverage</th><th class=n>%</th>'
        "<th>Result</th><th class=n>%</th><th class=n>Applicable</th><th class=n>Found</th>"
        "<th class=n>Passed</th><th class=n>Failed</th><th>Failed examples (OCID)</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></section>"
    )


def render_html(data: ReportData) -> str:
    """The whole report as one HTML document (a string), readable offline in any browser."""
    title = f"Data quality report: {data.name}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{e(title)}</h1><p>{fmt_int(data.size)} compiled releases · "
        f"{e(data.phase or '?')} / {e(data.state or '?')}</p></header>"
        '<nav><a href="#overview">Overview</a><a href="#field-level">Field level</a>'
        '<a href="#compiled-release">Compiled-release level</a><a href="#dataset-level">Dataset level</a>'
        '<a href="#time-based">Time based</a><a href="#comparison">Against the ancestor</a>'
        '<a href="#history">History</a></nav><main>'
        + _overview(data)
        + _field_level(data)
        + _compiled_release(data)
        + _dataset_level(data)
        + _time_based(data)
        + _comparison(data)
        + _history(data)
        + f"</main><script>{_JS}</script></body></html>\n"
    )
