"""Stored versions of the codelists and registers the checks read (the ``codelists`` asset and
``pelican-dagster codelists import``), each with its source, fetch time and content hash.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
CREATE TABLE codelist_version (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    sha256 text NOT NULL,
    origin text NOT NULL,
    source text NOT NULL,
    entries integer NOT NULL,
    content bytea NOT NULL,
    first_fetched_at timestamptz NOT NULL DEFAULT now(),
    fetched_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT codelist_version_name_sha256_key UNIQUE (name, sha256)
);
CREATE INDEX codelist_version_name_fetched_at_idx ON codelist_version (name, fetched_at);
"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS codelist_version")
