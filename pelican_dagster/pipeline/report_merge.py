"""The dataset's field-level and compiled-release-level reports, merged from its chunks' partial
aggregates a batch at a time, so that the ``report`` step's memory does not grow with the number of
chunks (a 1,000,000-item dataset has 200 chunks of 5,000).

A dataset of at most :data:`MERGE_BATCH` chunks is merged in one go. A larger one folds every
:data:`MERGE_BATCH` chunks into one running state first. Counts add up either way. The samples stay
uniform, because each merge draws from the parts in proportion to the values each one saw
(``checks.sampling.merge_samples``), and a folded state is such a part.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pelican_dagster.checks.compiled_release.report import ResourceReport
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field import FieldReport
from pelican_dagster.checks.sampling import rng_for
from pelican_dagster.pipeline.item_pass import load_state

__all__ = ["MERGE_BATCH", "merge_chunk_states"]

#: Chunk states held at once while merging.
MERGE_BATCH = 16


def merge_chunk_states(
    states: Iterable[tuple[bytes | None, bytes | None]], ctx: CheckContext, batch: int = MERGE_BATCH
) -> tuple[FieldReport, ResourceReport]:
    """One field report and one compiled-release report from ``(field_state, resource_state)`` of
    every chunk, in item order, holding at most ``batch`` + 1 states at a time."""
    field_rng = rng_for(ctx.seed, "field_level", "merge")
    resource_rng = rng_for(ctx.seed, "resource_level", "merge")
    fields: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    for field_state, resource_state in states:
        if field_state is not None:
            fields.append(load_state(field_state))
            if len(fields) > batch:
                fields = [FieldReport.merge(fields, field_rng, ctx).to_state()]
        if resource_state is not None:
            resources.append(load_state(resource_state))
            if len(resources) > batch:
                resources = [ResourceReport.merge(resources, resource_rng).to_state()]
    return FieldReport.merge(fields, field_rng, ctx), ResourceReport.merge(resources, resource_rng)
