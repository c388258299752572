"""Seeded random samples of examples (docs/checks.md §0.8) that can be merged across parallel chunks.

Pelican keeps ``Reservoir(k)`` samples (Algorithm R) and seeds nothing. Here every sampler takes a
``random.Random`` so that a run with a fixed ``PELICAN_SEED`` is reproducible, and samples drawn by
separate chunks of one dataset merge into one uniform sample of the whole dataset. The samplers
themselves live beside what they sample (docs/hot-path.md lists them and why each is shaped so).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["merge_samples", "rng_for"]


def rng_for(seed: int | str, *parts: Any) -> random.Random:
    """A generator seeded by the run seed and a stable label (a chunk's first item id, a check name)."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def merge_samples(
    parts: Iterable[tuple[int, Sequence[T]]], k: int, rng: random.Random
) -> tuple[int, list[T]]:
    """Merge ``(count, samples)`` pairs of disjoint populations into one uniform sample of size ≤ k.

    Each part's samples must be a uniform sample of ``min(k, count)`` of its population. How many come
    from each part follows the multivariate hypergeometric distribution (drawn one by one); which ones
    is a uniform subset of that part's sample.
    """
    parts = [(count, list(samples)) for count, samples in parts if count]
    total = sum(count for count, _ in parts)
    remaining = [count for count, _ in parts]
    taken = [0] * len(parts)
    left = total
    for _ in range(min(k, total)):
        r = rng.randrange(left)
        for i, n in enumerate(remaining):
            if r < n:
                remaining[i] -= 1
                taken[i] += 1
                break
            r -= n
        left -= 1
    out: list[T] = []
    for (_, samples), m in zip(parts, taken, strict=True):
        out.extend(rng.sample(samples, m) if m < len(samples) else samples)
    return total, out
