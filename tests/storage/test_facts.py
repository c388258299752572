"""Readers of the stored facts: text as stored, in order, read ahead by a thread that never outlives them."""

from __future__ import annotations

import threading

import orjson
import psycopg2.errors
import pytest
import sqlalchemy as sa

from pelican_dagster.storage import facts as reader
from pelican_dagster.storage import schema as s


@pytest.fixture
def stored(results_engine: sa.Engine, monkeypatch) -> dict[int, bytes]:
    """A dataset of 1,000 items with facts (non-ASCII included); batches of 64 rows, so many round trips."""
    monkeypatch.setattr(reader, "_FETCH_ROWS", 64)
    facts = {}
    with results_engine.begin() as conn:
        dataset_id = conn.execute(
            sa.insert(s.dataset).values(name="d").returning(s.dataset.c.id)
        ).scalar_one()
        for i in range(1000):
            item_id = conn.execute(
                sa.insert(s.data_item)
                .values(dataset_id=dataset_id, data={"ocid": f"o{i}"}, ocid=f"o{i}")
                .returning(s.data_item.c.id)
            ).scalar_one()
            facts[item_id] = orjson.dumps({"o": f"o{i}", "T": f"título {i} ✓", "p": '[{"1":["a\\"b"]},null]'})
            conn.execute(
                sa.insert(s.item_check).values(item_id=item_id, dataset_id=dataset_id, facts=facts[item_id])
            )
    facts["dataset_id"] = dataset_id
    return facts


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("read-")]


def test_stream_facts_reads_every_item_as_text_in_order(results_engine, stored):
    dataset_id = stored.pop("dataset_id")
    rows = list(reader.stream_facts(results_engine, dataset_id))
    assert [item_id for item_id, _ in rows] == sorted(stored)
    assert all(type(text) is str and text.encode() == stored[item_id] for item_id, text in rows)
    assert orjson.loads(rows[0][1])["T"] == "título 0 ✓"
    assert not _readers()


def test_read_facts_reads_text(results_engine, stored):
    stored.pop("dataset_id")
    ids = sorted(stored)[:3]
    assert reader.read_facts(results_engine, ids) == {i: stored[i].decode() for i in ids}
    assert reader.read_facts(results_engine, []) == {}


def test_an_abandoned_stream_stops_its_reader_and_returns_the_connection(results_engine, stored):
    dataset_id = stored.pop("dataset_id")
    stream = reader.stream_facts(results_engine, dataset_id)
    first = [next(stream) for _ in range(10)]
    assert len(first) == 10
    stream.close()
    assert not _readers()
    assert results_engine.pool.checkedout() == 0


def test_a_failing_query_raises_in_the_reader(results_engine):
    with pytest.raises(psycopg2.errors.UndefinedTable, match="no_such_table"):
        list(reader._named_cursor(results_engine, "bad", "SELECT * FROM no_such_table", ()))
    assert not _readers()
