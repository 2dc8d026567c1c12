"""Plain ASGI middleware: the body-size limit and waking long-polls after writes.

Plain ASGI rather than Starlette's `BaseHTTPMiddleware`, which runs every request through an
extra task and a streamed copy of its response: with hundreds of tills polling, that copy
was a seventh of the server's time.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("canteen.server")


class LimitBody:
    """Refuse a body declared larger than `limit` bytes with 413, before reading it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope["headers"]).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.limit):
                log.warning(
                    "%s %s: body of %s bytes refused",
                    scope["method"],
                    scope["path"],
                    length.decode("latin-1"),
                )
                body = json.dumps({"detail": f"body larger than {self.limit} bytes"}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 413,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


class WakeOnWrite:
    """After a write request succeeds, call `wake(path)`: the long-polls look again."""

    def __init__(self, app: ASGIApp, wake: Callable[[str], None]) -> None:
        self.app = app
        self.wake = wake

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, receive, sending)
        if status < 300:
            self.wake(scope["path"])
