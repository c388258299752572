"""Readers of the per-item facts that the item pass stored (``item_check.facts``), for the dataset-level
and time-based assets. Both stream through server-side cursors: memory stays flat whatever the size.

The facts are orjson bytes (UTF-8 JSON) in a ``bytea`` column; they are read as text
(``convert_from(facts, 'UTF8')``), which ``orjson.loads`` takes as it is: PostgreSQL sends ``bytea`` in
hex, twice the size, and decoding it costs the client as much again (reading 100,000 items' facts took
half the time as text)."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator

from sqlalchemy.engine import Engine

#: Rows fetched per round trip.
_FETCH_ROWS = 2000
#: Batches fetched ahead of the reader (memory: at most this many + 2 batches at once).
_AHEAD = 2
_DONE = object()


def _named_cursor(engine: Engine, name: str, sql: str, params: tuple) -> Iterator[tuple]:
    """The rows of ``sql``, fetched in batches by a thread of its own while the caller works on the
    previous ones: the driver waits for the server without holding the GIL, so reading overlaps the
    caller's work instead of adding to it (on 100,000 items' facts the server's part is most of the
    reading time)."""
    batches: queue.Queue = queue.Queue(maxsize=_AHEAD)
    stop = threading.Event()

    def fetch() -> None:
        try:
            with engine.connect() as conn:
                cursor = conn.connection.driver_connection.cursor(name=name)
                cursor.execute(sql, params)
                while not stop.is_set():
                    rows = cursor.fetchmany(_FETCH_ROWS)
                    if not rows:
                        break
                    batches.put(rows)
                cursor.close()
                conn.rollback()
            batches.put(_DONE)
        except BaseException as error:  # handed to the reader, which raises it
            batches.put(error)

    worker = threading.Thread(target=fetch, name=f"read-{name}", daemon=True)
    worker.start()
    try:
        while True:
            rows = batches.get()
            if rows is _DONE:
                break
            if isinstance(rows, BaseException):
                raise rows
            yield from rows
    finally:
        # The reader stopped (done, failed or abandoned): let the worker finish, unblocking its put.
        stop.set()
        while worker.is_alive():
            with contextlib.suppress(queue.Empty):
                batches.get(timeout=0.05)
        worker.join()


_TEXT = "convert_from({}, 'UTF8')"


def stream_facts(engine: Engine, dataset_id: int) -> Iterator[tuple[int, str]]:
    """``(item_id, facts JSON text)`` of every item of the dataset that has facts, in item-id order."""
    return _named_cursor(
        engine,
        f"facts_{dataset_id}",
        f"SELECT item_id, {_TEXT.format('facts')} FROM item_check "
        "WHERE dataset_id = %s AND facts IS NOT NULL ORDER BY item_id",
        (dataset_id,),
    )


def read_facts(engine: Engine, item_ids: Iterable[int]) -> dict[int, str]:
    """The facts of a few items (the random examples of the dataset-level checks)."""
    ids = list(item_ids)
    if not ids:
        return {}
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute(
            f"SELECT item_id, {_TEXT.format('facts')} FROM item_check WHERE item_id = ANY(%s)", (ids,)
        )
        return {item_id: facts for item_id, facts in cursor if facts is not None}


def stream_pairs(
    engine: Engine, ancestor_id: int, dataset_id: int
) -> Iterator[tuple[int, str | None, int | None, str | None]]:
    """The left join of the ancestor's items with the dataset's items on equal ocid (as PostgreSQL's
    ``data->>'ocid'`` renders it, docs/checks.md §4): ``(ancestor item id, its facts text, new item id or
    None,
    new facts text or None)``. Duplicate ocids multiply rows, as in Pelican; null ocids never pair."""
    return _named_cursor(
        engine,
        f"pairs_{ancestor_id}_{dataset_id}",
        f"SELECT a.id, {_TEXT.format('ac.facts')}, n.id, {_TEXT.format('nc.facts')} FROM data_item a "
        "LEFT JOIN item_check ac ON ac.item_id = a.id "
        "LEFT JOIN data_item n ON n.dataset_id = %s AND n.ocid = a.ocid "
        "LEFT JOIN item_check nc ON nc.item_id = n.id "
        "WHERE a.dataset_id = %s",
        (dataset_id, ancestor_id),
    )
