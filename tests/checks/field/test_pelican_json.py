"""``field_level_json`` writes exactly the bytes that encoding ``pelican_checks``'s objects gives: on every
item of the conformance inputs and on odd items (arrays in arrays, null and scalar parents, empty values,
1e400, integers beyond 64 bits, lone surrogates), with quality on and off."""

from __future__ import annotations

import gzip

import pytest

from pelican_dagster.checks.field.evaluate import pelican_checks
from pelican_dagster.checks.field.pelican_json import field_level_json
from pelican_dagster.pipeline import json_output
from pelican_dagster.pipeline.item_pass import load_item
from tests.conformance.compare import FOLDERS, input_file


def _expected(item, ctx, item_id, encode, quality=True):
    return encode(
        {"meta": {"ocid": item["ocid"], "item_id": item_id}, "checks": pelican_checks(item, ctx, quality)}
    )


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_conformance_item_is_written_as_pelican_checks_encoded(folder, ctx):
    with gzip.open(input_file(folder), "rb") as f:
        items = [load_item(line) for line in f if line.strip()]
    items = [item for item in items if type(item) is dict and "ocid" in item]
    assert items
    for item_id, item in enumerate(items):
        expected = _expected(item, ctx, item_id, json_output.dumps)
        assert field_level_json(item, ctx, item["ocid"], item_id, json_output.dumps) == expected


ODD = {
    "array in array": '{"ocid": "a", "parties": [[{"id": 1}, 2, [3]], {"id": "x"}], "awards": [[], [[]]]}',
    "null and scalar parents": '{"ocid": "a", "tender": null, "buyer": "b", "planning": {"budget": 7}}',
    "empty values": '{"ocid": "", "id": null, "tag": [], "tender": {}, "date": "", "parties": [null, {}]}',
    "falsy but not empty": '{"ocid": 0, "id": false, "tender": {"value": {"amount": 0.0}}, "tag": [null]}',
    "quality failures": '{"ocid": "x-1", "date": "now", "parties": [{"contactPoint": {"email": "no"}}]}',
    "1e400": '{"ocid": "a", "tender": {"value": {"amount": 1e400}}, "date": 1e400}',
    "big integer": '{"ocid": 12345678901234567890123, "tender": {"numberOfTenderers": 99999999999999999999}}',
    "lone surrogate": '{"ocid": "\\ud800", "tender": {"title": "\\udfff"}, "date": "\\ud800"}',
}


@pytest.mark.parametrize("quality", [True, False], ids=["quality", "coverage only"])
@pytest.mark.parametrize("encode", [json_output.dumps, json_output.dumps_any], ids=["dumps", "dumps_any"])
@pytest.mark.parametrize("text", ODD.values(), ids=ODD.keys())
def test_odd_items_are_written_as_pelican_checks_encoded(text, encode, quality, ctx):
    item = load_item(text)
    expected = _expected(item, ctx, 7, encode, quality)
    assert field_level_json(item, ctx, item["ocid"], 7, encode, quality) == expected
