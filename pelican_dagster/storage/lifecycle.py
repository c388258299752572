"""A dataset's life beyond extraction: filtered datasets (docs/pipeline.md §3) and wiping (§4.5).

A filtered dataset is a ``dataset`` row without a collection, with a ``dataset_filter`` row naming its
original and the normalised filter message. Its items are copied from the original's ``data_item`` rows
(the filter is applied in Python, :class:`pelican_dagster.pipeline.filters.FilterSpec`), then the usual
pipeline checks them. Wiping deletes every row of one dataset, in one transaction, leaving a collection
dataset's row as a ``DELETED`` tombstone (:func:`wipe_dataset`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from pelican_dagster.frontend import filters as frontend_filters
from pelican_dagster.pipeline.filters import FilterError, FilterSpec, inherited_meta
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.db import copy_rows
from pelican_dagster.storage.results import Dataset, dataset_by_id, mark_registered, set_phase

#: Rows fetched per round trip when streaming the original's items.
_FETCH_ROWS = 500
#: ``dataset.options["registered_by"]`` of a filtered dataset.
REGISTERED_BY = "filter"


class LifecycleError(Exception):
    """A filter or wipe that cannot be done (the message says why)."""


@dataclass(frozen=True)
class FilterLineage:
    """The ``dataset_filter`` row of a filtered dataset."""

    original_id: int
    filtered_id: int
    message: dict[str, Any]


def create_filtered_dataset(
    conn: Connection,
    original: Dataset,
    spec: FilterSpec,
    name: str | None,
    options: dict[str, Any] | None = None,
) -> int:
    """Insert the filtered dataset's row and its lineage; returns the new dataset id.

    The row has no collection and no ancestor; its metadata is the original's minus what the pipeline
    recomputes (``inherited_meta``). ``name`` defaults to ``<original name>_filtered_<new id>``;
    ``options`` are added to the row's options (e.g. the frontend's filter semantics). The caller's
    transaction holds both inserts, so a failure leaves nothing behind.
    """
    message = spec.to_message()
    # A unique placeholder until the id is known (the name column is unique and NOT NULL).
    placeholder = name or f"pending-filter-of-{original.id}-{time.time_ns()}"
    if name is not None and conn.execute(sa.select(s.dataset.c.id).where(s.dataset.c.name == name)).first():
        raise LifecycleError(f"a dataset named {name!r} exists already")
    new_id = conn.execute(
        sa.insert(s.dataset)
        .values(
            name=placeholder,
            meta=inherited_meta(original.meta),
            ancestor_id=None,
            collection_id=None,
            source_id=original.source_id,
            options={"max_items": spec.max_items, "registered_by": REGISTERED_BY, **(options or {})},
        )
        .returning(s.dataset.c.id)
    ).scalar_one()
    if name is None:
        conn.execute(
            sa.update(s.dataset)
            .where(s.dataset.c.id == new_id)
            .values(name=f"{original.name}_filtered_{new_id}")
        )
    conn.execute(
        sa.insert(s.dataset_filter).values(
            dataset_id_original=original.id, dataset_id_filtered=new_id, filter_message=message
        )
    )
    mark_registered(conn, new_id)  # in progress for the Pelican frontend until its run starts
    return int(new_id)


def lineage(conn: Connection, dataset_id: int) -> FilterLineage | None:
    """The lineage of a filtered dataset, or None when the dataset was not filtered from another."""
    t = s.dataset_filter
    row = conn.execute(
        sa.select(t.c.dataset_id_original, t.c.filter_message).where(t.c.dataset_id_filtered == dataset_id)
    ).first()
    return FilterLineage(int(row[0]), dataset_id, row[1]) if row else None


def is_filtered(engine: Engine, dataset_id: int) -> bool:
    """Whether the dataset was filtered from another (its items come from there, not Kingfisher)."""
    with engine.connect() as conn:
        return lineage(conn, dataset_id) is not None


def filtered_from(conn: Connection, dataset_id: int) -> list[int]:
    """Ids of the datasets filtered directly from this one, in id order."""
    t = s.dataset_filter
    return [
        int(i)
        for i in conn.execute(
            sa.select(t.c.dataset_id_filtered)
            .where(t.c.dataset_id_original == dataset_id)
            .order_by(t.c.dataset_id_filtered)
        ).scalars()
    ]


def descendants(conn: Connection, dataset_id: int) -> list[int]:
    """Every dataset filtered from this one, directly or through others, deepest first (wipe order)."""
    out: list[int] = []

    def visit(parent: int) -> None:
        for child in filtered_from(conn, parent):
            if child not in out:  # lineage cannot loop, but never recurse forever
                visit(child)
                out.append(child)

    visit(dataset_id)
    return out


def _stream_original(engine: Engine, original_id: int) -> Iterator[tuple[str, str | None, int | None]]:
    """``(JSON text, ocid, source_data_id)`` of the original's items in id order (server-side cursor)."""
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor(name=f"filter_source_{original_id}")
        cursor.itersize = _FETCH_ROWS
        cursor.execute(
            "SELECT data::text, ocid, source_data_id FROM data_item WHERE dataset_id = %s ORDER BY id",
            (original_id,),
        )
        yield from cursor
        cursor.close()
        conn.rollback()


@dataclass
class FilterCopyResult:
    """What one copy of filtered items did."""

    items: int
    #: Items of the original read (the scan stops once ``max_items`` items matched).
    scanned: int
    seconds: float

    @property
    def items_per_second(self) -> float:
        return self.scanned / self.seconds if self.seconds else 0.0


def copy_filtered_items(engine: Engine, original_id: int, new_id: int, spec: FilterSpec) -> FilterCopyResult:
    """Replace the filtered dataset's items by the original's items that match ``spec``.

    The original's items are streamed in id order and tested in Python; the first ``max_items`` matches
    are COPYed (same JSON text, ``ocid`` and ``source_data_id``), so the choice is reproducible. The
    deletion of the previous items (and, by cascade, their results) and the copy are one transaction.
    """
    start = time.perf_counter()
    scanned = 0

    def matching() -> Iterator[tuple[int, str, str | None, int | None]]:
        nonlocal scanned
        kept = 0
        if spec.max_items is not None and spec.max_items < 1:
            return
        for text, ocid, source_data_id in _stream_original(engine, original_id):
            scanned += 1
            if spec.matches(orjson.loads(text)):
                yield new_id, text, ocid, source_data_id
                kept += 1
                if spec.max_items is not None and kept >= spec.max_items:
                    return

    with engine.begin() as conn:
        # Lock the dataset row: two concurrent extractions of one dataset must not interleave.
        conn.execute(sa.select(s.dataset.c.id).where(s.dataset.c.id == new_id).with_for_update())
        conn.execute(sa.delete(s.item_check_chunk).where(s.item_check_chunk.c.dataset_id == new_id))
        conn.execute(sa.delete(s.data_item).where(s.data_item.c.dataset_id == new_id))
        items = copy_rows(conn, "data_item", ("dataset_id", "data", "ocid", "source_data_id"), matching())
    return FilterCopyResult(items=items, scanned=scanned, seconds=time.perf_counter() - start)


def extract_filtered(
    engine: Engine, dataset: Dataset
) -> tuple[FilterLineage, FilterCopyResult | frontend_filters.FrontendCopyResult]:
    """Extraction of a filtered dataset (Pelican's ``extract.dataset_filter``): copy the matching items
    of its original and record the phase (CONTRACTING_PROCESS, then OK with the size, even when 0)."""
    with engine.connect() as conn:
        found = lineage(conn, dataset.id)
        original = dataset_by_id(conn, found.original_id) if found else None
    if found is None:
        raise LifecycleError(f"dataset {dataset.name!r} was not filtered from another dataset")
    if original is None:
        raise LifecycleError(f"the original of dataset {dataset.name!r} no longer exists")
    if dataset.options.get("filter_semantics") == frontend_filters.SEMANTICS:
        return found, _extract_frontend_filtered(engine, dataset, original, found)
    try:
        spec = FilterSpec.parse(found.message)
    except FilterError as e:
        raise LifecycleError(f"the filter of dataset {dataset.name!r} is invalid: {e}") from e
    with engine.begin() as conn:
        set_phase(conn, dataset.id, "CONTRACTING_PROCESS", "IN_PROGRESS", 0)
    result = copy_filtered_items(engine, original.id, dataset.id, spec)
    with engine.begin() as conn:
        set_phase(conn, dataset.id, "CONTRACTING_PROCESS", "OK", result.items)
    return found, result


def _extract_frontend_filtered(
    engine: Engine, dataset: Dataset, original: Dataset, found: FilterLineage
) -> frontend_filters.FrontendCopyResult:
    # A dataset the Pelican frontend asked for: its conditions are the frontend's SQL.
    try:
        spec = frontend_filters.FrontendFilter.parse(found.message, dataset.options.get("max_items"))
    except FilterError as e:
        raise LifecycleError(f"the filter of dataset {dataset.name!r} is invalid: {e}") from e
    with engine.begin() as conn:
        set_phase(conn, dataset.id, "CONTRACTING_PROCESS", "IN_PROGRESS", 0)
    result = frontend_filters.copy_frontend_filtered_items(engine, original.id, dataset.id, spec)
    with engine.begin() as conn:
        set_phase(conn, dataset.id, "CONTRACTING_PROCESS", "OK", result.items)
    return result


#: The tables holding a dataset's rows, in deletion order (children before parents).
WIPED_TABLES: tuple[sa.Table, ...] = (
    s.item_check,
    s.item_check_chunk,
    s.dataset_level_check,
    s.time_variance_level_check,
    s.report,
    s.field_level_check_examples,
    s.resource_level_check_examples,
    s.progress_monitor_dataset,
    s.data_item,
)


#: ``progress_monitor_dataset.phase`` of a wiped dataset that keeps its row (Pelican's ``DELETED``/``OK``).
WIPED_PHASE = "DELETED"


def wipe_dataset(conn: Connection, dataset_id: int) -> dict[str, int]:
    """Delete every row of one dataset (its results, reports, examples, items and, as the filtered side,
    its lineage) in the caller's transaction; returns rows deleted per table.

    A dataset of a Kingfisher Process collection keeps its ``dataset`` row as a **tombstone**, with
    phase ``DELETED``/``OK`` and size 0 (as Pelican's ``manage.py remove``): the collection stays
    registered, so no sensor tick registers it again, and the ``ancestor_id`` of later datasets still
    points at a row that says it was wiped. :func:`revive_wiped` undoes the tombstone on purpose. A
    filtered dataset (no collection, never an ancestor) is deleted with its row.

    Refuses (:class:`LifecycleError`) while datasets filtered from it exist: wipe those first.
    """
    found = conn.execute(
        sa.select(s.dataset.c.collection_id).where(s.dataset.c.id == dataset_id).with_for_update()
    ).first()
    if found is None:
        raise LifecycleError(f"no dataset with id {dataset_id}")
    children = filtered_from(conn, dataset_id)
    if children:
        raise LifecycleError(f"datasets {children} were filtered from dataset {dataset_id}: wipe them first")
    tombstone = found[0] is not None
    counts: dict[str, int] = {}
    for table in WIPED_TABLES[:-1]:
        counts[table.name] = conn.execute(sa.delete(table).where(table.c.dataset_id == dataset_id)).rowcount
    t = s.dataset_filter
    counts[t.name] = conn.execute(sa.delete(t).where(t.c.dataset_id_filtered == dataset_id)).rowcount
    counts[s.data_item.name] = conn.execute(
        sa.delete(s.data_item).where(s.data_item.c.dataset_id == dataset_id)
    ).rowcount
    if tombstone:
        set_phase(conn, dataset_id, WIPED_PHASE, "OK", 0)
        conn.execute(
            sa.update(s.dataset)
            .where(s.dataset.c.id == dataset_id)
            .values(meta={"wiped": {"at": dt.datetime.now(dt.UTC).isoformat()}}, modified=sa.func.now())
        )
        counts[s.dataset.name] = 0
    else:
        counts[s.dataset.name] = conn.execute(
            sa.delete(s.dataset).where(s.dataset.c.id == dataset_id)
        ).rowcount
    return counts


def is_wiped(conn: Connection, dataset_id: int) -> bool:
    """Whether the dataset is a wipe's tombstone (phase ``DELETED``)."""
    t = s.progress_monitor_dataset
    phase = conn.execute(sa.select(t.c.phase).where(t.c.dataset_id == dataset_id)).scalar()
    return phase == WIPED_PHASE


def revive_wiped(conn: Connection, dataset_id: int) -> bool:
    """Make a wiped dataset a never-run one again (its progress row and wipe mark removed), so that its
    next run extracts and checks the collection afresh; returns False when it was not wiped."""
    if not is_wiped(conn, dataset_id):
        return False
    t = s.progress_monitor_dataset
    conn.execute(sa.delete(t).where(t.c.dataset_id == dataset_id))
    conn.execute(
        sa.update(s.dataset)
        .where(s.dataset.c.id == dataset_id)
        .values(meta=s.dataset.c.meta.op("-")(sa.literal("wiped", sa.Text)), modified=sa.func.now())
    )
    return True


def dataset_row_counts(conn: Connection, dataset_id: int) -> dict[str, int]:
    """Rows of the dataset in every table it has rows in (what a wipe deletes; for checks and tests)."""
    counts = {
        table.name: conn.execute(
            sa.select(sa.func.count()).select_from(table).where(table.c.dataset_id == dataset_id)
        ).scalar_one()
        for table in WIPED_TABLES
    }
    t = s.dataset_filter
    counts[t.name] = conn.execute(
        sa.select(sa.func.count())
        .select_from(t)
        .where(sa.or_(t.c.dataset_id_filtered == dataset_id, t.c.dataset_id_original == dataset_id))
    ).scalar_one()
    counts[s.dataset.name] = conn.execute(
        sa.select(sa.func.count()).select_from(s.dataset).where(s.dataset.c.id == dataset_id)
    ).scalar_one()
    return counts
