"""Small readers and writers of the results database used by the assets, the sensor and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection

from pelican_dagster.storage import schema as s


@dataclass(frozen=True)
class Dataset:
    """A ``dataset`` row."""

    id: int
    name: str
    meta: dict[str, Any]
    ancestor_id: int | None
    collection_id: int | None
    source_id: str | None
    options: dict[str, Any]

    @property
    def max_items(self) -> int | None:
        return self.options.get("max_items")

    @property
    def max_size(self) -> int | None:
        return self.options.get("max_size")


_DATASET_COLUMNS = (
    s.dataset.c.id,
    s.dataset.c.name,
    s.dataset.c.meta,
    s.dataset.c.ancestor_id,
    s.dataset.c.collection_id,
    s.dataset.c.source_id,
    s.dataset.c.options,
)


def dataset_by_name(conn: Connection, name: str) -> Dataset | None:
    """The dataset whose name (= partition key) is ``name``, or None."""
    row = conn.execute(sa.select(*_DATASET_COLUMNS).where(s.dataset.c.name == name)).first()
    return Dataset(*row) if row else None


def dataset_by_id(conn: Connection, dataset_id: int) -> Dataset | None:
    """The dataset with this id, or None."""
    row = conn.execute(sa.select(*_DATASET_COLUMNS).where(s.dataset.c.id == dataset_id)).first()
    return Dataset(*row) if row else None


def register_dataset(
    conn: Connection,
    name: str,
    *,
    collection_id: int | None,
    source_id: str | None = None,
    ancestor_id: int | None = None,
    options: dict[str, Any] | None = None,
) -> int | None:
    """Insert a dataset row and its registration progress row (:func:`mark_registered`); returns its
    id, or None when a dataset for ``collection_id`` exists already (ON CONFLICT DO NOTHING on the
    partial unique index, so concurrent callers register it once)."""
    stmt = (
        insert(s.dataset)
        .values(
            name=name,
            collection_id=collection_id,
            source_id=source_id,
            ancestor_id=ancestor_id,
            options=options or {},
        )
        .on_conflict_do_nothing(index_elements=["collection_id"], index_where=sa.text(s.COLLECTION_KEY_WHERE))
        .returning(s.dataset.c.id)
    )
    dataset_id = conn.execute(stmt).scalar()
    if dataset_id is not None:
        mark_registered(conn, dataset_id)
    return dataset_id


def previous_dataset_id(conn: Connection, source_id: str, collection_id: int) -> int | None:
    """The ancestor for a new collection: the dataset of the same source with the greatest collection id
    below ``collection_id`` (Kingfisher Process ids grow with time), wiped datasets left out."""
    p = s.progress_monitor_dataset
    wiped = sa.exists().where(p.c.dataset_id == s.dataset.c.id, p.c.phase == "DELETED")
    stmt = (
        sa.select(s.dataset.c.id)
        .where(
            s.dataset.c.source_id == source_id,
            s.dataset.c.collection_id.isnot(None),
            s.dataset.c.collection_id < collection_id,
            ~wiped,
        )
        .order_by(s.dataset.c.collection_id.desc())
        .limit(1)
    )
    return conn.execute(stmt).scalar()


def set_phase(conn: Connection, dataset_id: int, phase: str, state: str, size: int | None = None) -> None:
    """Record the dataset's phase and state (docs/pipeline.md §5.1); ``size`` is kept when None."""
    if phase not in s.PHASES or state not in s.STATES:
        raise ValueError(f"unknown phase/state {phase}/{state}")
    values: dict[str, Any] = {"dataset_id": dataset_id, "phase": phase, "state": state}
    update: dict[str, Any] = {"phase": phase, "state": state, "modified": sa.func.now()}
    if size is not None:
        values["size"] = size
        update["size"] = size
    else:
        values["size"] = 0
    stmt = insert(s.progress_monitor_dataset).values(values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["dataset_id"], set_=update))


def mark_registered(conn: Connection, dataset_id: int) -> None:
    """Give a registered dataset that never ran a progress row (CONTRACTING_PROCESS, IN_PROGRESS, size
    NULL), so that the Pelican frontend shows it in progress, not with a null phase. Extraction sets the
    size; a NULL size therefore means "waiting for its first run" (``sensors.pending_datasets``)."""
    stmt = insert(s.progress_monitor_dataset).values(
        dataset_id=dataset_id, phase="CONTRACTING_PROCESS", state="IN_PROGRESS", size=None
    )
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["dataset_id"]))


def get_progress(conn: Connection, dataset_id: int) -> dict[str, Any] | None:
    """``{"phase", "state", "size"}`` of the dataset, or None before extraction."""
    t = s.progress_monitor_dataset
    row = conn.execute(sa.select(t.c.phase, t.c.state, t.c.size).where(t.c.dataset_id == dataset_id)).first()
    return {"phase": row[0], "state": row[1], "size": row[2]} if row else None


def merge_meta(conn: Connection, dataset_id: int, meta: dict[str, Any]) -> None:
    """Merge ``meta`` into ``dataset.meta`` (top-level key replacement, docs/pipeline.md §6)."""
    conn.execute(
        sa.update(s.dataset)
        .where(s.dataset.c.id == dataset_id)
        .values(meta=s.dataset.c.meta.op("||")(sa.cast(meta, s.dataset.c.meta.type)), modified=sa.func.now())
    )


def item_id_range(conn: Connection, dataset_id: int) -> tuple[int, int, int]:
    """``(count, min id, max id)`` of the dataset's items (0, 0, 0 when empty)."""
    row = conn.execute(
        sa.select(sa.func.count(), sa.func.min(s.data_item.c.id), sa.func.max(s.data_item.c.id)).where(
            s.data_item.c.dataset_id == dataset_id
        )
    ).one()
    return int(row[0]), int(row[1] or 0), int(row[2] or 0)


def chunk_bounds(conn: Connection, dataset_id: int, chunk_size: int) -> list[tuple[int, int, int]]:
    """Split the dataset's item ids into consecutive ranges of at most ``chunk_size`` items:
    ``[(first_id, last_id, count), ...]`` (ids of one dataset need not be contiguous)."""
    sql = """
        SELECT min(id), max(id), count(*) FROM (
            SELECT id, (row_number() OVER (ORDER BY id) - 1) / :size AS bucket
            FROM data_item WHERE dataset_id = :dataset_id
        ) t GROUP BY bucket ORDER BY bucket
    """
    rows = conn.execute(sa.text(sql), {"dataset_id": dataset_id, "size": chunk_size}).all()
    return [(int(a), int(b), int(c)) for a, b, c in rows]


def replace_rows(conn: Connection, table: sa.Table, dataset_id: int, rows: list[dict[str, Any]]) -> int:
    """Replace every row of ``table`` belonging to the dataset by ``rows`` (inside the caller's
    transaction, so a re-run or a retry replaces its rows and never duplicates them)."""
    conn.execute(sa.delete(table).where(table.c.dataset_id == dataset_id))
    if rows:
        conn.execute(sa.insert(table), [{"dataset_id": dataset_id, **row} for row in rows])
    return len(rows)
