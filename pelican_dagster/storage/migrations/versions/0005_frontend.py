"""Pelican frontend: the per-item relations its failures downloads query, and one collection per
automatic registration only (datasets the frontend asks for may share a collection).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TABLES = ("field_level_check", "resource_level_check")

#: The predicate of ``dataset_collection_id_key`` after this revision (schema.py and
#: ``results.register_dataset`` repeat it: ON CONFLICT must name the same predicate).
COLLECTION_KEY_WHERE = "collection_id IS NOT NULL AND (options->>'registered_by') IS DISTINCT FROM 'frontend'"


def upgrade() -> None:
    # Pelican's columns and indexes (its 001_base.sql), with foreign keys that cascade, so that
    # replacing a dataset's items or wiping it removes these rows too.
    for table in _TABLES:
        op.execute(
            f"""
CREATE TABLE {table} (
    id bigserial PRIMARY KEY,
    data_item_id bigint NOT NULL REFERENCES data_item (id) ON DELETE CASCADE,
    dataset_id bigint NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
    result jsonb NOT NULL,
    created timestamp NOT NULL DEFAULT now(),
    modified timestamp NOT NULL DEFAULT now()
);
CREATE INDEX {table}_dataset_id_idx ON {table} (dataset_id);
CREATE INDEX {table}_data_item_id_idx ON {table} (data_item_id);
"""
        )
    # Isolated change of the collection key: a dataset the frontend asks for is a second dataset of the
    # collection (what Pelican does), never a conflict with the one the Kingfisher sensor registered.
    op.execute("DROP INDEX dataset_collection_id_key")
    op.execute(
        "CREATE UNIQUE INDEX dataset_collection_id_key ON dataset (collection_id)"
        f" WHERE {COLLECTION_KEY_WHERE}"
    )


def downgrade() -> None:
    op.execute("DROP INDEX dataset_collection_id_key")
    op.execute(
        "CREATE UNIQUE INDEX dataset_collection_id_key ON dataset (collection_id)"
        " WHERE collection_id IS NOT NULL"
    )
    for table in _TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table}")
