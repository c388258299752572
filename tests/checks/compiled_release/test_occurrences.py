"""The shared one-traversal occurrences (``occurrences.py``) and the checks that read them.

The cache must be invisible: every path's occurrences equal ``values_at_path`` (dates equal
``parse_date``), and every check gives the same result with and without it, on all reference items and
on randomly mutated copies of them.
"""

from __future__ import annotations

import json
import random

import pytest

from pelican_dagster.checks.compiled_release import CHECKS, PATH_CHECKS, TRIE, check_item, coherent
from pelican_dagster.checks.compiled_release.consistent import (
    contracts_implementation_transactions_value,
    period_duration_in_days,
)
from pelican_dagster.checks.compiled_release.item import CompiledRelease
from pelican_dagster.checks.compiled_release.occurrences import ItemPaths, PathTrie, date_of
from pelican_dagster.checks.compiled_release.parties import REFERENCE_PATHS, PartyFacts
from pelican_dagster.checks.compiled_release.reference import contract_in_awards
from pelican_dagster.checks.primitives import parse_date, values_at_path
from tests.checks.compiled_release.test_registry import _mutate
from tests.conformance.compare import FOLDERS, input_file, iter_items


def _reference_items() -> list[dict]:
    seen = set()
    items = []
    for folder in FOLDERS:
        path = input_file(folder)
        if path in seen or not path.exists():
            continue
        seen.add(path)
        items.extend(item for _, item in iter_items(path))
    return items


ITEMS = _reference_items()


def _mutated(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for item in ITEMS[:count]:
        for rate in (0.02, 0.1, 0.3):
            out.append({k: _mutate(v, rng, rate) for k, v in item.items()})
    return out


MUTATED = _mutated(120, 3)


def _expected(item, trie: PathTrie) -> dict:
    out = {}
    for path in trie.paths:
        found = values_at_path(item, path)
        if path in trie.dated:
            found = [(p, v, parse_date(v)) for p, v in found]
        if found:
            out[path] = found
    return out


def _dump(result) -> str:
    # NaN != NaN: compare the JSON text (key order included).
    return json.dumps(result, default=str)


ODD = [
    {},
    {"a": None},
    {"a": []},
    {"a": [None, 1, "x", [], [{"b": "2020-01-01"}], {"b": None}, {"b": ["2020-01-02", 3]}]},
    {"a": {"b": {"c": "2021-02-03T10:00:00Z"}}, "d": "2020"},
    {"a": "scalar", "d": ["2020-01-01", None, {"x": 1}]},
    {"a": [{"b": {"c": [1, "2020-13-01"]}}, {"b": [{"c": "2020-1-1"}, None, {"c": None}]}]},
]


@pytest.mark.parametrize("item", ODD)
def test_trie_walk_equals_values_at_path_on_odd_shapes(item):
    # "a" is both wanted and a prefix of wanted paths; "a.b" is wanted but not dated.
    trie = PathTrie(["a", "a.b", "a.b.c", "d"], dated=["a.b.c", "d"])
    assert ItemPaths(item, trie).found == _expected(item, trie)


def test_get_and_covers():
    trie = PathTrie(["a.b"], dated=["d"])
    paths = ItemPaths({"a": {"b": 1}}, trie)
    assert paths.get("a.b") == [("a.b", 1)]
    assert paths.get("d") == ()
    assert paths.covers("d") and paths.covers("a.b") and not paths.covers("a")
    assert trie.paths == ("a.b", "d")


def test_a_non_object_item_has_no_occurrences():
    assert ItemPaths([1, 2], TRIE).found == {}


@pytest.mark.parametrize("value", ["2020-01-02T00:00:00Z", "2020-1-2", "x", "", None, 5, ["2020-01-01"]])
def test_date_of_is_parse_date(value):
    assert date_of(value) == parse_date(value)


def test_the_shared_trie_holds_what_every_check_reads():
    modules = [
        *(m for m in coherent._MODULES if hasattr(m, "TRIE")),
        contracts_implementation_transactions_value,
        period_duration_in_days,
        contract_in_awards,
    ]
    assert {m.NAME for m in modules} == PATH_CHECKS
    for module in modules:
        assert module.TRIE.members <= TRIE.members, module.NAME
        # Dated paths give triples and the others pairs: a check must get the shape it unpacks.
        assert module.TRIE.dated <= TRIE.dated, module.NAME
        assert not (module.TRIE.members - module.TRIE.dated) & TRIE.dated, module.NAME
    assert {"parties", *REFERENCE_PATHS.values()} <= TRIE.members


@pytest.mark.parametrize("items", [ITEMS, MUTATED], ids=["reference", "mutated"])
def test_occurrences_equal_values_at_path(items):
    for item in items:
        assert ItemPaths(item, TRIE).found == _expected(item, TRIE)


@pytest.mark.parametrize("items", [ITEMS, MUTATED], ids=["reference", "mutated"])
def test_checks_give_the_same_result_with_and_without_the_cache(ctx, items):
    for item in items:
        view = CompiledRelease(item, TRIE)
        for name in CHECKS:
            assert _dump(CHECKS[name](item, ctx, view)) == _dump(CHECKS[name](item, ctx)), name


@pytest.mark.parametrize("items", [ITEMS, MUTATED], ids=["reference", "mutated"])
def test_check_item_equals_each_check_alone(ctx, items):
    for item in items:
        results = check_item(item, ctx)
        assert _dump(results) == _dump({name: function(item, ctx) for name, function in CHECKS.items()})


@pytest.mark.parametrize("items", [ITEMS, MUTATED], ids=["reference", "mutated"])
def test_party_facts_from_the_cache_equal_their_own_traversal(items):
    for item in items:
        shared = PartyFacts(item, ItemPaths(item, TRIE))
        alone = PartyFacts(item)
        assert shared.parties == alone.parties
        for path in REFERENCE_PATHS.values():
            assert shared.refs(path) == alone.refs(path), path


def test_a_cache_without_the_party_paths_falls_back_to_traversal():
    item = {"parties": [{"id": 1}], "buyer": {"id": 1}}
    facts = PartyFacts(item, ItemPaths(item, PathTrie(["buyer"])))
    assert facts.parties == [("parties[0]", {"id": 1})]
    assert facts.refs("buyer") == [("buyer", {"id": 1})]


def test_the_cache_is_per_item_state():
    # A check alone re-reads the item; a cache built before a change keeps the old occurrences.
    item = {"tender": {"tenderPeriod": {"startDate": "2020-01-02", "endDate": "2020-01-03"}}}
    check = CHECKS["coherent.period"]
    before = CompiledRelease(item, TRIE)
    item["tender"]["tenderPeriod"]["endDate"] = "2020-01-01"
    assert check(item)["result"] is False
    assert check(item, None, before)["result"] is True
    assert check(item, None, CompiledRelease(item, TRIE))["result"] is False
