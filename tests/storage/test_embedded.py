"""The zero-setup default: an embedded PostgreSQL server under PELICAN_HOME."""

import shutil
import tempfile
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from pelican_dagster.resources import KingfisherProcessResource, ResultsDatabaseResource
from pelican_dagster.storage import embedded, engines, migrate
from pelican_dagster.storage.extraction import same_database


@pytest.fixture
def pelican_home(monkeypatch):
    # A short path: the server's Unix socket lives in it.
    home = Path(tempfile.mkdtemp(prefix="pdh-"))
    monkeypatch.setenv("PELICAN_HOME", str(home))
    monkeypatch.setenv(engines.EMBEDDED, "1")
    yield home
    engines.dispose_all()
    embedded.stop(home)
    shutil.rmtree(home, ignore_errors=True)


@pytest.mark.slow
def test_resources_without_urls_use_the_embedded_server(pelican_home, monkeypatch):
    kfp = KingfisherProcessResource()
    results = ResultsDatabaseResource()
    # Kingfisher Process's tables share the results database: extraction copies on the server.
    assert kfp.resolved_url().startswith("postgresql+psycopg2://postgres:@/pelican?host=")
    assert results.resolved_url().startswith("postgresql+psycopg2://postgres:@/pelican?host=")
    assert same_database(kfp.get_engine(), results.get_engine())
    assert migrate.current_revision(results.get_engine()) == migrate.head_revision()
    with kfp.get_engine(ensure_tables=True).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM collection")).scalar() == 0
    # Asking again (another process would do the same) finds the databases and the running server.
    assert embedded.database_url("pelican", pelican_home) == results.resolved_url()

    home = embedded.dagster_home(pelican_home)
    assert "postgresql+psycopg2://" in (home / "dagster.yaml").read_text()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        instance.add_dynamic_partitions("datasets", ["a"])
        assert instance.get_dynamic_partitions("datasets") == ["a"]


@pytest.mark.slow
def test_a_home_with_its_own_kingfisher_process_database_keeps_it(pelican_home):
    """A home made when Kingfisher Process had a database of its own: its collections stay where they are."""
    import psycopg2

    conn = psycopg2.connect(embedded.server(pelican_home).get_uri("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute('CREATE DATABASE "kingfisher_process"')
    conn.close()
    url = KingfisherProcessResource().resolved_url()
    assert url.startswith("postgresql+psycopg2://postgres:@/kingfisher_process?host=")
    assert not same_database(engines.kingfisher_engine(url), ResultsDatabaseResource().get_engine())


@pytest.mark.parametrize(
    ("resource", "variable"),
    [
        (KingfisherProcessResource, "PELICAN_KINGFISHER_PROCESS_URL"),
        (ResultsDatabaseResource, "PELICAN_RESULTS_URL"),
    ],
)
def test_a_missing_url_outside_the_cli_names_the_variable(monkeypatch, resource, variable):
    monkeypatch.delenv(variable, raising=False)
    monkeypatch.delenv(engines.EMBEDDED, raising=False)
    with pytest.raises(dg.Failure, match=variable):
        resource().resolved_url()
