"""Asset ``time_based_checks``: the dataset against its ancestor (docs/checks.md §4: ``ocid``,
``tender_title``, ``phase_stable``), each also reported as a Dagster asset check."""

import time
from collections.abc import Iterator

import dagster as dg

from pelican_dagster.assets.check_results import CheckOutcomes, check_specs, meta_without_examples
from pelican_dagster.assets.dataset_checks import dataset_checks
from pelican_dagster.assets.guard import run_id_of, stage
from pelican_dagster.assets.item_checks import require_checked
from pelican_dagster.assets.partition import partition_dataset
from pelican_dagster.checks.time_based import CHECKS, TimeBasedChecker
from pelican_dagster.checks.versions import code_version
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline import run_context
from pelican_dagster.resources import ResultsDatabaseResource
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.facts import stream_pairs
from pelican_dagster.storage.lifecycle import is_wiped
from pelican_dagster.storage.results import dataset_by_id, get_progress, replace_rows, set_phase
from pelican_dagster.storage.run_state import update_run_state, verify_lease

ASSET = "time_based_checks"
CHECK_NAMES = tuple(check.NAME for check in CHECKS)


@dg.multi_asset(
    # A multi-asset only because can_subset makes the check outputs optional (see check_results.py).
    specs=[
        dg.AssetSpec(
            ASSET,
            group_name="pelican",
            kinds={"postgres"},
            deps=[dataset_checks],
            code_version=code_version("time_based"),
        )
    ],
    partitions_def=datasets,
    check_specs=check_specs(ASSET, CHECK_NAMES, "Time-based check"),
    pool="pelican_database",
    can_subset=True,
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

    The ancestor must be CHECKED: before that its items and facts may be incomplete, so nothing is
    stored, the checks say "ancestor not yet checked", and the sensor ``ancestors_checked`` runs them
    again (with ``report``) once it is.
    """
    engine = results.get_engine()
    start = time.perf_counter()
    dataset = partition_dataset(engine, context.partition_key)
    rows: list[dict] = []
    pairs = 0
    with stage(context, engine, dataset, "TIME_VARIANCE"):
        require_checked(engine, dataset, "time_based_checks")
        with engine.begin() as conn:
            ancestor = dataset_by_id(conn, dataset.ancestor_id) if dataset.ancestor_id else None
            ancestor_wiped = ancestor is not None and is_wiped(conn, ancestor.id)
            missing_ancestor = dataset.ancestor_id is not None and ancestor is None
            if ancestor_wiped:
                # A wiped ancestor keeps its row (a tombstone) but has no items: not applicable.
                ancestor_name, ancestor = ancestor.name, None
            ancestor_progress = get_progress(conn, ancestor.id) if ancestor else None
            set_phase(conn, dataset.id, "TIME_VARIANCE", "IN_PROGRESS")
        # The ancestor's items and facts are complete only once it is CHECKED; reading them earlier
        # would store wrong results. Until then nothing is stored, and the sensor
        # ``ancestors_checked`` runs these checks again when the ancestor completes.
        waiting = ancestor is not None and (
            ancestor_progress is None
            or (ancestor_progress["phase"], ancestor_progress["state"]) != ("CHECKED", "OK")
        )
        if ancestor is not None and not waiting:
            checker = TimeBasedChecker(run_context.recorded(engine, dataset.id, run_id_of(context)))
            for ancestor_item, ancestor_facts, new_item, new_facts in stream_pairs(
                engine, ancestor.id, dataset.id
            ):
                checker.add(
                    ancestor_item, ancestor_facts if ancestor_facts is not None else {}, new_item, new_facts
                )
                pairs += 1
            rows = checker.results()

        with engine.begin() as conn:
            verify_lease(conn, dataset.id, run_id_of(context))
            replace_rows(conn, s.time_variance_level_check, dataset.id, rows)
            update_run_state(conn, dataset.id, waiting_for_ancestor=waiting)
            set_phase(conn, dataset.id, "TIME_VARIANCE", "OK")

    if ancestor_wiped:
        reason = f"the ancestor {ancestor_name!r} was wiped"
    elif missing_ancestor:
        reason = f"the ancestor (dataset id {dataset.ancestor_id}) no longer exists"
    elif ancestor is None:
        reason = "the dataset has no ancestor"
    elif waiting:
        progress = ancestor_progress or {"phase": "none", "state": "none"}
        reason = (
            f"ancestor not yet checked: {ancestor.name!r} is {progress['phase']}/{progress['state']}; "
            "the time-based checks run again when it is CHECKED"
        )
        context.log.warning(reason)
    elif not rows:
        reason = f"the ancestor {ancestor.name!r} has no items"
    else:
        reason = None
    by_name = {row["check_name"]: row for row in rows}
    outcomes = CheckOutcomes()
    for name in CHECK_NAMES:
        row = by_name.get(name)
        if row is None:
            outcomes.add(name, None, {}, reason)
            continue
        fields = {
            "coverage_value": row["coverage_value"],
            "check_value": row["check_value"],
            "meta": meta_without_examples(row["meta"] or {}),
        }
        if row["coverage_result"] is None:
            outcomes.add(name, None, fields, "no applicable ancestor item")
        elif row["check_result"] is None:
            outcomes.add(name, row["coverage_result"], fields)
        else:
            outcomes.add(name, row["coverage_result"] and row["check_result"], fields)
    outcomes.log(context.log)
    yield dg.MaterializeResult(
        metadata={
            "dataset_id": dataset.id,
            "ancestor": ancestor.name if ancestor else "none",
            "waiting_for_ancestor": waiting,
            **({"not_applicable": reason} if ancestor is None else {}),
            "pairs": pairs,
            "rows": len(rows),
            **outcomes.metadata(),
            "seconds": round(time.perf_counter() - start, 3),
        },
        check_results=outcomes.selected(context),
    )
