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
