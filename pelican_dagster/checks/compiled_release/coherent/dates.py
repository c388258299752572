"""``coherent.dates``: the contracting-process timeline is in order (checks.md §2.1)."""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.compiled_release.dates import SAME_ELEMENT, DatePairs, Rule
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.primitives import as_text, values_at_path

NAME = "coherent.dates"

RULES: tuple[Rule, ...] = (
    ("tender.tenderPeriod.endDate", "tender.contractPeriod.startDate", None),
    ("tender.tenderPeriod.endDate", "awards.date", None),
    ("tender.tenderPeriod.endDate", "contracts.dateSigned", None),
    ("awards.date", "date", None),
    ("contracts.dateSigned", "date", None),
    ("contracts.implementation.transactions.date", "date", None),
    ("contracts.dateSigned", "contracts.implementation.transactions.date", SAME_ELEMENT),
)


def check(item: dict[str, Any], ctx: CheckContext) -> dict[str, Any]:
    """Tender end ≤ contract period start / award dates / signatures; those ≤ the release date; each
    contract's signature ≤ its transactions; each award's date ≤ the signature of its contracts."""
    pairs = DatePairs(item)
    for first, second, grouping in RULES:
        pairs.add_rule(first, second, grouping)

    # Rule 8: an award and the contracts that name it (id and awardID compared as text).
    awards = [
        (path, award)
        for path, award in values_at_path(item, "awards")
        if type(award) is dict and "date" in award and "id" in award
    ]
    if awards:
        contracts = [
            (path, as_text(contract["awardID"]), contract)
            for path, contract in values_at_path(item, "contracts")
            if type(contract) is dict and "dateSigned" in contract and "awardID" in contract
        ]
        for award_path, award in awards:
            award_id = as_text(award["id"])
            for contract_path, award_id_of_contract, contract in contracts:
                if award_id_of_contract == award_id:
                    pairs.add_pair(
                        f"{award_path}.date",
                        award["date"],
                        f"{contract_path}.dateSigned",
                        contract["dateSigned"],
                    )
    return pairs.result()
