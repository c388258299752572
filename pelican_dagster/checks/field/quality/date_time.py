"""``date_time`` (version 2.0): a parseable date between 1990-01-01 and 2049-12-31 (or today).

The past-date variant (release date, award date, ``dateSigned``, ...) has today as its upper bound,
where today is the calendar date of ``ctx.now`` in UTC+14 (``ctx.past_bound``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.quality import PASSED, Outcome
from pelican_dagster.checks.primitives import date_of_head

NAME = "date_time"
VERSION = 2.0

LOWER = dt.date(1990, 1, 1)
UPPER = dt.date(2049, 12, 31)

_bounds: dict[dt.datetime, dt.date] = {}


def _past_bound(ctx: CheckContext) -> dt.date:
    # ctx.past_bound converts time zones on every call; it only depends on ctx.now.
    try:
        return _bounds[ctx.now]
    except KeyError:
        bound = _bounds[ctx.now] = ctx.past_bound
        return bound


def check(value: Any, ctx: CheckContext, extra: Any = None) -> Outcome:
    """Pass when ``value`` parses (docs/checks.md §0.5 parse_date) to a date within the bounds.

    ``extra`` true selects the past-date variant (upper bound ``ctx.past_bound``).
    """
    date = date_of_head(value[:10]) if type(value) is str else None  # parse_date, memoised
    if date is None:
        return False, value, "can't convert to date"
    upper = _past_bound(ctx) if extra else UPPER
    if LOWER <= date <= upper:
        return PASSED
    return False, value, f"not in {LOWER.isoformat()}/{upper.isoformat()}"
