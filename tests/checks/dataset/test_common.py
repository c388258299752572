"""The counted samples of ``_common``: runs offered at once draw exactly what single offers draw."""

from __future__ import annotations

import math
import random as random_module

import pytest

from pelican_dagster.checks.dataset._common import add_counted, counted, offer_run


def _reference_offer(entry: list, value, k: int, random) -> None:
    """Algorithm L one value at a time, written out plainly (fill, then a draw only for kept values)."""

    def gap(w):
        return 0 if w >= 1.0 else int(math.log(1.0 - random()) / math.log1p(-w))

    def weight():
        return math.exp(math.log(1.0 - random()) / k)

    n = entry[0]
    entry[0] = n + 1
    if n < k:
        entry[1].append(value)
        if n == k - 1:
            w = entry[3] = weight()
            entry[2] = k + gap(w)
    elif n == entry[2]:
        entry[1][int(random() * k)] = value
        w = entry[3] = entry[3] * weight()
        entry[2] += 1 + gap(w)


@pytest.mark.parametrize("k", [1, 3, 20])
def test_runs_and_shared_generator_match_single_offers(k):
    plan = random_module.Random(5)
    ours, theirs = [counted() for _ in range(4)], [[0, [], -1, 1.0] for _ in range(4)]
    ours_rng, theirs_rng = random_module.Random(9), random_module.Random(9)
    for value in range(20_000):
        which, run = plan.randrange(4), plan.choice([1, 1, 1, 2, 5])
        if run == 1 and value % 2:
            add_counted(ours[which], value, k, ours_rng.random)
        else:
            n = ours[which][0]
            end = ours[which][0] = n + run
            if end > ours[which][2]:
                offer_run(ours[which], n, end, value, k, ours_rng.random)
        for _ in range(run):
            _reference_offer(theirs[which], value, k, theirs_rng.random)
    assert [e[:2] for e in ours] == [e[:2] for e in theirs]
    assert ours_rng.random() == theirs_rng.random()
    assert all(len(e[1]) == k for e in ours)


def test_counted_keeps_extra_fields():
    assert counted("x", 2) == [0, [], 0, 1.0, "x", 2]
