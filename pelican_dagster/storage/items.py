"""Reading chosen items back from ``data_item``: the report stage re-reads the few items its random
examples point to (docs/pipeline.md §4.4 step 3), so that the item checks need not build or keep examples."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.engine import Engine

from pelican_dagster.pipeline.item_pass import load_item

__all__ = ["BATCH", "item_reader", "read_items"]

#: Ids per query (``= ANY(array)`` on the primary key: one index scan per batch).
BATCH = 1000


def read_items(engine: Engine, item_ids: Iterable[int], dataset_id: int | None = None) -> dict[int, Any]:
    """``{id: parsed item}`` of the given ``data_item`` ids (of ``dataset_id`` only, if given).

    Ids that do not exist (or are of another dataset) are absent from the result. Items are parsed as
    the item checks parse them (:func:`~pelican_dagster.pipeline.item_pass.load_item`).
    """
    ids = sorted(set(item_ids))
    out: dict[int, Any] = {}
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
            for item_id, text in conn.exec_driver_sql(sql, params):
                out[item_id] = load_item(text)
        conn.rollback()
    return out


def item_reader(engine: Engine, dataset_id: int | None = None) -> Callable[[list[Any]], dict[int, Any]]:
    """A ``lookup(item_ids) -> {id: item}`` on :func:`read_items` for ``FieldReport.examples``."""

    def lookup(item_ids: list[Any]) -> dict[int, Any]:
        return read_items(engine, item_ids, dataset_id)

    return lookup
