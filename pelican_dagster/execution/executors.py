"""The executor of the ``pelican`` job, chosen by configuration in one place.

``PELICAN_EXECUTOR`` = ``multiprocess`` (default: one machine, chunks on every core), ``in_process`` or
``celery`` (several machines: steps are Celery tasks on a RabbitMQ or Redis broker, run by long-lived
workers, ``pelican_dagster.execution.celery_app``). The executor is attached to the job definition with
``.configured``, because Dagster ignores executor config given in a partitioned asset job's ``config=``
when a run is started by ``dagster job execute --tags`` or a sensor: configured this way, every way of
starting a run uses it.

Celery settings (the same on the machine that orchestrates a run and on every worker):

* ``PELICAN_CELERY_BROKER_URL`` (required with ``celery``), e.g. ``amqp://user:pass@rabbit:5672/pelican``
* ``PELICAN_CELERY_QUEUE`` (default ``pelican``): the queue of this deployment's steps; give each
  deployment sharing a broker its own queue (or its own vhost in the broker URL)
* ``PELICAN_CELERY_BACKEND`` (default ``rpc://``): where step results travel back
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from typing import TYPE_CHECKING, Any

from pelican_dagster import settings
from pelican_dagster.pipeline.forking import fork_is_safe

if TYPE_CHECKING:
    import dagster as dg

EXECUTOR = settings.EXECUTOR
CELERY_BROKER_URL = settings.CELERY_BROKER_URL
CELERY_QUEUE = settings.CELERY_QUEUE
CELERY_BACKEND = settings.CELERY_BACKEND

EXECUTORS = ("multiprocess", "in_process", "celery")
DEFAULT_QUEUE = "pelican"

#: The multiprocess executor's step processes fork from a server that has imported the project once (and
#: built what every step needs, ``execution/preload.py``), so each step starts in a fraction of a second
#: instead of ~3 s of CPU for imports and exchange rates.
PRELOAD = ["pelican_dagster.execution.preload"]
MULTIPROCESS = {"start_method": {"forkserver": {"preload_modules": PRELOAD}}}


class ExecutorConfigError(ValueError):
    """A missing or invalid executor setting (the message names the variable)."""


def executor_name(name: str | None = None) -> str:
    """``name``, else ``PELICAN_EXECUTOR``, else ``multiprocess``; an unknown name is an error."""
    chosen = (name or os.environ.get(EXECUTOR) or "multiprocess").strip().lower().replace("-", "_")
    if chosen not in EXECUTORS:
        raise ExecutorConfigError(f"{EXECUTOR}={chosen!r}: expected one of {', '.join(EXECUTORS)}")
    return chosen


def reconstructable_job(executor: str | None):
    """The ``pelican`` job on ``executor``, reconstructable by name and arguments (step processes and
    Celery workers rebuild it). Equal calls give equal values, and Dagster caches a reconstructable job's
    definition by value: the fork server builds this once (``execution/preload.py``), so that every step
    process forked from it finds the definition built instead of building it again (~25 ms a step)."""
    import dagster as dg

    return dg.build_reconstructable_job(
        "pelican_dagster.definitions", "pelican_job_definition", reconstructable_args=(executor,)
    )


def start_forkserver() -> None:
    """Start the multiprocess executor's fork server now, in the background, with the modules Dagster
    will preload (the executor reuses a running server): its ~2 s of imports then overlap the caller's
    own work (the CLI's load) instead of delaying the run's first step. The server inherits
    ``os.environ`` as it is now, so set the database and instance variables first."""
    import multiprocessing
    from multiprocessing import forkserver

    # The list Dagster's executor builds from MULTIPROCESS (its own module first).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["dagster._core.executor.multiprocess", *PRELOAD])
    forkserver.ensure_running()


def celery_settings() -> dict[str, Any]:
    """The Celery app settings shared by the orchestrating process and the workers.

    ``task_acks_late``: a task is acknowledged when it ends, not when a worker receives it, so that the
    broker hands the step of a worker that dies (machine lost, worker killed) to another worker and
    the run goes on by itself. ``task_reject_on_worker_lost`` stays off on purpose: when only the
    worker's pool child dies (the kernel's OOM killer, a crash in the step), requeueing would hand the
    same step to every worker in turn (Celery warns of this message loop); the step fails instead,
    and re-execution from failure resumes the run. One task reserved per worker process
    (``worker_prefetch_multiplier``) keeps long chunks spread over the idle workers.
    """
    queue = os.environ.get(CELERY_QUEUE) or DEFAULT_QUEUE
    return {
        "task_default_queue": queue,
        "task_acks_late": True,
        "task_reject_on_worker_lost": False,
        "worker_prefetch_multiplier": 1,
        # The broker's own redelivery is what moves a lost worker's task: no visibility timeout (Redis)
        # shorter than the longest chunk.
        "broker_transport_options": {"visibility_timeout": 12 * 3600},
        "broker_connection_retry_on_startup": True,
    }


def celery_broker_url() -> str:
    """``PELICAN_CELERY_BROKER_URL``; missing is an error that names it."""
    url = os.environ.get(CELERY_BROKER_URL)
    if not url:
        raise ExecutorConfigError(
            f"{CELERY_BROKER_URL} is not set: the celery executor needs the broker's URL "
            "(e.g. amqp://guest:guest@127.0.0.1:5672//), the same on every worker"
        )
    return url


def celery_queue() -> str:
    """The queue of this deployment's steps (``PELICAN_CELERY_QUEUE``)."""
    return os.environ.get(CELERY_QUEUE) or DEFAULT_QUEUE


def celery_executor_config() -> dict[str, Any]:
    """The ``celery_executor`` config from the environment."""
    args = celery_app_args()
    return {"broker": args["broker"], "backend": args["backend"], "config_source": args["config_source"]}


def celery_app_args() -> dict[str, Any]:
    """The Celery app arguments of a worker (``pelican_dagster.execution.celery_app``): what the executor
    passes to ``dagster_celery`` in the orchestrating process, with its defaults."""
    from dagster_celery.defaults import broker_transport_options

    settings = celery_settings()
    return {
        "broker": celery_broker_url(),
        "backend": os.environ.get(CELERY_BACKEND) or "rpc://",
        "include": [],
        "config_source": {
            "task_default_priority": 5,
            "broker_transport_options": {**broker_transport_options, **settings["broker_transport_options"]},
            **{k: v for k, v in settings.items() if k != "broker_transport_options"},
        },
    }


def executor_definition(name: str | None = None) -> dg.ExecutorDefinition:
    """The configured executor ``name`` (default: ``PELICAN_EXECUTOR``)."""
    # Dagster is imported here, not at the top: the CLI reads the names and starts the fork server
    # before the load, and importing Dagster (~0.45 s) would delay the load instead of overlapping it.
    import dagster as dg

    chosen = executor_name(name)
    if chosen == "in_process":
        return dg.in_process_executor
    if chosen == "multiprocess":
        return _multiprocess_executor().configured(MULTIPROCESS, name="pelican_multiprocess")
    try:
        import dagster_celery  # noqa: F401
    except ImportError as e:
        raise ExecutorConfigError(
            f"{EXECUTOR}=celery needs dagster-celery: pip install 'pelican-dagster[celery]'"
        ) from e
    return _celery_executor().configured(celery_executor_config(), name="pelican_celery")


def prepare_to_fork() -> None:
    """What a step process forked from this one finds ready, as it would in the fork server: the ECB
    exchange rates every step's check context needs (cached in this process), and every object created
    so far frozen out of the garbage collector's reach in the children (``gc.freeze`` at each fork and
    ``gc.unfreeze`` after it in this process), so that no child scans, nor copies page by page, the
    inherited objects."""
    import gc

    from pelican_dagster.checks.currency import load_default_rates

    load_default_rates()
    global _freezing_at_fork
    if not _freezing_at_fork:
        os.register_at_fork(before=gc.freeze, after_in_parent=gc.unfreeze)
        _freezing_at_fork = True


_freezing_at_fork = False


@functools.cache
def _multiprocess_executor() -> dg.ExecutorDefinition:
    """Dagster's multiprocess executor, except that a run worker with no other thread forks its step
    processes itself rather than through the fork server.

    A run worker (the CLI's process, or the one ``dagster api execute_run`` starts for the UI and the
    sensors) has imported the project and built the job before it starts a step: forked from it, a
    step starts as warm as from the fork server, and the fork server's own imports (~2 s of CPU, on
    the machine's cores while ``check`` loads the file) are not paid at all. Where another thread runs,
    the fork server is used as before (``MULTIPROCESS``)."""
    import dagster as dg
    from dagster._core.executor.multiprocess import MultiprocessExecutor

    class WarmMultiprocessExecutor(MultiprocessExecutor):
        def execute(self, plan_context, execution_plan):
            if fork_is_safe():
                prepare_to_fork()
                self._start_method = "fork"
            plan_context.log.debug(f"step processes start by {self._start_method}")
            return super().execute(plan_context, execution_plan)

    base = dg.multiprocess_executor

    @dg.executor(
        name=base.name,
        config_schema=base.config_schema,
        requirements=dg.multiple_process_executor_requirements(),
    )
    def multiprocess(init_context) -> MultiprocessExecutor:
        # Dagster's own creation reads the configuration; only the start of the steps differs.
        made = base.executor_creation_fn(init_context)
        made.__class__ = WarmMultiprocessExecutor
        return made

    return multiprocess


@functools.cache
def _celery_executor() -> dg.ExecutorDefinition:
    """``dagster_celery``'s executor, except that a step whose worker process died is a step failure.

    With late acknowledgement and ``task_reject_on_worker_lost`` off, Celery answers a task whose pool
    process was killed with ``WorkerLostError``. ``dagster_celery`` takes any such error as an error of
    the executor: the step gets no failure event (its event log ends at its start; the test saw the run
    fail with no ``STEP_FAILURE`` at all), and no step is submitted after it, so steps still waiting for
    a concurrency slot are never run (its loop then has steps left and nothing running: read from its
    code, not seen in the tests, where every chunk had been submitted before the kill). Here the lost
    task becomes the step's ``STEP_FAILURE``, as the multiprocess executor reports a crashed child
    process: the slot is freed, the other chunks are submitted and finish, downstream steps are
    skipped, the run fails, and re-execution from failure resumes it. Not retried: a step killed by the
    kernel's OOM killer would be killed again on every worker.
    """
    import dagster as dg
    from dagster._core.events import DagsterEvent, EngineEventData
    from dagster._core.execution.plan.objects import StepFailureData
    from dagster._core.execution.retries import RetryMode
    from dagster._utils.error import serializable_error_info_from_exc_info
    from dagster_celery.core_execution_loop import core_celery_execution_loop
    from dagster_celery.executor import CELERY_CONFIG, CeleryExecutor, _submit_task
    from dagster_shared.serdes import serialize_value

    class LostWorkerAsStepFailure:
        """A step's Celery result whose ``get`` turns a lost worker process into the step's failure
        events (serialized, as a worker returns its step's events)."""

        def __init__(self, result, step_context) -> None:
            self.result, self.step_context = result, step_context

        def ready(self) -> bool:
            return self.result.ready()

        def revoke(self) -> None:
            self.result.revoke()

        def get(self) -> list[str]:
            try:
                return self.result.get()
            except Exception as e:
                if type(e).__name__ != "WorkerLostError":
                    raise
                error = serializable_error_info_from_exc_info(sys.exc_info())
                notice = DagsterEvent.engine_event(
                    self.step_context,
                    f"the Celery worker process running step {self.step_context.step.key} died: {e}",
                    EngineEventData.engine_error(error),
                )
                failure = DagsterEvent.step_failure_event(
                    self.step_context, StepFailureData(error=error, user_failure_data=None)
                )
                return [serialize_value(notice), serialize_value(failure)]

    def submit(app, plan_context, step, queue, priority, known_state):
        with warnings.catch_warnings():
            # dagster_celery registers its (one) task again at each submission: Celery 5.7 warns.
            warnings.filterwarnings("ignore", message="Task name 'execute_plan' is already registered")
            result = _submit_task(app, plan_context, step, queue, priority, known_state)
        return LostWorkerAsStepFailure(result, plan_context.for_step(step))

    class PelicanCeleryExecutor(CeleryExecutor):
        def execute(self, plan_context, execution_plan):
            return core_celery_execution_loop(plan_context, execution_plan, step_execution_fn=submit)

    @dg.executor(
        name="celery",
        config_schema=CELERY_CONFIG,
        requirements=dg.multiple_process_executor_requirements(),
    )
    def celery_executor(init_context) -> CeleryExecutor:
        config = init_context.executor_config
        return PelicanCeleryExecutor(
            retries=RetryMode.from_config(config["retries"]),
            broker=config.get("broker"),
            backend=config.get("backend"),
            include=config.get("include"),
            config_source=config.get("config_source"),
        )

    return celery_executor
