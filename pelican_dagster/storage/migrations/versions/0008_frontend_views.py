"""The Pelican frontend's ``field_level_check`` and ``resource_level_check`` become views over
``item_check`` (pelican_dagster.frontend.views): the item pass no longer writes a JSON row per item and
relation (~1 s of a DR 10k run), and the rows can never disagree with the results.

``item_check.failures`` (the failing paths' codes) is filled for the rows already stored, from their
compact field results, so that datasets checked before this revision keep their failures downloads.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from pelican_dagster.frontend import views

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_BATCH = 10_000


def _fill_lookups(conn: sa.Connection) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO pelican_field_failure (code, path, result) "
            "VALUES (:code, :path, CAST(:result AS jsonb))"
        ),
        [{"code": c, "path": p, "result": r} for c, p, r in views.field_failure_rows()],
    )
    conn.execute(
        sa.text("INSERT INTO pelican_resource_check (position, name) VALUES (:position, :name)"),
        [{"position": i, "name": n} for i, n in views.resource_check_rows()],
    )


def _backfill(conn: sa.Connection) -> None:
    after = -1
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT item_id, field FROM item_check WHERE item_id > :after AND field IS NOT NULL "
                "ORDER BY item_id LIMIT :n"
            ),
            {"after": after, "n": _BATCH},
        ).all()
        if not rows:
            return
        ids = [item_id for item_id, _ in rows]
        failures = views.field_failures([bytes(field) for _, field in rows])
        conn.execute(
            sa.text(
                "UPDATE item_check c SET failures = v.failures "
                "FROM unnest(CAST(:ids AS bigint[]), CAST(:failures AS bytea[])) AS v (item_id, failures) "
                "WHERE c.item_id = v.item_id"
            ),
            {"ids": ids, "failures": failures},
        )
        after = ids[-1]


def upgrade() -> None:
    conn = op.get_bind()
    op.execute("ALTER TABLE item_check ADD COLUMN failures bytea")
    op.execute(views.CREATE_LOOKUPS)
    _fill_lookups(conn)
    _backfill(conn)
    op.execute("DROP TABLE field_level_check, resource_level_check")
    op.execute(views.CREATE_VIEWS)


def downgrade() -> None:
    # 0005's tables, empty: a re-check of a dataset fills them again.
    op.execute(views.DROP_VIEWS)
    for table in ("field_level_check", "resource_level_check"):
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
    op.execute("DROP TABLE pelican_field_failure, pelican_resource_check")
    op.execute("ALTER TABLE item_check DROP COLUMN failures")
