"""The occurrences of many paths of one item, found in a single traversal (docs/checks.md §0.2).

The coherent checks read about fifty paths (dates, periods, documents, milestones, amounts, awards,
contracts), many of them sharing prefixes. Walking the item once per path cost more than the checks
themselves, so :class:`PathTrie` merges the paths into a trie and :class:`ItemPaths` walks the item
along it once, collecting every path's occurrences exactly as :func:`~..primitives.values_at_path`
returns them (same indexed paths, same document order, nulls included).

Paths declared *dated* store ``(indexed path, value, parse_date of value)`` triples (the date memoised
by :func:`~..primitives.date_of`, the one date memo of the hot path, docs/hot-path.md); the
others store ``(indexed path, value)`` pairs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from pelican_dagster.checks.primitives import date_of, date_of_head

__all__ = ["ItemPaths", "PathTrie", "date_of", "trie_of"]

_STR = str


# A trie node: ((key, path if a wanted path ends here else None, dated, child node or None, key + "."), ...).
_Node = tuple[tuple[str, "str | None", bool, "_Node | None", str], ...]

_NONE: tuple[()] = ()


class PathTrie:
    """A set of dotted paths merged on their common prefixes, some marked as dated."""

    __slots__ = ("dated", "members", "paths", "root")

    def __init__(self, paths: Iterable[str], dated: Iterable[str] = ()) -> None:
        self.dated = frozenset(dated)
        self.paths = tuple(dict.fromkeys([*paths, *self.dated]))
        self.members = frozenset(self.paths)
        tree: dict[str, Any] = {}
        for path in self.paths:
            node = tree
            keys = path.split(".")
            for key in keys[:-1]:
                node = node.setdefault(key, [None, {}])[1]
            node.setdefault(keys[-1], [None, {}])[0] = path
        self.root = _freeze(tree, self.dated)


def _freeze(tree: dict[str, Any], dated: frozenset[str]) -> _Node:
    return tuple(
        (key, path, path in dated, _freeze(children, dated) if children else None, key + ".")
        for key, (path, children) in tree.items()
    )


@functools.lru_cache(maxsize=64)
def trie_of(paths: tuple[str, ...], dated: frozenset[str] = frozenset()) -> PathTrie:
    """The trie of ``paths`` (built once per distinct set: checks called alone reuse it)."""
    return PathTrie(paths, dated)


Found = dict[str, list[tuple[Any, ...]]]


class ItemPaths:
    """The occurrences of every path of a :class:`PathTrie` in one item, from one traversal.

    Only paths that occur are keys of :attr:`found`; :meth:`get` gives ``()`` for the others.
    """

    __slots__ = ("found", "item", "trie")

    def __init__(self, item: dict[str, Any], trie: PathTrie) -> None:
        self.item = item
        self.trie = trie
        self.found: Found = {}
        if type(item) is dict:
            _walk(item, trie.root, "", self.found)

    def get(self, path: str) -> list[tuple[Any, ...]] | tuple[()]:
        """The occurrences of ``path`` (it must be one of the trie's paths)."""
        return self.found.get(path, _NONE)

    def covers(self, path: str) -> bool:
        """Whether ``path`` is one of the collected paths (so :meth:`get` can stand in for a traversal)."""
        return path in self.trie.members


def _walk(node: dict[str, Any], trie: _Node, prefix: str, found: Found) -> None:
    # Mirrors primitives._collect: arrays are expanded; at the end of a path every value counts (null
    # included); further down only objects are entered (nulls, scalars and nested arrays yield nothing).
    # Hot: date_of is inlined, and a path's bucket is fetched once per array.
    for key, path, dated, child, dotted in trie:
        if key not in node:
            continue
        value = node[key]
        if type(value) is list:
            if not value:
                continue
            here = prefix + key
            if path is None:
                for index, element in enumerate(value):
                    if type(element) is dict:
                        _walk(element, child, f"{here}[{index}].", found)  # type: ignore[arg-type]
                continue
            bucket = found.get(path)
            if bucket is None:
                bucket = found[path] = []
            for index, element in enumerate(value):
                indexed = f"{here}[{index}]"
                if dated:
                    bucket.append(
                        (indexed, element, date_of_head(element[:10]) if type(element) is _STR else None)
                    )
                else:
                    bucket.append((indexed, element))
                if child is not None and type(element) is dict:
                    _walk(element, child, indexed + ".", found)
        else:
            if path is not None:
                here = prefix + key
                if dated:
                    occurrence = (here, value, date_of_head(value[:10]) if type(value) is _STR else None)
                else:
                    occurrence = (here, value)
                bucket = found.get(path)
                if bucket is None:
                    found[path] = [occurrence]
                else:
                    bucket.append(occurrence)
            if child is not None and type(value) is dict:
                _walk(value, child, prefix + dotted, found)
