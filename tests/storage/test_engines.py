"""The per-process engine cache (``storage.engines``) across a fork: a step process or a load forked
from a process that holds pooled connections never uses them."""

from __future__ import annotations

import os

import sqlalchemy as sa

from pelican_dagster.storage import engines


def _backend(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def test_a_forked_child_opens_its_own_connections(results_url):
    engine = engines.results_engine(results_url)
    parent = _backend(engine)  # now idle in the pool, inherited by the child
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            child_engine = engines.results_engine(results_url)
            os.write(write, str(_backend(child_engine)).encode())
            child_engine.dispose()  # closes the child's own connections only
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert int(os.read(read, 32)) != parent
    assert _backend(engine) == parent  # the parent's session survived the child's disposal
