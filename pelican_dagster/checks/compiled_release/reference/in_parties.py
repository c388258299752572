"""Engine of the six ``reference.<x>_in_parties`` checks and of ``reference.contract_in_awards`` (§2.3).

Every reference is one application and must carry an identifier equal (raw JSON equality: ``"1"`` ≠
``1``, but ``1`` = ``1.0`` = true) to exactly one target identifier. A failure names the first reason
that applies. Unlike the other identifier matches (docs/checks.md §0.4), a match only as text is a failure
("not the same type"). Object or array identifiers, on which Pelican raises (docs/checks.md §0.9), compare
by their text and never equal a scalar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from pelican_dagster.checks.compiled_release.parties import PartyFacts, count_raw, raw_key
from pelican_dagster.checks.compiled_release.result import multiple, not_applicable
from pelican_dagster.checks.primitives import as_text

__all__ = ["PARTY_REASONS", "Reasons", "evaluate", "match_references"]


class Reasons(NamedTuple):
    """The wording of one family's failure reasons, and the key its identifier is reported under."""

    id_key: str
    no_id: str
    no_targets: str
    other_type: str
    no_match: str
    several: str


PARTY_REASONS = Reasons(
    id_key="id",
    no_id="reference has no id",
    no_targets="no party has an id",
    other_type="id values are not the same type",
    no_match="no party matches the referencing id",
    several="multiple parties match the referencing id",
)


def match_references(
    references: list[tuple[str, Any]],
    source_key: str,
    targets: list[Any],
    reasons: Reasons,
    counts: dict[Any, int] | None = None,
    texts: Callable[[], set[str]] | None = None,
) -> dict[str, Any]:
    """Test each ``(path, value)`` reference's ``value[source_key]`` against the target identifiers.

    The caller has already handled "no reference" (N/A); here every reference is one application.
    When several checks share the targets, ``counts`` (:func:`count_raw` of the targets) and ``texts``
    (a function giving the targets as text, called only if needed) may be passed in.
    """
    if counts is None:
        counts = count_raw(targets)
    target_texts: set[str] | None = None
    id_key = reasons.id_key
    passed = 0
    failed: list[dict[str, Any]] = []
    for path, value in references:
        if type(value) is not dict or source_key not in value:
            failed.append({"path": path, id_key: None, "reason": reasons.no_id})
            continue
        ident = value[source_key]
        t = type(ident)
        # raw_key, inlined for the scalars (hot).
        n = counts.get(raw_key(ident) if t is dict or t is list else ident, 0)
        if n == 1:
            passed += 1
            continue
        if n > 1:
            reason = reasons.several
        elif not targets:
            reason = reasons.no_targets
        else:
            if target_texts is None:
                target_texts = texts() if texts is not None else {as_text(t) for t in targets}
            reason = reasons.other_type if as_text(ident) in target_texts else reasons.no_match
        failed.append({"path": path, id_key: ident, "reason": reason})
    return multiple(len(references), passed, failed, "")


def evaluate(facts: PartyFacts, path: str) -> dict[str, Any]:
    """Check that every reference at ``path`` names exactly one party by its ``id``."""
    references = facts.refs(path)
    if not references:
        return not_applicable("no reference is set")
    return match_references(
        references, "id", facts.party_ids, PARTY_REASONS, facts.party_id_counts, lambda: facts.party_id_texts
    )
