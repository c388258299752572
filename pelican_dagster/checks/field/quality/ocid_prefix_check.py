"""``ocid_prefix_check``: the ocid starts with a registered OCID prefix (case-sensitive)."""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.quality import PASSED, Outcome

NAME = "ocid_prefix_check"
VERSION = 1.0


def check(value: Any, ctx: CheckContext, extra: Any = None) -> Outcome:
    """Pass when ``value`` is a string starting with one of ``ctx.ocid_prefixes``."""
    if type(value) is not str:
        return False, value, "not a str"
    if value.startswith(ctx.ocid_prefixes):
        return PASSED
    return False, value, "ocid prefix not in codelist"
