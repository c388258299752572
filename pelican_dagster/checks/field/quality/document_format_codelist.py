"""``document_format_codelist``: the format is a mediaType code (``offline/print`` included)."""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.codelists import media_types
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.quality import PASSED, Outcome

NAME = "document_format_codelist"
VERSION = 1.0

_CODES = media_types()


def check(value: Any, ctx: CheckContext | None = None, extra: Any = None) -> Outcome:
    """Pass when ``value`` is exactly a mediaType code; anything that is not a string fails."""
    if type(value) is str and value in _CODES:
        return PASSED
    return False, value, "not in codelist"
