"""Conformance: the 37 compiled-release-level checks and their report against Pelican's reference results.

For every reference folder: each item's ``to_pelican(check_item(...))`` equals the reference
``resource_level`` result, and the ``resource_level_check`` report built over the items in three chunks
(merged) equals the reference report, under the comparison rules of ``tests/conformance/compare.py``.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import pytest

from pelican_dagster.checks.compiled_release import CHECK_NAMES, CHECKS, check_item, to_pelican
from pelican_dagster.checks.compiled_release.encoding import decode, encode
from pelican_dagster.checks.compiled_release.report import ResourceReport
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.currency import load_default_rates
from pelican_dagster.checks.sampling import rng_for
from tests.conformance.compare import FOLDERS, differences, input_file, iter_items, reference


@cache
def _ctx() -> CheckContext:
    return CheckContext(
        now=dt.datetime(2026, 11, 29, 11, tzinfo=dt.UTC),
        ocid_prefixes=(),
        org_id_codes=frozenset(),
        rates=load_default_rates(),
    )


@cache
def _checked(folder: str) -> list[tuple[dict[str, Any], dict[str, Any], dict[str, dict[str, Any]]]]:
    """``(reference line, item, our results)`` for every item of a folder, in file order."""
    expected = {row["line"]: row for row in reference(folder, "items")}
    out = []
    for line, item in iter_items(input_file(folder)):
        if line in expected:
            out.append((expected[line], item, check_item(item, _ctx())))
    return out


def test_registry_lists_all_37_checks_in_spec_order() -> None:
    assert len(CHECK_NAMES) == len(set(CHECK_NAMES)) == 37
    assert tuple(CHECKS) == CHECK_NAMES


@pytest.mark.parametrize("folder", FOLDERS)
def test_item_results_match_reference(folder: str) -> None:
    rows = _checked(folder)
    assert rows, f"no items for {folder}"
    problems: list[str] = []
    for row, _, results in rows:
        ours = to_pelican(results, row["ocid"], row["item_id"])
        assert list(ours["checks"]) == list(CHECK_NAMES)
        problems += differences(row["resource_level"], ours, f"line {row['line']}: ")
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("folder", FOLDERS)
def test_compact_form_round_trips(folder: str) -> None:
    for _, _, results in _checked(folder):
        decoded = decode(encode(results))
        for name in CHECK_NAMES:
            expected = {k: results[name][k] for k in ("result", "application_count", "pass_count")}
            assert decoded[name] == expected


@pytest.mark.parametrize("folder", FOLDERS)
def test_report_of_merged_chunks_matches_reference(folder: str) -> None:
    rows = _checked(folder)
    chunks = [rows[i::3] for i in range(3)]  # interleaved: each chunk sees a spread of the file
    states = []
    for n, chunk in enumerate(chunks):
        report = ResourceReport(rng_for(0, folder, n))
        for row, item, results in chunk:
            report.add(row["item_id"], item.get("ocid"), results)
        states.append(report.to_state())
    merged = ResourceReport.merge(states, rng_for(0, folder, "merge"))
    expected = next(r["data"] for r in reference(folder, "reports") if r["type"] == "resource_level_check")
    ours = merged.report()
    assert set(ours) == set(expected)
    problems = [p for name in CHECK_NAMES for p in differences(expected[name], ours[name], f"{name}: ")]
    assert not problems, "\n".join(problems[:20])
    # Every example sits in the bucket of its result, and no bucket holds more than 20 or more than seen.
    for name, buckets in merged.examples().items():
        for bucket, wanted in (("passed", True), ("failed", False), ("undefined", None)):
            examples = buckets[f"{bucket}_examples"]
            assert len(examples) == min(20, expected[name][f"{bucket}_count"])
            assert all(example["result"]["result"] is wanted for example in examples)
