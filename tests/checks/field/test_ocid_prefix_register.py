"""``ocid_prefix_check`` against a full register (Pelican's own cases) and against only the shipped
snapshot (no false failures for well-formed prefixes it lacks)."""

from __future__ import annotations

import dataclasses

import pytest

from pelican_dagster.checks import codelists
from pelican_dagster.checks.field.quality import ocid_prefix_check
from tests.checks.field.conftest import reference_context
from tests.register_server import FULL_REGISTER

_FULL = codelists.parse_codes("ocid_prefixes", FULL_REGISTER)
_SNAPSHOT = codelists.build_codelists({})

#: value → (with the full register, with only the snapshot)
CASES = {
    # Pelican's unit test: both pass against the real register.
    "ocds-a2ef3d": (True, True),
    "ocds-213czf-000-00001": (True, True),
    "ocds-03ad3f-1234": (True, True),  # in the snapshot too
    "ocds-qqqqqq-1": (False, True),  # well-formed, unregistered: only the snapshot cannot tell
    "ocds-a1234567-1": (False, False),  # seven characters: not a prefix of the register's form
    "OCDS-213czf-1": (False, False),
    "ocid-213czf-1": (False, False),
    "ocds-213CZF-1": (False, False),
    "": (False, False),
}


@pytest.mark.parametrize(("value", "expected"), CASES.items())
def test_full_register_and_snapshot_only(value, expected):
    full = dataclasses.replace(reference_context(), ocid_prefixes=_FULL, ocid_register_complete=True)
    snapshot = dataclasses.replace(
        reference_context(),
        ocid_prefixes=_SNAPSHOT.ocid_prefixes,
        ocid_register_complete=_SNAPSHOT.ocid_register_complete,
    )
    assert not snapshot.ocid_register_complete
    for ctx, passed in zip((full, snapshot), expected, strict=True):
        got = ocid_prefix_check.check(value, ctx)
        assert got == ((True, None, None) if passed else (False, value, "ocid prefix not in codelist"))


def test_a_configured_register_keeps_pelicans_exact_behaviour(ctx):
    # The reference configuration loads a register by file: a well-formed unknown prefix fails.
    assert ctx.ocid_register_complete
    assert ocid_prefix_check.check("ocds-qqqqqq-1", ctx) == (
        False,
        "ocds-qqqqqq-1",
        "ocid prefix not in codelist",
    )
