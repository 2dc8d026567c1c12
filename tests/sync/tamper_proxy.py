"""A real HTTP proxy on loopback that rewrites what the server answers, between a till and its
server: a tampering proxy, a buggy middlebox, a newer server's additions (issue 8 item 2).

`rewrite(method, path, status, body)` returns the body to pass on, or None to drop the answer
after the server committed (the till never hears).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import requests

Rewrite = Callable[[str, str, int, bytes], bytes | None]


class RewritingProxy:
    def __init__(self, upstream: str, rewrite: Rewrite) -> None:
        self.upstream = upstream
        self.rewrite = rewrite
        self.lock = threading.Lock()
        self.calls: dict[str, int] = {}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            session: ClassVar[requests.Session] = requests.Session()

            def log_message(self, *args: object) -> None:
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() in ("authorization", "content-type")
                }
                upstream = self.session.request(
                    self.command, proxy.upstream + self.path, data=body, headers=headers, timeout=60
                )
                path = self.path.split("?", 1)[0]
                with proxy.lock:
                    proxy.calls[path] = proxy.calls.get(path, 0) + 1
                answer = proxy.rewrite(self.command, path, upstream.status_code, upstream.content)
                if answer is None:
                    self.close_connection = True  # the server committed; the till never hears
                    return
                self.send_response(upstream.status_code)
                kind = upstream.headers.get("Content-Type", "application/json")
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST = _handle  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
