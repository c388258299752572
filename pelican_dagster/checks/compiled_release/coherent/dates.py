"""``coherent.dates``: the contracting-process timeline is in order (docs/checks.md §2.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.dates import SAME_ELEMENT, DatePairs, Rule, rule_paths
from pelican_dagster.checks.compiled_release.occurrences import ItemPaths, date_of, trie_of
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.primitives import as_text

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

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
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Tender end ≤ contract period start / award dates / signatures; those ≤ the release date; each
    contract's signature ≤ its transactions; each award's date ≤ the signature of its contracts."""
    paths = view.paths if view else ItemPaths(item, TRIE)
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
                if award_id_of_contract != award_id:
                    continue
                # DatePairs.add_pair inlined, so that paths are only written for failures.
                pairs.set = True
                date_a = date_of(award["date"])
                if date_a is None:
                    continue
                date_b = date_of(contract["dateSigned"])
                if date_b is None:
                    continue
                pairs.applications += 1
                if date_a <= date_b:
                    pairs.passes += 1
                else:
                    pairs.failed.append(
                        {
                            "path_1": f"{award_path}.date",
                            "value_1": award["date"],
                            "path_2": f"{contract_path}.dateSigned",
                            "value_2": contract["dateSigned"],
                        }
                    )
    return pairs.result()
