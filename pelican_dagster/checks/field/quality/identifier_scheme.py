"""``identifier_scheme``: the scheme is an org-id.guide code (exact, case-sensitive)."""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.quality import PASSED, Outcome

NAME = "identifier_scheme"
VERSION = 1.0


def check(value: Any, ctx: CheckContext, extra: Any = None) -> Outcome:
    """Pass when ``value`` is one of ``ctx.org_id_codes``; anything that is not a string fails."""
    # Codes are strings: testing only strings also keeps objects/arrays out of the set lookup.
    if type(value) is str and value in ctx.org_id_codes:
        return PASSED
    return False, value, "not in codelist"
