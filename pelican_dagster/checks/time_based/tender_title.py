"""Time-based check ``tender_title`` (docs/checks.md §4): is the tender title unchanged?

Titles are normalised (lower-cased, whitespace runs collapsed to one space, trimmed). Applicable when the
ancestor's normalised title is non-empty. Pelican raises on a truthy non-string title (§0.9); here a
non-string ancestor title makes the pair not applicable and a non-string new title fails it.
"""

from __future__ import annotations

from typing import Any

NAME = "tender_title"
VERSION = 1.0


def normalise(title: Any) -> str | None:
    """The normalised title, or None when the title is not a string."""
    if type(title) is not str:
        return None
    return " ".join(title.lower().split())


def applicable(ancestor: dict[str, Any]) -> bool:
    """The ancestor has a string ``tender.title`` that is not blank once normalised."""
    title = ancestor.get("T")
    # Normalising leaves something iff some character is not whitespace (str.split's notion of it).
    return type(title) is str and bool(title) and not title.isspace()


def evaluate(ancestor: dict[str, Any], new: dict[str, Any]) -> bool:
    """Both normalised titles are equal (a missing or non-string new title fails)."""
    old, title = ancestor.get("T"), new.get("T")
    if old == title:  # the usual case, and equal strings normalise equally
        return True
    return normalise(old) == normalise(title)
