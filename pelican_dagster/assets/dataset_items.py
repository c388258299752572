"""Asset ``dataset_items``: a dataset's compiled releases, copied from Kingfisher Process into
``data_item`` (docs/pipeline.md §2), or, for a filtered dataset, from its original (§3)."""

import dagster as dg
from sqlalchemy.engine import Engine

from pelican_dagster import settings
from pelican_dagster.assets.guard import run_id_of, stage
from pelican_dagster.assets.partition import checked_run_start
from pelican_dagster.checks.versions import code_version
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline import run_context
from pelican_dagster.pipeline.filters import FilterError
from pelican_dagster.resources import KingfisherProcessResource, ResultsDatabaseResource
from pelican_dagster.storage.extraction import ExtractionError, extract
from pelican_dagster.storage.item_checks import forget_chunks
from pelican_dagster.storage.lifecycle import LifecycleError, extract_filtered, is_filtered
from pelican_dagster.storage.results import Dataset
from pelican_dagster.storage.run_state import update_run_state, verify_lease


@dg.asset(
    partitions_def=datasets,
    group_name="pelican",
    kinds={"postgres"},
    pool="pelican_database",
    code_version=code_version(),
)
def dataset_items(
    context: dg.AssetExecutionContext,
    kingfisher_process: KingfisherProcessResource,
    results: ResultsDatabaseResource,
) -> dg.MaterializeResult:
    """The compiled releases of the dataset's Kingfisher Process collection, one ``data_item`` row each.

    Streams ``compiled_release`` ⋈ ``data`` with COPY (never the whole collection in memory), keeps items
    whose stored size is below the dataset's ``max_size`` (default 300,000 bytes) and, with
    ``max_items``, the first items in Kingfisher Process order. Re-materializing replaces the items.
    Also records the Kingfisher metadata in ``dataset.meta`` and sets the phase CONTRACTING_PROCESS.

    A filtered dataset (one with a ``dataset_filter`` row) copies instead the items of its original
    that match its filter, in the original's order, at most ``max_items``; none matching is a valid,
    empty dataset.

    Before any write, the run is checked (:func:`checked_run_start`): an unknown partition or dataset,
    a wiped dataset, bad options or a temporary Dagster instance fail the run with one line.
    """
    engine = results.get_engine()
    # Checked before any write: the partition, the dataset and its options (one clear line).
    dataset = checked_run_start(context, engine)
    with stage(context, engine, dataset, "CONTRACTING_PROCESS"):
        with engine.begin() as conn:
            # From here on, results of the previous items can never pass for results of these.
            verify_lease(conn, dataset.id, run_id_of(context))
            update_run_state(conn, dataset.id, extraction_run_id=run_id_of(context), failure=None)
            forget_chunks(conn, dataset.id)
        # The run's first step fixes "now", the seed, codelists and rates for every later step.
        ctx = run_context.fix(engine, dataset.id, run_id_of(context))
        context.log.info(f"check context of run {run_id_of(context)}: now {ctx.now.isoformat()}")
        return _extract(context, kingfisher_process, engine, dataset)


def _extract(
    context: dg.AssetExecutionContext,
    kingfisher_process: KingfisherProcessResource,
    engine: Engine,
    dataset: Dataset,
) -> dg.MaterializeResult:
    if is_filtered(engine, dataset.id):
        try:
            found, copied = extract_filtered(engine, dataset)
        except (LifecycleError, FilterError) as e:
            raise dg.Failure(description=str(e)) from e
        context.log.info(
            f"copied {copied.items} of {copied.scanned} items scanned from dataset {found.original_id} "
            f"into filtered dataset {dataset.id} in {copied.seconds:.2f} s"
        )
        return dg.MaterializeResult(
            metadata={
                "dataset_id": dataset.id,
                "collection_id": dg.MetadataValue.null(),
                "original_dataset_id": found.original_id,
                "filter": dg.MetadataValue.json(found.message),
                "items": copied.items,
                "scanned": copied.scanned,
                "skipped": 0,
                "skipped_reasons": dg.MetadataValue.json([]),
                "seconds": round(copied.seconds, 3),
                "items_per_second": round(copied.items_per_second, 1),
            }
        )
    try:
        result = extract(
            kingfisher_process.get_engine(),
            engine,
            context.partition_key,
            fetch_extensions=not settings.url_check_offline(),
            extension_timeout=settings.extension_timeout(),
            log=context.log.info,
        )
    except ExtractionError as e:
        raise dg.Failure(description=str(e)) from e
    return dg.MaterializeResult(
        metadata={
            "dataset_id": result.dataset_id,
            "collection_id": result.collection_id,
            "items": result.items,
            "skipped": result.skipped_count,
            "skipped_reasons": dg.MetadataValue.json(result.skipped),
            "over_max_items": result.over_max_items,
            "seconds": round(result.seconds, 3),
            "items_per_second": round(result.items_per_second, 1),
        }
    )
