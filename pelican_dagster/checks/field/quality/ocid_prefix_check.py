"""``ocid_prefix_check``: the ocid starts with a registered OCID prefix (case-sensitive).

With a real register loaded (downloaded, imported or configured by file) this is Pelican's check. While
the register in use is only the shipped snapshot (``ctx.ocid_register_complete`` False), a
*well-formed* ocid (``ocds-`` + six lower-case letters or digits, then ``-`` or the end) whose prefix the
snapshot lacks passes: the snapshot cannot tell a registered prefix from an unregistered one, and the
``report`` asset lists such prefixes as unverified in the dataset metadata instead of blaming the
publisher. Malformed ocids fail as in Pelican.
"""

from __future__ import annotations

import re
from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.quality import PASSED, Outcome

NAME = "ocid_prefix_check"
VERSION = 1.0

#: An ocid that starts with an OCID prefix of the registry's form.
WELL_FORMED = re.compile(r"ocds-[a-z0-9]{6}(?:-|$)")


def check(value: Any, ctx: CheckContext, extra: Any = None) -> Outcome:
    """Pass when ``value`` is a string starting with one of ``ctx.ocid_prefixes`` (or, with only the
    shipped snapshot, with any well-formed prefix)."""
    if type(value) is not str:
        return False, value, "not a str"
    if value.startswith(ctx.ocid_prefixes):
        return PASSED
    if not ctx.ocid_register_complete and WELL_FORMED.match(value):
        return PASSED
    return False, value, "ocid prefix not in codelist"
