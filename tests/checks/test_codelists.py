"""Shipped codelists and the offline-safe refresh (docs/checks.md §0.7)."""

from __future__ import annotations

import hashlib
import time

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


def test_refresh_falls_back_to_the_shipped_copy_fast():
    start = time.monotonic()
    # Port 9 on localhost: nothing listens, the connection is refused at once.
    codes = codelists.refresh_remote("org-id", "http://127.0.0.1:9/download.csv", timeout=2)
    prefixes = codelists.refresh_remote("ocid_prefixes", "http://unreachable.invalid/x.csv", timeout=2)
    assert time.monotonic() - start < 5
    assert set(codes) == codelists.load_org_id_codes()
    assert prefixes == codelists.load_ocid_prefixes()


def test_refresh_uses_a_download_and_caches_it(tmp_path, monkeypatch):
    source = tmp_path / "remote.csv"
    source.write_text("code\nZZ-NEW\n")
    url = source.as_uri()
    monkeypatch.setattr(codelists, "_remote_cache", {})
    assert codelists.refresh_remote("org-id", url) == ("ZZ-NEW",)
    source.write_text("code\nZZ-NEWER\n")
    assert codelists.refresh_remote("org-id", url) == ("ZZ-NEW",)  # cached for a day
    # A file without the expected column is not trusted.
    monkeypatch.setattr(codelists, "_remote_cache", {})
    source.write_text("other\nvalue\n")
    assert set(codelists.refresh_remote("org-id", url)) == codelists.load_org_id_codes()
