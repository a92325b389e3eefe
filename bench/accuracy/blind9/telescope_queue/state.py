"""Shared state, also read by the status page thread (http.server)."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class ObservatoryState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    current_target: str | None = None
    exposures_done: int = 0
    frames: list[str] = field(default_factory=list)

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "target": self.current_target,
                "exposures": self.exposures_done,
                "last_frames": self.frames[-5:],
            }


def serve_status(state: ObservatoryState, port: int = 8081) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(state.snapshot()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
