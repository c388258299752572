"""The frontend's two failures queries, run verbatim on the rows the item pass writes, return the OCIDs
that the per-item results (ours, rebuilt in Pelican's shape, and Pelican's reference) say fail, on every
conformance folder; the rows are replaced on re-runs, wiped with the dataset and turned off by a setting."""

from __future__ import annotations

import dataclasses
import gzip

import orjson
import pytest
import sqlalchemy as sa

from pelican_dagster.assets.item_checks import run_chunk
from pelican_dagster.checks.compiled_release import CHECK_NAMES
from pelican_dagster.checks.field.paths import PATHS
from pelican_dagster.pipeline import run_context
from pelican_dagster.pipeline.export import pelican_item_results
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.db import copy_rows
from pelican_dagster.storage.lifecycle import wipe_dataset
from pelican_dagster.storage.results import item_id_range, register_dataset
from tests.conformance import compare

# The frontend's statements (pelican-frontend api/views.py), with its pyformat parameters.
FIELD_FAILURES = """
    SELECT result->'meta'->>'ocid' FROM field_level_check
    WHERE dataset_id = %(dataset_id)s AND EXISTS (
        SELECT 1 FROM jsonb_array_elements(result->'checks'->%(path)s) AS occurrence
        WHERE (occurrence->%(type)s->>'overall_result')::boolean IS FALSE)
    ORDER BY 1
"""
RESOURCE_FAILURES = """
    SELECT result->'meta'->>'ocid' FROM resource_level_check
    WHERE dataset_id = %(dataset_id)s AND (result->'checks'->%(name)s->>'result')::boolean IS FALSE
    ORDER BY 1
"""


@pytest.fixture
def reference_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PELICAN_NOW", "2026-11-29T11:00:00Z")
    monkeypatch.setenv("PELICAN_OCID_PREFIXES_FILE", str(compare.CODELISTS / "ocid_prefixes.csv"))
    monkeypatch.setenv("PELICAN_ORG_ID_FILE", str(compare.CODELISTS / "org-id.csv"))
    monkeypatch.setenv("PELICAN_URL_CHECK_OFFLINE", "1")


def load_and_check(engine: sa.Engine, folder: str) -> int:
    """A dataset of the folder's input in ``data_item``, checked by the item pass in one chunk."""
    with engine.begin() as conn:
        dataset_id = register_dataset(conn, folder, collection_id=None)
        with gzip.open(compare.input_file(folder), "rt", encoding="utf-8") as f:
            copy_rows(
                conn, "data_item", ("dataset_id", "data"), ((dataset_id, line) for line in f if line.strip())
            )
        conn.execute(
            sa.text("UPDATE data_item SET ocid = data->>'ocid' WHERE dataset_id = :d"), {"d": dataset_id}
        )
        count, first, last = item_id_range(conn, dataset_id)
    run_chunk(
        engine, {"dataset_id": dataset_id, "first": first, "last": last, "count": count, "total": count}
    )
    return dataset_id


def failures(engine: sa.Engine, statement: str, **variables) -> list[str | None]:
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute(statement, variables)
        return sorted(row[0] for row in cursor.fetchall())


def expected_failures(field_results: list[dict], resource_results: list[dict]) -> dict[tuple, list]:
    out: dict[tuple, list] = {}
    for result in field_results:
        for path, entries in result["checks"].items():
            for kind in ("coverage", "quality"):
                if any(entry[kind]["overall_result"] is False for entry in entries):
                    out.setdefault((path, kind), []).append(result["meta"]["ocid"])
    for result in resource_results:
        for name, outcome in result["checks"].items():
            if outcome["result"] is False:
                out.setdefault((name,), []).append(result["meta"]["ocid"])
    return {key: sorted(value) for key, value in out.items()}


def actual_failures(engine: sa.Engine, dataset_id: int) -> dict[tuple, list]:
    out: dict[tuple, list] = {}
    for field in PATHS:
        for kind in ("coverage", "quality"):
            if got := failures(engine, FIELD_FAILURES, dataset_id=dataset_id, path=field.path, type=kind):
                out[(field.path, kind)] = got
    for name in CHECK_NAMES:
        if got := failures(engine, RESOURCE_FAILURES, dataset_id=dataset_id, name=name):
            out[(name,)] = got
    return out


@pytest.mark.parametrize("folder", compare.FOLDERS)
def test_failures_queries_return_the_failing_ocids(folder, results_engine, reference_configuration):
    dataset_id = load_and_check(results_engine, folder)
    actual = actual_failures(results_engine, dataset_id)

    rebuild = pelican_item_results(run_context.current(results_engine))
    with results_engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT id, data::text FROM data_item WHERE dataset_id = :d ORDER BY id"),
            {"d": dataset_id},
        ).all()
    ours = [rebuild(item_id, text) for item_id, text in rows]
    ours = [pair for pair in ours if pair[0] is not None]
    assert actual == expected_failures([f for f, _ in ours], [r for _, r in ours])

    reference = compare.reference(folder, "items")
    assert actual == expected_failures(
        [r["field_level"] for r in reference], [r["resource_level"] for r in reference]
    )
    assert actual  # every folder has failures to find


def _rows(engine: sa.Engine, dataset_id: int) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).where(t.c.dataset_id == dataset_id)).scalar_one()
            for t in (s.field_level_check, s.resource_level_check)
        }


def test_rows_are_replaced_wiped_and_turned_off(results_engine, reference_configuration, monkeypatch):
    dataset_id = load_and_check(results_engine, "taiwan")
    items = len(compare.reference("taiwan", "items"))
    assert _rows(results_engine, dataset_id) == {"field_level_check": items, "resource_level_check": items}
    before = actual_failures(results_engine, dataset_id)

    with results_engine.connect() as conn:
        count, first, last = item_id_range(conn, dataset_id)
    chunk = {"dataset_id": dataset_id, "first": first, "last": last, "count": count, "total": count}
    run_chunk(results_engine, chunk)  # a re-run replaces, never duplicates
    assert _rows(results_engine, dataset_id) == {"field_level_check": items, "resource_level_check": items}
    assert actual_failures(results_engine, dataset_id) == before

    monkeypatch.setenv("PELICAN_FRONTEND_TABLES", "0")
    run_chunk(results_engine, chunk)  # turned off: the range's rows go, none are written
    assert _rows(results_engine, dataset_id) == {"field_level_check": 0, "resource_level_check": 0}

    monkeypatch.delenv("PELICAN_FRONTEND_TABLES")
    run_chunk(results_engine, chunk)
    with results_engine.begin() as conn:
        deleted = wipe_dataset(conn, dataset_id)
    assert deleted["field_level_check"] == deleted["resource_level_check"] == items
    assert _rows(results_engine, dataset_id) == {"field_level_check": 0, "resource_level_check": 0}


def test_chunk_builders_give_the_bytes_of_the_item_builders():
    """``field_checks`` (a chunk at once) and ``resource_checks`` (memoised) write, byte for byte, the
    ``checks`` member of ``field_result`` and ``resource_result`` (one item at a time), on every
    conformance item, a result with varint counts (a path with 200 occurrences) and an empty one."""
    from pelican_dagster.checks.compiled_release import check_item
    from pelican_dagster.checks.compiled_release.encoding import encode as encode_resource
    from pelican_dagster.checks.currency import load_default_rates
    from pelican_dagster.checks.field import FieldResult, check_item_fields
    from pelican_dagster.frontend.tables import field_checks, field_result, resource_checks, resource_result
    from tests.checks.field.conftest import reference_context

    ctx = dataclasses.replace(reference_context(), rates=load_default_rates())
    fields, resources = [], []
    for folder in compare.FOLDERS:
        with gzip.open(compare.input_file(folder), "rt", encoding="utf-8") as f:
            for line in f:
                item = orjson.loads(line) if line.strip() else None
                if type(item) is dict and "ocid" in item:
                    fields.append(check_item_fields(item, ctx).encode())
                    resources.append(encode_resource(check_item(item, ctx)))
    fields[1:1] = [FieldResult({3: [0] * 200, 7: [8, 6, 0]}).encode(), FieldResult({}).encode()]
    head = len(b'{"meta":{"ocid":null},"checks":{')
    assert field_checks(fields) == [field_result(None, data)[head:-2] for data in fields]
    assert [resource_checks(data) for data in resources] == [
        resource_result(None, data)[head:-2] for data in resources
    ]
    assert field_checks([]) == []
