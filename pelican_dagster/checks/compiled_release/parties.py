"""What the 19 party-related checks read from one item, computed once and shared (docs/checks.md §2.2, §2.3).

``consistent.parties_roles``, the six ``consistent.*_in_parties_roles``, the six
``consistent.*_name_in_parties`` and the six ``reference.*_in_parties`` all read the occurrences of
``parties`` and of the same six reference paths. :class:`PartyFacts` traverses each of them at most once
per item and derives the views the checks need (ids as text, counts, unique-party lookups) lazily, so a
check that runs alone pays only for what it reads.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.compiled_release.occurrences import ItemPaths
from pelican_dagster.checks.primitives import as_text, split_path, values_at_path

__all__ = ["REFERENCE_PATHS", "PartyFacts", "count_raw", "expand_ids", "raw_key"]

#: The six places that reference a party, by the short name used in the check names.
REFERENCE_PATHS: dict[str, str] = {
    "supplier": "awards.suppliers",
    "tenderer": "tender.tenderers",
    "buyer": "buyer",
    "procuring_entity": "tender.procuringEntity",
    "payer": "contracts.implementation.transactions.payer",
    "payee": "contracts.implementation.transactions.payee",
}

_SHARED_PATHS = ("parties", *REFERENCE_PATHS.values())

_UNHASHABLE = "\x00unhashable"

Occurrence = tuple[str, Any]


def raw_key(value: Any) -> Any:
    """A dict key with Python equality of the raw JSON value (``1`` = ``1.0`` = true, ``"1"`` ≠ ``1``).

    Objects and arrays cannot be counted by Pelican (it raises, docs/checks.md §0.9); here they compare by
    their text and never equal a scalar.
    """
    t = type(value)
    if t is dict or t is list:
        return (_UNHASHABLE, as_text(value))
    return value


def expand_ids(occurrences: list[Occurrence]) -> list[Any]:
    """The values of ``<path>.id`` derived from the occurrences of ``<path>`` (docs/checks.md §0.2).

    Equivalent to ``values_at_path(item, path + ".id")`` without a second traversal: only objects with
    an ``id`` contribute, and an array ``id`` yields each of its elements.
    """
    out: list[Any] = []
    for _, value in occurrences:
        if type(value) is dict and "id" in value:
            ident = value["id"]
            if type(ident) is list:
                out.extend(ident)
            else:
                out.append(ident)
    return out


class PartyFacts:
    """Lazily computed views of one item's parties and party references.

    ``paths``: an :class:`ItemPaths` of the same item; the occurrences of the paths it covers are taken
    from it instead of traversing the item again.
    """

    __slots__ = (
        "_by_id",
        "_by_id_name",
        "_id_texts",
        "_named",
        "_party_id_counts",
        "_party_id_texts",
        "_party_ids",
        "_refs",
        "_with_id",
        "item",
        "parties",
    )

    def __init__(self, item: dict[str, Any], paths: ItemPaths | None = None) -> None:
        self.item = item
        self._refs: dict[str, list[Occurrence]] = {}
        if paths is not None:
            # Occurrences already collected by the item's shared traversal (check_item).
            members = paths.trie.members
            found = paths.found
            for path in _SHARED_PATHS:
                if path in members:
                    self._refs[path] = found.get(path) or []
        #: Occurrences of ``parties`` (a single ``parties`` object is one party with path ``parties``).
        self.parties: list[Occurrence] = self.refs("parties")
        self._id_texts: dict[str, set[str]] = {}
        self._with_id: list[tuple[str, dict[str, Any], str]] | None = None
        self._by_id: dict[str, tuple[str, dict[str, Any]]] | None = None
        self._named: list[tuple[str, dict[str, Any], str]] | None = None
        self._by_id_name: dict[str, tuple[str, dict[str, Any]]] | None = None
        self._party_ids: list[Any] | None = None
        self._party_id_counts: dict[Any, int] | None = None
        self._party_id_texts: set[str] | None = None

    def refs(self, path: str) -> list[Occurrence]:
        """Occurrences of a reference path (any value type), traversed once per item."""
        found = self._refs.get(path)
        if found is None:
            found = self._refs[path] = values_at_path(self.item, split_path(path))
        return found

    def ref_id_texts(self, path: str) -> set[str]:
        """The occurrences of ``<path>.id``, as text."""
        found = self._id_texts.get(path)
        if found is None:
            found = self._id_texts[path] = {as_text(i) for i in expand_ids(self.refs(path))}
        return found

    @property
    def with_id(self) -> list[tuple[str, dict[str, Any], str]]:
        """Parties that are objects with key ``id``: ``(path, party, id as text)``."""
        if self._with_id is None:
            self._with_id = [
                (p, v, as_text(v["id"])) for p, v in self.parties if type(v) is dict and "id" in v
            ]
        return self._with_id

    @property
    def unique_by_id(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """Parties with an ``id`` whose id, as text, no other such party has: id text → (path, party)."""
        if self._by_id is None:
            self._by_id = _unique(self.with_id)
        return self._by_id

    @property
    def named(self) -> list[tuple[str, dict[str, Any], str]]:
        """Parties that are objects with keys ``id`` and ``name``: ``(path, party, id as text)``."""
        if self._named is None:
            self._named = [t for t in self.with_id if "name" in t[1]]
        return self._named

    @property
    def unique_named_by_id(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """Like :attr:`unique_by_id`, among the parties with an ``id`` and a ``name``."""
        if self._by_id_name is None:
            self._by_id_name = _unique(self.named)
        return self._by_id_name

    @property
    def party_ids(self) -> list[Any]:
        """Occurrences of ``parties.id``: raw values, nulls included."""
        if self._party_ids is None:
            self._party_ids = expand_ids(self.parties)
        return self._party_ids

    @property
    def party_id_counts(self) -> dict[Any, int]:
        """How often each raw party id occurs, keyed by :func:`raw_key`."""
        if self._party_id_counts is None:
            self._party_id_counts = count_raw(self.party_ids)
        return self._party_id_counts

    @property
    def party_id_texts(self) -> set[str]:
        """The party ids as text."""
        if self._party_id_texts is None:
            self._party_id_texts = {as_text(i) for i in self.party_ids}
        return self._party_id_texts


def count_raw(values: list[Any]) -> dict[Any, int]:
    """How often each value occurs under raw JSON equality (keys from :func:`raw_key`)."""
    counts: dict[Any, int] = {}
    get = counts.get
    for value in values:
        t = type(value)
        key = (_UNHASHABLE, as_text(value)) if t is dict or t is list else value
        counts[key] = get(key, 0) + 1
    return counts


def _unique(parties: list[tuple[str, dict[str, Any], str]]) -> dict[str, tuple[str, dict[str, Any]]]:
    if len(parties) == 1:
        path, party, text = parties[0]
        return {text: (path, party)}
    counts: dict[str, int] = {}
    for _, _, text in parties:
        counts[text] = counts.get(text, 0) + 1
    return {text: (path, party) for path, party, text in parties if counts[text] == 1}
