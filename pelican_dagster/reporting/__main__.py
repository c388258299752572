"""``python -m pelican_dagster.reporting EXPORT_DIR [--html OUT.html] [--markdown OUT.md]``

Renders the report of an export folder (docs/export-format.md): the HTML report, the Markdown, or both
(with neither option, the Markdown goes to standard output).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pelican_dagster.reporting.html import render_html
from pelican_dagster.reporting.markdown import report_markdown
from pelican_dagster.reporting.model import ReportData


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m pelican_dagster.reporting", description=__doc__)
    parser.add_argument(
        "export_dir", type=Path, help="an export folder (dataset_meta.json, reports.jsonl.gz, …)"
    )
    parser.add_argument("--html", type=Path, help="write the self-contained HTML report here")
    parser.add_argument("--markdown", type=Path, help="write the Markdown report here")
    parser.add_argument("--name", help="dataset name shown in the report (default: the folder's name)")
    args = parser.parse_args(argv)
    if not args.export_dir.is_dir():
        parser.error(f"{args.export_dir} is not a folder")
    data = ReportData.from_export_dir(args.export_dir, name=args.name)
    if args.html:
        args.html.write_text(render_html(data), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(report_markdown(data), encoding="utf-8")
    if not args.html and not args.markdown:
        sys.stdout.write(report_markdown(data) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
