"""The loader writes OCDS files into Kingfisher Process tables as complete compiled collections."""

import gzip
import json

import pytest
import sqlalchemy as sa

from pelican_dagster.pipeline.loader import LoadError, load_file
from pelican_dagster.storage import kingfisher
from tests.conftest import DATA


def _collection(engine, collection_id):
    with engine.connect() as conn:
        return kingfisher.get_collection(conn, collection_id)


def _lines(engine, result):
    with engine.connect() as conn:
        return kingfisher.loaded_lines(conn, result.collection_id)


def _scalar(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def test_gzip_json_lines_of_compiled_releases(kfp_engine):
    result = load_file(kfp_engine, DATA / "paraguay.jsonl.gz")
    assert (result.items, result.skipped, result.input_kind) == (12, [], "compiled_releases")
    assert sorted(_lines(kfp_engine, result).values()) == list(range(1, 13))
    compiled = _collection(kfp_engine, result.collection_id)
    root = _collection(kfp_engine, result.root_collection_id)
    assert compiled.is_compiled and compiled.transform_from_collection_id == root.id
    assert compiled.completed_at and root.completed_at and compiled.deleted_at is None
    assert compiled.source_id == "paraguay"
    # compiled_release.ocid and release_date come from the item, in line order.
    with kfp_engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT cr.ocid, cr.release_date, d.data->>'ocid', d.data->>'date' FROM compiled_release cr "
                "JOIN data d ON d.id = cr.data_id WHERE cr.collection_id = :c ORDER BY cr.id"
            ),
            {"c": result.collection_id},
        ).all()
    assert [(a, b) for a, b, _, _ in rows] == [(c, d) for _, _, c, d in rows]
    with gzip.open(DATA / "paraguay.jsonl.gz", "rt") as f:
        first = json.loads(f.readline())
    assert rows[0][0] == first["ocid"]


def test_the_result_holds_nothing_per_item(kfp_engine):
    # The lines stay in pelican_loaded_line: a {data.id: line} dict held by the CLI for the whole run
    # was ~100 MB at 1,000,000 items. Only the skipped lines are listed.
    result = load_file(kfp_engine, DATA / "paraguay.jsonl.gz")
    sized = {k: len(v) for k, v in vars(result).items() if hasattr(v, "__len__") and not isinstance(v, str)}
    assert sized == {"skipped": 0}
    assert sorted(_lines(kfp_engine, result).values()) == list(range(1, 13))


def test_plain_json_lines_and_bad_lines_are_reported(kfp_engine, tmp_path):
    good = {"ocid": "ocds-abc-1", "date": "2020-01-01T00:00:00Z", "tag": ["compiled"], "x": "a\\b\t"}
    lines = [
        json.dumps(good),
        "",  # blank lines are ignored, not reported
        "{not json",
        "[1, 2]",
        "42",
        json.dumps({"ocid": "ocds-abc-2", "bad": "nul \u0000 here"}),
        json.dumps({"ocid": "ocds-abc-3", "ok": "escaped backslash \\u0000 is fine"}),
        json.dumps({"ocid": "ocds-abc-4", "big": 10**30, "unicode": "✓ 𝄞"}),
        '{"ocid": "ocds-abc-5",\t"tabbed": true}',
    ]
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = load_file(kfp_engine, path, source_id="test-source")
    assert result.items == 4
    assert [line for line, _ in result.skipped] == [3, 4, 5, 6]
    reasons = dict(result.skipped)
    assert reasons[3].startswith("invalid JSON")
    assert reasons[4].startswith("not an object") and reasons[5].startswith("not an object")
    assert "\\u0000" in reasons[6]
    assert sorted(_lines(kfp_engine, result).values()) == [1, 7, 8, 9]
    stored = _scalar(
        kfp_engine,
        "SELECT d.data FROM compiled_release cr JOIN data d ON d.id = cr.data_id "
        "WHERE cr.collection_id = :c ORDER BY cr.id LIMIT 1",
        c=result.collection_id,
    )
    assert stored == good


def test_identical_lines_share_data_rows_but_each_is_a_compiled_release(kfp_engine, tmp_path):
    path = tmp_path / "dup.jsonl"
    path.write_text('{"ocid": "a"}\n{"ocid": "a"}\n{"ocid": "b"}\n')
    result = load_file(kfp_engine, path)
    assert result.items == 3
    assert _scalar(kfp_engine, "SELECT count(*) FROM data") == 2
    # Loading the same file again reuses the data rows (Kingfisher Process de-duplicates by hash).
    again = load_file(kfp_engine, path)
    assert again.items == 3 and again.collection_id != result.collection_id
    assert _scalar(kfp_engine, "SELECT count(*) FROM data") == 2


@pytest.mark.parametrize(
    "item",
    [
        {"ocid": "ocds-a-1", "date": "2020-01-01T00:00:00Z"},
        {"ocid": "tab\there, back\\slash, new\nline, é, 😀", "date": "\\N"},
        {"ocid": 12.50, "date": 20200101},
        {"ocid": None, "date": None},
        {"ocid": {"nested": [1, "x"]}, "date": ["2020"]},
        {"ocid": True, "date": False},
        {"ocid": "", "date": ""},
        {"date": "2020-01-01"},
    ],
    ids=["strings", "escapes", "numbers", "nulls", "containers", "booleans", "empty", "no ocid"],
)
def test_compiled_release_ocid_and_date_are_the_stored_jsons(kfp_engine, tmp_path, item):
    """``compiled_release.ocid``/``release_date`` are Kingfisher Process's ``coalesce(data->>…, '')``,
    whatever the values (strings are taken as parsed, anything else from the stored jsonb)."""
    path = tmp_path / "odd.jsonl"
    # A file needs one item with a string ocid to be loaded at all: the second line.
    path.write_text(json.dumps(item) + "\n" + json.dumps({"ocid": "ocds-other"}) + "\n")
    result = load_file(kfp_engine, path)
    with kfp_engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT cr.ocid, cr.release_date, coalesce(d.data->>'ocid', ''),"
                " coalesce(d.data->>'date', '') FROM compiled_release cr JOIN data d ON d.id = cr.data_id"
                " WHERE cr.collection_id = :id"
            ),
            {"id": result.collection_id},
        ).all()
    assert len(rows) == 2
    assert all((ocid, date) == (ocid_sql, date_sql) for ocid, date, ocid_sql, date_sql in rows)


def _release(ocid, rid, date, **extra):
    return {"ocid": ocid, "id": rid, "date": date, "tag": ["tender"], "initiationType": "tender", **extra}


def test_release_package_is_compiled(kfp_engine, tmp_path):
    package = {
        "uri": "http://example.com/p.json",
        "version": "1.1",
        "publishedDate": "2020-01-01T00:00:00Z",
        "publisher": {"name": "A publisher"},
        "license": "http://example.com/license",
        "releases": [
            _release("ocds-x-1", "r1", "2020-01-01T00:00:00Z", tender={"id": "t", "title": "Old"}),
            _release("ocds-x-1", "r2", "2020-02-01T00:00:00Z", tender={"id": "t", "title": "New"}),
            _release("ocds-x-2", "r3", "2020-03-01T00:00:00Z"),
        ],
    }
    path = tmp_path / "package.json"
    path.write_text(json.dumps(package, indent=2))
    result = load_file(kfp_engine, path)
    assert (result.items, result.skipped, result.input_kind) == (2, [], "packages")
    with kfp_engine.connect() as conn:
        compiled = (
            conn.execute(
                sa.text(
                    "SELECT d.data FROM compiled_release cr JOIN data d ON d.id = cr.data_id "
                    "WHERE cr.collection_id = :c ORDER BY cr.ocid"
                ),
                {"c": result.collection_id},
            )
            .scalars()
            .all()
        )
        releases = conn.execute(
            sa.text("SELECT count(*) FROM release WHERE collection_id = :c"), {"c": result.root_collection_id}
        ).scalar()
        package_data = conn.execute(
            sa.text(
                "SELECT pd.data FROM release r JOIN package_data pd ON pd.id = r.package_data_id "
                "WHERE r.collection_id = :c LIMIT 1"
            ),
            {"c": result.root_collection_id},
        ).scalar()
    assert [c["ocid"] for c in compiled] == ["ocds-x-1", "ocds-x-2"]
    assert compiled[0]["tender"]["title"] == "New" and compiled[0]["tag"] == ["compiled"]
    assert releases == 3
    assert package_data["publisher"] == {"name": "A publisher"} and "releases" not in package_data


def test_record_package_lines_use_compiled_release_or_releases(kfp_engine, tmp_path):
    compiled = {"ocid": "ocds-y-1", "id": "c", "date": "2020-01-01", "tag": ["compiled"]}
    package = {
        "version": "1.1",
        "publisher": {"name": "P"},
        "records": [
            {"ocid": "ocds-y-1", "compiledRelease": compiled, "releases": [{"url": "http://x", "date": "d"}]},
            {"ocid": "ocds-y-2", "releases": [_release("ocds-y-2", "r", "2020-01-02T00:00:00Z")]},
            {"ocid": "ocds-y-3"},
        ],
    }
    path = tmp_path / "records.jsonl.gz"
    with gzip.open(path, "wt") as f:
        f.write(json.dumps(package) + "\n")
    result = load_file(kfp_engine, path)
    assert result.items == 2
    assert result.skipped == [(1, "a record has neither full releases nor a compiledRelease")]
    assert (
        _scalar(
            kfp_engine, "SELECT count(*) FROM record WHERE collection_id = :c", c=result.root_collection_id
        )
        == 3
    )


GOOD = b'{"ocid": "ocds-a-1", "tag": ["compiled"]}'

#: (file content, reason expected in the one line) of files with no storable compiled release.
BAD_FILES = [
    (b"", "the file is empty"),
    (b"\n\n", "the file is empty"),
    (b"not json at all", "line 1: invalid JSON"),
    (b'[{"ocid": "ocds-a-1"}]', "line 1: not an object: list"),
    (b'{"ocid": "ocds-a-1", "tender": {"id": ', "line 1: invalid JSON"),
    (b'{"foo": 1}', "no line has an ocid"),
    (gzip.compress(GOOD * 50, mtime=0)[:30], "truncated or corrupt gzip"),
]


@pytest.mark.parametrize(("content", "reason"), BAD_FILES)
def test_files_without_a_storable_compiled_release_load_nothing(kfp_engine, tmp_path, content, reason):
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason) as raised:
        load_file(kfp_engine, path)
    assert "\n" not in str(raised.value)
    assert _scalar(kfp_engine, "SELECT count(*) FROM collection") == 0


@pytest.mark.parametrize(
    ("make", "reason"), [(lambda p: p, "no such file"), (lambda p: p.mkdir() or p, "not a file")]
)
def test_missing_file_and_directory_are_load_errors(kfp_engine, tmp_path, make, reason):
    with pytest.raises(LoadError, match=reason):
        load_file(kfp_engine, make(tmp_path / "x.jsonl"))


def test_hostile_lines_are_reported_and_every_storable_line_kept(kfp_engine, tmp_path):
    deep = b'{"ocid": "ocds-a-deep", "x": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    lines = [
        b"\xef\xbb\xbf" + GOOD,  # 1: a byte order mark: kept
        b'{"ocid": "ocds-a-2", "t": "\\ud800"}',  # 2: lone surrogate
        b'{"ocid": "ocds-a-3", "t": "a\\u0000b"}',  # 3: NUL
        b'{"ocid": "ocds-a-4", "v": NaN}',  # 4
        b'{"ocid": "ocds-a-5", "v": -Infinity}',  # 5
        deep,  # 6
        b'{"ocid": "ocds-a-7", "v": ' + b"9" * 5000 + b"}",  # 7: a 5,000-digit integer: kept
        b'{"ocid": "ocds-a-8", "v": 1e400, "e": "\\ud83d\\ude00"}',  # 8: kept (a valid surrogate pair)
        b'{"ocid": "ocds-a-9"}',  # 9: kept
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = load_file(kfp_engine, path)
    assert result.items == 4
    assert [line for line, _ in result.skipped] == [2, 3, 4, 5, 6]
    reasons = dict(result.skipped)
    assert "lone surrogate" in reasons[2] and "\\u0000" in reasons[3]
    assert "NaN is not JSON" in reasons[4] and "-Infinity is not JSON" in reasons[5]
    assert "nested deeper than 1024 levels" in reasons[6]
    ocids = _scalar(
        kfp_engine,
        "SELECT string_agg(ocid, ',' ORDER BY id) FROM compiled_release WHERE collection_id = :c",
        c=result.collection_id,
    )
    assert ocids == "ocds-a-1,ocds-a-7,ocds-a-8,ocds-a-9"
    with kfp_engine.connect() as conn:
        recorded = kingfisher.skipped_lines(conn, result.collection_id)
    assert recorded["count"] == 5 and [r["line"] for r in recorded["lines"]] == [2, 3, 4, 5, 6]


def test_load_creates_the_tables_when_absent(kfp_url):
    from pelican_dagster.storage.db import make_engine

    engine = make_engine(kfp_url)
    result = load_file(engine, DATA / "uganda.jsonl.gz")
    assert result.items == 10
    engine.dispose()


_LOAD_ASIDE = """
import json, os, sys
from pelican_dagster.pipeline.loader import LoadAside, LoadError
from pelican_dagster.storage.db import make_engine

engine = make_engine(sys.argv[1])
with engine.connect() as conn:  # the parent's own pooled connection, which the child must not use
    parent_backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
files = [(path, None) for path in sys.argv[2:]]
loading = LoadAside(engine, files)
forked = loading.child is not None
try:
    results = loading.result()
    outcome = {"items": [r.items for r in results], "skipped": [r.skipped for r in results]}
except LoadError as e:
    outcome = {"error": str(e)}
with engine.connect() as conn:
    backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    outcome["parent_backend_kept"] = backend == parent_backend
    outcome["collections"] = conn.exec_driver_sql("SELECT count(*) FROM collection").scalar_one()
outcome["forked"] = forked
print(json.dumps(outcome))
"""


def _load_aside(kfp_url: str, *paths) -> dict:
    """LoadAside in a fresh interpreter (one thread, so it forks): what it returned or raised."""
    import subprocess
    import sys

    from tests.conftest import REPO

    done = subprocess.run(
        [sys.executable, "-c", _LOAD_ASIDE, kfp_url, *map(str, paths)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_a_load_aside_runs_in_a_child_and_gives_the_same_results(kfp_url, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"ocid": "ocds-1", "date": "2020-01-01T00:00:00Z"}\nnot json\n')
    outcome = _load_aside(kfp_url, DATA / "uganda.jsonl.gz", bad)
    assert outcome["forked"] and outcome["parent_backend_kept"]
    assert outcome["items"][1] == 1
    assert outcome["skipped"][1][0][0] == 2 and "invalid JSON" in outcome["skipped"][1][0][1]
    assert outcome["collections"] == 4  # two files, a root and a compiled collection each


def test_a_load_aside_that_fails_writes_nothing_and_says_why(kfp_url, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    outcome = _load_aside(kfp_url, DATA / "uganda.jsonl.gz", empty)
    assert outcome["forked"]
    assert outcome["error"] == f"{empty}: no compiled release: the file is empty"
    assert outcome["collections"] == 0  # one transaction: the first file is not kept either


def test_a_load_aside_stays_in_this_process_while_another_thread_runs(kfp_engine):
    import threading

    from pelican_dagster.pipeline.loader import LoadAside

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        loading = LoadAside(kfp_engine, [(DATA / "uganda.jsonl.gz", None)])
        assert loading.child is None
        assert loading.result()[0].items > 0
    finally:
        stop.set()
        thread.join()
