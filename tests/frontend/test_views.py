"""The frontend's two failures queries, run verbatim on the views over ``item_check``, return the OCIDs
that the per-item results (ours, rebuilt in Pelican's shape, and Pelican's reference) say fail, on every
conformance folder; the views' rows equal the per-item reference builders, follow re-runs and wipes, and
the upgrade that made them views fills the failures of results stored before it."""

from __future__ import annotations

import dataclasses
import gzip

import numpy as np
import orjson
import pytest
import sqlalchemy as sa

from pelican_dagster.assets.item_checks import run_chunk
from pelican_dagster.checks.compiled_release import CHECK_NAMES
from pelican_dagster.checks.field.paths import PATHS
from pelican_dagster.frontend.views import (
    FRONTEND_FIELD_FAILURES,
    FRONTEND_RESOURCE_FAILURES,
    field_failures,
    field_result,
    resource_result,
)
from pelican_dagster.pipeline import run_context
from pelican_dagster.pipeline.export import pelican_item_results
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.db import copy_binary, copy_rows
from pelican_dagster.storage.lifecycle import wipe_dataset
from pelican_dagster.storage.results import item_id_range, register_dataset
from tests.conformance import compare


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
            if got := failures(
                engine, FRONTEND_FIELD_FAILURES, dataset_id=dataset_id, path=field.path, type=kind
            ):
                out[(field.path, kind)] = got
    for name in CHECK_NAMES:
        if got := failures(engine, FRONTEND_RESOURCE_FAILURES, dataset_id=dataset_id, name=name):
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


def _view_rows_equal_the_reference(engine: sa.Engine, dataset_id: int) -> int:
    """Every row of both views is the JSON the per-item builders give for the stored results; returns
    the number of items compared."""
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text(
                "SELECT c.item_id, i.ocid, c.field, c.resource, f.result, r.result "
                "FROM item_check c JOIN data_item i ON i.id = c.item_id "
                "JOIN field_level_check f ON f.id = c.item_id "
                "JOIN resource_level_check r ON r.data_item_id = c.item_id "
                "WHERE c.dataset_id = :d ORDER BY c.item_id"
            ),
            {"d": dataset_id},
        ).all()
    for _, ocid, field, resource, field_row, resource_row in stored:
        assert field_row == orjson.loads(field_result(ocid, bytes(field)))
        assert resource_row == orjson.loads(resource_result(ocid, bytes(resource)))
    return len(stored)


def test_views_follow_item_check(results_engine, reference_configuration):
    dataset_id = load_and_check(results_engine, "taiwan")
    items = len(compare.reference("taiwan", "items"))
    assert _rows(results_engine, dataset_id) == {"field_level_check": items, "resource_level_check": items}
    assert _view_rows_equal_the_reference(results_engine, dataset_id) == items
    before = actual_failures(results_engine, dataset_id)

    with results_engine.connect() as conn:
        count, first, last = item_id_range(conn, dataset_id)
    chunk = {"dataset_id": dataset_id, "first": first, "last": last, "count": count, "total": count}
    run_chunk(results_engine, chunk)  # a re-run replaces, never duplicates
    assert _rows(results_engine, dataset_id) == {"field_level_check": items, "resource_level_check": items}
    assert actual_failures(results_engine, dataset_id) == before

    with results_engine.begin() as conn:
        wipe_dataset(conn, dataset_id)
    assert _rows(results_engine, dataset_id) == {"field_level_check": 0, "resource_level_check": 0}


def _compact_results() -> tuple[list[bytes], list[bytes]]:
    """The compact field and compiled-release results of every conformance item, with a field result with
    varint counts (a path with 200 occurrences) and an empty one."""
    from pelican_dagster.checks.compiled_release import check_item
    from pelican_dagster.checks.compiled_release.encoding import encode as encode_resource
    from pelican_dagster.checks.currency import load_default_rates
    from pelican_dagster.checks.field import FieldResult, check_item_fields
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
    resources[1:1] = resources[:2]
    return fields, resources


def test_failure_codes_of_a_chunk_equal_those_of_each_item():
    """``field_failures`` (a chunk at once, array operations) gives, item by item, the failing paths and
    kinds of the general reader, None for an unchecked item, and nothing for no items."""
    fields, _ = _compact_results()
    chunk = field_failures([*fields, None])
    assert chunk[-1] is None
    for data, codes in zip(fields, chunk[:-1], strict=True):
        decoded = {code >> 2: code & 3 for code in np.frombuffer(codes, "<u2").tolist()}
        reference = orjson.loads(field_result(None, data))["checks"]
        assert {PATHS[index].path: len(kinds_entries(kinds)) for index, kinds in decoded.items()} == {
            path: len(entries) for path, entries in reference.items()
        }
        assert list(decoded) == sorted(decoded)
    assert field_failures([]) == []


def kinds_entries(kinds: int) -> list[str]:
    return [name for bit, name in ((1, "coverage"), (2, "quality")) if kinds & bit]


def test_upgrade_fills_the_failures_of_results_stored_before_it(make_database, reference_configuration):
    """Results stored at revision 0007 (before the views): after the upgrade the views give, for every
    item, what the per-item builders give."""
    from pelican_dagster.storage import migrate
    from pelican_dagster.storage.db import make_engine
    from pelican_dagster.storage.item_checks import _item_check_tuple

    engine = make_engine(make_database("frontend_upgrade"))
    migrate.upgrade(engine, "0007")
    fields, resources = _compact_results()
    with engine.begin() as conn:
        dataset_id = register_dataset(conn, "before-views", collection_id=None)
        copy_rows(conn, "data_item", ("dataset_id", "data"), ((dataset_id, "{}") for _ in fields))
        conn.execute(
            sa.text("UPDATE data_item SET ocid = 'ocds-' || id WHERE dataset_id = :d"), {"d": dataset_id}
        )
        ids = conn.execute(
            sa.text("SELECT id FROM data_item WHERE dataset_id = :d ORDER BY id"), {"d": dataset_id}
        ).scalars()
        copy_binary(
            conn,
            "item_check",
            ("item_id", "dataset_id", "field", "resource", "facts"),
            (
                _item_check_tuple(i, dataset_id, f, r, None)
                for i, f, r in zip(ids, fields, resources, strict=True)
            ),
        )
    migrate.upgrade(engine)
    assert _view_rows_equal_the_reference(engine, dataset_id) == len(fields)
    engine.dispose()


def test_lookup_tables_name_the_paths_and_checks_of_this_code(results_engine):
    """The codes the item pass writes are read with the names of this version's paths and checks: a
    change to either needs a migration that refreshes the lookup tables."""
    from pelican_dagster.frontend.views import field_failure_rows, resource_check_rows

    with results_engine.connect() as conn:
        fields = conn.execute(sa.text("SELECT code, path, result FROM pelican_field_failure ORDER BY code"))
        resources = conn.execute(sa.text("SELECT position, name FROM pelican_resource_check ORDER BY 1"))
        assert [(c, p, r) for c, p, r in fields] == [
            (c, p, orjson.loads(r)) for c, p, r in field_failure_rows()
        ]
        assert [tuple(row) for row in resources] == list(resource_check_rows())
