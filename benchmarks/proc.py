"""What the benchmarks read of processes from ``/proc`` (Linux), shared by ``compare.py`` and
``pipeline.py``."""

from __future__ import annotations

import os


def children(pid: int) -> list[int]:
    """The pids of ``pid``'s children (of all its threads); empty when it has gone."""
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found.extend(int(child) for child in f.read().split())
    except OSError:
        pass
    return found
