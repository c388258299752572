"""The sensor ``pelican_frontend_messages``: carries out what the Pelican frontend publishes.

Each evaluation drains the three durable queues (``<exchange>_<suffix>``, ``frontend.messages``) and,
per message, in this order: parse it, carry it out, commit, then acknowledge it. So a message is never
lost (a crash before the ack redelivers it) and never done twice: the effect records the message's
key (``messages.message_key``) in ``dataset.options["frontend_message"]`` in the same transaction, and a
redelivered or repeated message finds it and changes nothing.

* create: a dataset row (the message's name, collection, ancestor, ``max_items``; ``registered_by:
  frontend``, so it may share its collection with the dataset the Kingfisher sensor registered), its
  progress row (in progress), its partition, and a ``pelican`` run.
* filter: a filtered dataset read the frontend's way (``frontend.filters``), its partition and run.
* wipe: the ``wipe_dataset`` job, run in-process (a refused wipe is a failed run, with its reason).

A message that cannot be carried out (bad JSON, unknown collection or dataset, a name that cannot be a
partition key or is taken, a dataset not checked yet) is acknowledged; its reason is logged and recorded
as an observation of the asset ``frontend_messages``. Registration happens in the evaluation itself, so
``dagster sensor preview pelican_frontend_messages`` registers what waits; runs its preview does not
launch are started by ``pending_datasets``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dagster as dg
import sqlalchemy as sa

from pelican_dagster import settings
from pelican_dagster.frontend import messages as m
from pelican_dagster.frontend.filters import SEMANTICS
from pelican_dagster.jobs.pipeline import pelican_job
from pelican_dagster.partitions import datasets
from pelican_dagster.resources import KingfisherProcessResource, ResultsDatabaseResource
from pelican_dagster.resources.rabbitmq import RabbitMQResource
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.lifecycle import LifecycleError, create_filtered_dataset
from pelican_dagster.storage.results import (
    dataset_by_id,
    dataset_by_name,
    get_progress,
    mark_registered,
    register_dataset,
)

#: Messages read per queue per evaluation (the rest wait for the next one).
MAX_MESSAGES = 100
REGISTERED_BY = "frontend"

frontend_messages = dg.AssetSpec(
    "frontend_messages",
    description="The messages of the Pelican frontend (create, filter, wipe): one observation per message "
    "read, with what was done or why it could not be.",
    group_name="pelican_frontend",
    kinds={"rabbitmq"},
)


@dataclass
class Outcome:
    """What one message did."""

    suffix: str
    key: str
    status: str  # done | repeated | rejected
    detail: str
    dataset: str | None = None
    run_requests: list[dg.RunRequest] = field(default_factory=list)

    def observation(self, body: bytes) -> dg.AssetObservation:
        return dg.AssetObservation(
            asset_key=frontend_messages.key,
            metadata={
                "queue": self.suffix,
                "status": self.status,
                "detail": self.detail,
                "dataset": self.dataset or "",
                "message_key": self.key,
                "body": body[:2000].decode("utf-8", "replace"),
            },
        )


def _by_key(conn: sa.Connection, key: str) -> tuple[int, str] | None:
    row = conn.execute(
        sa.select(s.dataset.c.id, s.dataset.c.name).where(
            s.dataset.c.options["frontend_message"].astext == key
        )
    ).first()
    return (int(row[0]), row[1]) if row else None


def _partition_key_problem(name: str) -> str | None:
    from pelican_dagster.jobs.datasets import _check_name

    try:
        _check_name(name)
    except dg.Failure as e:
        return e.description
    return None


class MessageHandler:
    """Carries out parsed messages against the results database and the Dagster instance."""

    def __init__(
        self,
        instance: dg.DagsterInstance,
        results: ResultsDatabaseResource,
        kingfisher_process: KingfisherProcessResource,
    ) -> None:
        self.instance = instance
        self.results = results
        self.engine = results.get_engine()
        self.kingfisher_process = kingfisher_process

    def handle(self, suffix: str, body: bytes) -> Outcome:
        """Carry out one message; a message that cannot be carried out gives a ``rejected`` outcome.
        Other errors (the database unreachable) propagate: the message is then not acknowledged."""
        key = m.message_key(suffix, body)
        try:
            message = m.parse(suffix, body)
            if isinstance(message, m.Create):
                return self.create(suffix, key, message)
            if isinstance(message, m.Filter):
                return self.filter(suffix, key, message)
            return self.wipe(suffix, key, message)
        except m.Rejected as e:
            return Outcome(suffix, key, "rejected", str(e))

    def _registered(self, suffix: str, key: str, dataset_id: int, name: str, status: str) -> Outcome:
        # Committed already: the partition and the run (by run key, once) follow, also on a redelivery.
        if not self.instance.has_dynamic_partition(datasets.name, name):
            self.instance.add_dynamic_partitions(datasets.name, [name])
        request = dg.RunRequest(
            run_key=f"frontend-{key}", partition_key=name, tags={"pelican/frontend_message": key}
        )
        detail = f"dataset {name!r} (id {dataset_id})" + (
            " registered" if status == "done" else " exists already"
        )
        return Outcome(suffix, key, status, detail, name, [request])

    def create(self, suffix: str, key: str, message: m.Create) -> Outcome:
        with self.engine.begin() as conn:
            if found := _by_key(conn, key):
                return self._registered(suffix, key, *found, "repeated")
            if problem := _partition_key_problem(message.name):
                raise m.Rejected(problem)
            if dataset_by_name(conn, message.name) is not None:
                raise m.Rejected(f"a dataset named {message.name!r} exists already")
            if message.ancestor_id is not None and dataset_by_id(conn, message.ancestor_id) is None:
                raise m.Rejected(f"ancestor_id {message.ancestor_id} matches no dataset")
            source_id = self._collection_source(message.collection_id)
            dataset_id = register_dataset(
                conn,
                message.name,
                collection_id=message.collection_id,
                source_id=source_id,
                ancestor_id=message.ancestor_id,
                options={
                    "max_items": message.max_items,
                    "max_size": settings.max_size(),
                    "registered_by": REGISTERED_BY,
                    "frontend_message": key,
                },
            )
            if dataset_id is None:  # cannot happen: frontend datasets are outside the collection key
                raise m.Rejected(f"collection {message.collection_id} is registered already")
            mark_registered(conn, dataset_id)
        return self._registered(suffix, key, dataset_id, message.name, "done")

    def _collection_source(self, collection_id: int) -> str | None:
        with self.kingfisher_process.get_engine().connect() as conn:
            if not conn.execute(sa.text("SELECT to_regclass('compiled_release') IS NOT NULL")).scalar():
                raise m.Rejected("the Kingfisher Process database has no compiled_release table")
            row = conn.execute(
                sa.text(
                    "SELECT c.source_id FROM collection c WHERE c.id = :id"
                    " AND EXISTS (SELECT 1 FROM compiled_release r WHERE r.collection_id = c.id)"
                ),
                {"id": collection_id},
            ).first()
        if row is None:
            raise m.Rejected(f"collection_id {collection_id} matches no compiled_release rows")
        return row[0]

    def filter(self, suffix: str, key: str, message: m.Filter) -> Outcome:
        with self.engine.begin() as conn:
            if found := _by_key(conn, key):
                return self._registered(suffix, key, *found, "repeated")
            original = dataset_by_id(conn, message.dataset_id_original)
            if original is None:
                raise m.Rejected(f"no dataset with id {message.dataset_id_original}")
            progress = get_progress(conn, original.id)
            if progress is None or progress["phase"] != "CHECKED":
                raise m.Rejected(
                    f"dataset {original.name!r} is not checked yet: only a checked dataset is filtered"
                )
            try:
                new_id = create_filtered_dataset(
                    conn,
                    original,
                    message.filter,  # type: ignore[arg-type]  # to_message and max_items, as a FilterSpec
                    None,
                    options={"filter_semantics": SEMANTICS, "frontend_message": key},
                )
            except LifecycleError as e:
                raise m.Rejected(str(e)) from None
            mark_registered(conn, new_id)
            name = conn.execute(sa.select(s.dataset.c.name).where(s.dataset.c.id == new_id)).scalar_one()
        return self._registered(suffix, key, new_id, name, "done")

    def wipe(self, suffix: str, key: str, message: m.Wipe) -> Outcome:
        from pelican_dagster.jobs.datasets import wipe_dataset_job

        with self.engine.connect() as conn:
            dataset = dataset_by_id(conn, message.dataset_id)
        if dataset is None:  # also a redelivery of a wipe already done: nothing left to do
            raise m.Rejected(f"no dataset with id {message.dataset_id} (nothing to wipe)")
        result = wipe_dataset_job.execute_in_process(
            run_config={"ops": {"wipe": {"config": {"dataset": dataset.name}}}},
            instance=self.instance,
            resources={"results": self.results},
            raise_on_error=False,
            tags={"pelican/frontend_message": key},
        )
        if not result.success:
            reasons = [
                (e.step_failure_data.user_failure_data and e.step_failure_data.user_failure_data.description)
                or (e.step_failure_data.error and e.step_failure_data.error.message)
                or "failed"
                for e in result.get_step_failure_events()
            ]
            raise m.Rejected(
                f"the wipe of {dataset.name!r} failed (run {result.run_id}): {'; '.join(reasons)}"
            )
        return Outcome(
            suffix, key, "done", f"dataset {dataset.name!r} wiped (run {result.run_id})", dataset.name
        )


def drain(
    rabbitmq: RabbitMQResource, handler: MessageHandler, log: Any, max_messages: int = MAX_MESSAGES
) -> tuple[list[Outcome], list[dg.AssetObservation], str | None]:
    """Read the waiting messages of the three queues, carry each out and acknowledge it; returns the
    outcomes, their observations and the error that stopped the drain (its message stays queued)."""
    outcomes: list[Outcome] = []
    observations: list[dg.AssetObservation] = []
    with rabbitmq.channel() as channel:
        for suffix in m.SUFFIXES:
            queue = rabbitmq.queue_name(suffix)
            for _ in range(max_messages):
                method, _properties, body = channel.basic_get(queue, auto_ack=False)
                if method is None:
                    break
                try:
                    outcome = handler.handle(suffix, body)
                except Exception as e:  # not the message's fault: keep it for the next evaluation
                    channel.basic_nack(method.delivery_tag, requeue=True)
                    log.error(f"{queue}: could not carry out a message, left queued: {e}")
                    return outcomes, observations, f"{type(e).__name__}: {e}"
                channel.basic_ack(method.delivery_tag)
                line = f"{queue}: {outcome.status}: {outcome.detail}"
                (log.warning if outcome.status == "rejected" else log.info)(line)
                outcomes.append(outcome)
                observations.append(outcome.observation(body))
    return outcomes, observations, None


@dg.sensor(
    job=pelican_job,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Carries out the Pelican frontend's create, filter and wipe messages (RABBIT_URL).",
)
def pelican_frontend_messages(
    context: dg.SensorEvaluationContext,
    rabbitmq: RabbitMQResource,
    results: ResultsDatabaseResource,
    kingfisher_process: KingfisherProcessResource,
) -> dg.SensorResult | dg.SkipReason:
    """Drain the frontend's queues: register, filter and wipe datasets as its messages ask."""
    if not rabbitmq.url:
        return dg.SkipReason("RABBIT_URL is not set: the Pelican frontend's messages are not read")
    handler = MessageHandler(context.instance, results, kingfisher_process)
    outcomes, observations, error = drain(rabbitmq, handler, context.log)
    requests = [request for outcome in outcomes for request in outcome.run_requests]
    if not outcomes:
        return dg.SkipReason(error or "no message from the Pelican frontend")
    return dg.SensorResult(run_requests=requests, asset_events=observations)
