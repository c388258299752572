"""Coverage of a dataset's items by its chunks (``storage.item_checks``): the same answers as the rule
they implement, and plans whose work grows with items + chunks, never items × chunks."""

import json
import random

import pytest
import sqlalchemy as sa

from pelican_dagster.storage import schema as s
from pelican_dagster.storage.item_checks import (
    UNCOVERED_BOUNDS_SQL,
    UNCOVERED_COUNT_SQL,
    coverage,
    uncovered_bounds,
)
from pelican_dagster.storage.results import register_dataset


def _dataset(conn, items: int) -> tuple[int, list[int]]:
    dataset_id = register_dataset(conn, f"cover-{random.random()}", collection_id=None, options={})
    conn.execute(
        sa.insert(s.data_item),
        [{"dataset_id": dataset_id, "data": {"ocid": f"o-{i}"}, "ocid": f"o-{i}"} for i in range(items)],
    )
    ids = list(
        conn.execute(
            sa.select(s.data_item.c.id)
            .where(s.data_item.c.dataset_id == dataset_id)
            .order_by(s.data_item.c.id)
        )
        .scalars()
        .all()
    )
    return dataset_id, ids


def _chunks(conn, dataset_id: int, ranges: list[tuple[int, int]]) -> None:
    if ranges:
        conn.execute(
            sa.insert(s.item_check_chunk),
            [
                {
                    "dataset_id": dataset_id,
                    "first_item_id": first,
                    "last_item_id": last,
                    "item_count": 0,
                    "checked_count": 0,
                    "skipped_count": 0,
                }
                for first, last in ranges
            ],
        )


def _expected(ids: list[int], ranges: list[tuple[int, int]], size: int) -> list[tuple[int, int, int]]:
    """The rule, item by item: uncovered items, split where a chunk lies between them (their number of
    chunks ending before them differs) and every ``size`` items."""
    missing = [i for i in ids if not any(f <= i <= last for f, last in ranges)]
    out: list[list[int]] = []
    previous_gap = None
    for item in missing:
        gap = sum(1 for _, last in ranges if last < item)
        if gap != previous_gap or len(out[-1]) == size:
            out.append([])
        out[-1].append(item)
        previous_gap = gap
    return [(group[0], group[-1], len(group)) for group in out]


@pytest.mark.parametrize("seed", range(12))
def test_uncovered_items_follow_the_rule(results_engine, seed):
    rng = random.Random(seed)
    with results_engine.begin() as conn:
        dataset_id, ids = _dataset(conn, rng.randint(0, 60))
        ranges = []
        for _ in range(rng.randint(0, 8)):
            if not ids:
                break
            a, b = sorted(rng.sample(ids, 2) if len(ids) > 1 else [ids[0], ids[0]])
            if all(a != first for first, _ in ranges):  # unique per dataset
                ranges.append((a, b))
        if seed % 3 == 0:
            # Non-overlapping, as store_chunk keeps them (each chunk deletes those it overlaps).
            ranges = [r for n, r in enumerate(ranges) if not any(_overlap(r, o) for o in ranges[:n])]
        if seed == 1 and ids:
            ranges.append((ids[0] - 100, ids[0] - 50))  # a chunk before every item
        _chunks(conn, dataset_id, ranges)
    size = rng.choice([1, 3, 7, 1000])
    with results_engine.connect() as conn:
        assert uncovered_bounds(conn, dataset_id, size) == _expected(ids, ranges, size)
    assert coverage(results_engine, dataset_id)["uncovered"] == sum(
        c for *_, c in _expected(ids, ranges, 10**6)
    )


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _max_loops(plan: dict) -> int:
    loops = plan.get("Actual Loops", 1)
    return max([loops, *(_max_loops(child) for child in plan.get("Plans", []))])


@pytest.mark.parametrize("sql", [UNCOVERED_COUNT_SQL, UNCOVERED_BOUNDS_SQL], ids=["count", "bounds"])
def test_coverage_queries_never_probe_the_chunks_once_per_item(results_engine, sql):
    """At 1,000,000 items in 200 chunks, a plan that looks up the chunks for every item (as the first
    version did: ``NOT EXISTS (… d.id BETWEEN first AND last)``) made ~100 million probes. Here no plan
    node may run more often than once per chunk (+ the gap after the last)."""
    items, chunk = 2000, 50
    with results_engine.begin() as conn:
        dataset_id, ids = _dataset(conn, items)
        # Every chunk but one stored: a re-execution after an interrupted run.
        ranges = [(ids[n], ids[n + chunk - 1]) for n in range(0, items, chunk)]
        del ranges[7]
        _chunks(conn, dataset_id, ranges)
        conn.execute(sa.text("ANALYZE data_item; ANALYZE item_check_chunk"))
    with results_engine.connect() as conn:
        plan = conn.execute(
            sa.text(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}"), {"dataset_id": dataset_id, "size": 500}
        ).scalar_one()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    assert _max_loops(plan[0]["Plan"]) <= len(ranges) + 2
    with results_engine.connect() as conn:
        assert uncovered_bounds(conn, dataset_id, 500) == [(ids[7 * chunk], ids[8 * chunk - 1], chunk)]
