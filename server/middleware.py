"""Plain ASGI middleware: body limits, and waking long-polls after writes.

Plain ASGI rather than Starlette's `BaseHTTPMiddleware`, which runs every request through an
extra task and a streamed copy of its response: with hundreds of tills polling, that copy
was a seventh of the server's time.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("canteen.server")


class LimitBody:
    """Every request body has a size limit (by path) and a deadline.

    A body declared larger than the limit is refused with 413 before any of it is read; a
    chunked body without a declared length is read up to the limit and refused as soon as it
    passes it; a body that trickles in past the deadline gets 408. All of it happens before
    the request reaches its handler: before any authentication work, before anything is
    stored.
    """

    def __init__(
        self, app: ASGIApp, limit_of: Callable[[str], int], *, deadline_s: float = 30.0
    ) -> None:
        self.app = app
        self.limit_of = limit_of
        self.deadline_s = deadline_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        body = await read_limited(
            scope, receive, send, self.limit_of(scope["path"]), deadline_s=self.deadline_s
        )
        if body is not None:
            await self.app(scope, replayed(body, receive), send)


async def read_limited(
    scope: Scope, receive: Receive, send: Send, limit: int, *, deadline_s: float
) -> bytes | None:
    """A request's whole body, as `LimitBody` allows it; None once it has answered the
    request (413, 408) or the client has gone."""
    length = dict(scope["headers"]).get(b"content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        shown = length.decode("latin-1")[:20]
        await _refuse(scope, send, 413, f"the body is {shown} bytes; the limit is {limit} bytes")
        return None
    chunks: list[bytes] = []
    size = 0
    # One deadline for the whole body, not a timer a chunk: a push's body is one chunk, and
    # it is there as the request is.
    try:
        async with asyncio.timeout(deadline_s):
            while size <= limit:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return None
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if not message.get("more_body", False) and size <= limit:
                    return b"".join(chunks)
    except TimeoutError:
        await _refuse(scope, send, 408, f"the body did not arrive within {deadline_s:g} s")
        return None
    await _refuse(scope, send, 413, f"the body is more than {limit} bytes; the limit is {limit}")
    return None


def replayed(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives a body read already, whole, then what `receive` gives (a
    disconnect, while the handler runs)."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(scope: Scope, send: Send, status: int, detail: str) -> None:
    log.warning("%s %s refused (%s): %s", scope["method"], scope["path"], status, detail)
    body = json.dumps({"detail": detail, "errors": []}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


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
