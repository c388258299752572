"""Helpers for the dataset-level tests: a reference-like context and a run over plain items."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset import DatasetChecker, extract_facts

NOW = dt.datetime(2026, 11, 29, 11, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def rates():
    from pelican_dagster.checks.currency import load_default_rates

    return load_default_rates()


@pytest.fixture
def ctx(rates) -> CheckContext:
    return CheckContext(
        now=NOW, ocid_prefixes=(), org_id_codes=frozenset(), rates=rates, seed=1, url_check_offline=True
    )


def run(
    ctx: CheckContext, items: list[dict[str, Any]], **kwargs: Any
) -> tuple[dict[str, dict], DatasetChecker]:
    """Feed ``items`` (item ids 1, 2, …) through a checker with a facts lookup; rows by check name."""
    facts = {i: extract_facts(item) for i, item in enumerate(items, 1)}
    checker = DatasetChecker(ctx, lookup=lambda ids: {i: facts[i] for i in ids}, **kwargs)
    for item_id, f in facts.items():
        checker.add(item_id, f)
    return {r["check_name"]: r for r in checker.results()}, checker


def with_ctx(ctx: CheckContext, **changes: Any) -> CheckContext:
    return dataclasses.replace(ctx, **changes)
