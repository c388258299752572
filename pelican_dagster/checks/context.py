"""The configuration every check reads: "now", codelists, exchange rates and the random seed.

A ``CheckContext`` is fixed once per dataset run (``pelican_dagster.pipeline.run_context``), recorded
with the dataset and passed to the plain check functions, so that a check never reads the environment,
a file or the network, and every step of a run, wherever it runs, decides with the same one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pelican_dagster.checks.currency import CurrencyRates

#: The past-date variant of ``date_time`` judges "today" in the largest UTC offset (docs/checks.md §1.4).
_UTC_PLUS_14 = dt.timezone(dt.timedelta(hours=14))


@dataclass(frozen=True)
class CheckContext:
    """Inputs that make check results reproducible (docs/export-format.md, "the reference configuration")."""

    #: The moment "in the past" is judged against (offset-aware).
    now: dt.datetime
    #: Registered OCID prefixes (``ocid_prefix_check``: the value must start with one of them).
    ocid_prefixes: tuple[str, ...]
    #: org-id.guide scheme codes (``identifier_scheme``).
    org_id_codes: frozenset[str]
    #: False while ``ocid_prefixes`` is only the shipped snapshot (never refreshed or imported):
    #: ``ocid_prefix_check`` then passes a well-formed prefix it lacks, and the report says so.
    ocid_register_complete: bool = True
    #: Daily EUR-based exchange rates (docs/checks.md §0.6); None disables every conversion.
    rates: CurrencyRates | None = None
    #: Seed of every random sample (examples, URL sample).
    seed: int | str = 0
    #: URL availability: make no request and count every sampled URL as failed.
    url_check_offline: bool = False
    #: URL availability: timeout of one request, and of the whole check, in seconds.
    url_timeout: float = 30.0
    url_total_timeout: float = 120.0
    #: Where each codelist and the rates came from (recorded in the dataset metadata).
    sources: dict[str, Any] = field(default_factory=dict)

    @property
    def past_bound(self) -> dt.date:
        """The latest date the past-date variant of ``date_time`` accepts: today in UTC+14."""
        now = self.now if self.now.tzinfo else self.now.replace(tzinfo=dt.UTC)
        return now.astimezone(_UTC_PLUS_14).date()
