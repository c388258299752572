"""Asset ``report``: the field-level and compiled-release-level reports, their random examples and the
dataset's final metadata (docs/pipeline.md §4.4, §6.3), readable in the Dagster UI."""

import time

import dagster as dg
from sqlalchemy.engine import Engine

from pelican_dagster import settings
from pelican_dagster.assets.guard import run_id_of, stage
from pelican_dagster.assets.item_checks import require_checked
from pelican_dagster.assets.metadata import pass_rates
from pelican_dagster.assets.partition import partition_dataset
from pelican_dagster.assets.time_based_checks import time_based_checks
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.versions import code_version
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline import run_context
from pelican_dagster.pipeline.report_merge import merge_chunk_states
from pelican_dagster.reporting.headline import headline
from pelican_dagster.reporting.html import render_html
from pelican_dagster.reporting.markdown import markdown_sections
from pelican_dagster.reporting.summary import report_totals
from pelican_dagster.resources import ResultsDatabaseResource
from pelican_dagster.storage.codelists import well_formed_prefix_counts
from pelican_dagster.storage.items import item_reader
from pelican_dagster.storage.reports import (
    chunk_states,
    database_now,
    dataset_created,
    load_report_data,
    write_reports,
)
from pelican_dagster.storage.results import Dataset, merge_meta, set_phase
from pelican_dagster.storage.run_state import release_lease, update_run_state, verify_lease

#: Pelican's timestamp format in ``dataset.meta`` (dots in the time).
TIMESTAMP_FORMAT = "%Y-%m-%d %H.%M.%S"


def _build(
    context: dg.AssetExecutionContext, engine: Engine, dataset: Dataset, ctx: CheckContext
) -> tuple[dict, dict, list[str]]:
    """Merge, store and end the dataset CHECKED/OK, releasing the lease (one transaction); returns the
    reports and the warnings recorded with them."""

    # A batch of chunk states at a time: memory flat however many chunks (pipeline.report_merge).
    field, resource = merge_chunk_states(chunk_states(engine, dataset.id), ctx)
    field_report, resource_report = field.report(), resource.report()
    # Built here, once, from the few items the merged samples point to (re-read from data_item).
    field_examples = field.examples(item_reader(engine, dataset.id))

    unverified: dict[str, int] = {}
    if not ctx.ocid_register_complete:
        # Only the shipped snapshot: the prefixes ocid_prefix_check passed without knowing them.
        with engine.connect() as conn:
            counts = well_formed_prefix_counts(conn, dataset.id)
        unverified = {p: n for p, n in counts.items() if not p.startswith(ctx.ocid_prefixes)}
    warnings = []
    if unverified:
        warnings.append(
            "register unavailable: the OCID-prefix register in use is only the shipped snapshot, so "
            f"ocid_prefix_check passed {sum(unverified.values())} items whose well-formed prefixes it lacks "
            f"({', '.join(sorted(unverified))}) without verifying them"
        )

    with engine.begin() as conn:
        verify_lease(conn, dataset.id, run_id_of(context))
        write_reports(conn, dataset.id, field_report, resource_report, field_examples, resource.examples())
        merge_meta(
            conn,
            dataset.id,
            {
                "data_quality_tool_metadata": {
                    "processing_start": dataset_created(conn, dataset.id).strftime(TIMESTAMP_FORMAT),
                    "processing_end": database_now(conn).strftime(TIMESTAMP_FORMAT),
                },
                # Which codelists, exchange rates and "now" the results depend on (reproducibility).
                "pelican_dagster": {
                    "configuration": ctx.sources,
                    "seed": str(ctx.seed),
                    "unverified_ocid_prefixes": unverified,
                    "warnings": warnings,
                },
            },
        )
        set_phase(conn, dataset.id, "CHECKED", "OK")
        update_run_state(conn, dataset.id, failure=None)
        release_lease(conn, dataset.id, run_id_of(context))

    return field_report, resource_report, warnings


@dg.asset(
    partitions_def=datasets,
    group_name="pelican",
    kinds={"postgres"},
    deps=[time_based_checks],
    pool="pelican_database",
    code_version=code_version("field", "compiled_release"),
)
def report(context: dg.AssetExecutionContext, results: ResultsDatabaseResource) -> dg.MaterializeResult:
    """The dataset's report: per field path, coverage and quality counts; per compiled-release check,
    passed / failed / not-applicable and individual counts; seeded random examples of each; and the
    processing metadata. Merged from the partial aggregates each item-check chunk stored: no item
    result is re-read, and only the items the field-level examples point to (at most 20 per sample).
    Ends the dataset in phase CHECKED / OK.
    """
    engine = results.get_engine()
    start = time.perf_counter()
    dataset = partition_dataset(engine, context.partition_key)
    ctx = run_context.recorded(engine, dataset.id, run_id_of(context))
    with stage(context, engine, dataset, "CHECKED"):
        require_checked(engine, dataset, "report")
        field_report, resource_report, warnings = _build(context, engine, dataset, ctx)

    totals = report_totals(field_report, resource_report)
    data = load_report_data(engine, context.partition_key)
    html_path = settings.reports_dir() / f"{context.partition_key}.html"
    try:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(render_html(data), encoding="utf-8")
    except OSError as error:  # a read-only home must not fail the checks: the report is in the database
        context.log.warning(f"HTML report not written to {html_path}: {error}")
    # Headline first, as plain text: the UI shows text inline, Markdown only behind a dialog.
    metadata: dict[str, dg.RawMetadataValue] = {
        key: dg.MetadataValue.text(text) for key, text in headline(data).items()
    }
    metadata.update(
        {
            "html_report": dg.MetadataValue.path(str(html_path)),
            "dataset_id": dataset.id,
            **pass_rates(totals),
            "field_entries": totals["coverage_total"],
            "seconds": round(time.perf_counter() - start, 3),
            # Which version of each codelist the results depend on.
            "codelists": dg.MetadataValue.json(ctx.sources.get("codelists", {})),
        }
    )
    if warnings:
        metadata["warnings"] = dg.MetadataValue.text("\n".join(warnings))
    sections = markdown_sections(data, top=None)
    metadata.update({key: dg.MetadataValue.md(text) for key, text in sections.items()})
    return dg.MaterializeResult(metadata=metadata)
