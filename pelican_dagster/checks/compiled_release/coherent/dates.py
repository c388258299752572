"""``coherent.dates``: the contracting-process timeline is in order (checks.md §2.1)."""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.compiled_release.dates import SAME_ELEMENT, DatePairs, Rule, rule_paths
from pelican_dagster.checks.compiled_release.occurrences import ItemPaths, trie_of
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.primitives import as_text

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

#: The paths this check walks: the rule paths (dated), and the awards and contracts of rule 8.
TRIE = trie_of((*rule_paths(RULES), "awards", "contracts"), frozenset(rule_paths(RULES)))


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, paths: ItemPaths | None = None
) -> dict[str, Any]:
    """Tender end ≤ contract period start / award dates / signatures; those ≤ the release date; each
    contract's signature ≤ its transactions; each award's date ≤ the signature of its contracts."""
    if paths is None:
        paths = ItemPaths(item, TRIE)
    pairs = DatePairs(item, paths)
    pairs.add_rules(RULES)

    # Rule 8: an award and the contracts that name it (id and awardID compared as text).
    awards = [
        (path, award)
        for path, award in paths.get("awards")
        if type(award) is dict and "date" in award and "id" in award
    ]
    if awards:
        contracts = [
            (path, as_text(contract["awardID"]), contract)
            for path, contract in paths.get("contracts")
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
