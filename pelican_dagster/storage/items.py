"""Reading chosen items back from ``data_item``: the report stage re-reads the few items its random
examples point to (docs/pipeline.md §4.4 step 3), so that the item checks need not build or keep examples."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.engine import Engine

from pelican_dagster.pipeline.item_pass import load_item

__all__ = ["BATCH", "ItemReader", "item_reader", "read_items"]

#: Ids per query (``= ANY(array)`` on the primary key: one index scan per batch).
BATCH = 1000


def read_items(engine: Engine, item_ids: Iterable[int], dataset_id: int | None = None) -> dict[int, Any]:
    """``{id: parsed item}`` of the given ``data_item`` ids (of ``dataset_id`` only, if given).

    Ids that do not exist (or are of another dataset) are absent from the result. Items are parsed as
    the item checks parse them (:func:`~pelican_dagster.pipeline.item_pass.load_item`).
    """
    return {item_id: load_item(text) for item_id, text in _texts(engine, item_ids, dataset_id)}


def _texts(engine: Engine, item_ids: Iterable[int], dataset_id: int | None) -> list[tuple[int, str]]:
    """``(id, JSON text)`` of the given ids, unparsed."""
    ids = sorted(set(item_ids))
    out: list[tuple[int, str]] = []
    if not ids:
        return out
    sql = "SELECT id, data::text FROM data_item WHERE id = ANY(%s)"
    if dataset_id is not None:
        sql += " AND dataset_id = %s"
    with engine.connect() as conn:
        for start in range(0, len(ids), BATCH):
            params: tuple[Any, ...] = (ids[start : start + BATCH],)
            if dataset_id is not None:
                params += (dataset_id,)
            out.extend(conn.exec_driver_sql(sql, params))
        conn.rollback()
    return out


class ItemReader:
    """``lookup(item_ids) -> {id: item}`` on :func:`read_items`, for ``FieldReport.examples``; its
    :meth:`batches` reads a sequence of batches with the next batch's query running (in a thread, on its
    own connection) while the caller parses and uses the current one. The server's work (printing ~7 KB
    of jsonb per item) and the parsing then overlap: the report step re-reads ~2/3 of a 10,000-item
    dataset's items for its examples."""

    def __init__(self, engine: Engine, dataset_id: int | None = None) -> None:
        self.engine = engine
        self.dataset_id = dataset_id

    def __call__(self, item_ids: list[Any]) -> dict[int, Any]:
        return read_items(self.engine, item_ids, self.dataset_id)

    def batches(self, batches: Sequence[list[Any]]) -> Iterator[dict[int, Any]]:
        """``self(batch)`` of every batch, in order; at most two batches' texts are held at a time."""
        with ThreadPoolExecutor(1, thread_name_prefix="pelican-item-reader") as pool:
            pending = pool.submit(_texts, self.engine, batches[0], self.dataset_id) if batches else None
            for index in range(len(batches)):
                assert pending is not None
                texts = pending.result()
                if index + 1 < len(batches):
                    pending = pool.submit(_texts, self.engine, batches[index + 1], self.dataset_id)
                yield {item_id: load_item(text) for item_id, text in texts}


def item_reader(engine: Engine, dataset_id: int | None = None) -> ItemReader:
    """An :class:`ItemReader` of ``dataset_id``'s items (any dataset's when None)."""
    return ItemReader(engine, dataset_id)
