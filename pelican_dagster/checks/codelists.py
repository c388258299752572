"""Codelists the field-level quality checks read (docs/checks.md §0.7), as plain data with their provenance.

Pelican bundles documentType (OCDS 1.1), language and mediaType (OCDS 1.2-dev) and downloads the
org-id.guide scheme codes and the registered OCID prefixes, with no offline fallback. Here all five
are shipped as CSV files in ``pelican_dagster/data/codelists/`` (the *snapshot*); the two registers are
refreshed by the ``codelists`` asset or imported by ``pelican-dagster codelists import`` into the
results database (``pelican_dagster.storage.codelists``), which hands the stored bytes to
:func:`build_codelists`. Nothing here reads the network or a database.

The shipped OCID-prefix snapshot holds only the prefixes of the bundled sample data, so it is not a
register: :attr:`Codelists.ocid_register_complete` is False while it is the copy in use, and
``ocid_prefix_check`` then does not fail a well-formed prefix it lacks (see that module).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "DATA_DIR",
    "NAMES",
    "REGISTERS",
    "CodelistVersion",
    "Codelists",
    "build_codelists",
    "codelist_versions",
    "document_type_sections",
    "languages",
    "load_ocid_prefixes",
    "load_org_id_codes",
    "media_types",
    "parse_codes",
    "sha256",
    "snapshot",
]

#: Where the shipped codelist files live.
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "codelists"

#: Shipped file of each named codelist, and the CSV column holding its codes.
_FILES = {
    "ocid_prefixes": ("ocid_prefixes.csv", "OCID"),
    "org-id": ("org-id.csv", "code"),
    "documentType": ("documentType.csv", "Code"),
    "language": ("language.csv", "Code"),
    "mediaType": ("mediaType.csv", "Code"),
}

#: Every codelist, registers first.
NAMES: tuple[str, ...] = tuple(_FILES)

#: The two lists Pelican downloads (the others are fixed OCDS codelists, shipped as Pelican ships them).
REGISTERS: tuple[str, ...] = ("ocid_prefixes", "org-id")

# file name -> sha256 of the bytes last loaded under that name (see codelist_versions()).
_versions: dict[str, str] = {}
_lock = threading.Lock()


def sha256(data: bytes) -> str:
    """The content hash recorded for a codelist version (hex SHA-256 of its bytes)."""
    return hashlib.sha256(data).hexdigest()


def _record(name: str, data: bytes) -> None:
    with _lock:
        _versions[name] = sha256(data)


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    _record(path.name, data)
    return data


def _column(data: bytes, column: str) -> list[str]:
    """The non-empty values of one column of a UTF-8 CSV (a BOM is tolerated)."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return [row[column] for row in reader if row.get(column)]


def parse_codes(name: str, data: bytes) -> tuple[str, ...]:
    """The distinct codes of codelist ``name`` in ``data`` (a CSV with the list's column: ``OCID`` for
    ``ocid_prefixes``, ``code`` for ``org-id``, ``Code`` for the others), in file order.

    Raises ``ValueError`` when the bytes are not UTF-8 CSV with that column or hold no code: such a file
    (an HTML error page, a renamed column) must never replace a good copy.
    """
    column = _FILES[name][1]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []
        if column not in header:
            raise ValueError(f"no {column!r} column (header: {', '.join(header) or 'none'})")
        # Codes are used exactly as published (Pelican neither strips nor normalises them).
        codes = tuple(dict.fromkeys(row[column] for row in reader if row.get(column)))
    except csv.Error as e:
        raise ValueError(f"not CSV: {e}") from None
    if not codes:
        raise ValueError(f"no codes in the {column!r} column")
    return codes


@dataclass(frozen=True)
class CodelistVersion:
    """Which content of a codelist is in use, and where it came from."""

    name: str
    #: Hex SHA-256 of the content's bytes.
    sha256: str
    #: ``snapshot`` (shipped with the package), ``download`` (the ``codelists`` asset), ``import``
    #: (``pelican-dagster codelists import``) or ``file`` (``PELICAN_OCID_PREFIXES_FILE`` and the like).
    origin: str
    #: The URL downloaded, the file read, or ``pelican_dagster/data/codelists/<file>``.
    source: str
    entries: int
    #: When the source last gave this content (None for the snapshot and for files).
    fetched_at: dt.datetime | None = None

    @property
    def snapshot_only(self) -> bool:
        """True when this is the copy shipped with the package."""
        return self.origin == "snapshot"

    def provenance(self) -> dict[str, Any]:
        """A JSON-ready record of this version (stored in the dataset metadata)."""
        return {
            "sha256": self.sha256,
            "origin": self.origin,
            "source": self.source,
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
            "entries": self.entries,
        }


def snapshot(name: str) -> tuple[bytes, CodelistVersion]:
    """The shipped copy of codelist ``name``: its bytes and version."""
    file = _FILES[name][0]
    data = _read(DATA_DIR / file)
    version = CodelistVersion(
        name, sha256(data), "snapshot", f"pelican_dagster/data/codelists/{file}", len(parse_codes(name, data))
    )
    return data, version


@dataclass(frozen=True)
class Codelists:
    """The registers a dataset is checked against, as plain data, with the version of every codelist."""

    #: Registered OCID prefixes (``ocid_prefix_check``).
    ocid_prefixes: tuple[str, ...]
    #: org-id.guide scheme codes (``identifier_scheme``).
    org_id_codes: frozenset[str]
    #: name → version, for all of :data:`NAMES`.
    versions: Mapping[str, CodelistVersion]

    @property
    def ocid_register_complete(self) -> bool:
        """False while the OCID prefixes in use are only the shipped snapshot (never refreshed or
        imported): a prefix missing from it may well be registered."""
        return not self.versions["ocid_prefixes"].snapshot_only

    def provenance(self) -> dict[str, dict[str, Any]]:
        """name → :meth:`CodelistVersion.provenance` (what the dataset metadata records)."""
        return {name: version.provenance() for name, version in self.versions.items()}


def build_codelists(contents: Mapping[str, tuple[bytes, CodelistVersion]]) -> Codelists:
    """The codelists from the given (bytes, version) per name; names not given are the shipped snapshot.

    The fixed OCDS codelists (documentType, language, mediaType) are always read from the package, as
    Pelican bundles them; they are listed in the versions for provenance.
    """
    chosen = {name: contents[name] if name in contents else snapshot(name) for name in REGISTERS}
    versions = {name: version for name, (_, version) in chosen.items()}
    for name in NAMES:
        if name not in REGISTERS:
            versions[name] = snapshot(name)[1]
    return Codelists(
        ocid_prefixes=parse_codes("ocid_prefixes", chosen["ocid_prefixes"][0]),
        org_id_codes=frozenset(parse_codes("org-id", chosen["org-id"][0])),
        versions=versions,
    )


def load_ocid_prefixes(path: str | None = None) -> tuple[str, ...]:
    """Registered OCID prefixes from a CSV with header ``OCID`` (the shipped copy by default)."""
    file = Path(path) if path else DATA_DIR / _FILES["ocid_prefixes"][0]
    return tuple(dict.fromkeys(_column(_read(file), "OCID")))


def load_org_id_codes(path: str | None = None) -> frozenset[str]:
    """org-id.guide scheme codes from a CSV with header ``code`` (the shipped copy by default)."""
    file = Path(path) if path else DATA_DIR / _FILES["org-id"][0]
    return frozenset(_column(_read(file), "code"))


@cache
def document_type_sections() -> dict[str, frozenset[str]]:
    """documentType code → the sections it is expected in (OCDS 1.1, docs/checks.md Appendix B)."""
    reader = csv.DictReader(io.StringIO(_read(DATA_DIR / "documentType.csv").decode("utf-8")))
    return {row["Code"]: frozenset(s.strip() for s in row["Section"].split(",")) for row in reader}


@cache
def media_types() -> frozenset[str]:
    """The 1,905 mediaType codes of OCDS 1.2-dev (IANA media types plus ``offline/print``)."""
    return frozenset(_column(_read(DATA_DIR / "mediaType.csv"), "Code"))


@cache
def languages() -> frozenset[str]:
    """The 184 two-letter language codes of OCDS 1.2-dev (ISO 639-1)."""
    return frozenset(_column(_read(DATA_DIR / "language.csv"), "Code"))


def codelist_versions() -> dict[str, str]:
    """File name → sha256 of the content loaded so far (shipped files and given paths)."""
    with _lock:
        return dict(_versions)
