"""The initial results schema (docs/pipeline.md §7, with unique keys so that re-runs replace their rows).

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = "created timestamp NOT NULL DEFAULT now(), modified timestamp NOT NULL DEFAULT now()"
_DATASET = "dataset_id bigint NOT NULL REFERENCES dataset (id) ON DELETE CASCADE"

_UPGRADE = f"""
CREATE TABLE dataset (
    id bigserial PRIMARY KEY,
    name varchar(255) NOT NULL CONSTRAINT dataset_name_key UNIQUE,
    meta jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    ancestor_id bigint,
    collection_id bigint,
    source_id text,
    options jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    {_TS}
);
CREATE UNIQUE INDEX dataset_collection_id_key ON dataset (collection_id) WHERE collection_id IS NOT NULL;
CREATE INDEX dataset_source_id_idx ON dataset (source_id, collection_id);

CREATE TABLE dataset_filter (
    id bigserial PRIMARY KEY,
    dataset_id_original bigint NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
    dataset_id_filtered bigint NOT NULL REFERENCES dataset (id) ON DELETE CASCADE
        CONSTRAINT dataset_filter_dataset_id_filtered_key UNIQUE,
    filter_message jsonb NOT NULL,
    {_TS}
);
CREATE INDEX ix_dataset_filter_dataset_id_original ON dataset_filter (dataset_id_original);

CREATE TABLE data_item (
    id bigserial PRIMARY KEY,
    {_DATASET},
    data jsonb NOT NULL,
    ocid text,
    source_data_id bigint,
    {_TS}
);
CREATE INDEX data_item_dataset_id_id_idx ON data_item (dataset_id, id);
CREATE INDEX data_item_dataset_id_ocid_idx ON data_item (dataset_id, ocid);
-- lz4 (PostgreSQL 14+, when built with it) compresses and decompresses items several times faster
-- than the default pglz; extraction and every item pass read or write all of them.
DO $$ BEGIN
    ALTER TABLE data_item ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN NULL;
END $$;
-- Pelican's setting: good estimates for per-dataset scans of a table shared by many datasets.
ALTER TABLE data_item ALTER COLUMN dataset_id SET STATISTICS 10000;

CREATE TABLE progress_monitor_dataset (
    id bigserial PRIMARY KEY,
    dataset_id bigint NOT NULL REFERENCES dataset (id) ON DELETE CASCADE
        CONSTRAINT progress_monitor_dataset_dataset_id_key UNIQUE,
    state varchar(255) NOT NULL,
    phase varchar(255) NOT NULL,
    size integer,
    {_TS}
);

CREATE TABLE item_check (
    item_id bigint PRIMARY KEY REFERENCES data_item (id) ON DELETE CASCADE,
    {_DATASET},
    field bytea,
    resource bytea,
    facts bytea
);
CREATE INDEX item_check_dataset_id_item_id_idx ON item_check (dataset_id, item_id);

CREATE TABLE item_check_chunk (
    id bigserial PRIMARY KEY,
    {_DATASET},
    first_item_id bigint NOT NULL,
    last_item_id bigint NOT NULL,
    item_count integer NOT NULL,
    checked_count integer NOT NULL,
    skipped_count integer NOT NULL,
    field_state bytea,
    resource_state bytea,
    seconds double precision,
    created timestamp NOT NULL DEFAULT now(),
    CONSTRAINT item_check_chunk_dataset_id_first_item_id_key UNIQUE (dataset_id, first_item_id)
);

CREATE TABLE dataset_level_check (
    id bigserial PRIMARY KEY,
    {_DATASET},
    check_name varchar NOT NULL,
    result boolean,
    value integer,
    meta jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    {_TS},
    CONSTRAINT dataset_level_check_dataset_id_check_name_key UNIQUE (dataset_id, check_name)
);

CREATE TABLE time_variance_level_check (
    id bigserial PRIMARY KEY,
    {_DATASET},
    check_name varchar NOT NULL,
    coverage_result boolean,
    coverage_value integer,
    check_result boolean,
    check_value integer,
    meta jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    {_TS},
    CONSTRAINT time_variance_level_check_dataset_id_check_name_key UNIQUE (dataset_id, check_name)
);

CREATE TABLE report (
    id bigserial PRIMARY KEY,
    {_DATASET},
    type varchar(64) NOT NULL,
    data jsonb NOT NULL,
    {_TS},
    CONSTRAINT report_dataset_id_type_key UNIQUE (dataset_id, type)
);

CREATE TABLE field_level_check_examples (
    id bigserial PRIMARY KEY,
    {_DATASET},
    path varchar NOT NULL,
    data jsonb NOT NULL,
    {_TS},
    CONSTRAINT field_level_check_examples_dataset_id_path_key UNIQUE (dataset_id, path)
);

CREATE TABLE resource_level_check_examples (
    id bigserial PRIMARY KEY,
    {_DATASET},
    check_name varchar NOT NULL,
    data jsonb NOT NULL,
    {_TS},
    CONSTRAINT resource_level_check_examples_dataset_id_check_name_key UNIQUE (dataset_id, check_name)
);

CREATE TABLE exchange_rates (
    id bigserial PRIMARY KEY,
    valid_on date NOT NULL CONSTRAINT exchange_rates_valid_on_key UNIQUE,
    rates jsonb NOT NULL,
    {_TS}
);
"""

_TABLES = [
    "exchange_rates",
    "resource_level_check_examples",
    "field_level_check_examples",
    "report",
    "time_variance_level_check",
    "dataset_level_check",
    "item_check_chunk",
    "item_check",
    "progress_monitor_dataset",
    "data_item",
    "dataset_filter",
    "dataset",
]


def upgrade() -> None:
    op.execute(_UPGRADE)


def downgrade() -> None:
    for table in _TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table}")
