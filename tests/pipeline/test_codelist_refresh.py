"""Downloading the registers from a real local HTTP server: refresh, the cache, offline fallback."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
import sqlalchemy as sa

from pelican_dagster.pipeline import codelist_refresh
from pelican_dagster.storage.codelists import load_current
from tests.register_server import FULL_REGISTER, ORG_ID, register_server


@pytest.fixture
def server():
    with register_server({"/ocid.csv": FULL_REGISTER, "/org-id.csv": ORG_ID}) as s:
        yield s


def _urls(server):
    return {"ocid_prefixes": server.url("/ocid.csv"), "org-id": server.url("/org-id.csv")}


def test_refresh_stores_both_registers_with_their_provenance(results_engine, server):
    outcomes = codelist_refresh.refresh(results_engine, _urls(server), timeout=5)
    assert [(o.name, o.status, o.changed) for o in outcomes] == [
        ("ocid_prefixes", "downloaded", True),
        ("org-id", "downloaded", True),
    ]
    lists = load_current(results_engine)
    assert lists.ocid_register_complete
    assert lists.ocid_prefixes == ("ocds-213czf", "ocds-a2ef3d", "ocds-03ad3f", "ocds-b5fd17")
    assert lists.org_id_codes == {"GB-COH", "XX-TEST"}
    version = lists.versions["ocid_prefixes"]
    assert (version.origin, version.source, version.entries) == ("download", server.url("/ocid.csv"), 4)
    assert dt.datetime.now(dt.UTC) - version.fetched_at < dt.timedelta(minutes=5)

    # Same content again: stored once, not "changed"; new content: changed.
    again = codelist_refresh.refresh(results_engine, _urls(server), timeout=5)
    assert [o.changed for o in again] == [False, False]
    server.files["/ocid.csv"] = FULL_REGISTER + b"ocds-zzzzzz,New,,\r\n"
    newer = codelist_refresh.refresh(results_engine, _urls(server), timeout=5)
    assert newer[0].changed and "ocds-zzzzzz" in load_current(results_engine).ocid_prefixes
    with results_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM codelist_version")).scalar_one() == 3


def test_a_recent_download_is_not_repeated_until_it_expires(results_engine, server):
    day = dt.timedelta(days=1)
    codelist_refresh.refresh(results_engine, _urls(server), timeout=5, max_age=day)
    assert server.hits["/ocid.csv"] == 1
    cached = codelist_refresh.refresh(results_engine, _urls(server), timeout=5, max_age=day)
    assert [o.status for o in cached] == ["cached", "cached"] and server.hits["/ocid.csv"] == 1
    # Two days later (the stored fetch time moved back), the cache has expired.
    with results_engine.begin() as conn:
        conn.execute(sa.text("UPDATE codelist_version SET fetched_at = fetched_at - interval '2 days'"))
    expired = codelist_refresh.refresh(results_engine, _urls(server), timeout=5, max_age=day)
    assert [o.status for o in expired] == ["downloaded", "downloaded"] and server.hits["/ocid.csv"] == 2


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "failure",
    ["connection refused", "stalled source", "HTTP 404", "an HTML page instead of the CSV"],
)
def test_offline_the_last_stored_copy_serves(results_engine, server, failure):
    codelist_refresh.refresh(results_engine, _urls(server), timeout=5)
    before = load_current(results_engine).versions["ocid_prefixes"]
    urls = _urls(server)
    if failure == "connection refused":
        urls["ocid_prefixes"] = f"http://127.0.0.1:{_closed_port()}/ocid.csv"
    elif failure == "stalled source":
        server.delay = 3
    elif failure == "HTTP 404":
        urls["ocid_prefixes"] = server.url("/missing.csv")
    else:
        server.files["/ocid.csv"] = b"<!DOCTYPE html><html>Sign in</html>"
    outcome = codelist_refresh.refresh(results_engine, {"ocid_prefixes": urls["ocid_prefixes"]}, timeout=1)[0]
    assert outcome.status == "failed" and outcome.error
    assert outcome.version == before
    assert load_current(results_engine).versions["ocid_prefixes"] == before


def test_offline_on_first_use_the_shipped_snapshot_serves(results_engine):
    url = f"http://127.0.0.1:{_closed_port()}/ocid.csv"
    outcome = codelist_refresh.refresh(results_engine, {"ocid_prefixes": url}, timeout=1)[0]
    assert (outcome.status, outcome.version) == ("failed", None)
    lists = load_current(results_engine)
    assert lists.versions["ocid_prefixes"].snapshot_only and not lists.ocid_register_complete


def test_source_urls_follow_the_environment(monkeypatch):
    monkeypatch.delenv("PELICAN_OCID_PREFIXES_URL", raising=False)
    monkeypatch.setenv("PELICAN_ORG_ID_URL", "http://127.0.0.1:1/org.csv")
    urls = codelist_refresh.source_urls()
    assert urls["org-id"] == "http://127.0.0.1:1/org.csv"
    assert urls["ocid_prefixes"] == codelist_refresh.DEFAULT_URLS["ocid_prefixes"]
