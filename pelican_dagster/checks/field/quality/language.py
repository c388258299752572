"""``language``: the value is one of the 184 two-letter codes of the OCDS language codelist."""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.codelists import languages
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.quality import PASSED, Outcome

NAME = "language"
VERSION = 1.0

_CODES = languages()


def check(value: Any, ctx: CheckContext | None = None, extra: Any = None) -> Outcome:
    """Pass when ``value`` is exactly a language code; anything that is not a string fails."""
    if type(value) is str and value in _CODES:
        return PASSED
    return False, value, "not in codelist"
