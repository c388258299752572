"""Time-based check ``phase_stable`` (docs/checks.md §4): has no phase of the process disappeared?

Always applicable. A pair fails when the ancestor has a non-empty ``tender`` (``planning``) object and
the new item has none, or when the ancestor's ``awards`` (``contracts``) array is non-empty and the new
one (a non-array counts as empty) is shorter. Reads ``facts["L"]`` (``facts.py``).
"""

from __future__ import annotations

from typing import Any

NAME = "phase_stable"
VERSION = 1.0

_TENDER = 4
_PLANNING = 8
_NOTHING = (0, 0, 0, 0)


def applicable(ancestor: dict[str, Any]) -> bool:
    """Every ancestor item counts."""
    return True


def evaluate(ancestor: dict[str, Any], new: dict[str, Any]) -> bool:
    """No phase lost between the ancestor and the new item."""
    old_flags, old_awards, old_contracts, _ = ancestor.get("L") or _NOTHING
    new_flags, new_awards, new_contracts, _ = new.get("L") or _NOTHING
    lost_objects = old_flags & (_TENDER | _PLANNING) & ~new_flags
    if lost_objects:
        return False
    if old_awards and new_awards < old_awards:
        return False
    return not (old_contracts and new_contracts < old_contracts)
