"""Field-level checks (docs/checks.md §1): 559 field paths, 2 coverage checks and 10 quality checks.

* :mod:`.paths` – the path table in processing order (Appendix A);
* :mod:`.coverage` and :mod:`.quality` – the checks, one module per check, named as stored;
* :mod:`.evaluate` – :func:`check_item_fields` (the hot loop, compact :class:`FieldResult`),
  ``FieldResult.to_pelican`` (Pelican's per-item shape), ``encode`` / :func:`decode_field_result`;
* :mod:`.report` – :class:`FieldReport`, the mergeable report and examples accumulator.
"""

from pelican_dagster.checks.field.evaluate import FieldResult, check_item_fields, decode_field_result
from pelican_dagster.checks.field.report import FieldReport

__all__ = ["FieldReport", "FieldResult", "check_item_fields", "decode_field_result"]
