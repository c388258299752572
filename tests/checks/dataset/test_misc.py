"""misc.url_availability (§3.7), against a real HTTP server on 127.0.0.1 and offline."""

from __future__ import annotations

import http.server
import threading
import time

import pytest

from pelican_dagster.checks.dataset.misc import fetch_status
from tests.checks.dataset.conftest import run, with_ctx

NAME = "misc.url_availability"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/ok"):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x" * 100_000)
        elif self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "/ok")
            self.end_headers()
        elif self.path.startswith("/loop"):
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path.startswith("/slow"):
            time.sleep(1.5)
            self.send_response(200)
            self.end_headers()
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def documents(urls):
    return [{"ocid": f"o{i}", "tender": {"documents": [{"url": u}]}} for i, u in enumerate(urls)]


@pytest.mark.parametrize(
    ("urls", "reason"),
    [
        ([], "no compiled releases set necessary fields"),
        ([5, None], "no compiled releases set necessary fields"),
        (["http://x"] * 99, "fewer than 100 occurrences of necessary fields"),
    ],
)
def test_not_applicable(ctx, urls, reason):
    rows, _ = run(ctx, [{"ocid": "none"}, *documents(urls)])
    assert rows[NAME]["result"] is None and rows[NAME]["meta"]["reason"] == reason


def test_offline_every_url_fails(ctx):
    rows, _ = run(ctx, documents([f"https://example.org/{i}" for i in range(250)]))
    meta = rows[NAME]["meta"]
    assert (rows[NAME]["result"], rows[NAME]["value"]) == (False, 0)
    assert (meta["total_processed"], meta["total_passed"], meta["total_failed"]) == (100, 0, 100)
    assert len(meta["failed_examples"]) == 100 and meta["passed_examples"] == []
    assert {e["status"] for e in meta["failed_examples"]} == {"ERROR"}


@pytest.mark.parametrize(
    ("path", "status"),
    [("/ok", "OK"), ("/redirect", "OK"), ("/missing", 404), ("/loop", "ERROR")],
)
def test_fetch_status(server, path, status):
    assert fetch_status(server + path, 5) == status


def test_fetch_status_errors():
    assert fetch_status("not a url", 1) == "ERROR"
    assert fetch_status("http://127.0.0.1:9/closed-port", 1) == "ERROR"


def test_fetch_status_timeout(server):
    assert fetch_status(server + "/slow", 0.3) == "ERROR"


def test_online_check_against_local_server(ctx, server):
    urls = [f"{server}/ok/{i}" for i in range(90)] + [f"{server}/redirect/{i}" for i in range(5)]
    urls += [f"{server}/gone/{i}" for i in range(5)]
    rows, _ = run(with_ctx(ctx, url_check_offline=False, url_timeout=5), documents(urls))
    meta = rows[NAME]["meta"]
    assert (meta["total_passed"], meta["total_failed"]) == (95, 5)
    assert rows[NAME]["value"] == 95 and rows[NAME]["result"] is False
    assert {e["status"] for e in meta["failed_examples"]} == {404}
    assert all(e["value"].startswith(server) and e["ocid"].startswith("o") for e in meta["passed_examples"])


def test_all_ok_passes_with_an_injected_fetcher(ctx):
    seen = []

    def fetcher(url, timeout):
        seen.append((url, timeout))
        return "OK"

    rows, _ = run(
        with_ctx(ctx, url_check_offline=False, url_timeout=7), documents(["u"] * 300), fetcher=fetcher
    )
    assert (rows[NAME]["result"], rows[NAME]["value"]) == (True, 100)
    assert len(seen) == 100 and seen[0][1] == 7


def test_total_timeout_turns_unfinished_urls_into_errors(ctx, server):
    urls = [f"{server}/slow/{i}" for i in range(50)] + [f"{server}/ok/{i}" for i in range(50)]
    started = time.monotonic()
    rows, _ = run(
        with_ctx(ctx, url_check_offline=False, url_timeout=10, url_total_timeout=0.8), documents(urls)
    )
    assert time.monotonic() - started < 5
    meta = rows[NAME]["meta"]
    assert meta["total_failed"] >= 50  # every slow URL is still running at the deadline
    assert {e["status"] for e in meta["failed_examples"]} == {"ERROR"}


def test_a_raising_fetcher_counts_as_error(ctx):
    def fetcher(url, timeout):
        raise RuntimeError("boom")

    rows, _ = run(with_ctx(ctx, url_check_offline=False), documents(["u"] * 100), fetcher=fetcher)
    assert rows[NAME]["meta"]["total_failed"] == 100
