"""An HTTP proxy on loopback that misbehaves on purpose, between a till and its server.

Per request it chooses, from a seeded random generator, one of: pass it on; drop the request
(close without forwarding); drop the response (forward, let the server commit, then close
without answering); answer 500; answer garbage with a 200; or pass it on late.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import requests

FAULTS = ("pass", "drop_request", "drop_response", "error_500", "garbage", "delay")


class FaultyProxy:
    def __init__(self, upstream: str, *, seed: int, weights: dict[str, int] | None = None) -> None:
        self.upstream = upstream
        self.rng = random.Random(seed)
        self.weights = weights or dict.fromkeys(FAULTS, 1)
        self.lock = threading.Lock()
        self.counts = dict.fromkeys(FAULTS, 0)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            session: ClassVar[requests.Session] = requests.Session()

            def log_message(self, *args: object) -> None:
                return

            def _handle(self) -> None:
                fault = proxy.pick()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if fault == "drop_request":
                    self.close_connection = True
                    return
                if fault == "delay":
                    time.sleep(0.3)
                if fault == "error_500":
                    self._reply(500, b'{"detail": "proxy says no"}')
                    return
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() in ("authorization", "content-type")
                }
                try:
                    upstream = self.session.request(
                        self.command,
                        proxy.upstream + self.path,
                        data=body,
                        headers=headers,
                        timeout=60,
                    )
                except requests.RequestException:  # the server is down: as a real proxy says
                    self._reply(502, b'{"detail": "bad gateway"}')
                    return
                if fault == "drop_response":
                    self.close_connection = True  # the server committed; the till never hears
                    return
                if fault == "garbage":
                    self._reply(200, b"<html>captive portal</html>")
                    return
                self._reply(upstream.status_code, upstream.content)

            def _reply(self, status: int, body: bytes) -> None:
                with contextlib.suppress(OSError):  # the till gave up waiting: fine
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            do_GET = do_POST = _handle  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # A till that gave up on a request resets its connection: not worth a traceback.
        self.httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def pick(self) -> str:
        with self.lock:
            fault = self.rng.choices(list(self.weights), weights=list(self.weights.values()))[0]
            self.counts[fault] += 1
            return fault

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
