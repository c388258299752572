"""``consistent.period_duration_in_days``: a period's ``durationInDays`` agrees with its dates.

For each period with a parsable ``startDate``, a numeric ``durationInDays`` and a parsable ``endDate``
or ``maxExtentDate`` (all dates parsed with parse_datetime, docs/checks.md §0.5), the expected duration is
(end, else maxExtentDate) − start in days as a real number (whole days plus seconds / 86400; fractions of
a second are ignored, as in Pelican), and the stated duration must lie between its floor and ceiling.

Deliberate difference from Pelican: when one of the two dates carries a UTC offset and the other does
not, Pelican raises (it cannot subtract a naive from an aware datetime) and loses the whole batch
(docs/checks.md §0.9). Here the naive date-time is read as UTC and the period is tested.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.occurrences import trie_of
from pelican_dagster.checks.compiled_release.result import multiple
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.primitives import as_number, parse_datetime, values_at_path

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "consistent.period_duration_in_days"
NA_REASON = "no period has a valid start date and valid end date"

PERIOD_PATHS: tuple[tuple[str, str], ...] = (
    ("tender", "tenderPeriod"),
    ("tender", "enquiryPeriod"),
    ("tender", "awardPeriod"),
    ("tender", "contractPeriod"),
    ("awards", "contractPeriod"),
    ("contracts", "period"),
)

_SECONDS_PER_DAY = 86400


@functools.lru_cache(maxsize=1 << 14)
def _parse_short(value: str) -> dt.datetime | None:
    return parse_datetime(value)


def _datetime(value: Any) -> dt.datetime | None:
    """``parse_datetime``, memoised for date-like strings (the same dates recur across periods and items)."""
    if type(value) is str and len(value) <= 64:
        return _parse_short(value)
    return parse_datetime(value)


_DOTTED = tuple((keys, ".".join(keys)) for keys in PERIOD_PATHS)

#: The paths this check reads.
TRIE = trie_of(tuple(dotted for _, dotted in _DOTTED))


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release (``view``: the item's shared occurrences, if any)."""
    paths = view.paths if view else None
    tested = passed = 0
    failed: list[str] = []
    for keys, dotted in _DOTTED:
        for path, period in _occurrences(item, keys) if paths is None else paths.get(dotted):
            if type(period) is not dict or "startDate" not in period or "durationInDays" not in period:
                continue
            start = _datetime(period["startDate"])
            if start is None:
                continue
            duration = as_number(period["durationInDays"])
            if duration is None:
                continue
            end = _datetime(period.get("endDate"))
            if end is None:
                end = _datetime(period.get("maxExtentDate"))
                if end is None:
                    continue
            expected = _days_between(start, end)
            tested += 1
            if math.floor(expected) <= duration <= math.ceil(expected):
                passed += 1
            else:
                failed.append(path)
    return multiple(tested, passed, failed, NA_REASON)


def _occurrences(item: dict[str, Any], keys: tuple[str, str]) -> list[tuple[str, Any]]:
    """``values_at_path(item, keys)`` with a shortcut for the common shape (an object then an object)."""
    first, second = keys
    parent = item.get(first)
    if type(parent) is dict:
        value = parent.get(second)
        if type(value) is dict:
            return [(f"{first}.{second}", value)]
        if value is None:
            # Missing or null: either way nothing this check could test.
            return []
    elif parent is None:
        return []
    return values_at_path(item, keys)


def _days_between(start: dt.datetime, end: dt.datetime) -> float:
    if (start.tzinfo is None) != (end.tzinfo is None):
        # Pelican raises here; read the naive one as UTC (see the module docstring).
        if start.tzinfo is None:
            start = start.replace(tzinfo=dt.UTC)
        else:
            end = end.replace(tzinfo=dt.UTC)
    delta = end - start
    return (delta.days * _SECONDS_PER_DAY + delta.seconds) / _SECONDS_PER_DAY
