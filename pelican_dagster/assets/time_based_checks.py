"""Asset ``time_based_checks``: the dataset against its ancestor (checks.md §4: ``ocid``,
``tender_title``, ``phase_stable``), each also reported as a Dagster asset check."""

import time
from collections.abc import Iterator

import dagster as dg
import sqlalchemy as sa

from pelican_dagster import settings
from pelican_dagster.assets.check_results import check_result, check_specs, meta_without_examples
from pelican_dagster.assets.dataset_checks import dataset_checks
from pelican_dagster.assets.partition import partition_dataset
from pelican_dagster.checks.time_based import CHECKS, TimeBasedChecker
from pelican_dagster.partitions import datasets
from pelican_dagster.resources import ResultsDatabaseResource
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.facts import stream_pairs
from pelican_dagster.storage.lifecycle import is_wiped
from pelican_dagster.storage.results import dataset_by_id, set_phase

ASSET = "time_based_checks"
CHECK_NAMES = tuple(check.NAME for check in CHECKS)


@dg.asset(
    partitions_def=datasets,
    group_name="pelican",
    kinds={"postgres"},
    deps=[dataset_checks],
    check_specs=check_specs(ASSET, CHECK_NAMES, "Time-based check"),
    pool="pelican_database",
)
def time_based_checks(
    context: dg.AssetExecutionContext, results: ResultsDatabaseResource
) -> Iterator[dg.MaterializeResult]:
    """The time-based checks (``time_variance_level_check`` rows): how many of the ancestor's
    contracting processes the dataset still has, whether their tender titles and phases are stable.

    The ancestor is the previous dataset of the same source (chosen by the sensor, or given with
    ``pelican-dagster check --ancestor``). Without an ancestor, with an empty one or a wiped one, no
    rows are written (as in Pelican) and the checks are reported as not applicable, with that reason.
    Pairs are matched by ocid in SQL (indexed) and streamed.
    """
    engine = results.get_engine()
    start = time.perf_counter()
    dataset = partition_dataset(engine, context.partition_key)
    with engine.connect() as conn:
        ancestor = dataset_by_id(conn, dataset.ancestor_id) if dataset.ancestor_id else None
        ancestor_wiped = ancestor is not None and is_wiped(conn, ancestor.id)
    missing_ancestor = dataset.ancestor_id is not None and ancestor is None
    if ancestor_wiped:
        ancestor_name, ancestor = ancestor.name, None
    with engine.begin() as conn:
        set_phase(conn, dataset.id, "TIME_VARIANCE", "IN_PROGRESS")

    rows: list[dict] = []
    pairs = 0
    if ancestor is not None:
        checker = TimeBasedChecker(settings.check_context(engine))
        for ancestor_item, ancestor_facts, new_item, new_facts in stream_pairs(
            engine, ancestor.id, dataset.id
        ):
            checker.add(
                ancestor_item, ancestor_facts if ancestor_facts is not None else {}, new_item, new_facts
            )
            pairs += 1
        rows = checker.results()

    with engine.begin() as conn:
        conn.execute(
            sa.delete(s.time_variance_level_check).where(
                s.time_variance_level_check.c.dataset_id == dataset.id
            )
        )
        if rows:
            conn.execute(
                sa.insert(s.time_variance_level_check), [{"dataset_id": dataset.id, **r} for r in rows]
            )
        set_phase(conn, dataset.id, "TIME_VARIANCE", "OK")

    if ancestor_wiped:
        reason = f"the ancestor {ancestor_name!r} was wiped"
    elif missing_ancestor:
        reason = f"the ancestor (dataset id {dataset.ancestor_id}) no longer exists"
    elif ancestor is None:
        reason = "the dataset has no ancestor"
    elif not rows:
        reason = f"the ancestor {ancestor.name!r} has no items"
    else:
        reason = None
    by_name = {row["check_name"]: row for row in rows}
    check_results = []
    for name in CHECK_NAMES:
        row = by_name.get(name)
        if row is None:
            check_results.append(check_result(name, None, {}, reason))
            continue
        fields = {
            "coverage_value": row["coverage_value"],
            "check_value": row["check_value"],
            "meta": meta_without_examples(row["meta"] or {}),
        }
        if row["coverage_result"] is None:
            check_results.append(check_result(name, None, fields, "no applicable ancestor item"))
        elif row["check_result"] is None:
            check_results.append(check_result(name, row["coverage_result"], fields))
        else:
            check_results.append(check_result(name, row["coverage_result"] and row["check_result"], fields))
    yield dg.MaterializeResult(
        metadata={
            "dataset_id": dataset.id,
            "ancestor": ancestor.name if ancestor else "none",
            **({"not_applicable": reason} if ancestor is None else {}),
            "pairs": pairs,
            "rows": len(rows),
            "seconds": round(time.perf_counter() - start, 3),
        },
        check_results=check_results,
    )
