"""Which run may write a dataset's rows, and whether what a stage reads is current (``dataset_run_state``).

**The lease.** At most one pipeline run works on a dataset at a time, whatever launched it (a sensor,
the UI, the CLI, a backfill, ``materialize``): every step takes the dataset's lease at its start
(``take_lease``) and verifies it in the very transaction that writes its rows (``verify_lease``). A run
may take the lease when nobody holds it, when it holds it already, when the holder is no longer active
in the Dagster instance (finished, failed, cancelled: re-execution from failure takes over), or when the
holder's heartbeat is older than ``PELICAN_LEASE_SECONDS`` (a process killed without its run being
marked, in an instance without run monitoring). A lease in the database, rather than Dagster's tag
concurrency limits, holds for every entry point: those limits apply only to runs queued by the daemon,
not to ``materialize`` or ``execute_job``. The last step (``report``) releases it.

**The extraction generation.** ``extraction_run_id`` is the run whose extraction produced the current
items; a chunk step reads it before reading its items and verifies it when writing, so results of
replaced items are never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection

from pelican_dagster.storage import schema as s

#: Default lease lifetime without a heartbeat (steps refresh it when they start).
DEFAULT_LEASE_SECONDS = 900

_t = s.dataset_run_state


class LeaseError(Exception):
    """The dataset is held by another run (or this run lost its lease)."""


@dataclass(frozen=True)
class RunState:
    """A ``dataset_run_state`` row."""

    lease_run_id: str | None
    extraction_run_id: str | None
    waiting_for_ancestor: bool
    failure: str | None


def _ensure(conn: Connection, dataset_id: int) -> None:
    conn.execute(
        insert(_t).values(dataset_id=dataset_id).on_conflict_do_nothing(index_elements=["dataset_id"])
    )


def take_lease(
    conn: Connection,
    dataset_id: int,
    run_id: str,
    is_active: Callable[[str], bool],
    ttl_seconds: int = DEFAULT_LEASE_SECONDS,
) -> str | None:
    """Take (or refresh) the dataset's lease for ``run_id``; returns the run it was taken over from, if
    any. Raises ``LeaseError`` while another active run holds it with a fresh heartbeat.

    ``is_active(run_id)`` says whether a run is still queued or running in the Dagster instance.
    """
    _ensure(conn, dataset_id)
    holder, stale = conn.execute(
        sa.select(
            _t.c.lease_run_id,
            sa.func.coalesce(
                _t.c.heartbeat < sa.func.now() - sa.text(f"interval '{int(ttl_seconds)} seconds'"), True
            ),
        )
        .where(_t.c.dataset_id == dataset_id)
        .with_for_update()
    ).one()
    if holder is not None and holder != run_id and not stale and is_active(holder):
        raise LeaseError(
            f"the dataset is being checked by run {holder}: wait for it to finish, or terminate it "
            "(a run whose process died is released once Dagster marks it failed, or after "
            f"{int(ttl_seconds)} s without a heartbeat)"
        )
    conn.execute(
        sa.update(_t)
        .where(_t.c.dataset_id == dataset_id)
        .values(lease_run_id=run_id, heartbeat=sa.func.now(), modified=sa.func.now())
    )
    return holder if holder not in (None, run_id) else None


def verify_lease(conn: Connection, dataset_id: int, run_id: str) -> None:
    """Inside a writing transaction: fail unless ``run_id`` holds the lease; the row stays share-locked
    until the transaction ends, so no other run can take the lease while this one writes."""
    holder = conn.execute(
        sa.select(_t.c.lease_run_id).where(_t.c.dataset_id == dataset_id).with_for_update(read=True)
    ).scalar()
    if holder != run_id:
        raise LeaseError(
            f"run {run_id} no longer holds the dataset's lease (now {holder or 'nobody'}): "
            "its results were not stored"
        )


def release_lease(conn: Connection, dataset_id: int, run_id: str) -> None:
    """Give the lease up (the run's last step)."""
    conn.execute(
        sa.update(_t)
        .where(_t.c.dataset_id == dataset_id, _t.c.lease_run_id == run_id)
        .values(lease_run_id=None, heartbeat=None, modified=sa.func.now())
    )


def run_state(conn: Connection, dataset_id: int) -> RunState:
    """The dataset's run state (defaults when it has no row)."""
    row = conn.execute(
        sa.select(_t.c.lease_run_id, _t.c.extraction_run_id, _t.c.waiting_for_ancestor, _t.c.failure).where(
            _t.c.dataset_id == dataset_id
        )
    ).first()
    return RunState(*row) if row else RunState(None, None, False, None)


def update_run_state(conn: Connection, dataset_id: int, **values: object) -> None:
    """Set some of ``extraction_run_id``, ``waiting_for_ancestor``, ``failure``."""
    _ensure(conn, dataset_id)
    conn.execute(sa.update(_t).where(_t.c.dataset_id == dataset_id).values(**values, modified=sa.func.now()))


def mark_failed(conn: Connection, dataset_id: int, phase: str, reason: str) -> None:
    """Mark the dataset ``phase``/FAILED with ``reason`` (kept with the run state), so that its status is
    never stale and the next run or sensor tick picks it up."""
    from pelican_dagster.storage.results import get_progress, set_phase

    progress = get_progress(conn, dataset_id)
    set_phase(conn, dataset_id, phase, "FAILED", None if progress else 0)
    update_run_state(conn, dataset_id, failure=f"{phase}: {reason}"[:2000])


def verify_extraction(conn: Connection, dataset_id: int, extraction_run_id: str | None) -> None:
    """Inside a writing transaction: fail if the items were re-extracted since ``extraction_run_id`` was
    read (the results would belong to items that no longer exist)."""
    current = conn.execute(
        sa.select(_t.c.extraction_run_id).where(_t.c.dataset_id == dataset_id).with_for_update(read=True)
    ).scalar()
    if current != extraction_run_id:
        raise LeaseError(
            f"the dataset's items were extracted again (by run {current}) while they were being checked"
        )
