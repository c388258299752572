"""Writers and readers of the report stage: ``report``, the two examples tables and the chunks' partial
aggregates (``item_check_chunk``) they are merged from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from pelican_dagster.reporting.model import ReportData
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.results import dataset_by_id, dataset_by_name, get_progress

FIELD_LEVEL = "field_level_check"
RESOURCE_LEVEL = "resource_level_check"


def chunk_states(engine: Engine, dataset_id: int) -> Iterator[tuple[bytes | None, bytes | None]]:
    """``(field_state, resource_state)`` of every chunk of the dataset, in item order (one at a time)."""
    with engine.connect() as conn:
        ids = (
            conn.execute(
                sa.select(s.item_check_chunk.c.id)
                .where(s.item_check_chunk.c.dataset_id == dataset_id)
                .order_by(s.item_check_chunk.c.first_item_id)
            )
            .scalars()
            .all()
        )
        for chunk_id in ids:
            field, resource = conn.execute(
                sa.select(s.item_check_chunk.c.field_state, s.item_check_chunk.c.resource_state).where(
                    s.item_check_chunk.c.id == chunk_id
                )
            ).one()
            yield (
                bytes(field) if field is not None else None,
                bytes(resource) if resource is not None else None,
            )


def write_reports(
    conn: Connection,
    dataset_id: int,
    field_report: Mapping[str, Any],
    resource_report: Mapping[str, Any],
    field_examples: Mapping[str, Any],
    resource_examples: Mapping[str, Any],
) -> None:
    """Replace the dataset's two reports and its examples (one transaction: the caller's)."""
    for table in (s.report, s.field_level_check_examples, s.resource_level_check_examples):
        conn.execute(sa.delete(table).where(table.c.dataset_id == dataset_id))
    conn.execute(
        sa.insert(s.report),
        [
            {"dataset_id": dataset_id, "type": FIELD_LEVEL, "data": dict(field_report)},
            {"dataset_id": dataset_id, "type": RESOURCE_LEVEL, "data": dict(resource_report)},
        ],
    )
    if resource_examples:
        conn.execute(
            sa.insert(s.resource_level_check_examples),
            [{"dataset_id": dataset_id, "check_name": k, "data": v} for k, v in resource_examples.items()],
        )
    if field_examples:
        conn.execute(
            sa.insert(s.field_level_check_examples),
            [{"dataset_id": dataset_id, "path": k, "data": v} for k, v in field_examples.items()],
        )


def dataset_created(conn: Connection, dataset_id: int) -> Any:
    """When the dataset row was created (``data_quality_tool_metadata.processing_start``)."""
    return conn.execute(sa.select(s.dataset.c.created).where(s.dataset.c.id == dataset_id)).scalar_one()


def database_now(conn: Connection) -> Any:
    """The database's ``now()`` without time zone, as Pelican records ``processing_end``."""
    return conn.execute(sa.text("SELECT now()::timestamp")).scalar_one()


def _ancestor_label(conn: Connection, ancestor) -> str | None:
    # A wiped ancestor keeps its row (a DELETED tombstone): the report names it and says so.
    if ancestor is None:
        return None
    wiped = (get_progress(conn, ancestor.id) or {}).get("phase") == "DELETED"
    return f"{ancestor.name} (wiped)" if wiped else ancestor.name


def load_report_data(engine: Engine, name: str, history: bool = True) -> ReportData:
    """Everything the presentation layer shows about dataset ``name``, read from the results database:
    with ``history``, also the ancestor's results and those of the earlier datasets of its source."""
    with engine.connect() as conn:
        dataset = dataset_by_name(conn, name)
        if dataset is None:
            raise LookupError(f"no dataset named {name!r}")
        data = load_results(conn, dataset, examples=True)
        if history:
            ancestor = dataset_by_id(conn, dataset.ancestor_id) if dataset.ancestor_id else None
            if ancestor is not None:
                data.ancestor_data = load_results(conn, ancestor, examples=False)
            data.history = [
                load_results(conn, earlier, examples=False) for earlier in _earlier(conn, dataset)
            ]
    return data


def _earlier(conn: Connection, dataset: Any) -> list[Any]:
    """Checked datasets before ``dataset`` of the same source_id, and its ancestor chain, oldest first."""
    found: dict[int, Any] = {}
    if dataset.source_id is not None:
        for (dataset_id,) in conn.execute(
            sa.select(s.dataset.c.id).where(
                s.dataset.c.source_id == dataset.source_id, s.dataset.c.id < dataset.id
            )
        ):
            found[dataset_id] = dataset_by_id(conn, dataset_id)
    current, seen = dataset, {dataset.id}
    while current.ancestor_id and current.ancestor_id not in seen:
        seen.add(current.ancestor_id)
        current = dataset_by_id(conn, current.ancestor_id)
        if current is None:
            break
        found[current.id] = current
    checked = [d for d in found.values() if (get_progress(conn, d.id) or {}).get("phase") == "CHECKED"]
    return sorted(checked, key=lambda d: d.id)


def load_results(conn: Connection, dataset: Any, examples: bool) -> ReportData:
    """One dataset's stored results (``dataset`` a results ``Dataset``), its examples only if asked."""
    progress = get_progress(conn, dataset.id) or {}
    ancestor = dataset_by_id(conn, dataset.ancestor_id) if dataset.ancestor_id else None
    data = ReportData(
        name=dataset.name,
        meta=dataset.meta,
        phase=progress.get("phase"),
        state=progress.get("state"),
        size=progress.get("size"),
        ancestor=_ancestor_label(conn, ancestor),
    )
    for kind, payload in conn.execute(
        sa.select(s.report.c.type, s.report.c.data).where(s.report.c.dataset_id == dataset.id)
    ):
        if kind == FIELD_LEVEL:
            data.field_report = payload
        elif kind == RESOURCE_LEVEL:
            data.resource_report = payload
    if examples:
        t = s.resource_level_check_examples
        data.resource_examples = dict(
            conn.execute(sa.select(t.c.check_name, t.c.data).where(t.c.dataset_id == dataset.id)).all()
        )
        t = s.field_level_check_examples
        data.field_examples = dict(
            conn.execute(sa.select(t.c.path, t.c.data).where(t.c.dataset_id == dataset.id)).all()
        )
    t = s.dataset_level_check
    data.dataset_level = [
        dict(row._mapping)
        for row in conn.execute(
            sa.select(t.c.check_name, t.c.result, t.c.value, t.c.meta)
            .where(t.c.dataset_id == dataset.id)
            .order_by(t.c.id)
        )
    ]
    t = s.time_variance_level_check
    data.time_based = [
        dict(row._mapping)
        for row in conn.execute(
            sa.select(
                t.c.check_name,
                t.c.coverage_result,
                t.c.coverage_value,
                t.c.check_result,
                t.c.check_value,
                t.c.meta,
            )
            .where(t.c.dataset_id == dataset.id)
            .order_by(t.c.id)
        )
    ]

    return data
