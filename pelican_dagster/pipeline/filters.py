"""The dataset filter: which items of a checked dataset go into a filtered dataset (docs/pipeline.md §3).

A filter message is a JSON object. Every key is optional, every given key must hold (AND):

=========================== ===========================================================================
``release_date_from``       the item's ``date`` is on or after this calendar date
``release_date_to``         the item's ``date`` is on or before this calendar date (the whole day counts)
``buyer``                   ``buyer.name`` is exactly one of these strings
``buyer_regex``             ``buyer.name`` matches this Python regular expression (``re.search``,
                            case-insensitive; at most ``PELICAN_REGEX_TIMEOUT`` seconds over all items)
``buyer_pattern``           ``buyer.name`` matches this SQL ILIKE pattern (whole string, ``%`` any run of
                            characters, ``_`` one character, ``\\`` escapes; case-insensitive)
``procuring_entity``        ``tender.procuringEntity.name`` is exactly one of these strings
``procuring_entity_regex``  as ``buyer_regex``, on ``tender.procuringEntity.name``
``procuring_entity_pattern`` as ``buyer_pattern``, on ``tender.procuringEntity.name``
``max_items``               keep at most this many matching items (a positive integer)
=========================== ===========================================================================

Dates: the item's ``date`` is read as a calendar date with ``primitives.parse_date`` (the date as written,
the time and offset ignored); an item without a parsable date is left out whenever a date bound is given.
A bound may be written as an ISO 8601 date or date-time; only its calendar date counts.

Where this deliberately differs from Pelican (which the spec asks for, docs/pipeline.md §3):

* Pelican compares dates as **text**, so ``release_date_to=2020-02-02`` drops ``2020-02-02T10:00:00Z``;
  here bounds are inclusive whole days.
* Pelican's ``buyer`` and ``procuring_entity`` lists fail with an SQL syntax error (leaving an orphan
  dataset); here they are exact-match lists.
* Pelican's ``*_regex`` keys are really case-insensitive ILIKE patterns. Here ``*_regex`` is a real
  regular expression, and the ILIKE behaviour is kept under the new names ``*_pattern``. A message
  written for Pelican's ``buyer_regex: "%ministry%"`` should therefore use ``buyer_pattern``.
* Pelican ignores unknown keys (a message of unknown keys copies everything) and accepts any value;
  here unknown keys, wrong types, bad dates, invalid expressions and an empty message raise
  :class:`FilterError` before anything is created.
* Names are compared only when they are strings: a null or numeric ``buyer.name`` matches no name
  filter (Pelican's SQL would render a number as text).
* A regular expression cannot run away: it is matched with the ``regex`` library (Python's syntax) under
  a time budget per filter and key (``PELICAN_REGEX_TIMEOUT``, 60 s over all the items); past it the filter
  fails with :class:`FilterTimeout` naming the key, instead of backtracking for hours (``^(\\w|\\w\\w)*$``).
* ``max_items`` keeps the first matching items in the order given (Pelican: LIMIT without ORDER BY, so an
  arbitrary subset); an empty result is a valid, empty filtered dataset.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import regex as regex_engine

from pelican_dagster import settings
from pelican_dagster.checks.primitives import parse_date

__all__ = [
    "KNOWN_KEYS",
    "NOT_INHERITED",
    "FilterError",
    "FilterSpec",
    "FilterTimeout",
    "ilike_to_regex",
    "inherited_meta",
]

#: Seconds one filter's regular expression may spend over all the items (``PELICAN_REGEX_TIMEOUT``).
DEFAULT_REGEX_TIMEOUT = 60.0

#: Every key a filter message may hold, in the order ``to_message`` writes them.
KNOWN_KEYS = (
    "release_date_from",
    "release_date_to",
    "buyer",
    "buyer_regex",
    "buyer_pattern",
    "procuring_entity",
    "procuring_entity_regex",
    "procuring_entity_pattern",
    "max_items",
)


#: Dataset metadata that a filtered dataset recomputes instead of inheriting (docs/pipeline.md §3 step 1, §6).
NOT_INHERITED = ("tender_lifecycle", "compiled_releases", "data_quality_tool_metadata")


def inherited_meta(original_meta: Any) -> dict[str, Any]:
    """The metadata a filtered dataset starts with: the original's, minus what is recomputed (a copy)."""
    if not isinstance(original_meta, dict):
        return {}
    return {k: v for k, v in original_meta.items() if k not in NOT_INHERITED}


class FilterError(ValueError):
    """A filter message that cannot be applied (the message says why)."""


def ilike_to_regex(pattern: str) -> re.Pattern[str]:
    """The compiled equivalent of SQL ``ILIKE pattern``: ``%`` any run, ``_`` one character, ``\\`` escapes.

    Matching is over the whole string and case-insensitive. A trailing lone backslash is an error, as in
    PostgreSQL.
    """
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 == len(pattern):
                raise FilterError(f"pattern {pattern!r} ends with an escape character")
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _date(key: str, value: Any) -> dt.date:
    if not isinstance(value, str) or not value.strip():
        raise FilterError(f"{key} must be a date written as text (YYYY-MM-DD), not {value!r}")
    text = value.strip()
    try:
        if len(text) <= 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise FilterError(f"{key} is not a valid ISO 8601 date: {value!r}") from None


def _names(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise FilterError(f"{key} must be a non-empty list of names (strings), not {value!r}")
    bad = [v for v in value if not isinstance(v, str)]
    if bad:
        raise FilterError(f"{key} must hold only strings; got {bad[0]!r}")
    return tuple(dict.fromkeys(value))  # order kept, duplicates dropped


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise FilterError(f"{key} must be a non-empty string, not {value!r}")
    return value


def _regex(key: str, value: Any) -> Any:
    text = _text(key, value)
    try:
        re.compile(text)  # Python's own syntax rules, so that what is valid does not change
        return regex_engine.compile(text, regex_engine.IGNORECASE | regex_engine.V0)
    except (re.error, regex_engine.error) as error:
        raise FilterError(f"{key} is not a valid regular expression ({error}): {value!r}") from None


def regex_timeout() -> float:
    """``PELICAN_REGEX_TIMEOUT`` (seconds), else 60."""
    return float(os.environ.get(settings.REGEX_TIMEOUT) or DEFAULT_REGEX_TIMEOUT)


class FilterTimeout(FilterError):
    """A filter's regular expression used up its time budget."""


@dataclass
class _Budget:
    """Seconds left to one regular expression, over all the names it is matched against."""

    key: str
    seconds: float = field(default_factory=regex_timeout)
    spent: float = 0.0

    def search(self, pattern: Any, name: str) -> bool:
        left = self.seconds - self.spent
        start = time.perf_counter()
        try:
            return pattern.search(name, timeout=max(left, 0.001)) is not None
        except TimeoutError:
            raise FilterTimeout(
                f"{self.key} {pattern.pattern!r} took longer than its limit of {self.seconds:g} s "
                "(PELICAN_REGEX_TIMEOUT): it backtracks too much on these names; simplify it"
            ) from None
        finally:
            self.spent += time.perf_counter() - start


@dataclass(frozen=True)
class _NameFilter:
    """The three ways of selecting by one organisation's name (exact list, regex, ILIKE pattern)."""

    exact: tuple[str, ...] | None = None
    regex: Any = None
    pattern: str | None = None
    pattern_regex: re.Pattern[str] | None = None
    budget: _Budget | None = field(default=None, compare=False)

    @property
    def active(self) -> bool:
        return self.exact is not None or self.regex is not None or self.pattern is not None

    def matches(self, name: Any) -> bool:
        if not self.active:
            return True
        if not isinstance(name, str):
            return False
        if self.exact is not None and name not in self.exact:
            return False
        if self.regex is not None and not (self.budget or _Budget("regex")).search(self.regex, name):
            return False
        return self.pattern_regex is None or self.pattern_regex.fullmatch(name) is not None


def _name_filter(message: dict[str, Any], prefix: str) -> _NameFilter:
    exact = _names(prefix, message[prefix]) if prefix in message else None
    regex = _regex(f"{prefix}_regex", message[f"{prefix}_regex"]) if f"{prefix}_regex" in message else None
    pattern = None
    compiled = None
    if f"{prefix}_pattern" in message:
        pattern = _text(f"{prefix}_pattern", message[f"{prefix}_pattern"])
        try:
            compiled = ilike_to_regex(pattern)
        except FilterError as error:
            raise FilterError(f"{prefix}_pattern: {error}") from None
    budget = _Budget(f"{prefix}_regex") if regex is not None else None
    return _NameFilter(exact, regex, pattern, compiled, budget)


def _name_at(item: dict[str, Any], *keys: str) -> Any:
    node: Any = item
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


@dataclass(frozen=True)
class FilterSpec:
    """A validated filter message. Build it with :meth:`parse`; test items with :meth:`matches`."""

    release_date_from: dt.date | None = None
    release_date_to: dt.date | None = None
    buyer: _NameFilter = _NameFilter()
    procuring_entity: _NameFilter = _NameFilter()
    max_items: int | None = None

    @classmethod
    def parse(cls, message: Any) -> FilterSpec:
        """Validate a filter message (a JSON object); :class:`FilterError` says what is wrong."""
        if not isinstance(message, dict):
            raise FilterError(f"a filter message must be a JSON object, not {type(message).__name__}")
        if not message:
            raise FilterError("the filter message is empty: give at least one of " + ", ".join(KNOWN_KEYS))
        unknown = sorted(str(k) for k in message if k not in KNOWN_KEYS)
        if unknown:
            raise FilterError(f"unknown filter key(s): {', '.join(unknown)} (known: {', '.join(KNOWN_KEYS)})")
        date_from = (
            _date("release_date_from", message["release_date_from"])
            if "release_date_from" in message
            else None
        )
        date_to = (
            _date("release_date_to", message["release_date_to"]) if "release_date_to" in message else None
        )
        if date_from and date_to and date_from > date_to:
            raise FilterError(f"release_date_from ({date_from}) is after release_date_to ({date_to})")
        max_items = message.get("max_items")
        if "max_items" in message and (
            not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 1
        ):
            raise FilterError(f"max_items must be a positive integer, not {max_items!r}")
        return cls(
            release_date_from=date_from,
            release_date_to=date_to,
            buyer=_name_filter(message, "buyer"),
            procuring_entity=_name_filter(message, "procuring_entity"),
            max_items=max_items,
        )

    #: The same as :meth:`parse`, under the name other message types use.
    from_message = parse

    def matches(self, item: Any) -> bool:
        """True when the item passes every condition of the filter (``max_items`` is not a condition)."""
        if not isinstance(item, dict):
            return False
        if self.release_date_from is not None or self.release_date_to is not None:
            date = parse_date(item.get("date"))
            if date is None:
                return False
            if self.release_date_from is not None and date < self.release_date_from:
                return False
            if self.release_date_to is not None and date > self.release_date_to:
                return False
        return self.buyer.matches(_name_at(item, "buyer", "name")) and self.procuring_entity.matches(
            _name_at(item, "tender", "procuringEntity", "name")
        )

    def select(self, items: Iterable[Any]) -> Iterator[Any]:
        """The matching items, in the given order, stopping after ``max_items``."""
        if self.max_items is not None and self.max_items <= 0:
            return
        kept = 0
        for item in items:
            if self.matches(item):
                yield item
                kept += 1
                if self.max_items is not None and kept >= self.max_items:
                    return

    def to_message(self) -> dict[str, Any]:
        """The normalised message (for lineage): known keys in a fixed order, dates as ``YYYY-MM-DD``."""
        out: dict[str, Any] = {}
        if self.release_date_from is not None:
            out["release_date_from"] = self.release_date_from.isoformat()
        if self.release_date_to is not None:
            out["release_date_to"] = self.release_date_to.isoformat()
        for prefix, names in (("buyer", self.buyer), ("procuring_entity", self.procuring_entity)):
            if names.exact is not None:
                out[prefix] = list(names.exact)
            if names.regex is not None:
                out[f"{prefix}_regex"] = names.regex.pattern
            if names.pattern is not None:
                out[f"{prefix}_pattern"] = names.pattern
        if self.max_items is not None:
            out["max_items"] = self.max_items
        return out
