"""Bad input never crashes a run and never loses data: odd OCDS values get check results, lines that
cannot be stored are reported with their reason, and every stage completes (pipeline end to end)."""

from __future__ import annotations

import gzip
import json
import random

import pytest

from pelican_dagster.cli import main
from tests.conftest import DATA

#: Valid JSON that Pelican chokes on or that exercises coercions (docs/checks.md §0.1, §0.9).
ODD_ITEMS = [
    {"ocid": "ocds-odd-01", "tender": None, "awards": {"id": 1, "date": "2020-1-1"}, "parties": "x"},
    {"ocid": "ocds-odd-02", "tender": {"status": {"a": 1}, "numberOfTenderers": "nan", "tenderers": "t"}},
    {"ocid": "ocds-odd-03", "awards": [None, 5, "date", [1, 2], {"id": [1], "value": {"amount": "inf"}}]},
    {
        "ocid": "ocds-odd-04",
        "contracts": [{"status": ["pending"], "awardID": {"x": 1}, "value": {"currency": []}}],
    },
    {"ocid": "ocds-odd-05", "date": "2020-13-45T99:99", "tender": {"tenderPeriod": {"startDate": 2020}}},
    {"ocid": "ocds-odd-06", "parties": [{"id": {"a": 1}, "roles": [["buyer"], {"r": 1}, "supplier"]}]},
    {
        "ocid": "ocds-odd-07",
        "buyer": {"id": 1.0, "name": True},
        "parties": [{"id": 1, "name": 1, "roles": "buyer"}],
    },
    {"ocid": 12345, "tender": {"id": None, "title": ["not", "a", "string"], "value": {"amount": 1e308}}},
    {"ocid": None, "relatedProcesses": [{"scheme": "ocid", "identifier": {"x": 1}}]},
    {"ocid": "ocds-odd-10", "tender": {"items": [{"quantity": {"q": 1}}, {"quantity": [1]}]}},
    {"ocid": "ocds-odd-11", "tender": {"title": "x" * 200_000, "documents": [{"description": "é" * 300}]}},
    {
        "ocid": "ocds-odd-12",
        "planning": {"budget": {"amount": {"amount": "1_000", "currency": "USD"}}},
        "tender": {"value": {"amount": -5, "currency": "USD"}},
    },
    {
        "ocid": "ocds-odd-13",
        "contracts": [
            {
                "period": {
                    "startDate": "2020-01-01T00:00:00Z",
                    "endDate": "2020-01-31T00:00:00",
                    "durationInDays": 30,
                }
            }
        ],
    },
    {"id": "no ocid at all", "tender": {"status": "active"}},
    {"ocid": "ocds-odd-15", "awards": [], "contracts": [], "parties": [], "tender": {}},
]


def _lines(path):
    with gzip.open(path, "rt") as f:
        return [json.loads(line) for line in f]


def test_odd_values_get_results_and_every_stage_completes(db_env, tmp_path, capsys):
    path = tmp_path / "odd.jsonl"
    text = "\n".join(json.dumps(item) for item in ODD_ITEMS)
    # Lines that cannot be stored: invalid JSON, not an object, a NUL character jsonb refuses.
    text += '\n{"ocid": "broken"\n[1, 2, 3]\n{"ocid": "ocds-nul", "title": "a\\u0000b"}\n'
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["check", str(path), "--out", str(out), "--in-process"]) == 0
    err = capsys.readouterr().err
    for line in (16, 17, 18):
        assert f"skipped line {line}:" in err

    items = _lines(out / "items.jsonl.gz")
    # Every item with an ocid key has both results, including the null and numeric ocids.
    assert len(items) == len(ODD_ITEMS) - 1
    for item in items:
        assert item["field_level"]["checks"], item["ocid"]
        assert len(item["resource_level"]["checks"]) == 37
    by_ocid = {item["ocid"]: item for item in items}
    quantity = by_ocid["ocds-odd-10"]["field_level"]["checks"]["tender.items.quantity"]
    assert [e["quality"]["check_results"][0]["reason"] for e in quantity] == ["can't convert to float"] * 2
    assert by_ocid["ocds-odd-02"]["resource_level"]["checks"]["coherent.tender_status"]["result"] is None

    meta = json.loads((out / "dataset_meta.json").read_text())
    assert (meta["phase"], meta["state"], meta["size"]) == ("CHECKED", "OK", len(ODD_ITEMS))
    assert len(_lines(out / "dataset_level.jsonl.gz")) == 24
    assert {row["type"] for row in _lines(out / "reports.jsonl.gz")} == {
        "field_level_check",
        "resource_level_check",
    }


def _mutate(value, rng: random.Random, depth: int = 0):
    """A random type or shape change somewhere in a real item."""
    if isinstance(value, dict) and value and depth < 6:
        key = rng.choice(list(value))
        return {**value, key: _mutate(value[key], rng, depth + 1)}
    if isinstance(value, list) and value and depth < 6:
        i = rng.randrange(len(value))
        return [*value[:i], _mutate(value[i], rng, depth + 1), *value[i + 1 :]]
    return rng.choice(
        [None, "", 0, -1, 1.5, "nan", True, [], {}, [value], {"x": value}, "2020-02-30", "x" * 1000]
    )


@pytest.mark.slow
def test_mutated_real_items_never_crash_the_pipeline(db_env, tmp_path):
    rng = random.Random(7)
    with gzip.open(DATA / "moldova.jsonl.gz", "rt") as f:
        originals = [json.loads(line) for line in f]
    path = tmp_path / "mutated.jsonl"
    with path.open("w") as f:
        for n in range(200):
            item = rng.choice(originals)
            for _ in range(rng.randint(1, 6)):
                item = _mutate(item, rng)
            if isinstance(item, dict) and "ocid" in item:
                item["ocid"] = f"{item['ocid']}-m{n}" if isinstance(item["ocid"], str) else item["ocid"]
            f.write(json.dumps(item) + "\n")
    out = tmp_path / "out"
    assert main(["check", str(path), "--out", str(out), "--in-process"]) == 0
    meta = json.loads((out / "dataset_meta.json").read_text())
    assert (meta["phase"], meta["state"], meta["size"]) == ("CHECKED", "OK", 200)
