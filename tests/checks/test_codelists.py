"""Shipped codelists and the offline-safe refresh (docs/checks.md §0.7)."""

from __future__ import annotations

import hashlib

import pytest

from pelican_dagster.checks import codelists
from tests.conformance.compare import CODELISTS


def test_shipped_counts():
    assert len(codelists.media_types()) == 1905
    assert "offline/print" in codelists.media_types()
    assert "application/pdf" in codelists.media_types()
    assert len(codelists.languages()) == 184
    assert all(len(code) == 2 and code.islower() for code in codelists.languages())
    sections = codelists.document_type_sections()
    assert len(sections) == 41
    assert sections["contractDraft"] == {"tender", "award"}
    assert sections["illustration"] == {"tender", "bid", "contract", "implementation"}


def test_org_id_and_prefixes_default_to_the_shipped_copy_of_the_reference_lists():
    assert codelists.load_org_id_codes() == codelists.load_org_id_codes(str(CODELISTS / "org-id.csv"))
    assert len(codelists.load_org_id_codes()) == 823
    prefixes = codelists.load_ocid_prefixes()
    assert prefixes == codelists.load_ocid_prefixes(str(CODELISTS / "ocid_prefixes.csv"))
    assert all(p.startswith("ocds-") for p in prefixes)


def test_loaders_read_a_given_file(tmp_path):
    path = tmp_path / "prefixes.csv"
    path.write_text("OCID,Publisher\nocds-aaaaaa,A\n\nocds-bbbbbb,B\nocds-aaaaaa,A again\n")
    assert codelists.load_ocid_prefixes(str(path)) == ("ocds-aaaaaa", "ocds-bbbbbb")
    codes = tmp_path / "org-id.csv"
    codes.write_text("\ufeffcode,name\nXX-ONE,One\nXX-TWO,Two\n")
    assert codelists.load_org_id_codes(str(codes)) == {"XX-ONE", "XX-TWO"}
    versions = codelists.codelist_versions()
    assert versions["org-id.csv"] == hashlib.sha256(codes.read_bytes()).hexdigest()


def test_versions_record_loaded_files():
    codelists.media_types()
    codelists.languages()
    versions = codelists.codelist_versions()
    shipped = codelists.DATA_DIR / "mediaType.csv"
    assert versions["mediaType.csv"] == hashlib.sha256(shipped.read_bytes()).hexdigest()
    assert "language.csv" in versions


@pytest.mark.parametrize(
    ("name", "data", "codes"),
    [
        ("ocid_prefixes", b"OCID,Publisher\nocds-aaaaaa,A\n,empty\nocds-bbbbbb,B\nocds-aaaaaa,again\n", 2),
        ("org-id", "\ufeffcode,name\nXX-ONE,One\n".encode(), 1),
        ("mediaType", b"Code,Title\napplication/pdf,PDF\n", 1),
    ],
)
def test_parse_codes_reads_the_list_column(name, data, codes):
    assert len(codelists.parse_codes(name, data)) == codes


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>Sign in</body></html>", "no 'OCID' column"),
        (b"Prefix,Publisher\nocds-aaaaaa,A\n", "no 'OCID' column"),
        (b"OCID,Publisher\n", "no codes"),
        (b"", "no 'OCID' column"),
        (b"OCID\n\xff\xfe\n", "not UTF-8"),
    ],
)
def test_parse_codes_rejects_what_is_not_the_register(data, message):
    with pytest.raises(ValueError, match=message):
        codelists.parse_codes("ocid_prefixes", data)


def test_without_stored_versions_the_snapshot_serves_and_says_so():
    lists = codelists.build_codelists({})
    assert lists.ocid_prefixes == codelists.load_ocid_prefixes()
    assert lists.org_id_codes == codelists.load_org_id_codes()
    assert not lists.ocid_register_complete
    assert set(lists.versions) == set(codelists.NAMES)
    shipped = (codelists.DATA_DIR / "ocid_prefixes.csv").read_bytes()
    assert lists.provenance()["ocid_prefixes"] == {
        "sha256": hashlib.sha256(shipped).hexdigest(),
        "origin": "snapshot",
        "source": "pelican_dagster/data/codelists/ocid_prefixes.csv",
        "fetched_at": None,
        "entries": 12,
    }


def test_a_given_register_replaces_the_snapshot():
    data = b"OCID\nocds-213czf\nocds-a2ef3d\n"
    version = codelists.CodelistVersion("ocid_prefixes", codelists.sha256(data), "import", "/x.csv", 2)
    lists = codelists.build_codelists({"ocid_prefixes": (data, version)})
    assert lists.ocid_prefixes == ("ocds-213czf", "ocds-a2ef3d")
    assert lists.ocid_register_complete
    assert lists.versions["org-id"].snapshot_only
