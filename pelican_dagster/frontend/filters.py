"""Filter messages from the Pelican frontend, read the frontend's way: what its filter dialog previewed
is what the filtered dataset holds.

The frontend counts the matching items with its own SQL (pelican-frontend ``CountDatasetFilterItems``),
and Pelican's ``extract.dataset_filter`` selects them with the same conditions; so here the conditions are
the same SQL, run on the original's ``data_item`` rows:

=========================== ===========================================================================
``release_date_from``       ``data->>'date' >= value`` (text comparison)
``release_date_to``         ``data->>'date' <= value`` (text: ``2020-02-02`` drops ``2020-02-02T10:00Z``)
``buyer``                   ``data->'buyer'->>'name' = ANY(value)``
``buyer_regex``             ``data->'buyer'->>'name' ILIKE value`` (an ILIKE pattern, despite the name)
``procuring_entity``        ``data->'tender'->'procuringEntity'->>'name' = ANY(value)``
``procuring_entity_regex``  ``data->'tender'->'procuringEntity'->>'name' ILIKE value``
=========================== ===========================================================================

The CLI and the ``filter_dataset`` job keep their own semantics (``pelican_dagster.pipeline.filters``:
dates as whole days, real regular expressions). A dataset filtered the frontend's way is marked in its options
(``filter_semantics``), and its extraction copies the items with this SQL, in the original's order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pelican_dagster.pipeline.filters import FilterError
from pelican_dagster.storage import schema as s

__all__ = ["SEMANTICS", "FrontendFilter", "copy_frontend_filtered_items"]

#: ``dataset.options["filter_semantics"]`` of a dataset filtered the frontend's way.
SEMANTICS = "pelican-frontend"

_BUYER = "data->'buyer'->>'name'"
_ENTITY = "data->'tender'->'procuringEntity'->>'name'"
#: key → (SQL condition on the original's rows, kind of value)
_CONDITIONS = {
    "release_date_from": ("data->>'date' >= :release_date_from", str),
    "release_date_to": ("data->>'date' <= :release_date_to", str),
    "buyer": (f"{_BUYER} = ANY(CAST(:buyer AS text[]))", list),
    "buyer_regex": (f"{_BUYER} ILIKE :buyer_regex", str),
    "procuring_entity": (f"{_ENTITY} = ANY(CAST(:procuring_entity AS text[]))", list),
    "procuring_entity_regex": (f"{_ENTITY} ILIKE :procuring_entity_regex", str),
}


@dataclass(frozen=True)
class FrontendFilter:
    """A validated frontend filter message (the keys above, any non-empty subset)."""

    message: dict[str, Any]
    #: Pelican's top-level ``max_items`` (the frontend never sends it).
    max_items: int | None = None

    @classmethod
    def parse(cls, message: Any, max_items: Any = None) -> FrontendFilter:
        """Validate the message; :class:`FilterError` says what is wrong (nothing is created then)."""
        if not isinstance(message, dict) or not message:
            raise FilterError(f"filter_message must be a non-empty JSON object, not {message!r}")
        unknown = sorted(str(k) for k in message if k not in _CONDITIONS)
        if unknown:
            raise FilterError(
                f"unknown filter key(s): {', '.join(unknown)} (known: {', '.join(_CONDITIONS)})"
            )
        for key, value in message.items():
            kind = _CONDITIONS[key][1]
            if kind is str and not isinstance(value, str):
                raise FilterError(f"{key} must be a string, not {value!r}")
            if kind is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise FilterError(f"{key} must be a list of strings, not {value!r}")
        if max_items is not None and (
            not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 0
        ):
            raise FilterError(f"max_items must be a non-negative integer, not {max_items!r}")
        return cls(dict(message), max_items)

    def to_message(self) -> dict[str, Any]:
        """The message as the frontend sent it (the lineage the frontend shows)."""
        return dict(self.message)

    def where(self) -> tuple[str, dict[str, Any]]:
        """The SQL conditions (ANDed, after ``dataset_id = :original``) and their parameters."""
        return " AND ".join(_CONDITIONS[key][0] for key in self.message), dict(self.message)

    def count(self, engine: Engine, original_id: int) -> int:
        """The frontend's preview count on this database (``SELECT count(*) … AND conditions``)."""
        conditions, params = self.where()
        with engine.connect() as conn:
            return conn.execute(
                sa.text(f"SELECT count(*) FROM data_item WHERE dataset_id = :original AND {conditions}"),
                {**params, "original": original_id},
            ).scalar_one()


@dataclass
class FrontendCopyResult:
    """What one copy did (the shape of ``lifecycle.FilterCopyResult``)."""

    items: int
    scanned: int
    seconds: float

    @property
    def items_per_second(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


def copy_frontend_filtered_items(
    engine: Engine, original_id: int, new_id: int, spec: FrontendFilter
) -> FrontendCopyResult:
    """Replace the filtered dataset's items by the original's items that the frontend's SQL selects, in
    the original's order, at most ``max_items``; one transaction, as ``lifecycle.copy_filtered_items``."""
    start = time.perf_counter()
    conditions, params = spec.where()
    limit = "" if spec.max_items is None else " LIMIT :limit"
    with engine.begin() as conn:
        conn.execute(sa.select(s.dataset.c.id).where(s.dataset.c.id == new_id).with_for_update())
        conn.execute(sa.delete(s.item_check_chunk).where(s.item_check_chunk.c.dataset_id == new_id))
        conn.execute(sa.delete(s.data_item).where(s.data_item.c.dataset_id == new_id))
        items = conn.execute(
            sa.text(
                "INSERT INTO data_item (dataset_id, data, ocid, source_data_id)"
                " SELECT :new, data, ocid, source_data_id FROM data_item"
                f" WHERE dataset_id = :original AND {conditions} ORDER BY id{limit}"
            ),
            {**params, "new": new_id, "original": original_id, "limit": spec.max_items},
        ).rowcount
        scanned = conn.execute(
            sa.select(sa.func.count()).where(s.data_item.c.dataset_id == original_id)
        ).scalar_one()
    return FrontendCopyResult(items=items, scanned=scanned, seconds=time.perf_counter() - start)
