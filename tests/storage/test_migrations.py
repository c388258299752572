"""The results database is created and upgraded by the Alembic migrations, safely and idempotently."""

import threading

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from pelican_dagster.storage import migrate, schema
from pelican_dagster.storage.db import make_engine

TABLES = {t.name for t in schema.metadata.sorted_tables if not t.info.get("view")}
#: Declared in the schema module for reading; created by the migrations as views (frontend.views).
VIEWS = {t.name for t in schema.metadata.sorted_tables if t.info.get("view")}


def test_upgrade_creates_every_table_and_is_idempotent(results_url):
    engine = make_engine(results_url)
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    migrate.upgrade(engine)  # a no-op the second time
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert set(sa.inspect(engine).get_table_names()) >= TABLES
    assert set(sa.inspect(engine).get_view_names()) == VIEWS == {"field_level_check", "resource_level_check"}
    for name in VIEWS:
        columns = [c["name"] for c in sa.inspect(engine).get_columns(name)]
        assert columns == [c.name for c in schema.metadata.tables[name].columns]
    engine.dispose()


def test_schema_module_matches_the_migrations(results_url):
    engine = make_engine(results_url)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [
            d
            for d in compare_metadata(context, schema.metadata)
            # The version table is Alembic's own; the views are compared by the test above.
            if not (d[0] == "remove_table" and d[1].name == migrate.VERSION_TABLE)
            and not (d[0] == "add_table" and d[1].name in VIEWS)
        ]
    engine.dispose()
    assert diff == []


def test_concurrent_upgrades_do_not_race(results_url):
    errors: list[BaseException] = []

    def run():
        engine = make_engine(results_url)
        try:
            migrate.upgrade(engine)
        except BaseException as e:
            errors.append(e)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_downgrade_to_base_removes_the_tables(results_url):
    from alembic import command

    engine = make_engine(results_url)
    migrate.upgrade(engine)
    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert not TABLES & set(sa.inspect(engine).get_table_names())
    engine.dispose()


def test_results_engine_migrates_on_first_connection(results_engine):
    assert migrate.current_revision(results_engine) == migrate.head_revision()


def test_unique_keys_make_reruns_replace(results_engine):
    from pelican_dagster.storage.db import upsert
    from pelican_dagster.storage.results import register_dataset

    with results_engine.begin() as conn:
        dataset_id = register_dataset(conn, "d", collection_id=1)
        for value in (1, 2):
            upsert(
                conn,
                schema.dataset_level_check,
                {"dataset_id": dataset_id, "check_name": "x", "result": True, "value": value, "meta": {}},
                ["dataset_id", "check_name"],
            )
        rows = conn.execute(sa.select(schema.dataset_level_check.c.value)).scalars().all()
    assert rows == [2]


def test_items_are_stored_uncompressed_unless_lz4_is_available(results_url):
    engine = make_engine(results_url)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        storage, compression = conn.execute(
            sa.text(
                "SELECT attstorage, attcompression FROM pg_attribute "
                "WHERE attrelid = 'data_item'::regclass AND attname = 'data'"
            )
        ).one()
    engine.dispose()
    # lz4 (migration 0001, when the server has it) is cheap enough to keep; pglz is not (0007).
    assert (storage, compression) in (("e", ""), ("x", "l"))
