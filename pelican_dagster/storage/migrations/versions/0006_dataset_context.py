"""The check context of each dataset's run ("now", seed, URL settings, codelist and exchange-rate
versions), fixed at the run's first step and read by every step on any machine; and the content of the
codelists and imported rates those versions name (content-addressed by sha256, stored once).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
CREATE TABLE dataset_context (
    dataset_id bigint PRIMARY KEY REFERENCES dataset (id) ON DELETE CASCADE,
    run_id text,
    context jsonb NOT NULL,
    created timestamp NOT NULL DEFAULT now(),
    modified timestamp NOT NULL DEFAULT now()
);
CREATE TABLE reference_content (
    sha256 text PRIMARY KEY,
    kind text NOT NULL,
    content bytea NOT NULL,
    created timestamp NOT NULL DEFAULT now()
);
"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS dataset_context; DROP TABLE IF EXISTS reference_content")
