"""``document_description_length``: at most 250 characters (Unicode code points)."""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.quality import PASSED, Outcome

NAME = "document_description_length"
VERSION = 1.0

MAX_LENGTH = 250


def check(value: Any, ctx: CheckContext | None = None, extra: Any = None) -> Outcome:
    """Pass when ``value`` is a string of ≤ 250 characters; on failure the stored value is the length."""
    if type(value) is not str:
        return False, value, "not a str"
    length = len(value)
    if length <= MAX_LENGTH:
        return PASSED
    return False, length, f"length greater than {MAX_LENGTH}"
