"""The 10 field-level quality checks (checks.md §1.4), one module per check, named as stored.

Every module has ``NAME`` and ``VERSION`` and a plain function
``check(value, ctx, extra=None) -> (passed, value_on_failure, reason_or_None)``. The value is the field
value, which coverage has already found present and non-empty. ``extra`` is the past-date flag for
``date_time`` and the section for ``document_type``; the other checks ignore it.
"""

from __future__ import annotations

from typing import Any

#: What every quality check returns: (passed, value stored on failure, reason on failure).
Outcome = tuple[bool, Any, str | None]

#: The shared success outcome (value and reason are null on success).
PASSED: Outcome = (True, None, None)
