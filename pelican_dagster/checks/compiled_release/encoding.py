"""A compact storage form of one item's 37 compiled-release-level outcomes (no ``meta``).

What the report needs per item and check is the result (true / false / null), ``application_count``
and ``pass_count``; the failure details (``meta``) are rebuilt by re-running the checks when an export
asks for Pelican-shaped results. Layout (format 1):

* byte 0: the format number;
* 2 bits per check in ``CHECK_NAMES`` order, packed little-end first into ``ceil(37 / 4)`` = 10 bytes:
  ``0`` null, ``1`` passed with one application (nothing more stored), ``2`` passed (then
  ``application_count`` follows; ``pass_count`` equals it), ``3`` failed (then ``application_count``
  and ``pass_count`` follow);
* the counts, as unsigned LEB128 varints, in check order.

A typical item takes 11 bytes plus one or two per multi-application or failed check (≈ 15–30 bytes).
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.compiled_release import CHECK_NAMES

__all__ = ["FORMAT", "decode", "encode"]

FORMAT = 1

_NAMES = CHECK_NAMES
_CODE_BYTES = (len(_NAMES) + 3) // 4
_NULL, _PASS_ONE, _PASS, _FAIL = 0, 1, 2, 3
_SHIFTS = tuple((index * 2, name) for index, name in enumerate(_NAMES))
_HEADER = bytes((FORMAT,))


def _varint(value: int, out: bytearray) -> None:
    if value < 0:
        raise ValueError(f"a count cannot be negative: {value}")
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def encode(results: dict[str, dict[str, Any]]) -> bytes:
    """The compact form of ``{check name: result}`` holding every name of ``CHECK_NAMES``."""
    codes = 0
    counts = bytearray()
    for shift, name in _SHIFTS:
        outcome = results[name]
        result = outcome["result"]
        if result is None:
            continue
        applications = outcome["application_count"]
        if result is True:
            if applications == 1:
                codes |= _PASS_ONE << shift
                continue
            codes |= _PASS << shift
        else:
            codes |= _FAIL << shift
        # Counts below 128 (nearly all) take one byte and no call.
        if 0 <= applications < 0x80:
            counts.append(applications)
        else:
            _varint(applications, counts)
        if result is not True:
            passes = outcome["pass_count"]
            if 0 <= passes < 0x80:
                counts.append(passes)
            else:
                _varint(passes, counts)
    return _HEADER + codes.to_bytes(_CODE_BYTES, "little") + counts


def decode(data: bytes) -> dict[str, dict[str, Any]]:
    """``{check name: {"result", "application_count", "pass_count"}}`` from :func:`encode`'s bytes."""
    if not data or data[0] != FORMAT:
        raise ValueError("not a compact compiled-release result of format 1")
    position = 1 + _CODE_BYTES
    out: dict[str, dict[str, Any]] = {}
    for index, name in enumerate(_NAMES):
        code = (data[1 + (index >> 2)] >> ((index & 3) << 1)) & 3
        if code == _NULL:
            out[name] = {"result": None, "application_count": None, "pass_count": None}
        elif code == _PASS_ONE:
            out[name] = {"result": True, "application_count": 1, "pass_count": 1}
        else:
            applications, position = _read_varint(data, position)
            if code == _PASS:
                out[name] = {"result": True, "application_count": applications, "pass_count": applications}
            else:
                passes, position = _read_varint(data, position)
                out[name] = {"result": False, "application_count": applications, "pass_count": passes}
    if position != len(data):
        raise ValueError("trailing bytes after a compact compiled-release result")
    return out


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7
