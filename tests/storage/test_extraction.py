"""Extraction from Kingfisher Process into data_item: counts, size limit, max_items, re-runs, metadata."""

import base64
import http.server
import json
import os
import threading
import time

import pytest
import sqlalchemy as sa

from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage import engines, extraction, kingfisher
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.extraction import ExtractionError, extract, same_database
from pelican_dagster.storage.kingfisher_metadata import fetch_extensions_within
from pelican_dagster.storage.results import get_progress, register_dataset
from tests.conftest import DATA


@pytest.fixture(params=["two databases", "one database"])
def kfp_engine(request, kfp_url, results_url):
    """Every test runs twice: Kingfisher Process in a database of its own (the items are piped with
    COPY), and its tables in the results database (the embedded default: one INSERT … SELECT)."""
    url = kfp_url if request.param == "two databases" else results_url
    return engines.kingfisher_engine(url, ensure_tables=True)


def test_the_copy_is_chosen_by_where_the_tables_are(request, kfp_engine, results_engine):
    one = request.node.callspec.params["kfp_engine"] == "one database"
    assert same_database(kfp_engine, results_engine) is one


def _register(engine, name, collection_id, **options):
    with engine.begin() as conn:
        return register_dataset(conn, name, collection_id=collection_id, options=options)


def _lines(engine, loaded):
    with engine.connect() as conn:
        return kingfisher.loaded_lines(conn, loaded.collection_id)


def _items(engine, dataset_id):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(s.data_item.c.id, s.data_item.c.ocid, s.data_item.c.source_data_id)
            .where(s.data_item.c.dataset_id == dataset_id)
            .order_by(s.data_item.c.id)
        ).all()


def test_counts_order_and_progress(kfp_engine, results_engine):
    loaded = load_file(kfp_engine, DATA / "paraguay.jsonl.gz")
    dataset_id = _register(results_engine, "p", loaded.collection_id)
    result = extract(kfp_engine, results_engine, "p")
    assert (result.items, result.skipped_count, result.over_max_items) == (12, 0, 0)
    items = _items(results_engine, dataset_id)
    # Item ids follow Kingfisher Process order, which is the file's line order.
    assert [_lines(kfp_engine, loaded)[source] for _, _, source in items] == list(range(1, 13))
    assert all(ocid.startswith("ocds-03ad3f-") for _, ocid, _ in items)
    with results_engine.connect() as conn:
        assert get_progress(conn, dataset_id) == {"phase": "CONTRACTING_PROCESS", "state": "OK", "size": 12}


def _big_and_small(tmp_path):
    lines = []
    for i in range(6):
        item = {"ocid": f"ocds-z-{i}", "date": f"2020-01-0{i + 1}T00:00:00Z"}
        if i % 2:
            # Random bytes do not compress: the stored size stays well above the limit.
            item["padding"] = base64.b64encode(os.urandom(12_000)).decode()
        lines.append(json.dumps(item))
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines))
    return path


def test_size_limit_skips_large_items_and_reports_them(kfp_engine, results_engine, tmp_path):
    loaded = load_file(kfp_engine, _big_and_small(tmp_path))
    dataset_id = _register(results_engine, "sized", loaded.collection_id, max_size=10_000)
    result = extract(kfp_engine, results_engine, "sized")
    assert (result.items, result.skipped_count) == (3, 3)
    assert [s["ocid"] for s in result.skipped] == ["ocds-z-1", "ocds-z-3", "ocds-z-5"]
    assert all(s["size"] >= 10_000 and s["reason"] for s in result.skipped)
    assert [o for _, o, _ in _items(results_engine, dataset_id)] == ["ocds-z-0", "ocds-z-2", "ocds-z-4"]


def test_oversized_items_are_counted_beyond_those_listed(kfp_engine, results_engine, tmp_path, monkeypatch):
    # Only the listed ones are fetched (a collection of oversized items is not held in memory).
    monkeypatch.setattr(extraction, "SKIPPED_LISTED", 2)
    loaded = load_file(kfp_engine, _big_and_small(tmp_path))
    _register(results_engine, "listed", loaded.collection_id, max_size=10_000)
    result = extract(kfp_engine, results_engine, "listed")
    assert (result.items, result.skipped_count) == (3, 3)
    assert [s["ocid"] for s in result.skipped] == ["ocds-z-1", "ocds-z-3"]


def test_no_size_limit_keeps_everything(kfp_engine, results_engine, tmp_path):
    loaded = load_file(kfp_engine, _big_and_small(tmp_path))
    _register(results_engine, "unlimited", loaded.collection_id, max_size=None)
    assert extract(kfp_engine, results_engine, "unlimited").items == 6


def test_default_size_limit_is_pelicans(kfp_engine, results_engine):
    loaded = load_file(kfp_engine, DATA / "uganda.jsonl.gz")
    _register(results_engine, "default", loaded.collection_id)
    assert extract(kfp_engine, results_engine, "default").items == 10


@pytest.mark.parametrize("max_items", [1, 5, 12, 100])
def test_max_items_takes_the_first_items_reproducibly(kfp_engine, results_engine, max_items):
    loaded = load_file(kfp_engine, DATA / "paraguay.jsonl.gz")
    dataset_id = _register(results_engine, "m", loaded.collection_id, max_items=max_items)
    first = extract(kfp_engine, results_engine, "m")
    expected = min(max_items, 12)
    assert first.items == expected and first.over_max_items == 12 - expected
    lines = [_lines(kfp_engine, loaded)[src] for _, _, src in _items(results_engine, dataset_id)]
    assert lines == list(range(1, expected + 1))
    extract(kfp_engine, results_engine, "m")
    assert [_lines(kfp_engine, loaded)[src] for _, _, src in _items(results_engine, dataset_id)] == lines


def test_rerun_replaces_items_and_their_results(kfp_engine, results_engine):
    loaded = load_file(kfp_engine, DATA / "paraguay.jsonl.gz")
    dataset_id = _register(results_engine, "again", loaded.collection_id)
    extract(kfp_engine, results_engine, "again")
    before = _items(results_engine, dataset_id)
    with results_engine.begin() as conn:
        conn.execute(
            sa.insert(s.item_check), [{"item_id": i, "dataset_id": dataset_id} for i, _, _ in before]
        )
    extract(kfp_engine, results_engine, "again")
    after = _items(results_engine, dataset_id)
    assert len(after) == 12 and {i for i, _, _ in after}.isdisjoint({i for i, _, _ in before})
    assert [(o, src) for _, o, src in after] == [(o, src) for _, o, src in before]
    with results_engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.item_check)).scalar() == 0


def test_items_of_other_datasets_are_untouched(kfp_engine, results_engine):
    a = load_file(kfp_engine, DATA / "paraguay.jsonl.gz")
    b = load_file(kfp_engine, DATA / "uganda.jsonl.gz")
    a_id = _register(results_engine, "a", a.collection_id)
    b_id = _register(results_engine, "b", b.collection_id)
    extract(kfp_engine, results_engine, "a")
    extract(kfp_engine, results_engine, "b")
    extract(kfp_engine, results_engine, "a")
    assert len(_items(results_engine, a_id)) == 12 and len(_items(results_engine, b_id)) == 10


def test_missing_dataset_collection_or_non_compiled_collection_is_a_clear_error(kfp_engine, results_engine):
    loaded = load_file(kfp_engine, DATA / "uganda.jsonl.gz")
    with pytest.raises(ExtractionError, match="no dataset named"):
        extract(kfp_engine, results_engine, "nope")
    _register(results_engine, "missing", 999_999)
    with pytest.raises(ExtractionError, match="does not exist"):
        extract(kfp_engine, results_engine, "missing")
    _register(results_engine, "root", loaded.root_collection_id)
    with pytest.raises(ExtractionError, match="not a compiled collection"):
        extract(kfp_engine, results_engine, "root")


def test_everything_over_the_limit_is_an_error(kfp_engine, results_engine, tmp_path):
    loaded = load_file(kfp_engine, _big_and_small(tmp_path))
    _register(results_engine, "tiny", loaded.collection_id, max_size=1)
    with pytest.raises(ExtractionError, match="no compiled release below the size limit"):
        extract(kfp_engine, results_engine, "tiny")


# Kingfisher metadata (docs/pipeline.md §6.1)


class _ExtensionHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/extension.json":
            body = json.dumps({"name": {"en": "An extension"}}).encode()
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/slow":
            time.sleep(3)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")
        elif self.path == "/not-json":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>")
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def extension_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ExtensionHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _package_file(tmp_path, base):
    package = {
        "version": "1.1",
        "publisher": {"name": "Publisher P"},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": "https://example.com/policy",
        "extensions": [f"{base}/extension.json", f"{base}/missing", f"{base}/not-json", "not a url"],
        "releases": [
            {"ocid": "ocds-abcdef-1", "id": "1", "date": "2020-01-02T03:04:05Z", "tag": ["tender"]},
            {"ocid": "ocds-abcdef-2", "id": "2", "date": "2021-06-07T08:09:10Z", "tag": ["tender"]},
        ],
    }
    path = tmp_path / "package.json"
    path.write_text(json.dumps(package))
    return path


def _meta(engine, name):
    with engine.connect() as conn:
        return conn.execute(sa.select(s.dataset.c.meta).where(s.dataset.c.name == name)).scalar()


def test_kingfisher_metadata(kfp_engine, results_engine, tmp_path, extension_server):
    loaded = load_file(kfp_engine, _package_file(tmp_path, extension_server))
    _register(results_engine, "meta", loaded.collection_id)
    extract(kfp_engine, results_engine, "meta", fetch_extensions=True, extension_timeout=2)
    meta = _meta(results_engine, "meta")
    kfm = meta["kingfisher_metadata"]
    assert kfm["collection_id"] == loaded.collection_id
    assert len(kfm["processing_start"]) == 19 and kfm["processing_start"][13] == "."
    assert meta["collection_metadata"] == {
        "publisher": "Publisher P",
        "ocid_prefix": "ocds-abcdef",
        "data_license": "https://creativecommons.org/licenses/by/4.0/",
        "publication_policy": "https://example.com/policy",
        "extensions": [
            {"name": {"en": "An extension"}, "repositoryUrl": f"{extension_server}/extension.json"}
        ],
        "published_from": "2020-01-02 03.04.05",
        "published_to": "2021-06-07 08.09.10",
    }


def test_offline_extraction_skips_extensions(kfp_engine, results_engine, tmp_path, extension_server):
    loaded = load_file(kfp_engine, _package_file(tmp_path, extension_server))
    _register(results_engine, "offline", loaded.collection_id)
    extract(kfp_engine, results_engine, "offline", fetch_extensions=False)
    assert _meta(results_engine, "offline")["collection_metadata"]["extensions"] == []


def test_metadata_of_a_non_leaf_collection_is_empty_like_pelican(kfp_engine, results_engine):
    loaded = load_file(kfp_engine, DATA / "uganda.jsonl.gz")
    with kfp_engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO collection (source_id, data_version, transform_type,"
                " transform_from_collection_id) VALUES ('uganda', now(), 'upgrade-1-0-to-1-1', :c)"
            ),
            {"c": loaded.collection_id},
        )
    _register(results_engine, "nonleaf", loaded.collection_id)
    extract(kfp_engine, results_engine, "nonleaf")
    meta = _meta(results_engine, "nonleaf")
    assert meta["kingfisher_metadata"] == {}
    assert (
        meta["collection_metadata"]["ocid_prefix"] is None and meta["collection_metadata"]["extensions"] == []
    )


def test_extension_downloads_share_one_time_budget(extension_server):
    # Without network every download times out: the budget is for all of them, not one each.
    urls = [f"{extension_server}/slow"] * 6 + [
        f"{extension_server}/extension.json",
        f"{extension_server}/missing",
    ]
    start = time.perf_counter()
    found = fetch_extensions_within(urls, timeout=1.0)
    assert time.perf_counter() - start < 2.5
    assert found == [{"name": {"en": "An extension"}, "repositoryUrl": f"{extension_server}/extension.json"}]
