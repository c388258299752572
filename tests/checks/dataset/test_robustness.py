"""No crash on odd but valid JSON: seeded random mutations of real items through facts and both checkers."""

from __future__ import annotations

import copy
import random
from typing import Any

import orjson

from pelican_dagster.checks.dataset import CHECK_NAMES, DatasetChecker, extract_facts
from pelican_dagster.checks.time_based import TimeBasedChecker
from tests.conformance.compare import DATA, iter_items

ODD: list[Any] = [
    None,
    0,
    -1,
    2**70,
    1.5,
    float("nan"),
    float("inf"),
    True,
    "",
    " ",
    "nan",
    "-5",
    "ocid",
    "USD",
    [],
    {},
    [None],
    [[1]],
    ["status", "id"],
    {"id": {}},
    {"amount": "1e400", "currency": "USD"},
    {"scheme": "ocid", "identifier": ["x"], "title": {"a": 1}},
]


def nodes(value: Any, out: list) -> list:
    """Every (container, key) pair of a JSON value."""
    if isinstance(value, dict):
        for key, child in value.items():
            out.append((value, key))
            nodes(child, out)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out.append((value, index))
            nodes(child, out)
    return out


def mutate(item: dict, rng: random.Random) -> dict:
    item = copy.deepcopy(item)
    places = nodes(item, [])
    for container, key in rng.sample(places, min(len(places), rng.randint(1, 8))):
        container[key] = copy.deepcopy(rng.choice(ODD))
    if rng.random() < 0.2:
        item["ocid"] = copy.deepcopy(rng.choice(ODD))
    if rng.random() < 0.05:
        item.pop("ocid", None)
    return item


def test_mutated_items_never_crash(ctx):
    rng = random.Random(20261129)
    originals = []
    for name in ("paraguay", "mexico-inai", "ukraine", "moldova", "taiwan", "uk-contracts-finder"):
        originals.extend(item for _, item in iter_items(DATA / f"{name}.jsonl.gz"))
    items = [mutate(rng.choice(originals), rng) for _ in range(600)]
    # Related processes that point at each other, with odd identifiers and titles.
    for i, item in enumerate(items[:50]):
        item["relatedProcesses"] = [
            {"scheme": "ocid", "identifier": items[(i * 7) % 600].get("ocid"), "title": rng.choice(ODD)}
        ]

    facts = {}
    for item_id, item in enumerate(items, 1):
        before = copy.deepcopy(item)
        facts[item_id] = extract_facts(item)
        assert item == before  # not mutated (NaN objects are shared by deepcopy, so this compares)
    stored = {i: orjson.dumps(f) for i, f in facts.items()}  # must not raise

    checker = DatasetChecker(ctx, lookup=lambda ids: {i: stored[i] for i in ids})
    for item_id, b in stored.items():
        checker.add(item_id, b)
    rows = checker.results()
    assert [r["check_name"] for r in rows] == list(CHECK_NAMES)
    orjson.dumps(rows, default=str)
    checker.metadata()

    time_based = TimeBasedChecker(ctx)
    for item_id, b in stored.items():
        time_based.add(item_id, b, item_id, stored[(item_id % 600) + 1])
        time_based.add(item_id, b, None, None)
    assert len(time_based.results()) == 3
