"""A real HTTP server on 127.0.0.1 (a free port) serving register files, for the codelist tests."""

from __future__ import annotations

import http.server
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

#: A register as OCP's sheet exports it (more columns than the check reads), with the two prefixes of
#: Pelican's own unit test and the sample data's.
FULL_REGISTER = (
    b"OCID,Publisher,Country,Contact\r\n"
    b"ocds-213czf,Open Contracting Partnership (examples),,\r\n"
    b"ocds-a2ef3d,Example publisher,,\r\n"
    b"ocds-03ad3f,DNCP,Paraguay,\r\n"
    b"ocds-b5fd17,Example,,\r\n"
)
ORG_ID = b"code,name\nGB-COH,Companies House\nXX-TEST,Test list\n"


@dataclass
class RegisterServer:
    """Serves ``files`` (path → bytes); unknown paths get 404. ``hits`` counts requests per path;
    ``delay`` seconds of silence before answering simulates a stalled source."""

    files: dict[str, bytes] = field(default_factory=dict)
    hits: Counter = field(default_factory=Counter)
    delay: float = 0.0
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def register_server(files: dict[str, bytes]) -> Iterator[RegisterServer]:
    """Run a :class:`RegisterServer` in a thread for the duration of the block."""
    state = RegisterServer(dict(files))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            state.hits[self.path] += 1
            if state.delay:
                time.sleep(state.delay)
            body = state.files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            self.wfile.write(body if body is not None else b"not found")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
