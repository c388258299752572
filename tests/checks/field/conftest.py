"""Shared fixtures of the field-level tests: the reference configuration's check context."""

from __future__ import annotations

import datetime as dt

import pytest

from pelican_dagster.checks.codelists import load_ocid_prefixes, load_org_id_codes
from pelican_dagster.checks.context import CheckContext
from tests.conformance.compare import CODELISTS

#: The reference "now" (docs/export-format.md): the past-date bound is 2026-11-30.
NOW = dt.datetime(2026, 11, 29, 11, tzinfo=dt.UTC)


def reference_context() -> CheckContext:
    """The configuration the reference results were made with (rates are not used at field level)."""
    return CheckContext(
        now=NOW,
        ocid_prefixes=load_ocid_prefixes(str(CODELISTS / "ocid_prefixes.csv")),
        org_id_codes=load_org_id_codes(str(CODELISTS / "org-id.csv")),
    )


@pytest.fixture(scope="session")
def ctx() -> CheckContext:
    return reference_context()
