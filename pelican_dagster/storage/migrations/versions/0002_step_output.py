"""Step outputs of Dagster runs (the small id ranges and counts passed between steps), so that steps on
different machines (Celery, Kubernetes executors) exchange them through the results database.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
CREATE TABLE step_output (
    run_id text NOT NULL,
    step_key text NOT NULL,
    output_name text NOT NULL,
    value bytea NOT NULL,
    created timestamp NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, step_key, output_name)
);
CREATE INDEX step_output_created_idx ON step_output (created);
"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS step_output")
