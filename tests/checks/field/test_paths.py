"""The path table (docs/checks.md §1.1, Appendix A)."""

from __future__ import annotations

from collections import Counter

from pelican_dagster.checks.field.paths import PATHS, QUALITY_CHECKS, path_index


def test_559_paths_in_processing_order():
    assert len(PATHS) == 559
    assert [p.index for p in PATHS] == list(range(559))
    assert len(path_index()) == 559  # no duplicates
    assert PATHS[0].path == "ocid"
    assert PATHS[-1].path == "relatedProcesses.uri"


def test_quality_check_counts():
    counts = Counter(p.quality for p in PATHS if p.quality)
    assert sum(counts.values()) == 148
    assert counts == {
        "date_time": 58,
        "identifier_scheme": 16,
        "number_checks": 15,
        "telephone": 14,
        "language": 10,
        "document_type": 9,
        "document_description_length": 9,
        "document_format_codelist": 9,
        "email": 7,
        "ocid_prefix_check": 1,
    }
    assert set(counts) == set(QUALITY_CHECKS)
    assert sum(p.past for p in PATHS) == 36
    assert all(p.quality == "date_time" for p in PATHS if p.past)


def test_every_parent_path_is_listed():
    paths = path_index()
    for p in PATHS:
        if "." in p.path:
            assert p.path.rpartition(".")[0] in paths


def test_document_type_sections():
    sections = {p.path: p.section for p in PATHS if p.quality == "document_type"}
    assert sections == {
        "planning.documents.documentType": "planning",
        "planning.milestones.documents.documentType": "planning",
        "tender.documents.documentType": "tender",
        "tender.milestones.documents.documentType": "tender",
        "awards.documents.documentType": "award",
        "contracts.documents.documentType": "contract",
        "contracts.milestones.documents.documentType": "contract",
        "contracts.implementation.documents.documentType": "implementation",
        "contracts.implementation.milestones.documents.documentType": "implementation",
    }
    assert all(p.section is None for p in PATHS if p.quality != "document_type")


def test_past_date_variant_paths():
    past = {p.path.rsplit(".", 1)[-1] for p in PATHS if p.past}
    assert past == {"date", "dateMet", "dateModified", "datePublished", "dateSigned"}
    not_past = {p.path.rsplit(".", 1)[-1] for p in PATHS if p.quality == "date_time" and not p.past}
    assert not_past == {"startDate", "endDate", "maxExtentDate", "dueDate"}
