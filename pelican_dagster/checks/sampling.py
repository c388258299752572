"""Seeded random samples of examples (docs/checks.md §0.8) that can be merged across parallel chunks.

Pelican keeps ``Reservoir(k)`` samples (Algorithm R) and seeds nothing. Here every sampler takes a
``random.Random`` so that a run with a fixed ``PELICAN_SEED`` is reproducible, and samples drawn by
separate chunks of one dataset merge into one uniform sample of the whole dataset.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")

__all__ = ["Reservoir", "merge_samples", "rng_for"]


def rng_for(seed: int | str, *parts: Any) -> random.Random:
    """A generator seeded by the run seed and a stable label (a chunk's first item id, a check name)."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))


class Reservoir(Generic[T]):
    """Algorithm R: a uniform sample of at most ``k`` of the values offered, plus their count."""

    __slots__ = ("count", "k", "rng", "samples")

    def __init__(self, k: int, rng: random.Random) -> None:
        self.k = k
        self.rng = rng
        self.count = 0
        self.samples: list[T] = []

    def offer(self, value: T) -> None:
        """Consider one value (kept with probability k / values seen so far)."""
        n = self.count
        self.count = n + 1
        if n < self.k:
            self.samples.append(value)
        else:
            r = self.rng.randint(0, n)
            if r < self.k:
                self.samples[r] = value

    def wants(self) -> int | None:
        """The slot the next value would take, drawn now, or None if it would not be kept.

        Lets a caller skip building an expensive example that would be thrown away: call ``wants()``
        once per value instead of ``offer()``, then ``place(slot, value)`` only when a slot is returned.
        """
        n = self.count
        self.count = n + 1
        if n < self.k:
            self.samples.append(None)  # type: ignore[arg-type]
            return n
        r = self.rng.randint(0, n)
        return r if r < self.k else None

    def place(self, slot: int, value: T) -> None:
        """Store a value in a slot returned by :meth:`wants`."""
        self.samples[slot] = value


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
