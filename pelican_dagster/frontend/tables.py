"""Rows of ``field_level_check`` and ``resource_level_check`` for the Pelican frontend.

The frontend reads these relations only in its two failures downloads:

* field level: the items with an occurrence of ``result->'checks'->PATH`` whose
  ``->TYPE->>'overall_result'`` is false (TYPE = coverage or quality);
* compiled-release level: the items whose ``result->'checks'->NAME->>'result'`` is false.

So a row keeps ``meta.ocid`` and, per path, one occurrence per failing type (``{"coverage":
{"overall_result": false}}``, ``{"quality": {"overall_result": false}}``), and per check only the
failing ones (``{"result": false}``). The queries give the same OCIDs as on Pelican's ~13 KB rows. The
rows are built from the item pass's compact results (``item_check``), in the chunk's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pelican_dagster.checks.compiled_release.encoding import decode as decode_resource
from pelican_dagster.checks.field.evaluate import decode_field_result
from pelican_dagster.checks.field.paths import PATHS
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.db import copy_rows

__all__ = ["field_result", "replace_rows", "resource_result"]

_PATH_NAMES = tuple(field.path for field in PATHS)
# Occurrence codes are 3 × coverage + quality (checks.field.evaluate.FieldResult): coverage failed
# below 6, quality failed exactly at 8.
_COVERAGE_FAILED_BELOW = 6
_QUALITY_FAILED = 8
_COVERAGE = {"coverage": {"overall_result": False}}
_QUALITY = {"quality": {"overall_result": False}}
_FAILED = {"result": False}


def field_result(ocid: str | None, encoded: bytes) -> bytes:
    """The JSON ``result`` of an item's ``field_level_check`` row, from its compact field result."""
    checks = {}
    codes = decode_field_result(encoded).codes
    for index in sorted(codes):
        occurrences = codes[index]
        failed = []
        if min(occurrences) < _COVERAGE_FAILED_BELOW:
            failed.append(_COVERAGE)
        if _QUALITY_FAILED in occurrences:
            failed.append(_QUALITY)
        if failed:
            checks[_PATH_NAMES[index]] = failed
    return orjson.dumps({"meta": {"ocid": ocid}, "checks": checks})


def resource_result(ocid: str | None, encoded: bytes) -> bytes:
    """The JSON ``result`` of an item's ``resource_level_check`` row, from its compact result."""
    checks = {
        name: _FAILED for name, outcome in decode_resource(encoded).items() if outcome["result"] is False
    }
    return orjson.dumps({"meta": {"ocid": ocid}, "checks": checks})


def _ocids(conn: Connection, dataset_id: int, first: int, last: int) -> dict[int, str | None]:
    # data_item.ocid is data->>'ocid', which is what the frontend reads back from meta.ocid.
    rows = conn.execute(
        sa.select(s.data_item.c.id, s.data_item.c.ocid).where(
            s.data_item.c.dataset_id == dataset_id, s.data_item.c.id.between(first, last)
        )
    )
    return dict(rows.all())


def replace_rows(
    conn: Connection,
    dataset_id: int,
    first: int,
    last: int,
    rows: Iterable[tuple[int, bytes | None, bytes | None, bytes | None]] | None,
) -> tuple[int, int]:
    """Replace the frontend rows of the items ``first``–``last`` of a dataset by those of ``rows`` (the
    item pass's ``(item_id, field, resource, facts)``), in the caller's transaction; ``rows`` None only
    deletes (the tables are turned off). Returns the bytes of JSON written (field, resource)."""
    for table in (s.field_level_check, s.resource_level_check):
        conn.execute(
            sa.delete(table).where(
                table.c.dataset_id == dataset_id, table.c.data_item_id.between(first, last)
            )
        )
    if rows is None:
        return 0, 0
    ocids = _ocids(conn, dataset_id, first, last)
    checked = [(item_id, f, r) for item_id, f, r, _ in rows if f is not None and r is not None]
    sizes = [0, 0]

    def lines(position: int) -> Iterator[tuple[int, int, str]]:
        build = field_result if position == 0 else resource_result
        for row in checked:
            text = build(ocids.get(row[0]), row[1 + position]).decode()
            sizes[position] += len(text)
            yield row[0], dataset_id, text

    copy_rows(conn, "field_level_check", ("data_item_id", "dataset_id", "result"), lines(0))
    copy_rows(conn, "resource_level_check", ("data_item_id", "dataset_id", "result"), lines(1))
    return sizes[0], sizes[1]
