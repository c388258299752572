"""The Kingfisher Process collection sensor: one dataset partition and one run per new complete compiled
collection.

A collection qualifies when it is **complete** (``pelican_dagster.storage.kingfisher``):
``transform_type = 'compile-releases'``, ``completed_at`` set, ``deleted_at`` null, and it has compiled
releases. For each, the sensor inserts a ``dataset`` row (name ``<source_id>_<data_version date>_<id>``,
ancestor = the dataset of the same source with the greatest lower collection id, options from
``PELICAN_MAX_SIZE``/``PELICAN_MAX_ITEMS``) with ON CONFLICT DO NOTHING on the collection id, so a
collection is registered once however often, or however concurrently, the sensor runs; only rows it
actually inserted become new partitions and run requests (``run_key`` = ``collection-<id>``).

The cursor is the latest ``completed_at`` seen. Each tick looks back ``LOOKBACK`` before it, so a
collection committed late with an earlier ``completed_at`` is still found (registration is idempotent).
A dataset the sensor registered whose partition is still missing ``RECOVERY_AFTER`` later (a tick that
failed after the insert) is requested again, with the same ``run_key``.

The second sensor, ``pending_datasets``, starts the first run of any dataset partition that was never
run: above all the filtered datasets that the ``filter_dataset`` job registers.
"""

import datetime as dt
import json
import re

import dagster as dg
import sqlalchemy as sa

from pelican_dagster import settings
from pelican_dagster.execution.instance import instance_problem
from pelican_dagster.jobs.pipeline import pelican_job, time_based_job
from pelican_dagster.partitions import datasets
from pelican_dagster.resources import KingfisherProcessResource, ResultsDatabaseResource
from pelican_dagster.storage import kingfisher
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.results import previous_dataset_id, register_dataset

LOOKBACK = dt.timedelta(hours=1)
#: A dataset the sensor registered this long ago without a partition counts as lost by a failed tick
#: (younger ones may belong to a tick still running).
RECOVERY_AFTER = dt.timedelta(minutes=5)
REGISTERED_BY = "sensor"


def dataset_name(collection: kingfisher.Collection) -> str:
    """The partition key of a collection's dataset: ``<source_id>_<YYYY-MM-DD>_<collection id>``."""
    source = re.sub(r"[^A-Za-z0-9_.-]+", "-", collection.source_id or "collection").strip("-") or "collection"
    day = f"_{collection.data_version:%Y-%m-%d}" if collection.data_version else ""
    return f"{source}{day}_{collection.id}"


#: The advisory lock class of a collection's registration ("regi" in ASCII).
_REGISTRATION_LOCK = 0x72656769

#: ``register_collection``'s default: the ancestor is chosen by the sensor rule.
PREVIOUS_OF_SOURCE = object()


def register_collection(
    conn: sa.Connection,
    collection: kingfisher.Collection,
    options: dict,
    ancestor_id: int | object | None = PREVIOUS_OF_SOURCE,
) -> tuple[str, int, bool]:
    """Register a collection's dataset once (ON CONFLICT DO NOTHING on the collection id), named by
    :func:`dataset_name`; the ancestor is the previous dataset of the same source unless given.

    Returns ``(name, dataset id, inserted)``; an existing dataset of the collection (a wiped one's
    tombstone included) is returned as it is, with ``inserted`` False.
    """
    name = dataset_name(collection)
    # Concurrent registrations of one collection (two sensor ticks, the sensor and the CLI) insert the
    # same name as well as the same collection id, and ON CONFLICT names one index only: the name index
    # could raise instead of the collection key doing nothing. Taken in turn (this transaction's lock),
    # the second finds the first's committed row and does nothing.
    conn.execute(
        sa.text("SELECT pg_advisory_xact_lock(:key, CAST(:id % 2147483647 AS integer))"),
        {"key": _REGISTRATION_LOCK, "id": collection.id},
    )
    if ancestor_id is PREVIOUS_OF_SOURCE:
        ancestor_id = previous_dataset_id(conn, collection.source_id, collection.id)
    new_id = register_dataset(
        conn,
        name,
        collection_id=collection.id,
        source_id=collection.source_id,
        ancestor_id=ancestor_id,
        options=options,
    )
    if new_id is not None:
        return name, int(new_id), True
    existing = conn.execute(
        sa.select(s.dataset.c.name, s.dataset.c.id).where(s.dataset.c.collection_id == collection.id)
    ).one()
    return existing[0], int(existing[1]), False


def run_request(name: str, collection_id: int) -> dg.RunRequest:
    """The run of a newly registered dataset (one per collection, whatever the tick)."""
    return dg.RunRequest(
        run_key=f"collection-{collection_id}",
        partition_key=name,
        tags={"pelican/collection_id": str(collection_id)},
    )


@dg.sensor(
    job=pelican_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Registers a dataset partition and starts a run for each new complete compiled collection.",
)
def kingfisher_process_collections(
    context: dg.SensorEvaluationContext,
    kingfisher_process: KingfisherProcessResource,
    results: ResultsDatabaseResource,
) -> dg.SensorResult | dg.SkipReason:
    """Find complete compiled collections not yet registered; register and run each once."""
    problem = instance_problem(context.instance)
    if problem:
        return dg.SkipReason(problem)
    cursor = dt.datetime.fromisoformat(context.cursor) if context.cursor else None
    with kingfisher_process.get_engine().connect() as kconn:
        if not kconn.execute(sa.text("SELECT to_regclass('collection') IS NOT NULL")).scalar():
            return dg.SkipReason("the Kingfisher Process database has no collection table yet")
        collections = kingfisher.complete_collections(kconn, cursor - LOOKBACK if cursor else None)

    options = {
        "max_size": settings.max_size(),
        "max_items": settings.max_items(),
        "registered_by": REGISTERED_BY,
    }
    new: list[tuple[str, int]] = []
    with results.get_engine().begin() as conn:
        # Lower ids first, so that a newer collection of the same source finds the older as its ancestor.
        for collection in sorted(collections, key=lambda c: c.id):
            name, _, inserted = register_collection(conn, collection, options)
            if inserted:
                new.append((name, collection.id))
        # Recovery: registered by an earlier tick whose partition request never happened. A wiped
        # dataset (its DELETED tombstone, without a partition) is not lost: it stays wiped.
        known = set(context.instance.get_dynamic_partitions(datasets.name))
        p = s.progress_monitor_dataset
        orphans = conn.execute(
            sa.select(s.dataset.c.name, s.dataset.c.collection_id).where(
                s.dataset.c.options["registered_by"].astext == REGISTERED_BY,
                s.dataset.c.created < sa.func.now() - RECOVERY_AFTER,
                ~sa.exists().where(p.c.dataset_id == s.dataset.c.id, p.c.phase == "DELETED"),
            )
        ).all()
    new_names = {name for name, _ in new}
    new += [(name, cid) for name, cid in orphans if name not in known and name not in new_names]

    latest = max((c.completed_at for c in collections), default=None)
    if cursor and (latest is None or latest < cursor):
        latest = cursor
    new_cursor = latest.isoformat() if latest else context.cursor
    if not new:
        return dg.SensorResult(skip_reason="no new complete compiled collection", cursor=new_cursor)
    context.log.info(f"registering {len(new)} dataset(s): {', '.join(name for name, _ in new)}")
    return dg.SensorResult(
        run_requests=[run_request(name, cid) for name, cid in new],
        dynamic_partitions_requests=[datasets.build_add_request([name for name, _ in new])],
        cursor=new_cursor,
    )


#: A dataset with a Kingfisher Process collection is left this long to the run its registration started
#: (the collection sensor's, or the CLI's) before ``pending_datasets`` starts one; filtered datasets have
#: no other starter and are run at once.
PENDING_GRACE = dt.timedelta(minutes=2)


#: How many times ``pending_datasets`` runs again a dataset whose last run failed (a dropped connection,
#: a killed process); after that, a user's run is needed (the failure and its reason stay visible).
FAILED_RETRIES = 2


def pending_dataset_rows(conn: sa.Connection, partitions: set[str]) -> list[tuple[int, str]]:
    """``(id, name)`` of the datasets with a partition that were never run (no progress row, or only the
    registration's, ``results.mark_registered``), in id order,
    leaving out collection datasets registered less than ``PENDING_GRACE`` ago."""
    t, p = s.dataset, s.progress_monitor_dataset
    filtered = sa.exists().where(s.dataset_filter.c.dataset_id_filtered == t.c.id)
    rows = conn.execute(
        sa.select(t.c.id, t.c.name)
        .where(
            # No progress, or only the row written at registration (size NULL until extraction).
            ~sa.exists().where(p.c.dataset_id == t.c.id, p.c.size.isnot(None)),
            sa.or_(filtered, t.c.created < sa.func.now() - PENDING_GRACE),
        )
        .order_by(t.c.id)
    ).all()
    return [(int(i), name) for i, name in rows if name in partitions]


def failed_dataset_rows(conn: sa.Connection, partitions: set[str]) -> list[tuple[int, str]]:
    """``(id, name)`` of the datasets with a partition whose last stage failed (state FAILED)."""
    t, p = s.dataset, s.progress_monitor_dataset
    rows = conn.execute(
        sa.select(t.c.id, t.c.name)
        .join(p, p.c.dataset_id == t.c.id)
        .where(p.c.state == "FAILED")
        .order_by(t.c.id)
    ).all()
    return [(int(i), name) for i, name in rows if name in partitions]


def _active_runs(instance: dg.DagsterInstance, name: str) -> bool:
    return bool(
        instance.get_run_records(
            filters=dg.RunsFilter(
                tags={"dagster/partition": name},
                statuses=[
                    dg.DagsterRunStatus.QUEUED,
                    dg.DagsterRunStatus.NOT_STARTED,
                    dg.DagsterRunStatus.STARTING,
                    dg.DagsterRunStatus.STARTED,
                    dg.DagsterRunStatus.CANCELING,
                ],
            ),
            limit=1,
        )
    )


def failed_run_requests(instance: dg.DagsterInstance, rows: list[tuple[int, str]]) -> list[dg.RunRequest]:
    """A new ``pelican`` run for each failed dataset with no active run, at most ``FAILED_RETRIES`` times
    per dataset (counted by the tag ``pelican/retry``)."""
    requests = []
    for dataset_id, name in rows:
        if _active_runs(instance, name):
            continue
        retries = len(
            instance.get_run_records(
                filters=dg.RunsFilter(tags={"dagster/partition": name, "pelican/retry": "failed"}),
                limit=FAILED_RETRIES,
            )
        )
        if retries >= FAILED_RETRIES:
            continue
        requests.append(
            dg.RunRequest(
                run_key=f"dataset-{dataset_id}-retry-{retries + 1}",
                partition_key=name,
                tags={"pelican/retry": "failed"},
            )
        )
    return requests


@dg.sensor(
    job=pelican_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the pelican run of each dataset partition never run (e.g. a filtered dataset).",
)
def pending_datasets(
    context: dg.SensorEvaluationContext, results: ResultsDatabaseResource
) -> dg.SensorResult:
    """One ``pelican`` run per dataset partition that has never been run: no ``progress_monitor_dataset``
    row and no run of the partition in the instance (``run_key`` = ``dataset-<id>``).

    The cursor lists the ids requested whose run has not written progress yet, so a second tick does
    not request them again (nor does the daemon, by the run key); it shrinks as their runs start.
    """
    problem = instance_problem(context.instance)
    if problem:
        return dg.SensorResult(skip_reason=problem, cursor=context.cursor)
    requested = {int(i) for i in json.loads(context.cursor)} if context.cursor else set()
    partitions = set(context.instance.get_dynamic_partitions(datasets.name))
    with results.get_engine().connect() as conn:
        pending = pending_dataset_rows(conn, partitions)
        failed = failed_dataset_rows(conn, partitions)
    retries = failed_run_requests(context.instance, failed)
    new = []
    for dataset_id, name in pending:
        if dataset_id in requested:
            continue
        # Any job: a run of the assets from the UI or dg.materialize is not named pelican.
        if context.instance.get_run_records(filters=dg.RunsFilter(tags={"dagster/partition": name}), limit=1):
            continue  # run by someone else (CLI, UI, the collection sensor); it writes progress soon
        new.append((dataset_id, name))
    still_pending = {dataset_id for dataset_id, _ in pending}
    cursor = json.dumps(sorted((requested & still_pending) | {dataset_id for dataset_id, _ in new}))
    if not new and not retries:
        return dg.SensorResult(skip_reason="no dataset partition waiting for its first run", cursor=cursor)
    if new:
        context.log.info(f"starting the first run of {', '.join(name for _, name in new)}")
    if retries:
        context.log.info(f"running again failed {', '.join(str(r.partition_key) for r in retries)}")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=f"dataset-{dataset_id}", partition_key=name) for dataset_id, name in new
        ]
        + retries,
        cursor=cursor,
    )


@dg.sensor(
    job=time_based_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Runs the time-based checks (and report) of datasets whose ancestor was not yet checked.",
)
def ancestors_checked(
    context: dg.SensorEvaluationContext, results: ResultsDatabaseResource
) -> dg.SensorResult:
    """One ``pelican_time_based`` run per dataset whose time-based checks found the ancestor not yet
    CHECKED, once the ancestor is CHECKED/OK (``run_key``: the dataset and the moment the ancestor was
    checked, so each completion of the ancestor triggers one run)."""
    d, a, p, r = s.dataset, s.dataset.alias("ancestor"), s.progress_monitor_dataset, s.dataset_run_state
    partitions = set(context.instance.get_dynamic_partitions(datasets.name))
    with results.get_engine().connect() as conn:
        rows = conn.execute(
            sa.select(d.c.id, d.c.name, p.c.modified)
            .join(r, r.c.dataset_id == d.c.id)
            .join(a, a.c.id == d.c.ancestor_id)
            .join(p, p.c.dataset_id == a.c.id)
            .where(r.c.waiting_for_ancestor, p.c.phase == "CHECKED", p.c.state == "OK")
            .order_by(d.c.id)
        ).all()
    requests = [
        dg.RunRequest(run_key=f"ancestor-checked-{dataset_id}-{checked.isoformat()}", partition_key=name)
        for dataset_id, name, checked in rows
        if name in partitions and not _active_runs(context.instance, name)
    ]
    if not requests:
        return dg.SensorResult(skip_reason="no dataset waiting for a checked ancestor")
    return dg.SensorResult(run_requests=requests)
