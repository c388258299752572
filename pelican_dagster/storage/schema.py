"""The results database, as SQLAlchemy Core tables (docs/pipeline.md §7, extended for Dagster).

The tables are created and upgraded by the versioned Alembic migrations in ``migrations/`` (see
:mod:`pelican_dagster.storage.migrate`); this module only describes them for queries. A test checks that
the two agree. Differences from Pelican: unique keys on every result table (a re-run replaces its rows),
``dataset.collection_id``/``source_id``/``options``, ``data_item.ocid``/``source_data_id``, compact per-item
results (``item_check``) and per-chunk partial aggregates (``item_check_chunk``) instead of Pelican's JSON
``field_level_check``/``resource_level_check`` rows, and ON DELETE CASCADE on every foreign key.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData()

#: The predicate of the unique index ``dataset_collection_id_key`` (``register_dataset``'s ON CONFLICT
#: names it too): datasets registered for the Pelican frontend are outside it.
COLLECTION_KEY_WHERE = "collection_id IS NOT NULL AND (options->>'registered_by') IS DISTINCT FROM 'frontend'"


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
    ]


def _dataset_fk(**kwargs) -> sa.Column:
    return sa.Column(
        "dataset_id", sa.BigInteger, sa.ForeignKey("dataset.id", ondelete="CASCADE"), nullable=False, **kwargs
    )


dataset = sa.Table(
    "dataset",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    # The Dagster partition key.
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    sa.Column("meta", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    # Pelican has no foreign key here (an ancestor may be removed before its descendants).
    sa.Column("ancestor_id", sa.BigInteger),
    # The Kingfisher Process collection; NULL for a filtered dataset.
    sa.Column("collection_id", sa.BigInteger),
    sa.Column("source_id", sa.Text),
    # {"max_items": int | null, "max_size": int | null}
    sa.Column("options", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    *_timestamps(),
    # One automatic dataset per collection (the sensor's ON CONFLICT target); filtered datasets have no
    # collection, and datasets the Pelican frontend asks for may repeat one (migration 0006).
    sa.Index(
        "dataset_collection_id_key",
        "collection_id",
        unique=True,
        postgresql_where=sa.text(COLLECTION_KEY_WHERE),
    ),
    sa.Index("dataset_source_id_idx", "source_id", "collection_id"),
)

dataset_filter = sa.Table(
    "dataset_filter",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column(
        "dataset_id_original",
        sa.BigInteger,
        sa.ForeignKey("dataset.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "dataset_id_filtered",
        sa.BigInteger,
        sa.ForeignKey("dataset.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("filter_message", JSONB, nullable=False),
    *_timestamps(),
)

data_item = sa.Table(
    "data_item",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    _dataset_fk(),
    sa.Column("data", JSONB, nullable=False),
    # data->>'ocid', computed when the item is extracted (NULL when the key is missing or null).
    sa.Column("ocid", sa.Text),
    # Kingfisher Process data.id the item was copied from.
    sa.Column("source_data_id", sa.BigInteger),
    *_timestamps(),
    sa.Index("data_item_dataset_id_id_idx", "dataset_id", "id"),
    sa.Index("data_item_dataset_id_ocid_idx", "dataset_id", "ocid"),
)

progress_monitor_dataset = sa.Table(
    "progress_monitor_dataset",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    _dataset_fk(unique=True),
    sa.Column("state", sa.String(255), nullable=False),
    sa.Column("phase", sa.String(255), nullable=False),
    sa.Column("size", sa.Integer),
    *_timestamps(),
)

item_check = sa.Table(
    "item_check",
    metadata,
    sa.Column("item_id", sa.BigInteger, sa.ForeignKey("data_item.id", ondelete="CASCADE"), primary_key=True),
    _dataset_fk(),
    # Compact encodings chosen by pelican_dagster.pipeline.item_pass (opaque here).
    sa.Column("field", sa.LargeBinary),
    sa.Column("resource", sa.LargeBinary),
    sa.Column("facts", sa.LargeBinary),
    # The failing paths' codes, read by the frontend's field_level_check view (frontend.views).
    sa.Column("failures", sa.LargeBinary),
    sa.Index("item_check_dataset_id_item_id_idx", "dataset_id", "item_id"),
)

item_check_chunk = sa.Table(
    "item_check_chunk",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    _dataset_fk(),
    sa.Column("first_item_id", sa.BigInteger, nullable=False),
    sa.Column("last_item_id", sa.BigInteger, nullable=False),
    sa.Column("item_count", sa.Integer, nullable=False),
    sa.Column("checked_count", sa.Integer, nullable=False),
    sa.Column("skipped_count", sa.Integer, nullable=False),
    sa.Column("field_state", sa.LargeBinary),
    sa.Column("resource_state", sa.LargeBinary),
    sa.Column("seconds", sa.Float),
    sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("dataset_id", "first_item_id", name="item_check_chunk_dataset_id_first_item_id_key"),
)

dataset_level_check = sa.Table(
    "dataset_level_check",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    _dataset_fk(),
    sa.Column("check_name", sa.String, nullable=False),
    sa.Column("result", sa.Boolean),
    sa.Column("value", sa.Integer),
    sa.Column("meta", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    *_timestamps(),
    sa.UniqueConstraint("dataset_id", "check_name", name="dataset_level_check_dataset_id_check_name_key"),
)

time_variance_level_check = sa.Table(
    "time_variance_level_check",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    _dataset_fk(),
    sa.Column("check_name", sa.String, nullable=False),
    sa.Column("coverage_result", sa.Boolean),
    sa.Column("coverage_value", sa.Integer),
    sa.Column("check_result", sa.Boolean),
    sa.Column("check_value", sa.Integer),
    sa.Column("meta", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    *_timestamps(),
    sa.UniqueConstraint(
        "dataset_id", "check_name", name="time_variance_level_check_dataset_id_check_name_key"
    ),
)

report = sa.Table(
    "report",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    _dataset_fk(),
    # field_level_check | resource_level_check (Pelican's enum report_type; a varchar here).
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("data", JSONB, nullable=False),
    *_timestamps(),
    sa.UniqueConstraint("dataset_id", "type", name="report_dataset_id_type_key"),
)

field_level_check_examples = sa.Table(
    "field_level_check_examples",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    _dataset_fk(),
    sa.Column("path", sa.String, nullable=False),
    sa.Column("data", JSONB, nullable=False),
    *_timestamps(),
    sa.UniqueConstraint("dataset_id", "path", name="field_level_check_examples_dataset_id_path_key"),
)

resource_level_check_examples = sa.Table(
    "resource_level_check_examples",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    _dataset_fk(),
    sa.Column("check_name", sa.String, nullable=False),
    sa.Column("data", JSONB, nullable=False),
    *_timestamps(),
    sa.UniqueConstraint(
        "dataset_id", "check_name", name="resource_level_check_examples_dataset_id_check_name_key"
    ),
)


def _frontend_view(name: str) -> sa.Table:
    # Pelican's relation, queried by the Pelican frontend's failures downloads: a view over item_check
    # here (pelican_dagster.frontend.views), declared for reading; rows follow item_check.
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("data_item_id", sa.BigInteger, nullable=False),
        sa.Column("dataset_id", sa.BigInteger, nullable=False),
        sa.Column("result", JSONB, nullable=False),
        *_timestamps(),
        info={"view": True},
    )


field_level_check = _frontend_view("field_level_check")
resource_level_check = _frontend_view("resource_level_check")
pelican_field_failure = sa.Table(
    "pelican_field_failure",
    metadata,
    sa.Column("code", sa.Integer, primary_key=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("result", JSONB, nullable=False),
)
pelican_resource_check = sa.Table(
    "pelican_resource_check",
    metadata,
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
)

exchange_rates = sa.Table(
    "exchange_rates",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("valid_on", sa.Date, nullable=False, unique=True),
    sa.Column("rates", JSONB, nullable=False),
    *_timestamps(),
)

#: Values passed between the steps of Dagster runs (``resources.io_manager``), pickled: small only.
step_output = sa.Table(
    "step_output",
    metadata,
    sa.Column("run_id", sa.Text, primary_key=True),
    sa.Column("step_key", sa.Text, primary_key=True),
    sa.Column("output_name", sa.Text, primary_key=True),
    sa.Column("value", sa.LargeBinary, nullable=False),
    sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.Index("step_output_created_idx", "created"),
)

#: One row per distinct content of a codelist or register (``codelists`` asset, ``codelists import``); the
#: row with the latest ``fetched_at`` of a name is the version in use.
codelist_version = sa.Table(
    "codelist_version",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    # "download" (the asset) or "import" (the CLI).
    sa.Column("origin", sa.Text, nullable=False),
    # The URL downloaded or the file imported.
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("entries", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("first_fetched_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    # The last time the source gave this content.
    sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("name", "sha256", name="codelist_version_name_sha256_key"),
    sa.Index("codelist_version_name_fetched_at_idx", "name", "fetched_at"),
)

#: The check context fixed at a dataset run's first step ("now", seed, codelist and rate versions), read by
#: every step wherever it runs (``pelican_dagster.pipeline.run_context``).
dataset_context = sa.Table(
    "dataset_context",
    metadata,
    sa.Column("dataset_id", sa.BigInteger, sa.ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("run_id", sa.Text),
    sa.Column("context", JSONB, nullable=False),
    *_timestamps(),
)

#: Content named by a context (codelists, imported rates), zlib-compressed, keyed by its sha256.
reference_content = sa.Table(
    "reference_content",
    metadata,
    sa.Column("sha256", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
)

#: Per dataset: the run holding its lease (one run at a time), the run whose extraction produced the
#: current items, whether the time-based checks wait for the ancestor, the last failure's reason.
dataset_run_state = sa.Table(
    "dataset_run_state",
    metadata,
    sa.Column("dataset_id", sa.BigInteger, sa.ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("lease_run_id", sa.Text),
    sa.Column("heartbeat", sa.DateTime),
    sa.Column("extraction_run_id", sa.Text),
    sa.Column("waiting_for_ancestor", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("failure", sa.Text),
    sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
)

#: Pelican's dataset phases and states (docs/pipeline.md §5.1); FAILED marks a stage that failed (the reason
#: is in ``dataset_run_state.failure``).
PHASES = ("CONTRACTING_PROCESS", "DATASET", "TIME_VARIANCE", "CHECKED", "DELETED")
STATES = ("IN_PROGRESS", "OK", "FAILED")
