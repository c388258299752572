"""``email``: the whole string matches RFC 2822 ``addr-spec`` as the ``validate_email`` 1.3 package does."""

from __future__ import annotations

import re

from validate_email import VALID_ADDRESS_REGEXP

from pelican_dagster.checks.field.quality import PASSED, Outcome, memoised_string_check

NAME = "email"
VERSION = 1.0

# The package's own grammar, compiled once: validate_email(s, check_mx=False) is exactly
# re.match(VALID_ADDRESS_REGEXP, s) is not None.
_MATCH = re.compile(VALID_ADDRESS_REGEXP).match


def _check(value: str) -> Outcome:
    if _MATCH(value) is not None:
        return PASSED
    return False, value, "incorrect format"


#: Pass when ``value`` is a string that is a syntactically valid e-mail address.
check = memoised_string_check(_check)
