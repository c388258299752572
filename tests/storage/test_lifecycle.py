"""Filtered datasets and wiping in the results database (docs/pipeline.md §3, §4.5), on real PostgreSQL."""

import json

import pytest
import sqlalchemy as sa

from pelican_dagster.pipeline.filters import FilterSpec
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.extraction import extract
from pelican_dagster.storage.lifecycle import (
    LifecycleError,
    copy_filtered_items,
    create_filtered_dataset,
    dataset_row_counts,
    descendants,
    extract_filtered,
    filtered_from,
    is_wiped,
    lineage,
    wipe_dataset,
)
from pelican_dagster.storage.results import (
    dataset_by_id,
    get_progress,
    merge_meta,
    register_dataset,
    set_phase,
)

#: Items chosen for the edges of every filter key (a date on the bound's day but after midnight, names
#: differing only in case, ILIKE wildcards written literally, missing and unparsable values).
SAMPLE = [
    {
        "ocid": "ocds-a-1",
        "date": "2020-02-01T23:59:59Z",
        "buyer": {"name": "Ministry of Health"},
        "tender": {"procuringEntity": {"name": "Hospital A"}},
    },
    {
        "ocid": "ocds-a-2",
        "date": "2020-02-02T10:00:00Z",
        "buyer": {"name": "Ministry of Finance"},
        "tender": {"procuringEntity": {"name": "Hospital B"}},
    },
    {"ocid": "ocds-a-3", "date": "2020-02-03", "buyer": {"name": "City of X"}},
    {"ocid": "ocds-a-4", "buyer": {"name": "ministry of health"}},
    {"ocid": "ocds-a-5", "date": "not a date", "buyer": {"name": "100% Co_op"}},
    {"ocid": "ocds-a-6", "date": "2020-01-31T00:00:00Z", "buyer": {"name": None}},
]


@pytest.fixture(autouse=True)
def close_pools():
    """Close this test's connection pools when it ends: each test has its own databases, and idle pools
    kept to the end of the session would exhaust the server's connections."""
    yield
    from pelican_dagster.storage import engines

    engines.dispose_all()


@pytest.fixture
def original(kfp_engine, results_engine, tmp_path):
    """A dataset extracted from the sample, with Kingfisher and recomputed metadata."""
    path = tmp_path / "sample.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in SAMPLE))
    loaded = load_file(kfp_engine, path, source_id="sample")
    with results_engine.begin() as conn:
        dataset_id = register_dataset(conn, "sample", collection_id=loaded.collection_id, source_id="sample")
    extract(kfp_engine, results_engine, "sample")
    with results_engine.begin() as conn:
        merge_meta(
            conn,
            dataset_id,
            {
                "tender_lifecycle": {"tender": 2},
                "compiled_releases": {"total_unique_ocids": 6},
                "data_quality_tool_metadata": {"processing_start": "x"},
            },
        )
        return dataset_by_id(conn, dataset_id)


def _filtered(results_engine, original, message, name=None):
    spec = FilterSpec.parse(message)
    with results_engine.begin() as conn:
        new_id = create_filtered_dataset(conn, original, spec, name)
    return new_id, spec


def _ocids(engine, dataset_id):
    with engine.connect() as conn:
        return (
            conn.execute(
                sa.select(s.data_item.c.ocid)
                .where(s.data_item.c.dataset_id == dataset_id)
                .order_by(s.data_item.c.id)
            )
            .scalars()
            .all()
        )


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # Inclusive whole days (Pelican's text comparison would drop ocds-a-2, dated later that day).
        ({"release_date_from": "2020-02-01", "release_date_to": "2020-02-02"}, [1, 2]),
        ({"release_date_to": "2020-02-02"}, [1, 2, 6]),
        ({"release_date_from": "2020-02-03T08:00:00Z"}, [3]),
        # Exact-match lists (broken in Pelican), case-sensitive.
        ({"buyer": ["Ministry of Health", "City of X"]}, [1, 3]),
        ({"procuring_entity": ["Hospital B"]}, [2]),
        # Real regular expressions (re.search, case-insensitive).
        ({"buyer_regex": "^ministry"}, [1, 2, 4]),
        ({"buyer_regex": "health$"}, [1, 4]),
        ({"buyer_regex": "Co.op"}, [5]),
        # ILIKE patterns (Pelican's "regex"): the whole name, % and _ wildcards, \ escapes.
        ({"buyer_pattern": "ministry%"}, [1, 2, 4]),
        ({"buyer_pattern": "ministry"}, []),
        ({"buyer_pattern": "Co.op"}, []),
        ({"buyer_pattern": "100\\% co\\_op"}, [5]),
        ({"procuring_entity_pattern": "hospital _"}, [1, 2]),
        ({"procuring_entity_regex": "b$", "buyer_regex": "finance"}, [2]),
        # max_items keeps the first matches in the original's order.
        ({"buyer_regex": "ministry", "max_items": 2}, [1, 2]),
        ({"max_items": 3}, [1, 2, 3]),
        ({"buyer": ["nobody"]}, []),
    ],
)
def test_copy_applies_every_filter_key(results_engine, original, message, expected):
    new_id, spec = _filtered(results_engine, original, message)
    result = copy_filtered_items(results_engine, original.id, new_id, spec)
    assert _ocids(results_engine, new_id) == [f"ocds-a-{i}" for i in expected]
    assert result.items == len(expected)


def test_copied_items_keep_json_ocid_and_source_and_a_rerun_replaces_them(results_engine, original):
    new_id, spec = _filtered(results_engine, original, {"buyer_regex": "."})
    copy_filtered_items(results_engine, original.id, new_id, spec)
    copy_filtered_items(results_engine, original.id, new_id, spec)
    query = "SELECT ocid, source_data_id, data FROM data_item WHERE dataset_id = :d ORDER BY id"
    with results_engine.connect() as conn:
        before = conn.execute(sa.text(query), {"d": original.id}).all()
        after = conn.execute(sa.text(query), {"d": new_id}).all()
    assert len(after) == 5  # ocds-a-6 has a null name
    assert after == [row for row in before if row[0] != "ocds-a-6"]


def test_a_max_items_scan_stops_early(results_engine, original):
    new_id, spec = _filtered(results_engine, original, {"max_items": 2})
    result = copy_filtered_items(results_engine, original.id, new_id, spec)
    assert (result.items, result.scanned) == (2, 2)


def test_created_dataset_row_lineage_and_inherited_meta(results_engine, original):
    new_id, _ = _filtered(
        results_engine, original, {"release_date_to": "2020-02-02T05:00:00Z", "buyer": ["a", "a", "b"]}
    )
    with results_engine.connect() as conn:
        dataset = dataset_by_id(conn, new_id)
        found = lineage(conn, new_id)
        assert filtered_from(conn, original.id) == [new_id]
        assert lineage(conn, original.id) is None
    assert dataset.name == f"sample_filtered_{new_id}"
    assert (dataset.collection_id, dataset.ancestor_id, dataset.source_id) == (None, None, "sample")
    assert dataset.options == {"max_items": None, "registered_by": "filter"}
    # Kingfisher and collection metadata are inherited; what the pipeline recomputes is not.
    assert set(original.meta) >= {"kingfisher_metadata", "collection_metadata", "tender_lifecycle"}
    assert dataset.meta == {
        k: v
        for k, v in original.meta.items()
        if k not in ("tender_lifecycle", "compiled_releases", "data_quality_tool_metadata")
    }
    assert found.original_id == original.id
    assert found.message == {"release_date_to": "2020-02-02", "buyer": ["a", "b"]}


def test_a_given_name_is_used_and_a_taken_name_refused(results_engine, original):
    new_id, _ = _filtered(results_engine, original, {"max_items": 1}, name="mine")
    with results_engine.connect() as conn:
        assert dataset_by_id(conn, new_id).name == "mine"
    with pytest.raises(LifecycleError, match="'sample' exists already"):
        _filtered(results_engine, original, {"max_items": 1}, name="sample")


def test_extract_filtered_records_progress_even_when_empty(results_engine, original):
    new_id, _ = _filtered(results_engine, original, {"buyer": ["nobody"]})
    with results_engine.connect() as conn:
        dataset = dataset_by_id(conn, new_id)
    found, copied = extract_filtered(results_engine, dataset)
    assert (found.original_id, copied.items, copied.scanned) == (original.id, 0, 6)
    with results_engine.connect() as conn:
        assert get_progress(conn, new_id) == {"phase": "CONTRACTING_PROCESS", "state": "OK", "size": 0}
    with pytest.raises(LifecycleError, match="not filtered"):
        extract_filtered(results_engine, original)


def _fill(conn, dataset_id):
    """One row of the dataset in every table a wipe empties (as the pipeline would write them)."""
    item_id = conn.execute(
        sa.select(sa.func.min(s.data_item.c.id)).where(s.data_item.c.dataset_id == dataset_id)
    ).scalar_one()
    conn.execute(sa.insert(s.item_check).values(item_id=item_id, dataset_id=dataset_id))
    conn.execute(
        sa.insert(s.item_check_chunk).values(
            dataset_id=dataset_id,
            first_item_id=item_id,
            last_item_id=item_id,
            item_count=1,
            checked_count=1,
            skipped_count=0,
        )
    )
    conn.execute(sa.insert(s.dataset_level_check).values(dataset_id=dataset_id, check_name="c", meta={}))
    conn.execute(
        sa.insert(s.time_variance_level_check).values(dataset_id=dataset_id, check_name="c", meta={})
    )
    conn.execute(sa.insert(s.report).values(dataset_id=dataset_id, type="field_level_check", data={}))
    conn.execute(sa.insert(s.field_level_check_examples).values(dataset_id=dataset_id, path="ocid", data={}))
    conn.execute(
        sa.insert(s.resource_level_check_examples).values(dataset_id=dataset_id, check_name="c", data={})
    )
    set_phase(conn, dataset_id, "CHECKED", "OK", 1)


def test_wipe_deletes_every_row_of_one_dataset_only(results_engine, original):
    new_id, spec = _filtered(results_engine, original, {"max_items": 3})
    copy_filtered_items(results_engine, original.id, new_id, spec)
    # A third dataset whose ancestor is the one wiped: untouched, its ancestor_id left dangling.
    with results_engine.begin() as conn:
        _fill(conn, original.id)
        _fill(conn, new_id)
        later = register_dataset(conn, "later", collection_id=None, ancestor_id=new_id)
        kept = dataset_row_counts(conn, original.id)
    assert all(kept.values()) and kept["data_item"] == 6
    with results_engine.begin() as conn:
        deleted = wipe_dataset(conn, new_id)
    assert deleted["data_item"] == 3 and deleted["dataset_filter"] == 1 and deleted["dataset"] == 1
    assert all(deleted[t.name] == 1 for t in (s.report, s.progress_monitor_dataset, s.item_check_chunk))
    with results_engine.connect() as conn:
        assert set(dataset_row_counts(conn, new_id).values()) == {0}
        # The original lost only its lineage row as an original.
        assert dataset_row_counts(conn, original.id) == {**kept, "dataset_filter": 0}
        assert dataset_by_id(conn, later).ancestor_id == new_id


def test_wipe_refuses_while_filtered_datasets_exist(results_engine, original):
    child, _ = _filtered(results_engine, original, {"max_items": 3})
    with results_engine.connect() as conn:
        parent = dataset_by_id(conn, child)
    grandchild, _ = _filtered(results_engine, parent, {"max_items": 1})
    with results_engine.connect() as conn:
        assert descendants(conn, original.id) == [grandchild, child]
    refused = rf"\[{child}\] were filtered from dataset {original.id}"
    with pytest.raises(LifecycleError, match=refused), results_engine.begin() as conn:
        wipe_dataset(conn, original.id)
    with results_engine.begin() as conn:
        for dataset_id in (grandchild, child, original.id):
            wipe_dataset(conn, dataset_id)
    with results_engine.connect() as conn:
        # The filtered datasets are deleted; the collection's dataset stays as a DELETED tombstone.
        assert conn.execute(sa.select(s.dataset.c.id)).scalars().all() == [original.id]
        assert is_wiped(conn, original.id)
        with pytest.raises(LifecycleError, match="no dataset"):
            wipe_dataset(conn, child)
