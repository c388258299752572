"""Reading chosen items back from ``data_item`` (pelican_dagster/storage/items.py), on real PostgreSQL."""

import json

import pytest
import sqlalchemy as sa

from pelican_dagster.storage import items as items_module
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.items import item_reader, read_items
from pelican_dagster.storage.results import register_dataset

ITEMS = [
    {"ocid": "ocds-a-1", "tender": {"id": "t"}},
    {"ocid": "ocds-a-2", "value": 1e400},  # beyond a double: jsonb keeps it (as 10**400), orjson refuses it
    {"ocid": "ocds-a-3", "text": 'ünïcødé \\ " ✓', "nested": [[None, {}], []]},
    {"no": "ocid"},
]


@pytest.fixture
def stored(results_engine):
    """Two datasets: ITEMS in the first, one item in the second; returns (ids of ITEMS, other id, ids)."""
    with results_engine.begin() as conn:
        first = register_dataset(conn, "first", collection_id=1)
        second = register_dataset(conn, "second", collection_id=2)
        ids = []
        for item in ITEMS:
            # The JSON text as Kingfisher would store it (1e400 is not a Python float literal).
            text = json.dumps(item).replace("Infinity", "1e400")
            ids.append(
                conn.exec_driver_sql(
                    "INSERT INTO data_item (dataset_id, data) VALUES (%s, %s::jsonb) RETURNING id",
                    (first, text),
                ).scalar()
            )
        other = conn.execute(
            sa.insert(s.data_item).values(dataset_id=second, data={"ocid": "b"}).returning(s.data_item.c.id)
        ).scalar()
    return first, ids, other


def test_read_items_parses_the_stored_items(results_engine, stored):
    _, ids, other = stored
    got = read_items(results_engine, [ids[2], ids[0], ids[1], ids[0]])
    assert got == {ids[0]: ITEMS[0], ids[1]: {"ocid": "ocds-a-2", "value": 10**400}, ids[2]: ITEMS[2]}
    assert read_items(results_engine, []) == {}
    assert read_items(results_engine, [max([*ids, other]) + 1]) == {}  # unknown ids are absent


def test_read_items_of_one_dataset(results_engine, stored):
    first, ids, other = stored
    assert set(read_items(results_engine, [*ids, other], dataset_id=first)) == set(ids)
    assert read_items(results_engine, [*ids, other])[other] == {"ocid": "b"}
    assert item_reader(results_engine, first)([ids[3], other]) == {ids[3]: ITEMS[3]}


def test_read_items_in_batches(results_engine, stored, monkeypatch):
    _, ids, other = stored
    monkeypatch.setattr(items_module, "BATCH", 2)
    assert set(read_items(results_engine, [*ids, other])) == {*ids, other}


@pytest.mark.parametrize(
    "shape",
    [
        "one batch each",
        "several batches",
        "no batch",
        "an empty batch and unknown ids",
    ],
)
def test_an_item_reader_reads_batches_ahead_with_the_same_results(results_engine, stored, shape):
    """``ItemReader.batches`` (the next batch read while the caller works) gives what calling it on each
    batch gives, in order."""
    first, ids, other = stored
    batches = {
        "one batch each": [[i] for i in ids],
        "several batches": [ids[:2], ids[2:], [ids[0]]],
        "no batch": [],
        "an empty batch and unknown ids": [[], [other, max([*ids, other]) + 1], ids[1:3]],
    }[shape]
    reader = item_reader(results_engine, first)
    assert list(reader.batches(batches)) == [reader(batch) for batch in batches]


def test_the_field_report_builds_the_same_examples_through_an_item_reader(
    results_engine, stored, monkeypatch
):
    """FieldReport.examples with an ItemReader (batches read ahead) equals a plain lookup's."""
    from pelican_dagster.checks.field import FieldReport, check_item_fields
    from pelican_dagster.checks.field import report as field_report
    from tests.checks.field.conftest import reference_context

    first, ids, _ = stored
    ctx = reference_context()
    items = read_items(results_engine, ids, first)
    reports = []
    for _ in range(2):
        report = FieldReport(1, ctx)
        for item_id in ids[:3]:
            report.add(item_id, items[item_id]["ocid"], check_item_fields(items[item_id], ctx))
        reports.append(report)
    reader = item_reader(results_engine, first)
    monkeypatch.setattr(field_report, "LOOKUP_BATCH", 1)  # one item a batch: several batches read ahead
    examples = reports[0].examples(reader)
    assert examples == reports[1].examples(lambda batch: reader(batch))
    assert any(v["coverage"]["passed_examples"] for v in examples.values())
