"""Stored codelist versions: store, the version in use, versions by hash, configured files, snapshot."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from pelican_dagster.checks import codelists
from pelican_dagster.storage import codelists as stored

REGISTER = b"OCID,Publisher\nocds-213czf,OCDS examples\nocds-a2ef3d,Examples\nocds-03ad3f,DNCP\n"
NEWER = REGISTER + b"ocds-zzzzzz,New publisher\n"


def test_store_keeps_one_row_per_content_and_the_latest_is_in_use(results_engine):
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with results_engine.begin() as conn:
        first, changed = stored.store_version(conn, "ocid_prefixes", REGISTER, "download", "http://a", t0)
        assert changed and first.entries == 3 and first.fetched_at == t0
        again, changed = stored.store_version(
            conn, "ocid_prefixes", REGISTER, "download", "http://a", t0 + dt.timedelta(days=1)
        )
        assert not changed and again.sha256 == first.sha256
        _, changed = stored.store_version(
            conn, "ocid_prefixes", NEWER, "import", "/srv/x.csv", t0 + dt.timedelta(days=2)
        )
        assert changed
        rows = conn.execute(sa.text("SELECT count(*) FROM codelist_version")).scalar_one()
        assert rows == 2
        data, version = stored.current_versions(conn)["ocid_prefixes"]
    assert data == NEWER and version.origin == "import" and version.entries == 4
    lists = stored.load_current(results_engine)
    assert "ocds-zzzzzz" in lists.ocid_prefixes and lists.ocid_register_complete
    assert lists.versions["org-id"].snapshot_only  # never stored: the shipped copy


def test_a_version_is_loaded_again_by_its_hash(results_engine):
    with results_engine.begin() as conn:
        old, _ = stored.store_version(conn, "ocid_prefixes", REGISTER, "download", "http://a")
        stored.store_version(conn, "ocid_prefixes", NEWER, "download", "http://a")
    pinned = stored.load_pinned(results_engine, {"ocid_prefixes": old.sha256})
    assert pinned.ocid_prefixes == ("ocds-213czf", "ocds-a2ef3d", "ocds-03ad3f")
    assert pinned.versions["ocid_prefixes"].sha256 == old.sha256
    # The shipped snapshot's hash is known without a row; an unknown hash is an error that names it.
    snapshot_hash = codelists.snapshot("org-id")[1].sha256
    assert stored.load_pinned(results_engine, {"org-id": snapshot_hash}).versions["org-id"].snapshot_only
    with pytest.raises(LookupError, match="0" * 64):
        stored.load_pinned(results_engine, {"ocid_prefixes": "0" * 64})


def test_a_configured_file_wins_and_is_pinnable(results_engine, tmp_path):
    path = tmp_path / "prefixes.csv"
    path.write_bytes(b"OCID\nocds-b5fd17\n")
    with results_engine.begin() as conn:
        stored.store_version(conn, "ocid_prefixes", REGISTER, "download", "http://a")
    lists = stored.load_current(results_engine, {"ocid_prefixes": str(path), "org-id": None})
    assert lists.ocid_prefixes == ("ocds-b5fd17",)
    assert lists.versions["ocid_prefixes"].origin == "file"
    digest = lists.versions["ocid_prefixes"].sha256
    again = stored.load_pinned(results_engine, {"ocid_prefixes": digest}, {"ocid_prefixes": str(path)})
    assert again.ocid_prefixes == ("ocds-b5fd17",)


def test_invalid_content_is_never_stored(results_engine):
    with results_engine.begin() as conn, pytest.raises(ValueError, match="no 'OCID' column"):
        stored.store_version(conn, "ocid_prefixes", b"<html>error</html>", "download", "http://a")
    assert stored.load_current(results_engine).versions["ocid_prefixes"].snapshot_only


def test_an_unreachable_database_means_the_snapshot():
    from pelican_dagster.storage.db import make_engine

    engine = make_engine("postgresql+psycopg2://nobody@127.0.0.1:9/none", connect_args={"connect_timeout": 2})
    assert stored.load_current(engine).versions["ocid_prefixes"].snapshot_only
    engine.dispose()
