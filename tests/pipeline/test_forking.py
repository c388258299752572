"""When a process may fork (``pipeline.forking``)."""

from __future__ import annotations

import subprocess
import sys

from pelican_dagster.pipeline.forking import fork_is_safe
from tests.conftest import REPO


def test_a_process_forks_only_while_it_has_one_thread():
    """A process with another thread running never forks (a lock held by that thread at the fork would
    never be released in the child): the multiprocess executor uses its fork server then, and ``check``
    loads in its own process."""
    import threading

    code = "from pelican_dagster.pipeline.forking import fork_is_safe; print(fork_is_safe())"
    alone = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert alone.stdout.strip() == "True", alone.stderr
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not fork_is_safe()
    finally:
        stop.set()
        thread.join()
