"""Alembic environment: always runs on the connection handed over by pelican_dagster.storage.migrate."""

from alembic import context

from pelican_dagster.storage.migrate import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table=VERSION_TABLE, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
