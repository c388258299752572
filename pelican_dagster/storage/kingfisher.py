"""The Kingfisher Process tables this project reads (docs/pipeline.md §9) and writes when loading files.

``ensure_tables`` creates a minimal, compatible subset of Kingfisher Process's schema when absent, so
that a file can be loaded into an empty database (the embedded default, tests). On a real Kingfisher
Process database the tables exist already and are only read (the loader aside).

A collection is **complete** (what the sensor and extraction accept) when it is a compiled collection
(``transform_type = 'compile-releases'``), Kingfisher Process has finished it (``completed_at`` set), it
is not deleted (``deleted_at`` null) and it has at least one ``compiled_release`` row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

COMPILED = "compile-releases"

DDL = """
CREATE TABLE IF NOT EXISTS collection (
    id serial PRIMARY KEY,
    source_id text NOT NULL,
    data_version timestamptz NOT NULL,
    sample boolean NOT NULL DEFAULT false,
    transform_type text NOT NULL DEFAULT '',
    transform_from_collection_id integer REFERENCES collection (id),
    store_start_at timestamptz NOT NULL DEFAULT now(),
    store_end_at timestamptz,
    deleted_at timestamptz,
    completed_at timestamptz,
    cached_releases_count integer,
    cached_records_count integer,
    cached_compiled_releases_count integer,
    steps jsonb,
    options jsonb NOT NULL DEFAULT '{}'::jsonb,
    data_type jsonb,
    expected_files_count integer,
    compilation_started boolean NOT NULL DEFAULT false,
    scrapyd_job text NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS data (
    id bigserial PRIMARY KEY,
    hash_md5 text NOT NULL UNIQUE,
    data jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS package_data (
    id bigserial PRIMARY KEY,
    hash_md5 text NOT NULL UNIQUE,
    data jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS compiled_release (
    id bigserial PRIMARY KEY,
    collection_id integer NOT NULL REFERENCES collection (id),
    data_id bigint NOT NULL REFERENCES data (id),
    ocid text NOT NULL DEFAULT '',
    release_date text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS compiled_release_collection_id_idx ON compiled_release (collection_id);
CREATE TABLE IF NOT EXISTS release (
    id bigserial PRIMARY KEY,
    collection_id integer NOT NULL REFERENCES collection (id),
    package_data_id bigint NOT NULL REFERENCES package_data (id),
    data_id bigint NOT NULL REFERENCES data (id),
    ocid text NOT NULL DEFAULT '',
    release_id text NOT NULL DEFAULT '',
    release_date text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS release_collection_id_idx ON release (collection_id);
CREATE TABLE IF NOT EXISTS record (
    id bigserial PRIMARY KEY,
    collection_id integer NOT NULL REFERENCES collection (id),
    package_data_id bigint NOT NULL REFERENCES package_data (id),
    data_id bigint NOT NULL REFERENCES data (id),
    ocid text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS record_collection_id_idx ON record (collection_id);
-- Not part of Kingfisher Process: the loader's record of which file line each compiled release came
-- from, so that an export can write Pelican's "line" (docs/export-format.md).
CREATE TABLE IF NOT EXISTS pelican_loaded_line (
    collection_id integer NOT NULL,
    data_id bigint NOT NULL,
    line integer NOT NULL,
    PRIMARY KEY (collection_id, data_id, line)
);
-- Not part of Kingfisher Process either: the lines of a loaded file that could not be stored, with the
-- reason (line 0 holds the total count when more lines were skipped than recorded).
CREATE TABLE IF NOT EXISTS pelican_skipped_line (
    collection_id integer NOT NULL,
    line integer NOT NULL,
    reason text NOT NULL,
    PRIMARY KEY (collection_id, line, reason)
);
"""


def ensure_tables(conn: Connection) -> None:
    """Create the Kingfisher Process tables this project uses, when absent (idempotent, concurrency-safe)."""
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(7014)"))
    conn.exec_driver_sql(DDL)


@dataclass(frozen=True)
class Collection:
    """The columns of a Kingfisher Process collection that this project uses."""

    id: int
    source_id: str
    data_version: dt.datetime | None
    sample: bool
    transform_type: str
    transform_from_collection_id: int | None
    store_start_at: dt.datetime | None
    store_end_at: dt.datetime | None
    completed_at: dt.datetime | None
    deleted_at: dt.datetime | None

    @property
    def is_compiled(self) -> bool:
        return self.transform_type == COMPILED


_COLUMNS = (
    "id, source_id, data_version, sample, transform_type, transform_from_collection_id, "
    "store_start_at, store_end_at, completed_at, deleted_at"
)


def get_collection(conn: Connection, collection_id: int) -> Collection | None:
    """The collection row, or None."""
    row = conn.execute(sa.text(f"SELECT {_COLUMNS} FROM collection WHERE id = :id"), {"id": collection_id})
    found = row.first()
    return Collection(*found) if found else None


def complete_collections(conn: Connection, completed_since: dt.datetime | None = None) -> list[Collection]:
    """Every complete compiled collection (module docstring), oldest completion first; with
    ``completed_since``, only those completed at or after it (the sensor's cursor)."""
    sql = f"""
        SELECT {_COLUMNS} FROM collection c
        WHERE c.transform_type = :compiled AND c.completed_at IS NOT NULL AND c.deleted_at IS NULL
          AND (CAST(:since AS timestamptz) IS NULL OR c.completed_at >= CAST(:since AS timestamptz))
          AND EXISTS (SELECT 1 FROM compiled_release cr WHERE cr.collection_id = c.id)
        ORDER BY c.completed_at, c.id
    """
    rows = conn.execute(sa.text(sql), {"compiled": COMPILED, "since": completed_since})
    return [Collection(*r) for r in rows]


def has_compiled_releases(conn: Connection, collection_id: int) -> bool:
    """Whether the collection has any compiled_release row (Pelican's only requirement)."""
    sql = "SELECT EXISTS (SELECT 1 FROM compiled_release WHERE collection_id = :id)"
    return bool(conn.execute(sa.text(sql), {"id": collection_id}).scalar())


def loaded_lines(conn: Connection, collection_id: int) -> dict[int, int]:
    """``{data.id: first line}`` recorded by the loader for a collection ({} for other collections)."""
    exists = conn.execute(sa.text("SELECT to_regclass('pelican_loaded_line') IS NOT NULL")).scalar()
    if not exists:
        return {}
    sql = "SELECT data_id, min(line) FROM pelican_loaded_line WHERE collection_id = :id GROUP BY data_id"
    return dict(conn.execute(sa.text(sql), {"id": collection_id}).all())


class LoadedLines:
    """The loader's lines of a collection, read a batch of ``data.id`` at a time (``lines_of``), so that
    an export of any size never holds every line in memory as :func:`loaded_lines` does."""

    def __init__(self, engine: Engine, collection_id: int) -> None:
        self.engine, self.collection_id = engine, collection_id
        with engine.connect() as conn:
            self.recorded = conn.execute(
                sa.text("SELECT to_regclass('pelican_loaded_line') IS NOT NULL")
            ).scalar()

    def lines_of(self, data_ids: Sequence[int]) -> dict[int, int]:
        """``{data.id: first line}`` of those ``data_ids`` that the loader recorded."""
        if not self.recorded or not data_ids:
            return {}
        sql = (
            "SELECT data_id, min(line) FROM pelican_loaded_line "
            "WHERE collection_id = :id AND data_id = ANY(:ids) GROUP BY data_id"
        )
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.text(sql), {"id": self.collection_id, "ids": list(data_ids)}).all())


def collection_chain(conn: Connection, collection_id: int) -> list[dict[str, Any]] | None:
    """The collection and its ancestors via ``transform_from_collection_id``, given first, root last.

    Like Pelican, the chain is only found when the given collection is a leaf (no collection is
    transformed from it); otherwise None (docs/pipeline.md §6.1).
    """
    sql = """
        WITH RECURSIVE chain AS (
            SELECT id, transform_from_collection_id, store_start_at, store_end_at, 0 AS depth
            FROM collection WHERE id = :id
              AND NOT EXISTS (SELECT 1 FROM collection t WHERE t.transform_from_collection_id = :id)
            UNION ALL
            SELECT c.id, c.transform_from_collection_id, c.store_start_at, c.store_end_at, chain.depth + 1
            FROM collection c JOIN chain ON c.id = chain.transform_from_collection_id
            WHERE chain.depth < 100
        )
        SELECT id, transform_from_collection_id, store_start_at, store_end_at FROM chain ORDER BY depth
    """
    rows = conn.execute(sa.text(sql), {"id": collection_id}).mappings().all()
    return [dict(r) for r in rows] or None


def record_skipped_lines(
    conn: Connection, collection_id: int, skipped: list[tuple[int, str]], total: int
) -> None:
    """Record the loader's skipped lines of a collection (``(line, reason)``, at most a first batch) and,
    when more were skipped than recorded, their total under line 0."""
    rows = [{"c": collection_id, "line": line, "reason": reason} for line, reason in skipped]
    if total > len(skipped):
        rows.append({"c": collection_id, "line": 0, "reason": f"{total} lines skipped in all"})
    if rows:
        conn.execute(
            sa.text(
                "INSERT INTO pelican_skipped_line (collection_id, line, reason) VALUES (:c, :line, :reason) "
                "ON CONFLICT DO NOTHING"
            ),
            rows,
        )


def skipped_lines(conn: Connection, collection_id: int, listed: int = 100) -> dict[str, Any] | None:
    """``{"count", "lines": [{"line", "reason"}, …]}`` of the lines the loader skipped in a collection,
    or None for a collection not loaded by pelican-dagster (or without skipped lines)."""
    if not conn.execute(sa.text("SELECT to_regclass('pelican_skipped_line') IS NOT NULL")).scalar():
        return None
    rows = conn.execute(
        sa.text(
            "SELECT line, reason FROM pelican_skipped_line WHERE collection_id = :id ORDER BY line, reason"
        ),
        {"id": collection_id},
    ).all()
    if not rows:
        return None
    total = next((int(r[1].split()[0]) for r in rows if r[0] == 0), None)
    listed_rows = [{"line": line, "reason": reason} for line, reason in rows if line != 0]
    return {"count": total or len(listed_rows), "lines": listed_rows[:listed]}
