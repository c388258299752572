"""Fixtures of the coherent check tests."""

from __future__ import annotations

import datetime as dt

import pytest

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.currency import load_default_rates


@pytest.fixture(scope="session")
def ctx() -> CheckContext:
    """The reference configuration (docs/export-format.md): ECB rates, "now" 2026-11-29T11:00:00Z."""
    return CheckContext(
        now=dt.datetime(2026, 11, 29, 11, tzinfo=dt.UTC),
        ocid_prefixes=(),
        org_id_codes=frozenset(),
        rates=load_default_rates(),
    )
