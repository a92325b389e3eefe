"""A tiny local stand-in for the shop's HTTP API, so the demo needs no network.

It is plain synchronous code running in its own thread, which is fine: only
code that runs *on the event loop* must not block.  Every answer takes 0.2s,
like a real server over a real network.
"""

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._reply({"access_token": "t0k3n"})

    def do_GET(self) -> None:
        self._reply({"orders": [{"id": 1, "total": 9.5}, {"id": 2, "total": 12.0}]})

    def _reply(self, payload: dict[str, object]) -> None:
        time.sleep(0.2)  # latency; this runs in the server's own thread
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve() -> Iterator[str]:
    """Run the fake shop on a free local port; yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
