"""Code distributions (docs/checks.md §3.1): is every test code used, but by at most 99 % of the occurrences?

Stored names: ``distribution.tender_procurement_method``, ``distribution.tender_status``,
``distribution.tender_award_criteria``, ``distribution.tender_submission_method``,
``distribution.awards_status``, ``distribution.contracts_status``, ``distribution.milestone_status``,
``distribution.milestone_type``, ``distribution.document_document_type``, ``distribution.value_currency``,
``distribution.related_process_relation`` (the table ``facts.CODE_CHECKS``: paths and test codes).

Reads the codes of ``facts[PROFILE]`` (``facts.profile_of``). A dataset has few distinct code profiles,
so each profile's text keys a memoised plan: which counted sample (``_common``) every occurrence goes
to, consecutive equal codes of one check merged into one run. Offering a run of ``m`` equal codes at
once draws exactly what offering them one by one would.

Memory: one counter and at most 20 examples per distinct code, and the plans of at most
:data:`MAX_PLANS` distinct profiles.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import (
    NO_ITEMS,
    Lookup,
    counted,
    item_example,
    not_applicable,
    offer_run,
    row,
)
from pelican_dagster.checks.dataset.facts import CODE_CHECKS, profile_of
from pelican_dagster.checks.sampling import rng_for

__all__ = ["MAX_PLANS", "CodeDistributions", "read_profile", "shares"]

VERSION = 1.0
EXAMPLES = 20
#: Distinct code profiles whose plans are kept (beyond this, a profile's plan is rebuilt per item: memory
#: stays bounded on datasets whose codes vary from item to item).
MAX_PLANS = 20_000

#: One step of a plan: (counted sample, run length, its check's random generator).
Plan = tuple[tuple[list, int, Any], ...]


def read_profile(text: str) -> tuple[dict[str, list[str]], str | None]:
    """``(codes, category)`` from the text of a ``PROFILE`` fact."""
    try:
        codes, category = orjson.loads(text)
    except orjson.JSONDecodeError:  # lone surrogates (facts.profile): runs once per such profile
        codes, category = json.loads(text)
    return codes, category


def shares(table: dict[Any, list], total: int) -> dict[Any, dict[str, Any]]:
    """The stored ``shares`` of a table code → counted sample of ``(item_id, ocid)``."""
    return {
        code: {"share": entry[0] / total, "count": entry[0], "examples": [item_example(e) for e in entry[1]]}
        for code, entry in table.items()
    }


class CodeDistributions:
    """The 11 code distributions of ``CODE_CHECKS``: each table maps a code to a counted sample of
    ``(item_id, ocid)``."""

    NAMES = tuple(name for name, _, _ in CODE_CHECKS)
    VERSION = VERSION

    def __init__(self, ctx: CheckContext) -> None:
        self.tables: list[dict[str, list]] = [{} for _ in CODE_CHECKS]
        #: ``str(index in CODE_CHECKS)`` → (table, random): the keys of the profile's codes
        self._by_key = {
            str(i): (table, rng_for(ctx.seed, name).random)
            for i, (table, name) in enumerate(zip(self.tables, self.NAMES, strict=True))
        }
        self._plans: dict[str, Plan] = {}

    def _plan(self, text: str) -> Plan:
        """The plan of a profile. The samples of a check share one random generator, so the plan keeps
        the order in which the occurrences were read (and creates new samples in that order)."""
        codes, _ = read_profile(text)
        plan: list[list] = []
        for key, found in codes.items():
            pair = self._by_key.get(key)
            if pair is None:
                continue
            table, random = pair
            previous = None
            for code in found:
                if code == previous:
                    plan[-1][1] += 1
                    continue
                previous = code
                entry = table.get(code)
                if entry is None:
                    entry = table[code] = counted()
                plan.append([entry, 1, random])
        frozen = tuple(tuple(step) for step in plan)
        if len(self._plans) < MAX_PLANS:
            self._plans[text] = frozen
        return frozen

    def add_item(self, item_id: int, ocid: Any, facts: dict[str, Any]) -> None:
        """Offer the item to the sample of each code occurrence of its profile."""
        text = profile_of(facts)
        if text is None:
            return
        plan = self._plans.get(text)
        if plan is None:
            plan = self._plan(text)
        example = (item_id, ocid)
        for entry, m, random in plan:  # the inlined fast path of ``_common.offer_run``
            n = entry[0]
            end = entry[0] = n + m
            if end > entry[2]:
                offer_run(entry, n, end, example, EXAMPLES, random)

    def results(self, lookup: Lookup | None = None) -> list[dict[str, Any]]:
        """One row per check, in ``CODE_CHECKS`` order."""
        rows = []
        for (name, _, test_codes), table in zip(CODE_CHECKS, self.tables, strict=True):
            if not table:
                rows.append(not_applicable(name, NO_ITEMS, VERSION))
                continue
            total = sum(entry[0] for entry in table.values())
            passed = all(code in table and 0.001 <= table[code][0] / total <= 0.99 for code in test_codes)
            rows.append(row(name, passed, 100 if passed else 0, {"shares": shares(table, total)}, VERSION))
        return rows
