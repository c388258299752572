"""The 3 time-based rows agree with Pelican's reference results for the ``*.time-based`` folders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset import extract_facts
from pelican_dagster.checks.time_based import TimeBasedChecker
from tests.conformance.compare import FOLDERS, ancestor_file, differences, input_file, iter_items, reference

TIME_BASED = [f for f in FOLDERS if ancestor_file(f) is not None]


def pg_text(ocid: Any) -> str | None:
    """``data->>'ocid'`` as PostgreSQL renders it (None for null; the join never matches null)."""
    if ocid is None:
        return None
    if isinstance(ocid, bool):
        return "true" if ocid else "false"
    if isinstance(ocid, str):
        return ocid
    return str(ocid)


def test_there_are_time_based_folders():
    assert len(TIME_BASED) >= 2


@pytest.mark.parametrize("folder", TIME_BASED)
def test_time_based_rows(folder):
    ctx = CheckContext(
        now=dt.datetime(2026, 11, 29, 11, tzinfo=dt.UTC), ocid_prefixes=(), org_id_codes=frozenset()
    )
    new = {line: extract_facts(item) for line, item in iter_items(input_file(folder))}
    by_ocid: dict[str, list[int]] = {}
    for item_id, facts in new.items():
        key = pg_text(facts.get("o"))
        if key is not None:
            by_ocid.setdefault(key, []).append(item_id)

    checker = TimeBasedChecker(ctx)
    for ancestor_id, item in iter_items(ancestor_file(folder)):
        facts = extract_facts(item)
        key = pg_text(facts.get("o"))
        partners = by_ocid.get(key, []) if key is not None else []
        for new_id in partners or [None]:
            checker.add(ancestor_id, facts, new_id, None if new_id is None else new[new_id])

    expected = reference(folder, "time_based")
    ours = checker.results()
    assert (
        [r["check_name"] for r in ours]
        == [r["check_name"] for r in expected]
        == [
            "ocid",
            "tender_title",
            "phase_stable",
        ]
    )
    problems = [d for e, o in zip(expected, ours, strict=True) for d in differences(e, o, e["check_name"])]
    assert problems == []
