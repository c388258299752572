"""``telephone``: libphonenumber (``phonenumbers`` 8.10.17) parses it with no default region and
judges it a *possible* number."""

from __future__ import annotations

from typing import Any

import phonenumbers
from phonenumbers import NumberParseException

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.quality import PASSED, Outcome

NAME = "telephone"
VERSION = 1.0


# The same numbers/addresses recur across items (buyers, suppliers): memoise outcomes per string.
_seen: dict[str, Outcome] = {}
_MAX_CACHE = 100_000


def check(value: Any, ctx: CheckContext | None = None, extra: Any = None) -> Outcome:
    """Pass when ``value`` is a string holding a possible international number (``+`` country code)."""
    if type(value) is not str:
        return False, value, "not a str"
    try:
        return _seen[value]
    except KeyError:
        pass
    if len(_seen) >= _MAX_CACHE:
        _seen.clear()
    outcome = _seen[value] = _check(value)
    return outcome


def _check(value: str) -> Outcome:
    try:
        number = phonenumbers.parse(value, None)
    except NumberParseException as error:
        # str(error) is "(<error type>) <message>", e.g. "(0) Missing or invalid default region."
        return False, value, f"incorrect format: {error}"
    if phonenumbers.is_possible_number(number):
        return PASSED
    return False, value, "incorrect format"
