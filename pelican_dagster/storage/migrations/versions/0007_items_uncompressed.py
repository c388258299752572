"""Items stored uncompressed where lz4 is not available: pglz compression cost more CPU than parsing the
items (about 45 % of an extraction's COPY), for 2.3× the disk of ``data_item`` (docs/pipeline.md §2,
"Items stored uncompressed"). Rows already stored keep their compression.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # attcompression 'l': 0001 set lz4 (the server has it), which is cheap enough to keep.
    op.execute(
        """
DO $$ BEGIN
    IF (SELECT attcompression FROM pg_attribute
        WHERE attrelid = 'data_item'::regclass AND attname = 'data') IS DISTINCT FROM 'l' THEN
        ALTER TABLE data_item ALTER COLUMN data SET STORAGE EXTERNAL;
    END IF;
END $$;
"""
    )


def downgrade() -> None:
    op.execute("ALTER TABLE data_item ALTER COLUMN data SET STORAGE EXTENDED")
