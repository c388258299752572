"""``misc.url_availability`` (docs/checks.md §3.7): do 100 sampled document URLs answer?

The URLs of ``facts[URLS]`` feed one Reservoir(100); at the end each sampled URL is fetched with HTTP GET
(redirects followed, body not downloaded), at most :data:`CONCURRENCY` at a time, within
``ctx.url_timeout`` per request and ``ctx.url_total_timeout`` for the whole check: URLs not finished by
then count as ``"ERROR"``. With ``ctx.url_check_offline`` no request is made and every URL is
``"ERROR"`` (the reference results were made that way). The fetcher is a parameter so that tests can
point it at a local server.

Memory: the 100 sampled URLs.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable
from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import (
    FEWER_100,
    NO_ITEMS,
    Lookup,
    add_counted,
    counted,
    not_applicable,
    row,
)
from pelican_dagster.checks.dataset.facts import URLS
from pelican_dagster.checks.sampling import rng_for

__all__ = ["CONCURRENCY", "Fetcher", "UrlAvailability", "fetch_status"]

NAME = "misc.url_availability"
VERSION = 1.0
SAMPLE = 100
CONCURRENCY = 10
USER_AGENT = "pelican-dagster (OCDS data quality; +https://github.com/open-contracting/pelican-backend)"

#: ``fetcher(url, timeout) -> "OK" | <HTTP status int> | "ERROR"``
Fetcher = Callable[[str, float], Any]


def fetch_status(url: str, timeout: float) -> Any:
    """GET ``url`` (redirects followed, body not read): ``"OK"`` for 200–399, else the status, or ``"ERROR"``.

    A connection error is retried once; any other request error (timeout, invalid URL, too many
    redirects) gives ``"ERROR"``.
    """
    import requests

    for attempt in (1, 2):
        try:
            with requests.get(
                url, stream=True, allow_redirects=True, timeout=timeout, headers={"User-Agent": USER_AGENT}
            ) as response:
                status = response.status_code
            return "OK" if 200 <= status <= 399 else status
        except requests.ConnectionError:
            if attempt == 2:
                return "ERROR"
        except Exception:  # every request failure is an "ERROR" result, as in Pelican
            return "ERROR"
    return "ERROR"


class UrlAvailability:
    """``misc.url_availability``, from ``facts[URLS]``."""

    NAMES = (NAME,)
    VERSION = VERSION

    def __init__(self, ctx: CheckContext, fetcher: Fetcher | None = None) -> None:
        self._ctx = ctx
        self._fetcher = fetcher or fetch_status
        #: a counted sample (``_common``) of ``(url, item_id, ocid)``
        self.sample: list = counted()
        self.random = rng_for(ctx.seed, NAME).random

    def add_item(self, item_id: int, ocid: Any, facts: dict[str, Any]) -> None:
        """Offer the item's URLs to the sample."""
        urls = facts.get(URLS)
        if urls is None:
            return
        sample = self.sample
        n = sample[0]
        end = sample[0] = n + len(urls)
        if end > sample[2]:  # one of them is kept: offer them one by one
            sample[0] = n
            for url in urls:
                add_counted(sample, (url, item_id, ocid), SAMPLE, self.random)

    def results(self, lookup: Lookup | None = None) -> list[dict[str, Any]]:
        """Fetch the sample (unless offline) and build the stored row."""
        return [self._result()]

    def _result(self) -> dict[str, Any]:
        count, samples = self.sample[0], self.sample[1]
        if count == 0:
            return not_applicable(NAME, NO_ITEMS, VERSION)
        if count < SAMPLE:
            return not_applicable(NAME, FEWER_100, VERSION)
        statuses = self._statuses([url for url, _, _ in samples])
        passed_examples, failed_examples = [], []
        for (url, item_id, ocid), status in zip(samples, statuses, strict=True):
            example = {"value": url, "item_id": item_id, "ocid": ocid, "status": status}
            (passed_examples if status == "OK" else failed_examples).append(example)
        passed = len(passed_examples)
        meta = {
            "total_processed": SAMPLE,
            "total_passed": passed,
            "total_failed": SAMPLE - passed,
            "passed_examples": passed_examples,
            "failed_examples": failed_examples,
        }
        return row(NAME, passed == SAMPLE, 100 * passed / SAMPLE, meta, VERSION)

    def _statuses(self, urls: list[str]) -> list[Any]:
        if self._ctx.url_check_offline:
            return ["ERROR"] * len(urls)
        statuses: list[Any] = ["ERROR"] * len(urls)
        deadline = time.monotonic() + self._ctx.url_total_timeout
        executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=CONCURRENCY, thread_name_prefix="url-check"
        )
        try:
            futures = {
                executor.submit(self._fetcher, url, self._ctx.url_timeout): i for i, url in enumerate(urls)
            }
            done, _ = concurrent.futures.wait(futures, timeout=max(0.0, deadline - time.monotonic()))
            for future in done:
                try:
                    statuses[futures[future]] = future.result()
                except Exception:  # a failing fetcher is a failed URL, not a failed check
                    statuses[futures[future]] = "ERROR"
        finally:
            # Unfinished URLs stay "ERROR"; do not wait for them (their own timeout ends them).
            executor.shutdown(wait=False, cancel_futures=True)
        return statuses
