"""``email``: the whole string matches RFC 2822 ``addr-spec`` as the ``validate_email`` 1.3 package does."""

from __future__ import annotations

import re
from typing import Any

from validate_email import VALID_ADDRESS_REGEXP

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.quality import PASSED, Outcome

NAME = "email"
VERSION = 1.0

# The package's own grammar, compiled once: validate_email(s, check_mx=False) is exactly
# re.match(VALID_ADDRESS_REGEXP, s) is not None.
_MATCH = re.compile(VALID_ADDRESS_REGEXP).match


# The same numbers/addresses recur across items (buyers, suppliers): memoise outcomes per string.
_seen: dict[str, Outcome] = {}
_MAX_CACHE = 100_000


def check(value: Any, ctx: CheckContext | None = None, extra: Any = None) -> Outcome:
    """Pass when ``value`` is a string that is a syntactically valid e-mail address."""
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
    if _MATCH(value) is not None:
        return PASSED
    return False, value, "incorrect format"
