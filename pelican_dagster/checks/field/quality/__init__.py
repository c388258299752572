"""The 10 field-level quality checks (docs/checks.md §1.4), one module per check, named as stored.

Every module has ``NAME`` and ``VERSION`` and a plain function
``check(value, ctx, extra=None) -> (passed, value_on_failure, reason_or_None)``. The value is the field
value, which coverage has already found present and non-empty. ``extra`` is the past-date flag for
``date_time`` and the section for ``document_type``; the other checks ignore it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: What every quality check returns: (passed, value stored on failure, reason on failure).
Outcome = tuple[bool, Any, str | None]

#: The shared success outcome (value and reason are null on success).
PASSED: Outcome = (True, None, None)


def memoised_string_check(judge: Callable[[str], Outcome], max_size: int = 100_000) -> Callable[..., Outcome]:
    """A quality check that requires a string (``not a str`` otherwise) and judges it with ``judge``,
    memoising the outcome per string: the same e-mail addresses and telephone numbers recur across items
    (buyers, suppliers), and their parsers are the costly part. The memo is emptied when full."""
    seen: dict[str, Outcome] = {}

    def check(value: Any, ctx: Any = None, extra: Any = None) -> Outcome:
        if type(value) is not str:
            return False, value, "not a str"
        try:
            return seen[value]
        except KeyError:
            pass
        if len(seen) >= max_size:
            seen.clear()
        outcome = seen[value] = judge(value)
        return outcome

    return check
