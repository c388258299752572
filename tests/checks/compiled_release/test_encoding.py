"""The compact storage form of one item's outcomes (``compiled_release/encoding.py``)."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.compiled_release import CHECK_NAMES
from pelican_dagster.checks.compiled_release.encoding import decode, encode
from pelican_dagster.checks.compiled_release.result import multiple, not_applicable, single


def outcomes(*results):
    """Results for all 37 checks: the given ones first, N/A for the rest."""
    out = {name: not_applicable("n/a") for name in CHECK_NAMES}
    out.update(zip(CHECK_NAMES, results, strict=False))
    return out


def counts(results):
    return {n: {k: r[k] for k in ("result", "application_count", "pass_count")} for n, r in results.items()}


@pytest.mark.parametrize(
    "results",
    [
        outcomes(),
        outcomes(single(True)),
        outcomes(single(False, {"x": 1})),
        outcomes(multiple(3, 3, [], ""), multiple(3, 2, ["p"], ""), multiple(1, 1, [], "")),
        outcomes(multiple(300, 0, ["p"] * 300, ""), multiple(2**40, 2**40 - 1, ["p"], "")),
        outcomes(*[multiple(129, 128, ["p"], "") for _ in CHECK_NAMES]),
        outcomes(*[single(True) for _ in CHECK_NAMES]),
    ],
)
def test_round_trip(results):
    data = encode(results)
    assert decode(data) == counts(results)


def test_size():
    assert len(encode(outcomes())) == 11
    assert len(encode(outcomes(*[single(True) for _ in CHECK_NAMES]))) == 11
    assert len(encode(outcomes(single(False), multiple(5, 5, [], "")))) == 14


@pytest.mark.parametrize("data", [b"", b"\x02" + bytes(10), bytes([1]) + bytes(10) + b"\x00"])
def test_rejects_foreign_bytes(data):
    with pytest.raises(ValueError):
        decode(data)


def test_missing_check_is_an_error():
    with pytest.raises(KeyError):
        encode({})


def test_negative_count_is_an_error():
    with pytest.raises(ValueError):
        encode(outcomes(multiple(-3, -4, ["p"], "")))
