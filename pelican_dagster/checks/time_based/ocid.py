"""Time-based check ``ocid`` (docs/checks.md §4): is every ocid of the ancestor still present?

Always applicable; a pair passes when a new item exists, so ``check_value`` is 100 whenever defined and
the meaningful number is ``coverage_value``.
"""

from __future__ import annotations

from typing import Any

NAME = "ocid"
VERSION = 1.0


def applicable(ancestor: dict[str, Any]) -> bool:
    """Every ancestor item counts."""
    return True


def evaluate(ancestor: dict[str, Any], new: dict[str, Any]) -> bool:
    """Called only when a new item exists: it passes."""
    return True
