"""A real HTTP server on 127.0.0.1 that records what is posted to it and answers with a
scripted sequence of status codes (then 200). Used by the notify and history CLI tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Hook:
    url: str
    requests: list[Received] = field(default_factory=list)
    # Status codes for the next requests, in order; 200 once they run out.
    script: list[int] = field(default_factory=list)
    retry_after: str | None = None


@pytest.fixture
def hook() -> Iterator[Hook]:
    state = Hook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.requests.append(Received(self.path, dict(self.headers), self.rfile.read(length)))
            status = state.script.pop(0) if state.script else 200
            self.send_response(status)
            if status == 429 and state.retry_after is not None:
                self.send_header("Retry-After", state.retry_after)
            body = b"ok" if status == 200 else b"no"
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/XXXX"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
