"""reference.related_process_identifier and consistent.related_process_title (§3.8)."""

from __future__ import annotations

import pytest

from tests.checks.dataset.conftest import run

IDENT = "reference.related_process_identifier"
TITLE = "consistent.related_process_title"


def item(ocid, *refs, title=None, contract_refs=()):
    data = {"ocid": ocid}
    if title is not None:
        data["tender"] = {"title": title}
    if refs:
        data["relatedProcesses"] = list(refs)
    if contract_refs:
        data["contracts"] = [{"relatedProcesses": list(contract_refs)}]
    return data


def ref(identifier, title=None, scheme="ocid"):
    out = {"scheme": scheme, "identifier": identifier}
    if title is not None:
        out["title"] = title
    return out


def counts(row):
    if row["result"] is None:
        return None
    m = row["meta"]
    return (m["total_processed"], m["total_passed"], m["total_failed"])


def test_not_applicable(ctx):
    rows, _ = run(ctx, [item("a", ref("b", scheme="other"), ref(None), {"scheme": "ocid"}), item("b")])
    for name in (IDENT, TITLE):
        assert rows[name]["result"] is None
        assert rows[name]["meta"]["reason"] == "no pair of related processes sets necessary fields"


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        # target before and after the reference
        ([item("a", ref("b")), item("b")], (1, 1, 0)),
        ([item("b"), item("a", ref("b"))], (1, 1, 0)),
        # self-reference passes
        ([item("a", ref("a"))], (1, 1, 0)),
        # target never appears: fails
        ([item("a", ref("x"))], (1, 0, 1)),
        # raw equality: the number 5 is not the ocid "5"; a falsy ocid is no target
        ([item("5"), item("a", ref(5))], (1, 0, 1)),
        ([item(""), item("a", ref(""))], (1, 0, 1)),
        # unresolved references of one (referencing ocid, target) pair count once
        ([item("a", ref("x"), ref("x")), item("a", ref("x"))], (1, 0, 1)),
        ([item("a", ref("x")), item("b", ref("x"))], (2, 0, 2)),
        # resolved while two of one pair wait (Pelican raises): each counts
        ([item("a", ref("x"), ref("x")), item("x")], (2, 2, 0)),
        # resolved at once when the target was already seen: each counts
        ([item("x"), item("a", ref("x"), ref("x"))], (2, 2, 0)),
        # contracts' related processes count too
        ([item("a", contract_refs=[ref("b")]), item("b")], (1, 1, 0)),
        # an object identifier never matches
        ([item("a", ref({"id": "a"}))], (1, 0, 1)),
    ],
)
def test_identifier(ctx, items, expected):
    rows, _ = run(ctx, items)
    assert counts(rows[IDENT]) == expected
    processed, passed, _ = expected
    assert rows[IDENT]["value"] == round(100 * passed / processed)
    assert rows[IDENT]["result"] is (passed == processed)
    assert rows[IDENT]["meta"]["version"] == 2.0


def test_identifier_examples(ctx):
    rows, _ = run(ctx, [item("a", ref("b"), ref("x")), item("b")])
    meta = rows[IDENT]["meta"]
    assert meta["passed_examples"] == [
        {"item_id": 1, "ocid": "a", "related_path": "relatedProcesses[0]", "related_ocid": "b"}
    ]
    assert meta["failed_examples"] == [
        {"item_id": 1, "ocid": "a", "related_path": "relatedProcesses[1]", "related_ocid": "x"}
    ]
    assert rows[IDENT]["value"] == 50


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([item("a", ref("b", "Road")), item("b", title="Road")], (1, 1, 0)),
        ([item("b", title="Road"), item("a", ref("b", "Road"))], (1, 1, 0)),
        ([item("b", title="Road"), item("a", ref("b", "road"))], (1, 0, 1)),  # no normalisation
        ([item("a", ref("b", "Road")), item("b", title="road")], (1, 0, 1)),
        ([item("a", ref("a", "Self"), title="Self")], (1, 1, 0)),
        # references without a title, or whose target never appears, are not counted
        ([item("a", ref("b")), item("b", title="Road")], None),
        ([item("a", ref("x", "Road"))], None),
        # a target without a truthy title is no target: the reference waits for one
        ([item("b"), item("a", ref("b", "Road")), item("b", title="Road")], (1, 1, 0)),
        ([item("a", ref("b", "Road")), item("b", title="")], None),
        # the last title seen before evaluation is used
        ([item("b", title="Old"), item("b", title="Road"), item("a", ref("b", "Road"))], (1, 1, 0)),
        # Python equality of decoded values
        ([item("b", title=1), item("a", ref("b", 1.0))], (1, 1, 0)),
        ([item("b", title=["x"]), item("a", ref("b", ["x"]))], (1, 1, 0)),
        ([item("b", title="1"), item("a", ref("b", 1))], (1, 0, 1)),
    ],
)
def test_title(ctx, items, expected):
    rows, _ = run(ctx, items)
    assert counts(rows[TITLE]) == expected
    if expected is not None:
        assert rows[TITLE]["meta"]["version"] == 1.0


def test_title_examples(ctx):
    rows, _ = run(
        ctx,
        [
            item("b", title="Road"),
            item("a", ref("b", "Bridge")),
            item("c", ref("d", "Street")),
            item("d", title="St"),
        ],
    )
    failed = sorted(rows[TITLE]["meta"]["failed_examples"], key=lambda e: e["item_id"])
    assert failed == [
        {
            "item_id": 2,
            "ocid": "a",
            "related_path": "relatedProcesses[0]",
            "related_ocid": "b",
            "related_title": "Bridge",
            "original_title": "Road",
        },
        {
            "item_id": 3,
            "ocid": "c",
            "related_path": "relatedProcesses[0]",
            "related_ocid": "d",
            "related_title": "Street",
            "original_title": "St",
        },
    ]
    assert rows[TITLE]["value"] == 0


def test_examples_capped_at_100(ctx):
    rows, _ = run(ctx, [item(f"o{i}", ref("x"), ref(f"o{i}")) for i in range(150)])
    meta = rows[IDENT]["meta"]
    assert (meta["total_passed"], meta["total_failed"]) == (150, 150)
    assert len(meta["passed_examples"]) == len(meta["failed_examples"]) == 100


def test_results_can_be_asked_twice_and_items_added_between(ctx):
    from pelican_dagster.checks.dataset import DatasetChecker, extract_facts

    checker = DatasetChecker(ctx)
    checker.add(1, extract_facts(item("a", ref("x"))))
    first = {r["check_name"]: r for r in checker.results()}
    again = {r["check_name"]: r for r in checker.results()}
    assert counts(first[IDENT]) == counts(again[IDENT]) == (1, 0, 1)
    checker.add(2, extract_facts(item("x")))
    assert counts({r["check_name"]: r for r in checker.results()}[IDENT]) == (1, 1, 0)
