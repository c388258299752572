"""``document_type``: a documentType code from the codelist must be expected in the field's section.

The codelist is open: codes it does not hold pass. Non-string values (which Pelican raises on when
they are objects or arrays, docs/checks.md §0.9) are treated as codes not in the codelist, so they pass.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.codelists import document_type_sections
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.quality import PASSED, Outcome

NAME = "document_type"
VERSION = 1.0

_SECTIONS = document_type_sections()


def check(value: Any, ctx: CheckContext | None = None, extra: Any = None) -> Outcome:
    """Pass unless ``value`` is a known code whose sections do not include ``extra`` (the section)."""
    if type(value) is not str:
        return PASSED
    sections = _SECTIONS.get(value)
    if sections is None or extra in sections:
        return PASSED
    return False, value, f"not expected in {extra} section"
