"""The 10 quality checks (docs/checks.md §1.4): pass, fail and odd input, table-driven."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from pelican_dagster.checks.field.quality import (
    date_time,
    document_description_length,
    document_format_codelist,
    document_type,
    email,
    identifier_scheme,
    language,
    number_checks,
    ocid_prefix_check,
    telephone,
)

HUGE = "x" * 100_000


def outcome(module, value, ctx, extra=None):
    passed, stored, reason = module.check(value, ctx, extra)
    assert (stored, reason) == (None, None) if passed else reason
    return passed, stored, reason


@pytest.mark.parametrize(
    ("value", "passed", "reason"),
    [
        ("ocds-b5fd17-000-00001", True, None),
        ("ocds-b5fd17", True, None),
        ("OCDS-213czf-1", False, "ocid prefix not in codelist"),
        ("xocds-b5fd17-1", False, "ocid prefix not in codelist"),
        ("ocds-a1234567-1", False, "ocid prefix not in codelist"),
        ("", False, "ocid prefix not in codelist"),
        (HUGE, False, "ocid prefix not in codelist"),
        (1, False, "not a str"),
        (True, False, "not a str"),
        ({"a": 1}, False, "not a str"),
        (["ocds-b5fd17-1"], False, "not a str"),
    ],
)
def test_ocid_prefix_check(ctx, value, passed, reason):
    assert "ocds-b5fd17" in ctx.ocid_prefixes
    got = outcome(ocid_prefix_check, value, ctx)
    assert got == ((True, None, None) if passed else (False, value, reason))


@pytest.mark.parametrize(
    ("value", "past", "passed", "reason"),
    [
        ("2001-02-03T04:05:06Z", False, True, None),
        ("2001-02-03xxx", False, True, None),
        ("2001", False, True, None),
        ("2001-02", False, True, None),
        ("2020-W01", False, True, None),  # ISO week date (2019-12-30)
        ("2020-W01-3", False, True, None),
        ("20200101", False, True, None),
        ("1990-1-1", False, True, None),  # unpadded date alone is rescued
        ("2020-12-1", False, True, None),
        ("1990-01-01", False, True, None),
        ("1989-12-31", False, False, "not in 1990-01-01/2049-12-31"),
        ("2049-12-31T23:59:59-05:00", False, True, None),
        ("2050-01-01", False, False, "not in 1990-01-01/2049-12-31"),
        ("2026-12-01", False, True, None),
        ("2026-11-30T23:00:00Z", True, True, None),
        ("2026-12-01", True, False, "not in 1990-01-01/2026-11-30"),
        ("2030-01-01", True, False, "not in 1990-01-01/2026-11-30"),
        ("1989-12-31", True, False, "not in 1990-01-01/2026-11-30"),
        ("2020-1-1T00:00:00Z", False, False, "can't convert to date"),
        ("2020-13-01", False, False, "can't convert to date"),
        ("2000-02-30", False, False, "can't convert to date"),
        ("10000-01-01", False, False, "can't convert to date"),
        ("not a date", False, False, "can't convert to date"),
        (HUGE, False, False, "can't convert to date"),
        (20200101, False, False, "can't convert to date"),
        (2020.5, True, False, "can't convert to date"),
        (True, False, False, "can't convert to date"),
        ({"date": "2020-01-01"}, False, False, "can't convert to date"),
        (["2020-01-01"], True, False, "can't convert to date"),
    ],
)
def test_date_time(ctx, value, past, passed, reason):
    got = outcome(date_time, value, ctx, past)
    assert got == ((True, None, None) if passed else (False, value, reason))


def test_date_time_past_bound_follows_now(ctx):
    # 2026-11-29T09:59Z is still 2026-11-29 in UTC+14; one minute later it is 2026-11-30.
    early = dataclasses.replace(ctx, now=dt.datetime(2026, 11, 29, 9, 59, tzinfo=dt.UTC))
    late = dataclasses.replace(ctx, now=dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC))
    assert date_time.check("2026-11-30", early, True) == (False, "2026-11-30", "not in 1990-01-01/2026-11-29")
    assert date_time.check("2026-11-30", late, True)[0]


@pytest.mark.parametrize(
    ("value", "passed", "reason"),
    [
        ("a@b.com", True, None),
        ("a@b", True, None),  # no dot needed in the domain
        ("a@b.com ", True, None),  # folding white space after the domain
        ("first.last+tag@sub.example.org", True, None),
        ('"a b"@c.com', True, None),
        ("a@[1.2.3.4]", True, None),
        ("ñandú@b.com", True, None),  # atext includes Unicode word characters
        ("a..b@c.com", False, "incorrect format"),
        ("a b@c.com", False, "incorrect format"),
        ("a@", False, "incorrect format"),
        ("@b.com", False, "incorrect format"),
        ("a@b@c.com", False, "incorrect format"),
        ("a@b.com; c@d.com", False, "incorrect format"),
        (HUGE, False, "incorrect format"),
        (1, False, "not a str"),
        (False, False, "not a str"),
        ({"email": "a@b.com"}, False, "not a str"),
        (["a@b.com"], False, "not a str"),
    ],
)
def test_email(ctx, value, passed, reason):
    got = outcome(email, value, ctx)
    assert got == ((True, None, None) if passed else (False, value, reason))


@pytest.mark.parametrize(
    ("value", "passed", "reason"),
    [
        ("+1 202 555 0100", True, None),
        ("+52 55 1234 5678", True, None),
        ("+44 20", False, "incorrect format"),
        ("12345", False, "incorrect format: (0) Missing or invalid default region."),
        ("(55) 1234 5678", False, "incorrect format: (0) Missing or invalid default region."),
        ("+abc", False, "incorrect format: (1) The string supplied did not seem to be a phone number."),
        ("+999 1234567", False, "incorrect format: (0) Could not interpret numbers after plus-sign."),
        ("+1" + "2" * 300, False, "incorrect format: (4) The string supplied was too long to parse."),
        (5551234, False, "not a str"),
        (True, False, "not a str"),
        ({"number": "+1 202 555 0100"}, False, "not a str"),
        (["+1 202 555 0100"], False, "not a str"),
    ],
)
def test_telephone(ctx, value, passed, reason):
    got = outcome(telephone, value, ctx)
    assert got == ((True, None, None) if passed else (False, value, reason))


@pytest.mark.parametrize(
    ("value", "passed"),
    [
        ("GB-COH", True),
        ("XI-LEI", True),
        ("gb-coh", False),  # case-sensitive
        ("GB-COH ", False),
        ("", False),
        (HUGE, False),
        (1, False),
        (None, False),
        (True, False),
        ({"scheme": "GB-COH"}, False),  # unhashable: must not raise
        (["GB-COH"], False),
    ],
)
def test_identifier_scheme(ctx, value, passed):
    assert "GB-COH" in ctx.org_id_codes
    got = outcome(identifier_scheme, value, ctx)
    assert got == ((True, None, None) if passed else (False, value, "not in codelist"))


@pytest.mark.parametrize(
    ("value", "section", "passed"),
    [
        ("tenderNotice", "tender", True),
        ("tenderNotice", "award", False),
        ("contractDraft", "award", True),
        ("contractSigned", "tender", False),
        ("completionCertificate", "implementation", True),
        ("completionCertificate", "contract", False),
        ("environmentalImpact", "planning", True),
        ("bidders", "tender", True),
        ("submissionDocuments", "tender", False),
        ("somethingElse", "tender", True),  # open codelist: unknown codes pass
        ("TENDERNOTICE", "award", True),  # exact match only
        (HUGE, "tender", True),
        (1, "tender", True),
        (True, "contract", True),
        ({"code": "tenderNotice"}, "award", True),  # Pelican raises; treated as not in the codelist
        (["tenderNotice"], "award", True),
    ],
)
def test_document_type(ctx, value, section, passed):
    got = outcome(document_type, value, ctx, section)
    assert got == ((True, None, None) if passed else (False, value, f"not expected in {section} section"))


@pytest.mark.parametrize(
    ("value", "passed"),
    [
        ("application/pdf", True),
        ("offline/print", True),
        ("text/html", True),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", True),
        ("APPLICATION/PDF", False),
        ("pdf", False),
        ("application/pdf ", False),
        (HUGE, False),
        (1, False),
        ({"format": "application/pdf"}, False),
        (["application/pdf"], False),
    ],
)
def test_document_format_codelist(ctx, value, passed):
    got = outcome(document_format_codelist, value, ctx)
    assert got == ((True, None, None) if passed else (False, value, "not in codelist"))


@pytest.mark.parametrize(
    ("value", "passed", "stored", "reason"),
    [
        ("short", True, None, None),
        ("x" * 250, True, None, None),
        ("é" * 250, True, None, None),  # code points, not bytes
        ("x" * 251, False, 251, "length greater than 250"),
        (HUGE, False, 100_000, "length greater than 250"),
        (1, False, 1, "not a str"),
        (True, False, True, "not a str"),
        ({"a": "b"}, False, {"a": "b"}, "not a str"),
        (["x" * 300], False, ["x" * 300], "not a str"),
    ],
)
def test_document_description_length(ctx, value, passed, stored, reason):
    assert outcome(document_description_length, value, ctx) == (passed, stored, reason)


@pytest.mark.parametrize(
    ("value", "passed", "reason"),
    [
        (0, True, None),
        (5, True, None),
        (2.5, True, None),
        (True, True, None),
        (False, True, None),
        ("5", True, None),
        (" 5 ", True, None),
        ("1_000", True, None),
        ("1e3", True, None),
        ("-0", True, None),
        (-1, False, "less than 0"),
        (-0.5, False, "less than 0"),
        ("-3", False, "less than 0"),
        ("-inf", False, "not a finite number"),
        ("nan", False, "not a finite number"),
        ("inf", False, "not a finite number"),
        ("Infinity", False, "not a finite number"),
        ("abc", False, "can't convert to float"),
        ("1,000", False, "can't convert to float"),
        (HUGE, False, "can't convert to float"),
        (10**400, False, "can't convert to float"),  # too large for a double
        ({"amount": 1}, False, "can't convert to float"),  # Pelican raises (§0.9)
        ([1], False, "can't convert to float"),
    ],
)
def test_number_checks(ctx, value, passed, reason):
    got = outcome(number_checks, value, ctx)
    assert got == ((True, None, None) if passed else (False, value, reason))


@pytest.mark.parametrize(
    ("value", "passed"),
    [
        ("en", True),
        ("es", True),
        ("zu", True),
        ("EN", False),
        ("eng", False),
        ("en-GB", False),
        ("", False),
        (HUGE, False),
        (1, False),
        ({"lang": "en"}, False),
        (["en"], False),
    ],
)
def test_language(ctx, value, passed):
    got = outcome(language, value, ctx)
    assert got == ((True, None, None) if passed else (False, value, "not in codelist"))


def test_versions():
    assert date_time.VERSION == 2.0
    others = [
        ocid_prefix_check,
        email,
        telephone,
        identifier_scheme,
        document_type,
        document_format_codelist,
        document_description_length,
        number_checks,
        language,
    ]
    assert {m.VERSION for m in others} == {1.0}
