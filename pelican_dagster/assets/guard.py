"""What every step of the pipeline does first and last: take the dataset's lease (one run per dataset at a
time, ``storage.run_state``), and mark the dataset FAILED, with the reason, when its stage fails."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import dagster as dg
from dagster._core.errors import DagsterInvalidPropertyError
from sqlalchemy.engine import Engine

from pelican_dagster import settings
from pelican_dagster.storage.results import Dataset
from pelican_dagster.storage.run_state import LeaseError, mark_failed, take_lease, verify_lease

#: Run statuses during which a run may still write.
ACTIVE = frozenset(
    {
        dg.DagsterRunStatus.QUEUED,
        dg.DagsterRunStatus.NOT_STARTED,
        dg.DagsterRunStatus.STARTING,
        dg.DagsterRunStatus.STARTED,
        dg.DagsterRunStatus.CANCELING,
    }
)


def run_is_active(instance: dg.DagsterInstance) -> Callable[[str], bool]:
    """Whether a run id is queued or running in ``instance``; a run the instance does not know (another
    instance's) counts as active until its lease expires."""

    def active(run_id: str) -> bool:
        run = instance.get_run_by_id(run_id)
        return run is None or run.status in ACTIVE

    return active


def take(context: dg.OpExecutionContext, engine: Engine, dataset: Dataset) -> None:
    """Take or refresh the dataset's lease for this run; a clear failure while another run holds it."""
    try:
        with engine.begin() as conn:
            previous = take_lease(
                conn,
                dataset.id,
                run_id_of(context),
                run_is_active(context.instance),
                settings.lease_seconds(),
            )
    except LeaseError as e:
        raise dg.Failure(description=f"dataset {dataset.name!r}: {e}", allow_retries=False) from e
    if previous:
        context.log.info(f"took the lease of dataset {dataset.name!r} over from run {previous}")


def run_id_of(context: dg.OpExecutionContext) -> str:
    """The id of the context's run; an op invoked directly (no run) has its context's own id."""
    try:
        return context.run.run_id
    except DagsterInvalidPropertyError:
        return context.run_id


@contextlib.contextmanager
def stage(context: dg.OpExecutionContext, engine: Engine, dataset: Dataset, phase: str) -> Iterator[None]:
    """Run a stage under the lease: taken first; if the stage fails, the dataset is marked
    ``phase``/FAILED with the reason (so that the status is never stale and the next run or sensor tick
    picks the dataset up). A run refused because another holds the lease changes nothing."""
    take(context, engine, dataset)
    try:
        yield
    except LeaseError as e:
        # Another run owns the dataset now: its status is that run's to set.
        raise lease_failure(e) from e
    except BaseException as e:
        if isinstance(e.__cause__, LeaseError):
            raise
        reason = e.description if isinstance(e, dg.Failure) and e.description else f"{type(e).__name__}: {e}"
        with contextlib.suppress(Exception), engine.begin() as conn:
            verify_lease(conn, dataset.id, run_id_of(context))
            mark_failed(conn, dataset.id, phase, reason)
        raise


def lease_failure(e: LeaseError) -> dg.Failure:
    """A lost lease as a step failure (the results were not stored)."""
    return dg.Failure(description=str(e), allow_retries=False)
