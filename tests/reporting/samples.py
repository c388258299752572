"""Report data for the presentation tests: the reference folders, plus synthetic results for the shapes
the reference folders never hold (value bands, buyers, related processes) and hostile strings."""

from __future__ import annotations

import copy
from functools import cache

from pelican_dagster.reporting.model import ReportData
from tests.conformance.compare import FOLDERS, HERE

#: A string that would run script, break a Markdown table or a code block, if not escaped.
EVIL = (
    '<script>alert("x")</script> | `code` ``` \n# heading [link](javascript:alert(1)) & '
    "<img src=x onerror=alert(1)>"
)


@cache
def _load(folder: str) -> ReportData:
    return ReportData.from_export_dir(HERE / folder)


def load(folder: str) -> ReportData:
    """A reference folder's report data, shared between tests: read it, never change it."""
    return _load(folder)


def load_copy(folder: str) -> ReportData:
    """A fresh copy of a reference folder's report data (the test may change it)."""
    return copy.deepcopy(_load(folder))


def _ex(n: int) -> dict:
    return {"item_id": n, "ocid": f"ocds-x-{n}"}


#: Dataset-level rows in every meta shape of docs/report-shapes.md §3 that the reference folders lack.
RICH_ROWS = [
    {
        "check_name": "distribution.tender_value",
        "result": False,
        "value": 0,
        "meta": {
            "shares": {"0_1": 0.62, "1_5": 0.2, "5_20": 0.1, "20_50": 0.05, "50_100": 0.03},
            "sums": {"0_1": 6200000, "1_5": 2000000, "5_20": 1000000, "20_50": 500000, "50_100": 300000},
            "counts": {"0_1": 1, "1_5": 4, "5_20": 15, "20_50": 30, "50_100": 50},
            "examples": {
                "0_1": [
                    {
                        "path": "tender.value",
                        "value": {"amount": 6200000, "currency": "USD"},
                        "abs_amount": 6200000,
                        **_ex(57),
                    }
                ],
                "1_5": [],
                "5_20": [],
                "20_50": [],
                "50_100": [],
            },
            "sum": 10000000,
            "version": 1.0,
        },
    },
    {
        "check_name": "distribution.buyer",
        "result": True,
        "value": 100,
        "meta": {
            "counts": {
                "1": {"total_ocid_count": 300, "total_unique_count": 300},
                "2_20": {"total_ocid_count": 500, "total_unique_count": 60},
                "21_50": {"total_ocid_count": 200, "total_unique_count": 6},
                "51_100": {"total_ocid_count": 0, "total_unique_count": 0},
                "100+": {"total_ocid_count": 0, "total_unique_count": 0},
            },
            "total_ocid_count": 1000,
            "total_unique_count": 366,
            "examples": [_ex(3)],
            "version": 2.0,
        },
    },
    {
        "check_name": "distribution.buyer_repetition",
        "result": True,
        "value": 100,
        "meta": {
            "total_ocid_count": 1000,
            "ocid_count": 120,
            "ocid_share": 0.12,
            "examples": [_ex(8)],
            "specifics": {"buyer.id": "MX-SHCP"},
            "version": 2.0,
        },
    },
    {
        "check_name": "reference.related_process_identifier",
        "result": False,
        "value": 50,
        "meta": {
            "total_processed": 2,
            "total_passed": 1,
            "total_failed": 1,
            "passed_examples": [
                {**_ex(7), "related_path": "relatedProcesses[0]", "related_ocid": "ocds-x-1"},
            ],
            "failed_examples": [
                {**_ex(8), "related_path": "contracts[0].relatedProcesses[1]", "related_ocid": "ocds-x-2"},
            ],
            "version": 2.0,
        },
    },
    {
        "check_name": "consistent.related_process_title",
        "result": False,
        "value": 50,
        "meta": {
            "total_processed": 2,
            "total_passed": 1,
            "total_failed": 1,
            "passed_examples": [],
            "failed_examples": [
                {
                    **_ex(8),
                    "related_path": "relatedProcesses[1]",
                    "related_ocid": "ocds-x-2",
                    "related_title": "Bridge",
                    "original_title": "Bridge repair",
                }
            ],
            "version": 1.0,
        },
    },
    {
        "check_name": "distribution.milestone_type",
        "result": None,
        "value": None,
        "meta": {"reason": "fewer than 1000 occurrences of necessary fields", "version": 2.0},
    },
]

#: A full Kingfisher and collection metadata block (docs/report-shapes.md §7).
FULL_META = {
    "kingfisher_metadata": {
        "collection_id": 1234,
        "processing_start": "2026-11-01 04.05.06",
        "processing_end": "2026-11-01 07.08.09",
    },
    "collection_metadata": {
        "publisher": "Example Procurement Agency",
        "ocid_prefix": "ocds-213czf",
        "data_license": "https://creativecommons.org/licenses/by/4.0/",
        "publication_policy": "javascript:alert(1)",
        "extensions": [
            {"name": {"en": "Lots"}, "description": {"en": "…"}, "repositoryUrl": "https://e.org/x.json"}
        ],
        "published_from": "2015-01-02 00.00.00",
        "published_to": "2026-10-31 12.00.00",
    },
}


def rich() -> ReportData:
    """A reference dataset with every dataset-level meta shape and full metadata."""
    data = load_copy("mexico-cdmx.time-based")
    data.dataset_level = data.dataset_level + copy.deepcopy(RICH_ROWS)
    data.meta = {**data.meta, **copy.deepcopy(FULL_META)}
    return data


def hostile() -> ReportData:
    """A dataset whose every string a publisher controls is :data:`EVIL`."""
    data = rich()
    data.name = EVIL
    data.ancestor = EVIL
    data.meta["collection_metadata"]["publisher"] = EVIL
    data.meta["collection_metadata"]["data_license"] = EVIL
    data.meta["kingfisher_metadata"]["processing_start"] = EVIL
    first_path = next(iter(data.field_report))
    data.field_report[EVIL] = copy.deepcopy(data.field_report[first_path])
    data.field_report[EVIL]["coverage"].update(passed_count=0, failed_count=5, total_count=5)
    data.field_examples[EVIL] = {
        "coverage": {
            "failed_examples": [
                {
                    "meta": {"ocid": EVIL, "item_id": 1},
                    "path": EVIL,
                    "result": {"name": "exists", "result": False, "value": EVIL, "reason": EVIL},
                }
            ]
        }
    }
    data.resource_report[EVIL] = {"name": EVIL, "passed_count": 0, "failed_count": 3, "undefined_count": 0}
    data.resource_examples[EVIL] = {
        "failed_examples": [
            {
                "meta": {"ocid": EVIL, "item_id": 1},
                "result": {"result": False, "meta": {"failed_paths": [EVIL]}},
            }
        ],
        "undefined_examples": [
            {"meta": {"ocid": EVIL}, "result": {"result": None, "meta": {"reason": EVIL}}}
        ],
    }
    data.dataset_level.append(
        {
            "check_name": EVIL,
            "result": True,
            "value": 100,
            "meta": {"shares": {EVIL: {"share": 1.0, "count": 1, "examples": []}}},
        }
    )
    data.dataset_level.append({"check_name": "x", "result": None, "value": None, "meta": {"reason": EVIL}})
    data.dataset_level.append(
        {
            "check_name": "misc.url_availability",
            "result": False,
            "value": 0,
            "meta": {
                "total_processed": 1,
                "total_passed": 0,
                "total_failed": 1,
                "failed_examples": [{"value": "javascript:alert(1)", "ocid": EVIL, "status": EVIL}],
            },
        }
    )
    data.time_based[0]["meta"]["examples"] = [{"ocid": EVIL, "new_item_ocid": EVIL}]
    return data


def big() -> ReportData:
    """A report the size of a 10,000-item dataset: all 559 paths occur with large counts."""
    data = load_copy("armenia")
    for i, entry in enumerate(data.field_report.values()):
        total = 10_000 + 37 * i
        passed = total - (i * 7919) % total
        entry["coverage"].update(passed_count=passed, failed_count=total - passed, total_count=total)
        entry["quality"].update(
            passed_count=passed // 2, failed_count=passed - passed // 2, total_count=passed
        )
    data.size = 10_000
    return data


__all__ = ["EVIL", "FOLDERS", "RICH_ROWS", "big", "hostile", "load", "load_copy", "rich"]
