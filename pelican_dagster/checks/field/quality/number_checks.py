"""``number_checks``: a real, finite, non-negative number after Python ``float()`` coercion.

Bools count as 1/0, strings such as ``" 5 "`` and ``"1_000"`` convert; ``"nan"``/``"inf"`` are not
finite. Objects and arrays, on which Pelican raises (docs/checks.md §0.9), fail with ``can't convert to
float``, as does an integer too large for a double.
"""

from __future__ import annotations

import math
from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.quality import PASSED, Outcome
from pelican_dagster.checks.primitives import as_number

NAME = "number_checks"
VERSION = 1.0


def check(value: Any, ctx: CheckContext | None = None, extra: Any = None) -> Outcome:
    """Pass when ``value`` converts to a finite float that is ≥ 0."""
    if type(value) is complex:  # unreachable from JSON; kept for parity with Pelican's first test
        return False, value, "not a real number"
    number = as_number(value)
    if number is None:
        return False, value, "can't convert to float"
    if not math.isfinite(number):
        return False, value, "not a finite number"
    if number < 0:
        return False, value, "less than 0"
    return PASSED
