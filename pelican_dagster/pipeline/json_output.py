"""JSON output of any value the checks accept: numbers beyond a double (``1e400``), integers of thousands
of digits, nesting deeper than Python's recursion limit, lone surrogates.

orjson writes almost everything, fast; what it refuses (integers beyond 64 bits, nesting beyond 255
levels, strings with lone surrogates) goes through ``dumps_any``, an iterative encoder with no depth
limit. Values read back from the database are written from jsonb's own text (``orjson.Fragment``), so
they are exactly what was stored.
"""

from __future__ import annotations

import decimal
import json
import math
from typing import Any

import orjson

__all__ = ["dumps", "dumps_any", "fragment"]


def fragment(text: str | bytes | None) -> orjson.Fragment | None:
    """Already-serialised JSON (e.g. ``column::text``), embedded as it is."""
    return None if text is None else orjson.Fragment(text)


def _number(value: int | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        # str() refuses integers of more than 4,300 digits; Decimal has no such limit.
        return str(decimal.Decimal(value))
    if math.isnan(value):
        return "null"
    if math.isinf(value):
        # jsonb's text for a number beyond a double: it reads back as the same infinity.
        return "1e400" if value > 0 else "-1e400"
    return orjson.dumps(value).decode()


def _string(value: str) -> str:
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)  # lone surrogates, escaped as \\udxxx


def dumps_any(value: Any) -> bytes:
    """JSON of ``value`` (dicts, lists, tuples, strings, numbers, booleans, None, orjson fragments),
    without recursion, so any depth is written."""
    out: list[str] = []
    # A stack of iterators over containers still being written; markers close them.
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Close):  # a closing bracket, or a separator and key
            out.append(item.text)
        elif item is None:
            out.append("null")
        elif isinstance(item, str):
            out.append(_string(item))
        elif isinstance(item, int | float):
            out.append(_number(item))
        elif isinstance(item, orjson.Fragment):
            out.append(orjson.dumps(item).decode())
        elif isinstance(item, dict):
            stack.append(_Close("}"))
            pairs = list(item.items())
            for i in range(len(pairs) - 1, -1, -1):
                key, child = pairs[i]
                stack.append(child)
                stack.append(_Key(("," if i else "") + _string(str(key)) + ":"))
            out.append("{")
        elif isinstance(item, list | tuple):
            stack.append(_Close("]"))
            for i in range(len(item) - 1, -1, -1):
                stack.append(item[i])
                if i:
                    stack.append(_Key(","))
            out.append("[")
        else:
            out.append(orjson.dumps(item).decode())
    return "".join(out).encode()


class _Close:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _Key(_Close):
    __slots__ = ()


def dumps(value: Any) -> bytes:
    """orjson's output when it can write ``value`` exactly, else ``dumps_any``'s."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except (orjson.JSONEncodeError, RecursionError):
        return dumps_any(value)
