"""Asset ``dataset_checks``: the 24 dataset-level checks (docs/checks.md §3) and the dataset metadata that
aggregates over items (docs/pipeline.md §6.2), each check also reported as a Dagster asset check."""

import functools
import time
from collections.abc import Iterator

import dagster as dg

from pelican_dagster.assets.check_results import CheckOutcomes, check_specs, meta_without_examples
from pelican_dagster.assets.guard import run_id_of, stage
from pelican_dagster.assets.item_checks import item_checks, require_checked
from pelican_dagster.assets.partition import partition_dataset
from pelican_dagster.checks.dataset import CHECK_NAMES, DatasetChecker
from pelican_dagster.checks.versions import code_version
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline import run_context
from pelican_dagster.resources import ResultsDatabaseResource
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.facts import read_facts, stream_facts
from pelican_dagster.storage.results import merge_meta, replace_rows, set_phase
from pelican_dagster.storage.run_state import verify_lease

ASSET = "dataset_checks"


@dg.multi_asset(
    # A multi-asset only because can_subset makes the check outputs optional (see check_results.py).
    specs=[
        dg.AssetSpec(
            ASSET,
            group_name="pelican",
            kinds={"postgres"},
            deps=[item_checks],
            code_version=code_version("dataset"),
        )
    ],
    partitions_def=datasets,
    check_specs=check_specs(ASSET, CHECK_NAMES, "Dataset-level check"),
    pool="pelican_database",
    can_subset=True,
)
def dataset_checks(
    context: dg.AssetExecutionContext, results: ResultsDatabaseResource
) -> Iterator[dg.MaterializeResult]:
    """The 24 dataset-level checks of the dataset (``dataset_level_check`` rows): distributions,
    repetitions, buyers, uniqueness, URL availability and related processes, computed from the
    per-item facts the item pass stored (the items are not re-read or re-parsed).

    Runs only when every item of the current extraction has been checked (Pelican's aggregator rule):
    after a partial failure the missing chunks must be re-run first. Re-materializing replaces the rows.
    """
    engine = results.get_engine()
    start = time.perf_counter()
    dataset = partition_dataset(engine, context.partition_key)
    with stage(context, engine, dataset, "DATASET"):
        require_checked(engine, dataset, "dataset_checks")
        with engine.begin() as conn:
            set_phase(conn, dataset.id, "DATASET", "IN_PROGRESS")

        checker = DatasetChecker(
            run_context.recorded(engine, dataset.id, run_id_of(context)),
            lookup=functools.partial(read_facts, engine),
        )
        checker.extend(stream_facts(engine, dataset.id))
        rows = checker.results()
        metadata = checker.metadata()

        with engine.begin() as conn:
            verify_lease(conn, dataset.id, run_id_of(context))
            replace_rows(conn, s.dataset_level_check, dataset.id, rows)
            merge_meta(conn, dataset.id, metadata)
            set_phase(conn, dataset.id, "DATASET", "OK")
    seconds = time.perf_counter() - start

    by_name = {row["check_name"]: row for row in rows}
    outcomes = CheckOutcomes()
    for name in CHECK_NAMES:
        row = by_name.get(name)
        if row is None:
            outcomes.add(name, None, {}, "the dataset has no checked items")
            continue
        meta = row["meta"] or {}
        outcomes.add(
            name,
            row["result"],
            {"value": row["value"], "meta": meta_without_examples(meta)},
            meta.get("reason"),
        )
    outcomes.log(context.log)
    decided = [row for row in rows if row["result"] is not None]
    passed = sum(1 for row in decided if row["result"])
    yield dg.MaterializeResult(
        metadata={
            "dataset_id": dataset.id,
            "items": checker.items,
            "checks_passed": passed,
            "checks_failed": len(decided) - passed,
            **outcomes.metadata(),
            "pass_rate_percent": dg.MetadataValue.float(
                round(100.0 * passed / len(decided), 2) if decided else float("nan")
            ),
            "tender_lifecycle": dg.MetadataValue.json(metadata.get("tender_lifecycle", {})),
            "total_unique_ocids": metadata.get("compiled_releases", {}).get("total_unique_ocids", 0),
            "seconds": round(seconds, 3),
        },
        check_results=outcomes.selected(context),
    )
