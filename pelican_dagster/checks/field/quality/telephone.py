"""``telephone``: libphonenumber (``phonenumbers`` 8.10.17) parses it with no default region and
judges it a *possible* number."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException

from pelican_dagster.checks.field.quality import PASSED, Outcome, memoised_string_check

NAME = "telephone"
VERSION = 1.0


def _check(value: str) -> Outcome:
    try:
        number = phonenumbers.parse(value, None)
    except NumberParseException as error:
        # str(error) is "(<error type>) <message>", e.g. "(0) Missing or invalid default region."
        return False, value, f"incorrect format: {error}"
    if phonenumbers.is_possible_number(number):
        return PASSED
    return False, value, "incorrect format"


#: Pass when ``value`` is a string holding a possible international number (``+`` country code).
check = memoised_string_check(_check)
