"""The report's merge of chunk states a batch at a time: the same counts as one merge of every chunk,
identical results while the chunks fit in one batch, and samples of the same size."""

from __future__ import annotations

import gzip

import pytest

from pelican_dagster.pipeline.item_pass import check_chunk
from pelican_dagster.pipeline.report_merge import merge_chunk_states
from tests.checks.field.conftest import reference_context
from tests.conftest import DATA

ITEMS_PER_CHUNK = 3


@pytest.fixture(scope="module")
def states():
    """``(field_state, resource_state)`` of the Armenia items checked in chunks of 3 (item order)."""
    with gzip.open(DATA / "armenia.jsonl.gz", "rt") as f:
        lines = [line for line in f if line.strip()]
    ctx = reference_context()
    out = []
    for start in range(0, len(lines), ITEMS_PER_CHUNK):
        rows = [(start + i + 1, text) for i, text in enumerate(lines[start : start + ITEMS_PER_CHUNK])]
        result = check_chunk(rows, ctx, f"chunk {start}")
        out.append((result.field_state, result.resource_state))
    assert len(out) > 6  # enough chunks for several batches below
    return out


def _merged(states, batch):
    field, resource = merge_chunk_states(iter(states), reference_context(), batch=batch)
    return field, resource


@pytest.mark.parametrize("batch", [1, 2, 5], ids=["batch 1", "batch 2", "batch 5"])
def test_batches_give_the_counts_of_one_merge(states, batch):
    whole_field, whole_resource = _merged(states, batch=10_000)
    field, resource = _merged(states, batch=batch)
    assert field.report() == whole_field.report()
    assert resource.report() == whole_resource.report()
    # Every sample keeps as many values as one merge keeps (at most 20), over the same population.
    assert {k: (s.count, len(s.samples)) for k, s in field.samplers.items()} == {
        k: (s.count, len(s.samples)) for k, s in whole_field.samplers.items()
    }


def test_a_dataset_within_one_batch_merges_exactly_as_before(states):
    """Up to MERGE_BATCH chunks nothing is folded: examples are those of one merge, draw for draw."""
    first, _ = _merged(states, batch=len(states))
    second, _ = _merged(states, batch=len(states) + 5)
    assert {k: s.samples for k, s in first.samplers.items()} == {
        k: s.samples for k, s in second.samplers.items()
    }
