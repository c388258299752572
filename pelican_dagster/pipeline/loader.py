"""Load an OCDS file into Kingfisher Process tables as a complete compiled collection.

Accepted input (gzip or not, detected from the content):

* JSON Lines of compiled releases (one object per line) – the fast path: the lines are validated in
  Python and COPied as they are (no re-serialisation), ``data`` rows de-duplicated by MD5 like
  Kingfisher Process does;
* release packages and record packages (one JSON document, or one per line), compiled with ocdskit /
  ocdsmerge; a record's ``compiledRelease`` is used when it has no full releases.

Two collections are created in one transaction, both completed: a root collection (with the packages
and their releases/records; empty for JSON Lines of compiled releases) and a compiled collection
(``transform_type = 'compile-releases'``) holding the compiled releases. A line that cannot be stored
(invalid JSON, ``NaN``/``Infinity``, not an object, a ``\\u0000`` or a lone surrogate that jsonb rejects,
nesting deeper than the checks can read, a package that fails to compile) is reported in
``LoadResult.skipped`` with its line and reason – never silently dropped, never fatal – and recorded in
``pelican_skipped_line`` (extraction copies the count into the dataset's metadata). A UTF-8 byte order
mark is ignored; integers of any length are accepted (jsonb stores them).

A file that is missing, not a file, a corrupt or truncated gzip, or that has no storable compiled release
with an ``ocid`` raises :class:`LoadError` and nothing is written (one transaction).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import threading
import time
import weakref
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from pelican_dagster import settings
from pelican_dagster.pipeline.forking import fork_is_safe
from pelican_dagster.storage import kingfisher
from pelican_dagster.storage.db import raw_cursor

_COPY_BATCH_BYTES = 8 << 20
_BOM = b"\xef\xbb\xbf"
#: orjson's nesting limit; the checks parse items with orjson, so deeper items could not be checked.
MAX_DEPTH = 1024
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Skipped lines recorded per collection (all are counted).
SKIPPED_RECORDED = 1000


class LoadError(ValueError):
    """The file cannot be loaded at all (the message says why, in one line); nothing was written."""


@dataclass
class LoadResult:
    """What :func:`load_file` did."""

    root_collection_id: int
    collection_id: int
    #: Compiled releases stored in the compiled collection.
    items: int
    #: ``(line, reason)`` for every line that was not stored.
    skipped: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0
    #: "compiled_releases" or "packages"
    input_kind: str = "compiled_releases"


def _open(path: Path):
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def _unstorable(value: Any) -> str | None:
    """Why PostgreSQL jsonb cannot store a parsed JSON value (U+0000 or a lone surrogate in a string or
    key), or None. Iterative: the value may be nested up to the parser's limit."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                return "contains \\u0000, which PostgreSQL jsonb cannot store"
            if _SURROGATE.search(item):
                return "contains a lone surrogate (e.g. \\ud800), which PostgreSQL jsonb cannot store"
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (PostgreSQL jsonb rejects it)")


def _parse_int(text: str) -> int | Decimal:
    # Python refuses int() of more than 4,300 digits; jsonb stores them, so accept them.
    return int(text) if len(text) <= 4000 else Decimal(text)


def _parse(raw: bytes) -> tuple[Any, bool]:
    """Parse one JSON text: ``(value, fallback)``. orjson first; the standard library (strictly: no
    ``NaN``/``Infinity``, integers of any length) for what orjson refuses, e.g. ``1e400``. ``fallback``
    says the standard library parsed it (its strings may then hold lone surrogates). Raises ValueError."""
    try:
        return orjson.loads(raw), False
    except orjson.JSONDecodeError as e:
        if "depth limit" in str(e):
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels, which the checks cannot read") from e
    try:
        return json.loads(raw, parse_constant=_reject_constant, parse_int=_parse_int), True
    except RecursionError as e:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels, which the checks cannot read") from e


def _is_package(value: Any) -> bool:
    return isinstance(value, dict) and (
        isinstance(value.get("releases"), list) or isinstance(value.get("records"), list)
    )


def _escape_copy(raw: bytes) -> bytes:
    # COPY text format: backslash, and tab/newline/CR (legal JSON whitespace) must be escaped.
    raw = raw.replace(b"\\", b"\\\\")
    if b"\t" in raw or b"\r" in raw or b"\n" in raw:
        raw = raw.replace(b"\t", b"\\t").replace(b"\r", b"\\r").replace(b"\n", b"\\n")
    return raw


class _Copies:
    """The COPY of one connection running in a background thread, at most one at a time: PostgreSQL
    parses a batch while this thread parses the next lines (psycopg2 releases the GIL while it sends)."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def start(self, cursor, sql: str, buffer: io.BytesIO) -> None:
        self.wait()

        def copy() -> None:
            try:
                cursor.copy_expert(sql, buffer, size=1 << 20)
            except BaseException as e:  # re-raised in the caller's thread by wait()
                self.error = e

        self.thread = threading.Thread(target=copy, name="pelican-load-copy", daemon=True)
        self.thread.start()

    def wait(self) -> None:
        """Wait for the running COPY (the connection is then free); re-raise its error."""
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.error is not None:
            error, self.error = self.error, None
            raise error


#: One background COPY per connection, shared by the staging tables on it.
_copies: weakref.WeakKeyDictionary[Any, _Copies] = weakref.WeakKeyDictionary()


def _copies_of(conn: Connection) -> _Copies:
    driver = conn.connection.driver_connection
    if driver not in _copies:
        _copies[driver] = _Copies()
    return _copies[driver]


def _copy_text(value: Any) -> bytes:
    """A string field as a COPY text value; anything else ``\\N`` (NULL: SQL then reads it from the
    stored jsonb, with ``->>``'s own rendering of numbers, objects and nulls)."""
    if type(value) is not str:
        return b"\\N"
    try:
        return _escape_copy(value.encode())
    except UnicodeEncodeError:  # a lone surrogate (refused before staging): let SQL read it
        return b"\\N"


class _Staging:
    """A temporary table ``(line, hash_md5, data jsonb, ocid, date)`` filled by COPY in batches. ``ocid``
    and ``date`` hold the document's string ``ocid`` and ``date`` as parsed here, so that storing the
    compiled releases need not decompress every staged document twice for ``data->>'ocid'`` and
    ``data->>'date'`` (~0.2 s of the server's CPU for 10,000 items); NULL when not strings."""

    def __init__(self, conn: Connection, name: str):
        self.conn = conn
        self.name = name
        self.copies = _copies_of(conn)
        self.copies.wait()
        self.cursor = raw_cursor(conn)
        # A load earlier in the same transaction (``load_files``) left its staging table.
        self.cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
        self.cursor.execute(
            f"CREATE TEMP TABLE {name} (line integer, hash_md5 text, data jsonb, ocid text, date text) "
            "ON COMMIT DROP"
        )
        self.buffer = io.BytesIO()
        self.count = 0
        #: Documents with a string ``ocid`` (a compiled release the checks can use).
        self.with_ocid = 0

    def add(self, line: int, raw: bytes, value: Any = None) -> None:
        digest = hashlib.md5(raw).hexdigest().encode()
        ocid, date = (value.get("ocid"), value.get("date")) if isinstance(value, dict) else (None, None)
        self.buffer.write(
            b"%d\t%s\t%s\t%s\t%s\n" % (line, digest, _escape_copy(raw), _copy_text(ocid), _copy_text(date))
        )
        self.count += 1
        if type(ocid) is str:
            self.with_ocid += 1
        if self.buffer.tell() >= _COPY_BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Send the buffered rows (in the background: :meth:`wait` before using the connection)."""
        if self.buffer.tell():
            self.buffer.seek(0)
            self.copies.start(
                self.cursor, f"COPY {self.name} (line, hash_md5, data, ocid, date) FROM STDIN", self.buffer
            )
            self.buffer = io.BytesIO()

    def wait(self) -> None:
        """Wait until every row sent is stored."""
        self.copies.wait()

    def store_data(self, table: str = "data") -> None:
        """Insert the staged documents into ``data``/``package_data`` (existing hashes are reused)."""
        self.flush()
        self.wait()
        self.cursor.execute(
            f"INSERT INTO {table} (hash_md5, data) SELECT hash_md5, data FROM {self.name} "
            "ON CONFLICT (hash_md5) DO NOTHING"
        )


def _new_collection(
    conn: Connection, source_id: str, data_version: dt.datetime, transform_from: int | None
) -> int:
    sql = """
        INSERT INTO collection (source_id, data_version, sample, transform_type,
                                transform_from_collection_id, store_start_at, options, steps, data_type)
        VALUES (:source_id, :data_version, false, :transform_type, :transform_from, clock_timestamp(),
                '{}'::jsonb, CAST(:steps AS jsonb), CAST(:data_type AS jsonb))
        RETURNING id
    """
    params = {
        "source_id": source_id,
        "data_version": data_version,
        "transform_type": kingfisher.COMPILED if transform_from else "",
        "transform_from": transform_from,
        "steps": json.dumps(["compile"] if transform_from is None else []),
        "data_type": json.dumps({"format": "compiled_release" if transform_from else "release_package"}),
    }
    return conn.execute(sa.text(sql), params).scalar_one()


def _complete(conn: Connection, collection_ids: Iterable[int], counts: dict[int, int]) -> None:
    for cid in collection_ids:
        conn.execute(
            sa.text(
                "UPDATE collection SET store_end_at = clock_timestamp(), completed_at = clock_timestamp(), "
                "cached_compiled_releases_count = :n WHERE id = :id"
            ),
            {"id": cid, "n": counts.get(cid)},
        )


def _iter_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with _open(path) as f:
        for number, raw in enumerate(f, 1):
            raw = raw.strip()
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :].strip()
            if raw:
                yield number, raw


def _whole_document(path: Path) -> bool:
    """True when the file is one JSON document spread over several lines (a pretty-printed package)."""
    with _open(path) as f:
        first = next((raw.strip() for raw in f if raw.strip()), b"")
    first = first.removeprefix(_BOM).strip()
    if not first:
        return False
    try:
        _parse(first)
    except ValueError:
        return first[:1] in (b"{", b"[")
    return False


def _check_path(path: Path) -> None:
    if not path.exists():
        raise LoadError(f"{path}: no such file")
    if not path.is_file():
        raise LoadError(f"{path}: not a file")
    if not os.access(path, os.R_OK):
        raise LoadError(f"{path}: not readable")


def load_file(
    engine: Engine,
    path: str | os.PathLike[str],
    source_id: str | None = None,
    data_version: dt.datetime | None = None,
) -> LoadResult:
    """Load ``path`` into the Kingfisher Process database of ``engine`` (tables created when absent).

    ``source_id`` defaults to the file name without ``.jsonl.gz``/``.json`` suffixes. Raises
    :class:`LoadError` (nothing written) when the file cannot be loaded at all.
    """
    return load_files(engine, [(path, source_id)], data_version)[0]


def load_files(
    engine: Engine,
    files: list[tuple[str | os.PathLike[str], str | None]],
    data_version: dt.datetime | None = None,
) -> list[LoadResult]:
    """Load several ``(path, source_id)`` files in one transaction: all are loaded, or (on
    :class:`LoadError`) none is."""
    for path, _ in files:
        _check_path(Path(path))
    with engine.begin() as conn:
        kingfisher.ensure_tables(conn)
    with engine.begin() as conn:
        try:
            return [_load(conn, Path(path), source_id, data_version) for path, source_id in files]
        except BaseException:
            # A COPY still running in the background must end before the transaction rolls back.
            with contextlib.suppress(BaseException):
                _copies_of(conn).wait()
            raise


class LoadAside:
    """:func:`load_files` in a child process forked now, while this process does other work.

    The load holds the GIL for about a third of its time (parsing, hashing), so a thread of this process
    doing its own Python work meanwhile (the CLI imports Dagster and builds the job while the file loads)
    slows both; a forked child runs on another core. Where a child cannot be forked safely (no ``fork``
    on the platform, another thread running, a daemonic process), the load runs in this process when
    :meth:`result` is called. Either way it is one transaction: all files are loaded, or none."""

    def __init__(
        self,
        engine: Engine,
        files: list[tuple[str | os.PathLike[str], str | None]],
        data_version: dt.datetime | None = None,
    ) -> None:
        import multiprocessing

        self.engine, self.files, self.data_version = engine, files, data_version
        self.child = None
        if not fork_is_safe():
            return
        context = multiprocessing.get_context("fork")
        self.receive, send = context.Pipe(duplex=False)
        self.child = context.Process(
            target=_load_in_child, args=(send, engine, files, data_version), name="pelican-load", daemon=True
        )
        self.child.start()
        send.close()

    def result(self) -> list[LoadResult]:
        """The loads' results; raises what :func:`load_files` raised (:class:`LoadError` when the file
        cannot be loaded)."""
        if self.child is None:
            return load_files(self.engine, self.files, self.data_version)
        try:
            outcome = self.receive.recv()
        except EOFError:
            self.child.join()
            raise LoadError(
                f"the load ended without a result (its process exited with status {self.child.exitcode}); "
                "nothing was written"
            ) from None
        except BaseException:
            # Interrupted (Ctrl-C): the child's transaction rolls back when it is stopped.
            self.child.terminate()
            self.child.join()
            raise
        finally:
            self.receive.close()
        self.child.join()
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def _load_in_child(send, engine: Engine, files, data_version) -> None:
    # The pooled connections are the parent's sessions: dropped unclosed, so that this process opens its
    # own and never talks on (nor closes) the parent's sockets.
    engine.dispose(close=False)
    try:
        outcome: Any = load_files(engine, files, data_version)
    except BaseException as e:
        outcome = e
    finally:
        engine.dispose()  # this process's own connections, closed before it exits
    try:
        send.send(outcome)
    except Exception:  # an exception that does not pickle (a driver's error): its type and text
        send.send(RuntimeError(f"{type(outcome).__name__}: {outcome}"))
    send.close()


def _load(
    conn: Connection, path: Path, source_id: str | None, data_version: dt.datetime | None
) -> LoadResult:
    start = time.perf_counter()
    if source_id is None:
        source_id = path.name.split(".")[0] or "file"
    data_version = data_version or dt.datetime.now(dt.UTC)
    root = _new_collection(conn, source_id, data_version, None)
    compiled = _new_collection(conn, source_id, data_version, root)
    skipped: list[tuple[int, str]] = []
    packages: list[tuple[int, dict[str, Any]]] = []
    staging = _Staging(conn, "pelican_load_compiled")
    lines_read = 0
    try:
        if _whole_document(path):
            with _open(path) as f:
                raw = f.read().removeprefix(_BOM)
            lines_read = 1
            try:
                value, fallback = _parse(raw)
                problem = _unstorable(value) if fallback or b"\\u" in raw else None
            except ValueError as e:
                value, problem = None, None
                skipped.append((1, f"invalid JSON: {e}"))
            if problem:
                skipped.append((1, problem))
                value = None
            documents = value if isinstance(value, list) else [value] if value is not None else []
            for value in documents:
                if _is_package(value):
                    packages.append((1, value))
                elif isinstance(value, dict):
                    packages.append((1, {"releases": [value]}))
                else:
                    skipped.append((1, f"not an object: {type(value).__name__}"))
        else:
            for number, raw in _iter_lines(path):
                lines_read += 1
                try:
                    value, fallback = _parse(raw)
                except ValueError as e:
                    skipped.append((number, f"invalid JSON: {e}"))
                    continue
                if not isinstance(value, dict):
                    skipped.append((number, f"not an object: {type(value).__name__}"))
                    continue
                problem = _unstorable(value) if fallback or b"\\u0000" in raw else None
                if problem:
                    skipped.append((number, problem))
                elif _is_package(value):
                    packages.append((number, value))
                else:
                    staging.add(number, raw, value)
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise LoadError(f"{path}: a truncated or corrupt gzip file ({e})") from e
    except OSError as e:
        raise LoadError(f"{path}: cannot be read ({e})") from e
    kind = "compiled_releases"
    if packages:
        kind = "packages"
        _load_packages(conn, root, packages, staging, skipped)
    skipped.sort()
    if staging.with_ocid == 0:
        raise LoadError(_nothing_to_load(path, lines_read, staging.count, skipped))
    staging.store_data()
    cursor = staging.cursor
    cursor.execute(
        f"""
        INSERT INTO compiled_release (collection_id, data_id, ocid, release_date)
        SELECT %s, d.id, coalesce(t.ocid, t.data->>'ocid', ''), coalesce(t.date, t.data->>'date', '')
        FROM {staging.name} t JOIN data d ON d.hash_md5 = t.hash_md5 ORDER BY t.line
        """,
        (compiled,),
    )
    items = cursor.rowcount
    # The lines stay in the database (``kingfisher.LoadedLines`` reads them a batch at a time): a
    # {data.id: line} dict here cost ~50 bytes per item for the whole run (~50 MB at 1,000,000 items).
    cursor.execute(
        f"""
        INSERT INTO pelican_loaded_line (collection_id, data_id, line)
        SELECT %s, d.id, t.line FROM {staging.name} t JOIN data d ON d.hash_md5 = t.hash_md5
        ON CONFLICT DO NOTHING
        """,
        (compiled,),
    )
    kingfisher.record_skipped_lines(conn, compiled, skipped[:SKIPPED_RECORDED], len(skipped))
    _complete(conn, (root, compiled), {compiled: items})
    return LoadResult(root, compiled, items, skipped, time.perf_counter() - start, kind)


def _nothing_to_load(path: Path, lines_read: int, stored: int, skipped: list[tuple[int, str]]) -> str:
    """The one line saying why ``path`` has no compiled release to check."""
    if lines_read == 0:
        return f"{path}: no compiled release: the file is empty"
    if stored:
        return f"{path}: no compiled release: no line has an ocid ({stored} object(s) without one)"
    line, reason = skipped[0] if skipped else (1, "nothing storable")
    more = f" ({len(skipped) - 1} more line(s) skipped)" if len(skipped) > 1 else ""
    return f"{path}: no compiled release: line {line}: {reason}{more}"


def _release_schema() -> Any:
    """The release schema for merging: ``PELICAN_RELEASE_SCHEMA`` (path or URL) if set, else a
    schema-less merge (arrays of objects merged by ``id``), which needs no network."""
    configured = os.environ.get(settings.RELEASE_SCHEMA)
    if configured:
        if Path(configured).exists():
            return json.loads(Path(configured).read_text())
        return configured
    return {"type": "object", "properties": {}}


def _load_packages(
    conn: Connection,
    root: int,
    packages: list[tuple[int, dict[str, Any]]],
    compiled_staging: _Staging,
    skipped: list[tuple[int, str]],
) -> None:
    """Store packages and their releases/records in the root collection; stage compiled releases."""
    from ocdskit.combine import merge

    package_staging = _Staging(conn, "pelican_load_package")
    release_staging = _Staging(conn, "pelican_load_release")
    kinds: dict[int, str] = {}
    to_merge: list[dict[str, Any]] = []
    ready: list[dict[str, Any]] = []
    for number, package in packages:
        meta = {k: v for k, v in package.items() if k not in ("releases", "records")}
        package_staging.add(number, orjson.dumps(meta))
        if isinstance(package.get("records"), list):
            kinds[number] = "record"
            for record in package["records"]:
                if not isinstance(record, dict):
                    skipped.append((number, "a record is not an object"))
                    continue
                release_staging.add(number, orjson.dumps(record))
                full = [r for r in record.get("releases") or [] if isinstance(r, dict) and "tag" in r]
                if full:
                    to_merge.extend(full)
                elif isinstance(record.get("compiledRelease"), dict):
                    ready.append(record["compiledRelease"])
                else:
                    skipped.append((number, "a record has neither full releases nor a compiledRelease"))
        else:
            kinds[number] = "release"
            for release in package["releases"]:
                if isinstance(release, dict):
                    release_staging.add(number, orjson.dumps(release))
                    to_merge.append(release)
                else:
                    skipped.append((number, "a release is not an object"))
    package_staging.store_data("package_data")
    release_staging.store_data("data")
    cursor = release_staging.cursor
    for kind in ("release", "record"):
        numbers = [n for n, k in kinds.items() if k == kind]
        if not numbers:
            continue
        extra = ", release_id, release_date" if kind == "release" else ""
        extra_values = ", coalesce(r.data->>'id', ''), coalesce(r.data->>'date', '')" if extra else ""
        cursor.execute(
            f"""
            INSERT INTO {kind} (collection_id, package_data_id, data_id, ocid{extra})
            SELECT %s, pd.id, d.id, coalesce(r.data->>'ocid', ''){extra_values}
            FROM pelican_load_release r
            JOIN data d ON d.hash_md5 = r.hash_md5
            JOIN pelican_load_package p ON p.line = r.line
            JOIN package_data pd ON pd.hash_md5 = p.hash_md5
            WHERE r.line = ANY(%s)
            """,
            (root, numbers),
        )
    ordinal = 0
    try:
        merged = list(merge([{"releases": to_merge}], schema=_release_schema(), ignore_version=True))
    except Exception as e:  # a package that ocdsmerge cannot compile must not crash the load
        merged = []
        skipped.append((packages[0][0], f"could not compile the releases: {type(e).__name__}: {e}"))
    for compiled in [*ready, *merged]:
        ordinal += 1
        problem = _unstorable(compiled)
        if problem:
            skipped.append((ordinal, f"compiled release {problem}"))
            continue
        try:
            raw = orjson.dumps(compiled)
        except (TypeError, orjson.JSONEncodeError) as e:  # e.g. an integer beyond 64 bits
            skipped.append((ordinal, f"compiled release cannot be serialised: {e}"))
            continue
        compiled_staging.add(ordinal, raw, compiled)
