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


def hwm_kb(pid: int | str = "self") -> int | None:
    """The peak resident set size (``VmHWM``) of a live process, in KiB; None when it has gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def peaks(root: int, interval: float) -> None:
    """Poll the peak RSS (``VmHWM``) of every descendant of ``root`` but this process every ``interval``
    seconds until standard input closes, then print ``{"peaks", "commands", "direct"}`` as JSON.

    A process of its own, not a thread of the benchmark: the multiprocess executor forks its steps only
    from a process with no other thread (``pipeline.forking.fork_is_safe``), so a sampling thread would
    make the benchmark measure the fork server's path instead of the default one."""
    import json
    import select
    import sys

    me = os.getpid()
    found: dict[int, int] = {}
    commands: dict[int, str] = {}
    direct: set[int] = set()
    while True:
        todo = [pid for pid in children(root) if pid != me]
        direct.update(todo)
        while todo:
            pid = todo.pop()
            todo.extend(children(pid))
            if pid not in commands:
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        commands[pid] = f.read().replace(b"\0", b" ").decode(errors="replace")[:200]
                except OSError:
                    pass
            kb = hwm_kb(pid)
            if kb is not None and kb > found.get(pid, 0):
                found[pid] = kb
        if select.select([sys.stdin], [], [], interval)[0]:
            break
    print(json.dumps({"peaks": found, "commands": commands, "direct": sorted(direct)}))


if __name__ == "__main__":
    import sys

    peaks(int(sys.argv[1]), float(sys.argv[2]))
