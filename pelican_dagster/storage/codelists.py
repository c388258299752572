"""Stored versions of the codelists and registers (table ``codelist_version``).

One row per distinct content of a list; the row of a name with the latest ``fetched_at`` is the version
in use. The ``codelists`` asset stores downloads (:func:`store_version` with origin ``download``),
``pelican-dagster codelists import`` stores files (origin ``import``). Check runs only read:

* :func:`load_current` — the versions in use now (the shipped snapshot for a list never stored);
* :func:`load_pinned` — the versions named by content hash, e.g. the ones a dataset run recorded, so
  that every step of a run (and a re-run) checks against the same lists.

Both return :class:`pelican_dagster.checks.codelists.Codelists`, plain data for the check context.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine

from pelican_dagster.checks.codelists import (
    NAMES,
    REGISTERS,
    Codelists,
    CodelistVersion,
    build_codelists,
    parse_codes,
    sha256,
    snapshot,
)
from pelican_dagster.storage.schema import codelist_version as t

__all__ = [
    "current_versions",
    "load_current",
    "load_pinned",
    "read_file_version",
    "store_version",
    "version_by_hash",
]

_COLUMNS = (t.c.name, t.c.sha256, t.c.origin, t.c.source, t.c.entries, t.c.fetched_at, t.c.content)


def _version(row) -> tuple[bytes, CodelistVersion]:
    version = CodelistVersion(row.name, row.sha256, row.origin, row.source, row.entries, row.fetched_at)
    return bytes(row.content), version


def store_version(
    conn: Connection, name: str, data: bytes, origin: str, source: str, at: dt.datetime | None = None
) -> tuple[CodelistVersion, bool]:
    """Store ``data`` as the version of ``name`` in use from ``at`` (default: the database's now).

    Content already stored only has its ``fetched_at``, origin and source renewed (no duplicate row).
    Returns the version and whether it differs from the one in use before. Raises ``ValueError`` when
    the data is not a valid list (:func:`~pelican_dagster.checks.codelists.parse_codes`).
    """
    if name not in NAMES:
        raise ValueError(f"unknown codelist {name!r} (one of {', '.join(NAMES)})")
    entries = len(parse_codes(name, data))
    before = current_versions(conn).get(name)
    digest = sha256(data)
    moment = sa.func.now() if at is None else sa.literal(at, sa.DateTime(timezone=True))
    values = {"origin": origin, "source": source, "entries": entries, "fetched_at": moment}
    statement = (
        postgresql.insert(t)
        .values(name=name, sha256=digest, content=data, first_fetched_at=moment, **values)
        .on_conflict_do_update(constraint="codelist_version_name_sha256_key", set_=values)
        .returning(*_COLUMNS)
    )
    _, version = _version(conn.execute(statement).one())
    changed = before is None or before[1].sha256 != digest
    return version, changed


def current_versions(conn: Connection) -> dict[str, tuple[bytes, CodelistVersion]]:
    """name → (bytes, version) of every stored list's version in use (lists never stored are absent)."""
    rows = conn.execute(
        sa.text(
            "SELECT DISTINCT ON (name) name, sha256, origin, source, entries, fetched_at, content"
            " FROM codelist_version ORDER BY name, fetched_at DESC, id DESC"
        )
    )
    return {row.name: _version(row) for row in rows}


def version_by_hash(conn: Connection, name: str, digest: str) -> tuple[bytes, CodelistVersion] | None:
    """The stored (or shipped) version of ``name`` whose content hash is ``digest``; None if unknown."""
    row = conn.execute(sa.select(*_COLUMNS).where(t.c.name == name, t.c.sha256 == digest)).first()
    if row is not None:
        return _version(row)
    shipped = snapshot(name)
    return shipped if shipped[1].sha256 == digest else None


def read_file_version(name: str, path: str | Path) -> tuple[bytes, CodelistVersion]:
    """A list read from a file given by configuration (origin ``file``; raises OSError / ValueError)."""
    data = Path(path).read_bytes()
    return data, CodelistVersion(name, sha256(data), "file", str(path), len(parse_codes(name, data)))


def _connect(bind: Engine | Connection):
    return bind.connect() if isinstance(bind, Engine) else _Borrowed(bind)


class _Borrowed:
    """A context manager that lends an open connection without closing it."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def __enter__(self) -> Connection:
        return self.conn

    def __exit__(self, *exc) -> None:
        return None


def load_current(
    bind: Engine | Connection | None, files: Mapping[str, str | None] | None = None
) -> Codelists:
    """The codelists in use now: per register, a configured file (``files``: name → path, e.g. from
    ``PELICAN_OCID_PREFIXES_FILE``) wins, then the stored version, then the shipped snapshot.

    Never touches the network. An unreachable database (or ``bind`` None) means the snapshot; a
    configured file that cannot be read is an error (a misconfiguration must not go unnoticed).
    """
    contents: dict[str, tuple[bytes, CodelistVersion]] = {}
    if bind is not None:
        try:
            with _connect(bind) as conn:
                contents.update(current_versions(conn))
        except sa.exc.SQLAlchemyError:
            pass
    for name, path in (files or {}).items():
        if path:
            contents[name] = read_file_version(name, path)
    return build_codelists({name: contents[name] for name in REGISTERS if name in contents})


def load_pinned(
    bind: Engine | Connection, hashes: Mapping[str, str], files: Mapping[str, str | None] | None = None
) -> Codelists:
    """The codelists whose registers have the given content hashes (name → sha256, e.g. from
    ``Codelists.provenance()`` recorded with a dataset); registers not named are the snapshot. A
    configured file (``files``) whose content has the hash serves too (files are never stored).
    Raises ``LookupError`` naming a hash that is neither stored, shipped nor in a configured file."""
    contents: dict[str, tuple[bytes, CodelistVersion]] = {}
    with _connect(bind) as conn:
        for name, digest in hashes.items():
            if name not in REGISTERS:
                continue  # the fixed OCDS codelists are the package's (their hash is recorded only)
            found = version_by_hash(conn, name, digest)
            path = (files or {}).get(name)
            if found is None and path:
                candidate = read_file_version(name, path)
                found = candidate if candidate[1].sha256 == digest else None
            if found is None:
                raise LookupError(f"no stored version of codelist {name!r} with sha256 {digest}")
            contents[name] = found
    return build_codelists(contents)


def well_formed_prefix_counts(conn: Connection, dataset_id: int) -> dict[str, int]:
    """OCID prefix → number of the dataset's items whose ocid starts with it, for the well-formed ocids
    (``ocds-`` + six lower-case letters or digits, then ``-`` or the end; see ``ocid_prefix_check``)."""
    rows = conn.execute(
        sa.text(
            "SELECT left(ocid, 11) AS prefix, count(*) FROM data_item"
            " WHERE dataset_id = :id AND ocid ~ '^ocds-[a-z0-9]{6}(-|$)' GROUP BY 1 ORDER BY 1"
        ),
        {"id": dataset_id},
    )
    return {prefix: count for prefix, count in rows}
