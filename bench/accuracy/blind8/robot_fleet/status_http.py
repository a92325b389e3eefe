"""Legacy JSON status page for the floor dashboards, served from its own thread."""
from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve_status(state, port: int = 8081) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with state.lock:
                body = json.dumps({"poses": state.poses, "lost": sorted(state.lost)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
