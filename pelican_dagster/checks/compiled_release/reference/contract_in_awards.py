"""``reference.contract_in_awards``: each contract's ``awardID`` matches exactly one award ``id`` (§2.3).

The same logic as ``reference.<x>_in_parties``: raw JSON equality, "not the same type" when the two only
match as text. When no award has an id (``awards`` absent included) every contract fails: the check is
not applicable only when there is no contract at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.occurrences import trie_of
from pelican_dagster.checks.compiled_release.parties import expand_ids
from pelican_dagster.checks.compiled_release.reference.in_parties import Reasons, match_references
from pelican_dagster.checks.compiled_release.result import not_applicable
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.primitives import values_at_path

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "reference.contract_in_awards"

REASONS = Reasons(
    id_key="awardID",
    no_id="contract has no awardID",
    no_targets="no award has an id",
    other_type="id is not the same type as awardID",
    no_match="no award matches the awardID",
    several="multiple awards match the awardID",
)


#: The paths this check reads.
TRIE = trie_of(("contracts", "awards"))


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release (``view``: the item's shared occurrences, if any)."""
    paths = view.paths if view else None
    if paths is not None:
        contracts = paths.get("contracts")
        if not contracts:
            return not_applicable("no contract is set")
        return match_references(contracts, "awardID", expand_ids(paths.get("awards")), REASONS)
    if "contracts" not in item:
        return not_applicable("no contract is set")
    contracts = values_at_path(item, ("contracts",))
    if not contracts:
        return not_applicable("no contract is set")
    award_ids = expand_ids(values_at_path(item, ("awards",))) if "awards" in item else []
    return match_references(contracts, "awardID", award_ids, REASONS)
