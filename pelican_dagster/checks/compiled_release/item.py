"""``CompiledRelease``: the one per-item view every compiled-release check receives.

Every check has the same signature, ``check(item, ctx=None, view=None) -> result``: ``item`` the
compiled release (a dict), ``ctx`` the run's :class:`~pelican_dagster.checks.context.CheckContext` and
``view`` what several checks read from the same item, computed once and shared:

* :attr:`CompiledRelease.paths`: the occurrences of every path the checks read, from one traversal of
  the item (an :class:`~.occurrences.ItemPaths` on the runner's merged trie);
* :attr:`CompiledRelease.parties`: the parties and party references (a :class:`~.parties.PartyFacts`
  built on those occurrences).

A check called alone (a test, a notebook) may leave ``view`` out: it then builds what it reads itself,
with the same result. The runner (:func:`pelican_dagster.checks.compiled_release.check_item`) builds one
view per item and passes it to all 37 checks (docs/hot-path.md).
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.compiled_release.occurrences import ItemPaths, PathTrie
from pelican_dagster.checks.compiled_release.parties import PartyFacts

__all__ = ["CompiledRelease"]


class CompiledRelease:
    """One compiled release and the parts of it that several checks read.

    The traversal is done when the view is built (every item needs it: 16 checks read its paths);
    :class:`~.parties.PartyFacts` computes each of its own parts on first use. Plain attributes, not
    properties: 35 reads per item on the hot path (a property cost ~4 % of the 37 checks).
    """

    __slots__ = ("data", "parties", "paths")

    def __init__(self, data: dict[str, Any], trie: PathTrie) -> None:
        self.data = data
        #: The occurrences of every path of ``trie``, from one traversal of the item.
        self.paths = ItemPaths(data, trie)
        #: The item's parties and party references (reusing :attr:`paths`; lazy inside).
        self.parties = PartyFacts(data, self.paths)
