"""The three outcomes of a compiled-release-level check (docs/checks.md §2, docs/report-shapes.md §2)."""

from __future__ import annotations

from typing import Any

__all__ = ["VERSION", "multiple", "not_applicable", "single"]

VERSION = 1.0


def not_applicable(reason: str) -> dict[str, Any]:
    """N/A: result, application_count and pass_count null; the reason in ``meta``."""
    return {
        "result": None,
        "meta": {"reason": reason},
        "application_count": None,
        "pass_count": None,
        "version": VERSION,
    }


def single(passed: bool, failure_meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """One application: ``meta`` is null on success, the check's failure data otherwise."""
    return {
        "result": passed,
        "meta": None if passed else failure_meta,
        "application_count": 1,
        "pass_count": 1 if passed else 0,
        "version": VERSION,
    }


def multiple(
    application_count: int, pass_count: int, failed_paths: list[Any], na_reason: str
) -> dict[str, Any]:
    """Several applications; N/A with ``na_reason`` when nothing could be tested."""
    if application_count == 0:
        return not_applicable(na_reason)
    passed = pass_count == application_count
    return {
        "result": passed,
        "meta": None if passed else {"failed_paths": failed_paths},
        "application_count": application_count,
        "pass_count": pass_count,
        "version": VERSION,
    }
