"""The 12 coherent checks agree with Pelican's reference results on every item of every reference folder.

Configuration: the reference ECB rates (``load_default_rates``); the comparison rules of
``tests/conformance/compare.py``.
"""

from __future__ import annotations

import pytest

from pelican_dagster.checks.compiled_release.coherent import CHECKS
from tests.conformance.compare import FOLDERS, differences, input_file, iter_items, reference


@pytest.mark.parametrize("folder", FOLDERS)
def test_coherent_checks_match_reference(folder, ctx):
    expected = {row["line"]: row["resource_level"]["checks"] for row in reference(folder, "items")}
    problems: list[str] = []
    compared = 0
    for line, item in iter_items(input_file(folder)):
        if line not in expected:
            continue
        for name, check in CHECKS.items():
            compared += 1
            problems += differences(expected[line][name], check(item, ctx), f"{folder} line {line} {name}")
    assert compared == len(expected) * len(CHECKS)
    assert not problems, f"{len(problems)} of {compared} results differ:\n" + "\n".join(problems[:20])
