"""When this process may fork a child that runs on (the step processes of the multiprocess executor,
``check``'s load). The database connections a child must not inherit are dropped by
``storage.db.forget_in_forked_children``."""

from __future__ import annotations

import multiprocessing
import sys
import threading

__all__ = ["fork_is_safe"]


def fork_is_safe() -> bool:
    """Whether this process may start a child with a plain ``fork``: on Linux (macOS has ``fork`` but its
    system libraries are not safe across it, hence Python's ``spawn`` default there), not a daemonic
    process (which may not have children), and no other thread running (a thread holding a lock at the
    fork would leave the child waiting for it for ever)."""
    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
        and threading.active_count() == 1
    )
