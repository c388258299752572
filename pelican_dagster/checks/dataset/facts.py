"""Per-item facts: what the dataset-level checks, the dataset metadata and the time-based checks read.

The pipeline parses every item once, in the per-item pass, calls :func:`extract_facts` there and stores
the result (orjson bytes) next to the item. The dataset-level and time-based stages then read only these
facts, never the items. So the facts hold exactly what those stages need, as compactly as practical: a
dict whose keys are present only when the item has something to say.

``FACT KEY``  what it holds (docs/checks.md / docs/pipeline.md section that reads it); readers name the keys
through the constants below (``o`` :data:`OCID`, ``p`` :data:`PROFILE`, …)

* ``o``  the raw ``ocid`` value; **absent when the item has no ``ocid`` key** (Pelican raises on such items
  in the dataset step, §0.9; the checkers skip them). Objects and arrays are replaced by an
  :data:`UNHASHABLE` wrapper (they never match anything, §0.9).
* ``p``  the item's "code profile": the JSON **text** (a string inside the facts) of ``[codes,
  category]``, where ``codes`` holds the code distributions (§3.1) as ``{"<index in CODE_CHECKS>":
  [string codes, one per occurrence]}`` and ``category`` is ``tender.mainProcurementCategory`` as text,
  or null when not set or ``""`` (§3.2). Absent when both are empty. A string because a dataset has few
  distinct profiles: the dataset step reads each distinct one once and keys its work on the text.
  (Facts stored before ``p`` held ``c`` (the codes) and ``m`` (the category) instead; ``DatasetChecker``
  still reads them, with the same results, but re-running the item pass rewrites them.)
* ``v``  value objects (§3.3, §3.4): ``{"t"|"a"|"c": [[path, amount, currency], ...]}`` for
  ``tender.value`` / ``awards.value`` / ``contracts.value`` occurrences that are objects with a non-null
  hashable ``currency`` and an ``amount`` that coerces to a number (the filters both families share).
* ``d``  the first 10 characters of the release ``date`` (all that parse_date reads), when ``v`` is set.
* ``t``  ``tender.id`` as text, when set and not ``""`` (§3.6).
* ``b``  ``buyer.id`` as text, when set and not null (§3.5).
* ``u``  string ``documents.url`` occurrences (§3.7).
* ``r``  related-process references with scheme ``ocid`` and a non-null identifier (§3.8):
  ``[[path, identifier], ...]`` or ``[path, identifier, title]`` when ``title`` is set and not null.
* ``T``  ``tender.title`` when truthy (§3.8 targets, §4 ``tender_title``).
* ``L``  ``[flags, awards, contracts, implementations]`` (docs/pipeline.md §6.2, §4 ``phase_stable``): flags
  bit 1 ``planning`` key, 2 ``tender`` key, 4 ``tender`` a non-empty object, 8 ``planning`` a non-empty
  object; then the lengths of the ``awards`` and ``contracts`` arrays (non-arrays 0) and the number of
  ``contracts.implementation`` occurrences. Absent when all four are 0.

Why this walk (:func:`gather`) is not shared with the compiled-release checks' walk: docs/hot-path.md.

Raw values are stored so that the checks compare them as Pelican does, with three JSON-encoding
adjustments: integers outside the 64-bit range become their text, non-finite amounts their Python text
(``"nan"``, which coerces back), and object/array identifiers, ocids and titles the wrapper
``{"~": <canonical JSON>}``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

from pelican_dagster.checks.primitives import get

__all__ = [
    "BUYER_ID",
    "CODE_CHECKS",
    "DATE",
    "LIFECYCLE",
    "OCID",
    "PATHS",
    "PROFILE",
    "RELATED",
    "TENDER_ID",
    "TENDER_TITLE",
    "UNHASHABLE",
    "URLS",
    "VALUES",
    "VALUE_KINDS",
    "extract_facts",
    "gather",
    "profile",
    "profile_of",
]

# The fact keys (one character each: the facts of every item are stored). The module docstring says
# what each holds; every reader names the keys through these constants.
OCID = "o"
PROFILE = "p"
VALUES = "v"
DATE = "d"
TENDER_ID = "t"
BUYER_ID = "b"
URLS = "u"
RELATED = "r"
TENDER_TITLE = "T"
LIFECYCLE = "L"
#: Keys of facts stored before ``p`` (the codes and the category), still read through :func:`profile_of`.
_OLD_CODES = "c"
_OLD_CATEGORY = "m"

#: The 11 code distributions (§3.1), in Pelican's definition order: (stored name, paths, test codes).
CODE_CHECKS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("distribution.tender_procurement_method", ("tender.procurementMethod",), ("open",)),
    ("distribution.tender_status", ("tender.status",), ("active", "complete")),
    ("distribution.tender_award_criteria", ("tender.awardCriteria",), ()),
    ("distribution.tender_submission_method", ("tender.submissionMethod",), ()),
    ("distribution.awards_status", ("awards.status",), ("active",)),
    ("distribution.contracts_status", ("contracts.status",), ("active", "terminated")),
    (
        "distribution.milestone_status",
        (
            "planning.milestones.status",
            "tender.milestones.status",
            "contracts.milestones.status",
            "contracts.implementation.milestones.status",
        ),
        ("met",),
    ),
    (
        "distribution.milestone_type",
        (
            "planning.milestones.type",
            "tender.milestones.type",
            "contracts.milestones.type",
            "contracts.implementation.milestones.type",
        ),
        (),
    ),
    (
        "distribution.document_document_type",
        (
            "planning.documents.documentType",
            "tender.documents.documentType",
            "contracts.documents.documentType",
            "contracts.implementation.documents.documentType",
            "awards.documents.documentType",
        ),
        (),
    ),
    (
        "distribution.value_currency",
        (
            "tender.value.currency",
            "tender.minValue.currency",
            "awards.value.currency",
            "contracts.value.currency",
            "planning.budget.amount.currency",
            "contracts.implementation.transactions.value.currency",
        ),
        (),
    ),
    (
        "distribution.related_process_relation",
        ("relatedProcesses.relationship", "contracts.relatedProcesses.relationship"),
        (),
    ),
)

#: Value-object paths (§3.3, §3.4) and their short keys in ``facts["v"]``.
VALUE_KINDS: tuple[tuple[str, str], ...] = (
    ("t", "tender.value"),
    ("a", "awards.value"),
    ("c", "contracts.value"),
)

#: Key of the wrapper that stands for an object/array identifier, ocid or title.
UNHASHABLE = "~"

_URL_PATHS = (
    "planning.documents.url",
    "tender.documents.url",
    "awards.documents.url",
    "contracts.documents.url",
    "contracts.implementation.documents.url",
)
_RELATED_PATHS = ("relatedProcesses", "contracts.relatedProcesses")
_IMPLEMENTATION = "contracts.implementation"

#: Every path read, in a fixed order: its position is its "sink" in the output of :func:`gather`. Paths
#: whose indexed path is kept (value objects and related processes, for examples) collect pairs.
_PAIR_PATHS = tuple(path for _, path in VALUE_KINDS) + _RELATED_PATHS
_VALUE_ONLY_PATHS = tuple(
    dict.fromkeys([*(p for _, paths, _ in CODE_CHECKS for p in paths), *_URL_PATHS, _IMPLEMENTATION])
)
PATHS = _PAIR_PATHS + _VALUE_ONLY_PATHS
_SINK = {path: index for index, path in enumerate(PATHS)}
_CODE_SINKS = tuple(
    (str(index), tuple(_SINK[p] for p in paths)) for index, (_, paths, _) in enumerate(CODE_CHECKS)
)
_VALUE_SINKS = tuple((key, _SINK[path]) for key, path in VALUE_KINDS)
_URL_SINKS = tuple(_SINK[p] for p in _URL_PATHS)
_RELATED_SINKS = tuple(_SINK[p] for p in _RELATED_PATHS)
_IMPLEMENTATION_SINK = _SINK[_IMPLEMENTATION]


def _trie() -> dict[str, list]:
    """key → [children, value sinks, pair sinks, whether any pair sink lies at or below]."""
    root: dict[str, list] = {}
    for path in PATHS:
        node = root
        keys = path.split(".")
        for depth, key in enumerate(keys):
            entry = node.setdefault(key, [{}, [], [], False])
            if path in _PAIR_PATHS:
                entry[3] = True
            if depth == len(keys) - 1:
                entry[2 if path in _PAIR_PATHS else 1].append(_SINK[path])
            node = entry[0]

    def freeze(node: dict[str, list]) -> dict[str, tuple]:
        return {k: (freeze(c) if c else None, tuple(v), tuple(pr), np) for k, (c, v, pr, np) in node.items()}

    return freeze(root)


_TRIE = _trie()


def gather(item: dict[str, Any]) -> list[list[Any]]:
    """The occurrences of every path of :data:`PATHS` in one walk: ``out[i]`` for ``PATHS[i]``.

    Same occurrences, in the same order, as ``values_at_path(item, PATHS[i])`` (docs/checks.md §0.2) – values
    only, or ``(indexed path, value)`` pairs for the value-object and related-process paths – but shared
    prefixes (``contracts``, ``tender``, …) are walked once instead of once per path.
    """
    out: list[list[Any]] = [[] for _ in PATHS]
    _walk(item, _TRIE, "", out)
    return out


def _walk(node: dict[str, Any], trie: dict[str, tuple], prefix: str, out: list[list[Any]]) -> None:
    for key, (children, value_sinks, pair_sinks, needs_path) in trie.items():
        if key not in node:
            continue
        value = node[key]
        here = (f"{prefix}.{key}" if prefix else key) if needs_path else ""
        if type(value) is list:
            for index, element in enumerate(value):
                for sink in value_sinks:
                    out[sink].append(element)
                if needs_path:
                    where = f"{here}[{index}]"
                    for sink in pair_sinks:
                        out[sink].append((where, element))
                else:
                    where = ""
                # Only objects have keys to follow (§0.2 rule 5; where Pelican raises, nothing).
                if children is not None and type(element) is dict:
                    _walk(element, children, where, out)
        else:
            for sink in value_sinks:
                out[sink].append(value)
            for sink in pair_sinks:
                out[sink].append((here, value))
            if children is not None and type(value) is dict:
                _walk(value, children, here, out)


_INT64 = (-(2**63), 2**63 - 1)


def _raw(value: Any) -> Any:
    """A raw scalar made safe for orjson, keeping Python equality wherever JSON allows it."""
    t = type(value)
    if t is str or t is bool or value is None:
        return value
    if t is int:
        return value if _INT64[0] <= value <= _INT64[1] else str(value)
    if t is float:
        return value if math.isfinite(value) else str(value)
    # Objects and arrays: never equal to a scalar; equal to each other when their JSON is.
    return {UNHASHABLE: orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str).decode()}


def _amount(value: Any) -> Any:
    """An amount kept raw when orjson can store it exactly, else its text (which coerces back)."""
    t = type(value)
    if t is int:
        return value if _INT64[0] <= value <= _INT64[1] else str(value)
    if t is float and not math.isfinite(value):
        return str(value)
    return value


def _is_number(value: Any) -> bool:
    """Whether Python ``float(value)`` succeeds (docs/checks.md §0.1 numeric coercion)."""
    t = type(value)
    if t is float or t is bool:
        return True
    if t is int:
        try:
            float(value)
        except OverflowError:
            return False
        return True
    if t is str:
        try:
            float(value)
        except ValueError:
            return False
        return True
    return False


def profile(codes: dict[str, list[str]], category: str | None) -> str:
    """The ``p`` fact: the JSON text of ``[codes, category]`` (see the module docstring)."""
    try:
        return orjson.dumps([codes, category]).decode()
    except TypeError:  # a string orjson refuses (a lone surrogate): escaped JSON text, which json reads
        return json.dumps([codes, category], separators=(",", ":"))


def profile_of(facts: dict[str, Any]) -> str | None:
    """The ``p`` fact of stored facts, rebuilt from ``c`` and ``m`` for facts stored before ``p``."""
    text = facts.get(PROFILE)
    if text is None and (_OLD_CODES in facts or _OLD_CATEGORY in facts):
        return profile(facts.get(_OLD_CODES) or {}, facts.get(_OLD_CATEGORY))
    return text


def extract_facts(item: dict[str, Any]) -> dict[str, Any]:
    """The facts of one compiled release (see the module docstring). The item is not modified."""
    facts: dict[str, Any] = {}
    if type(item) is not dict:
        return facts
    if "ocid" in item:
        facts[OCID] = _raw(item["ocid"])

    found = gather(item)
    codes: dict[str, list[str]] = {}
    for index, sinks in _CODE_SINKS:
        strings = [value for sink in sinks for value in found[sink] if type(value) is str]
        if strings:
            codes[index] = strings
    category = get(item, "tender.mainProcurementCategory", "text")
    if codes or category != "":
        facts[PROFILE] = profile(codes, category if category != "" else None)

    values: dict[str, list[list[Any]]] = {}
    for key, sink in _VALUE_SINKS:
        kept = []
        for where, value in found[sink]:
            # Non-objects are skipped: Pelican's membership test on them either fails or raises (§0.9).
            if type(value) is not dict:
                continue
            currency = value.get("currency")
            if currency is None or type(currency) is dict or type(currency) is list:
                continue
            amount = value.get("amount")
            if not _is_number(amount):
                continue
            kept.append([where, _amount(amount), _raw(currency)])
        if kept:
            values[key] = kept
    if values:
        facts[VALUES] = values
        date = item.get("date")
        if type(date) is str and date:
            facts[DATE] = date[:10]

    tender_id = get(item, "tender.id", "text")
    if tender_id != "":
        facts[TENDER_ID] = tender_id

    buyer = item.get("buyer")
    if type(buyer) is dict and buyer.get("id") is not None:
        facts[BUYER_ID] = get(buyer, "id", "text")

    urls = [value for sink in _URL_SINKS for value in found[sink] if type(value) is str]
    if urls:
        facts[URLS] = urls

    related = []
    for sink in _RELATED_SINKS:
        for where, value in found[sink]:
            if type(value) is not dict or value.get("scheme") != "ocid":
                continue
            identifier = value.get("identifier")
            if identifier is None:
                continue
            title = value.get("title")
            if title is None:
                related.append([where, _raw(identifier)])
            else:
                related.append([where, _raw(identifier), _raw(title)])
    if related:
        facts[RELATED] = related

    title = get(item, "tender.title")
    if title:
        facts[TENDER_TITLE] = _raw(title)

    tender = item.get("tender")
    planning = item.get("planning")
    flags = (
        ("planning" in item)
        | (("tender" in item) << 1)
        | ((type(tender) is dict and len(tender) > 0) << 2)
        | ((type(planning) is dict and len(planning) > 0) << 3)
    )
    awards = item.get("awards")
    contracts = item.get("contracts")
    n_awards = len(awards) if type(awards) is list else 0
    n_contracts = len(contracts) if type(contracts) is list else 0
    n_implementations = len(found[_IMPLEMENTATION_SINK])
    if flags or n_awards or n_contracts or n_implementations:
        facts[LIFECYCLE] = [flags, n_awards, n_contracts, n_implementations]
    return facts
