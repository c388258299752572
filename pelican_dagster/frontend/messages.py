"""The messages the Pelican frontend publishes (its ``api/views.py``), parsed and validated.

* ``ocds_kingfisher_extractor_init``: ``{"name", "collection_id", "ancestor_id", "max_items"}`` (the last
  two may be null);
* ``dataset_filter_extractor_init``: ``{"dataset_id_original", "filter_message": {…}}`` (and Pelican's
  optional ``max_items``);
* ``wiper_init``: ``{"dataset_id"}``.

A message that cannot be carried out raises :class:`Rejected` with the reason; it is acknowledged and
the reason logged and observed, never retried.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

from pelican_dagster.frontend.filters import FrontendFilter
from pelican_dagster.pipeline.filters import FilterError

__all__ = [
    "CREATE",
    "FILTER",
    "SUFFIXES",
    "WIPE",
    "Create",
    "Filter",
    "Rejected",
    "Wipe",
    "message_key",
    "parse",
]

CREATE = "ocds_kingfisher_extractor_init"
FILTER = "dataset_filter_extractor_init"
WIPE = "wiper_init"
#: In the order a tick drains them: a dataset must exist before it is filtered or wiped.
SUFFIXES = (CREATE, FILTER, WIPE)


class Rejected(Exception):
    """A message that cannot be carried out (the message says why)."""


@dataclass(frozen=True)
class Create:
    """Create a dataset from a Kingfisher Process collection."""

    name: str
    collection_id: int
    ancestor_id: int | None
    max_items: int | None


@dataclass(frozen=True)
class Filter:
    """Create a filtered dataset from a checked one."""

    dataset_id_original: int
    filter: FrontendFilter


@dataclass(frozen=True)
class Wipe:
    """Delete a dataset."""

    dataset_id: int


def _int(body: dict[str, Any], key: str, *, optional: bool = False) -> int | None:
    value = body.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise Rejected(f"{key} must be an integer, not {value!r}")
    return value


def parse(suffix: str, body: bytes) -> Create | Filter | Wipe:
    """The message of a queue's body; :class:`Rejected` when it is not JSON or not that message."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as e:
        raise Rejected(f"the body is not JSON ({e}): {body[:200]!r}") from None
    if not isinstance(data, dict):
        raise Rejected(f"the body must be a JSON object, not {data!r}"[:300])
    if suffix == CREATE:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise Rejected(f"name must be a non-empty string, not {name!r}")
        max_items = _int(data, "max_items", optional=True)
        if max_items is not None and max_items < 1:
            raise Rejected(f"max_items must be a positive integer, not {max_items!r}")
        return Create(name, _int(data, "collection_id"), _int(data, "ancestor_id", optional=True), max_items)
    if suffix == FILTER:
        original = _int(data, "dataset_id_original")
        try:
            spec = FrontendFilter.parse(data.get("filter_message"), data.get("max_items"))
        except FilterError as e:
            raise Rejected(f"invalid filter: {e}") from None
        return Filter(original, spec)
    if suffix == WIPE:
        return Wipe(_int(data, "dataset_id"))
    raise ValueError(f"unknown queue suffix {suffix!r}")


def message_key(suffix: str, body: bytes) -> str:
    """The idempotency key of a message: the same body on the same queue is the same request (a
    redelivery or a repeat), carried out once."""
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        canonical = body
    return hashlib.sha256(suffix.encode() + b"\n" + canonical).hexdigest()[:32]
