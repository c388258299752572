"""Readers of the per-item facts that the item pass stored (``item_check.facts``), for the dataset-level
and time-based assets. Both stream through server-side cursors: memory stays flat whatever the size."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy.engine import Engine

#: Rows fetched per round trip.
_FETCH_ROWS = 2000


def _named_cursor(engine: Engine, name: str, sql: str, params: tuple) -> Iterator[tuple]:
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor(name=name)
        cursor.itersize = _FETCH_ROWS
        cursor.execute(sql, params)
        yield from cursor
        cursor.close()
        conn.rollback()


def stream_facts(engine: Engine, dataset_id: int) -> Iterator[tuple[int, bytes]]:
    """``(item_id, facts)`` of every item of the dataset that has facts, in item-id order."""
    for item_id, facts in _named_cursor(
        engine,
        f"facts_{dataset_id}",
        "SELECT item_id, facts FROM item_check WHERE dataset_id = %s AND facts IS NOT NULL ORDER BY item_id",
        (dataset_id,),
    ):
        yield item_id, bytes(facts)


def read_facts(engine: Engine, item_ids: Iterable[int]) -> dict[int, bytes]:
    """The facts of a few items (the random examples of the dataset-level checks)."""
    ids = list(item_ids)
    if not ids:
        return {}
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute("SELECT item_id, facts FROM item_check WHERE item_id = ANY(%s)", (ids,))
        return {item_id: bytes(facts) for item_id, facts in cursor if facts is not None}


def stream_pairs(
    engine: Engine, ancestor_id: int, dataset_id: int
) -> Iterator[tuple[int, bytes | None, int | None, bytes | None]]:
    """The left join of the ancestor's items with the dataset's items on equal ocid (as PostgreSQL's
    ``data->>'ocid'`` renders it, checks.md §4): ``(ancestor item id, its facts, new item id or None,
    new facts or None)``. Duplicate ocids multiply rows, as in Pelican; null ocids never pair."""
    for row in _named_cursor(
        engine,
        f"pairs_{ancestor_id}_{dataset_id}",
        "SELECT a.id, ac.facts, n.id, nc.facts FROM data_item a "
        "LEFT JOIN item_check ac ON ac.item_id = a.id "
        "LEFT JOIN data_item n ON n.dataset_id = %s AND n.ocid = a.ocid "
        "LEFT JOIN item_check nc ON nc.item_id = n.id "
        "WHERE a.dataset_id = %s",
        (dataset_id, ancestor_id),
    ):
        a_id, a_facts, n_id, n_facts = row
        yield (
            a_id,
            bytes(a_facts) if a_facts is not None else None,
            n_id,
            bytes(n_facts) if n_facts is not None else None,
        )
