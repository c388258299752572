"""Engines, URL normalisation and the fast bulk helpers (COPY, upsert) shared by every database layer.

SQLAlchemy 2.1 reads a bare ``postgresql://`` URL as psycopg 3; the project uses psycopg2 (its COPY API
is what the bulk paths rely on), so every URL a user gives passes through :func:`normalise_url`.
"""

from __future__ import annotations

import io
import os
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

_DRIVER = "postgresql+psycopg2"
#: Bytes sent per COPY message: large enough to amortise the calls (psycopg2's default is 8 KiB),
#: small enough to bound memory.
COPY_BLOCK = 1 << 20


def normalise_url(url: str) -> str:
    """Return ``url`` with the psycopg2 driver: ``postgres://`` and ``postgresql://`` become
    ``postgresql+psycopg2://``; a URL that already names a driver is kept."""
    url = url.strip()
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return f"{_DRIVER}://{url[len(prefix) :]}"
    return url


def libpq_url(url: str) -> str:
    """The same URL without a SQLAlchemy driver suffix (for libpq tools such as ``psql``)."""
    url = normalise_url(url)
    scheme, _, rest = url.partition("://")
    return f"postgresql://{rest}" if scheme.startswith("postgresql") else url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """A SQLAlchemy engine on ``url`` (normalised), checking connections before use, whose pool a forked
    child never shares (:func:`forget_in_forked_children`)."""
    kwargs.setdefault("pool_pre_ping", True)
    return forget_in_forked_children(sa.create_engine(normalise_url(url), **kwargs))


#: The engines whose pools a forked child drops.
_FORK_AWARE: weakref.WeakSet[Engine] = weakref.WeakSet()


def forget_in_forked_children(engine: Engine) -> Engine:
    """Make a forked child of this process (a step process, an export worker, a load) drop ``engine``'s
    pooled connections, which are the parent's sessions, without closing them (psycopg2 never closes a
    connection of another process): the child opens its own and never talks on the parent's sockets.
    Returns ``engine``."""
    _FORK_AWARE.add(engine)
    return engine


def _drop_inherited_pools() -> None:
    for engine in list(_FORK_AWARE):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_drop_inherited_pools)


def raw_cursor(conn: Connection):
    """The psycopg2 cursor under a SQLAlchemy connection (same transaction)."""
    return conn.connection.driver_connection.cursor()


def _copy_text(value: Any) -> str:
    """One value in COPY text format (``\\N`` is NULL; backslash, tab, newline and CR escaped)."""
    if value is None:
        return "\\N"
    if isinstance(value, bytes | bytearray | memoryview):
        # bytea hex input; the backslash itself must be escaped in COPY text format.
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, bool):
        return "t" if value else "f"
    text = value if isinstance(value, str) else str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def copy_rows(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY ``rows`` into ``table(columns)`` on ``conn`` (inside its transaction); returns the row count.

    Values may be None, str, int, float, bool or bytes (bytea). Rows are streamed, so an iterator of any
    length uses bounded memory.
    """
    count = 0

    def lines() -> Iterator[bytes]:
        nonlocal count
        for row in rows:
            count += 1
            yield ("\t".join(_copy_text(v) for v in row) + "\n").encode()

    copy_text(conn, table, columns, lines())
    return count


class _Lines(io.RawIOBase):
    """A file over an iterator of byte strings, read by psycopg2's COPY in blocks of ``COPY_BLOCK``."""

    def __init__(self, lines: Iterable[bytes]) -> None:
        self._lines = iter(lines)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        parts = [self._pending] if self._pending else []
        held = len(self._pending)
        for line in self._lines:
            parts.append(line)
            held += len(line)
            if size >= 0 and held >= size:
                break
        data = b"".join(parts)
        if size >= 0 and len(data) > size:
            data, self._pending = data[:size], data[size:]
        else:
            self._pending = b""
        return data


def copy_text(conn: Connection, table: str, columns: Sequence[str], lines: Iterable[bytes]) -> None:
    """COPY ``lines`` (rows already in COPY text format, each ending in a newline, UTF-8) into
    ``table(columns)`` on ``conn``, inside its transaction, as one COPY streamed in large blocks."""
    cursor = raw_cursor(conn)
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    cursor.copy_expert(sql, _Lines(lines), size=COPY_BLOCK)


#: COPY's binary format: the signature, no flags, no header extension; the end marker.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_BINARY_TRAILER = b"\xff\xff"


def copy_binary(conn: Connection, table: str, columns: Sequence[str], tuples: Iterable[bytes]) -> None:
    """COPY ``tuples`` (rows already in COPY's binary tuple format: the field count, then each field's
    length and bytes in the column's binary form) into ``table(columns)`` on ``conn``, inside its
    transaction. Bytea needs no hex text this way: half the bytes, no escaping, no parsing."""
    cursor = raw_cursor(conn)
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT binary)"
    cursor.copy_expert(sql, _Lines(chain((_BINARY_HEADER,), tuples, (_BINARY_TRAILER,))), size=COPY_BLOCK)


def upsert(
    conn: Connection,
    table: sa.Table,
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    conflict: Sequence[str],
    update: Sequence[str] | None = None,
) -> None:
    """INSERT ``values`` into ``table``; on a conflict on the ``conflict`` columns, replace the ``update``
    columns (default: every given column except the conflict ones) – so a re-run replaces its rows."""
    from sqlalchemy.dialects.postgresql import insert

    rows = [values] if isinstance(values, Mapping) else list(values)
    if not rows:
        return
    stmt = insert(table).values(rows)
    columns = update if update is not None else [c for c in rows[0] if c not in conflict]
    set_ = {c: stmt.excluded[c] for c in columns}
    if "modified" in table.c and "modified" not in set_:
        set_["modified"] = sa.func.now()
    stmt = stmt.on_conflict_do_update(index_elements=list(conflict), set_=set_) if set_ else stmt
    conn.execute(stmt if set_ else stmt.on_conflict_do_nothing(index_elements=list(conflict)))
