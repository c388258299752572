"""One pipeline run per dataset at a time, and what each stage needs to know that its input is current.

``dataset_run_state`` holds, per dataset: the run holding the dataset's lease (every step takes or
refreshes it at its start and verifies it in the transaction that writes), the run whose extraction
produced the current items, whether the time-based checks wait for the ancestor, and the reason of the
last failure. ``progress_monitor_dataset.state`` may now be ``FAILED``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
CREATE TABLE dataset_run_state (
    dataset_id bigint PRIMARY KEY REFERENCES dataset (id) ON DELETE CASCADE,
    lease_run_id text,
    heartbeat timestamp,
    extraction_run_id text,
    waiting_for_ancestor boolean NOT NULL DEFAULT false,
    failure text,
    modified timestamp NOT NULL DEFAULT now()
);
"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS dataset_run_state")
