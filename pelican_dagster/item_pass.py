"""The item pass: every item check on one chunk of items, with compact results (STUB).

The lead replaces the body of :func:`check_chunk`; the signature and ``ChunkResult`` are the contract
with ``pelican_dagster.assets.item_checks``, which stores ``rows`` in ``item_check`` and the partial
aggregates in ``item_check_chunk``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import orjson

from pelican_dagster.checks.context import CheckContext


@dataclass
class ChunkResult:
    """The results of one chunk."""

    #: ``(item_id, field, resource, facts)`` per checked item (compact encodings, opaque to storage).
    rows: list[tuple[int, bytes | None, bytes | None, bytes | None]]
    #: Items checked.
    checked: int
    #: Items without an ``ocid`` key (Pelican skips them, pipeline.md §4.1).
    skipped: int
    #: Partial aggregates of the field-level and compiled-release-level report for this chunk.
    field_state: bytes | None
    resource_state: bytes | None


def check_chunk(rows: Iterable[tuple[int, str]], ctx: CheckContext, label: str) -> ChunkResult:
    """Check every ``(item_id, JSON text)`` of a chunk. STUB: parses each item and records no results."""
    out: list[tuple[int, bytes | None, bytes | None, bytes | None]] = []
    skipped = 0
    for item_id, text in rows:
        item = orjson.loads(text)
        if not isinstance(item, dict) or "ocid" not in item:
            skipped += 1
            continue
        out.append((item_id, None, None, None))
    return ChunkResult(rows=out, checked=len(out), skipped=skipped, field_state=None, resource_state=None)
