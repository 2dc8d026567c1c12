"""HTTP calls with an overall deadline and a size limit, for the till's sync client.

`requests` has a connect and a per-read timeout only: a server (or a proxy) that trickles a
byte a second never trips it, and a pull would hang for good. Here a watchdog shuts the
call's socket down when its deadline passes, whether it is waiting for the status line, the
headers or the body; and a body is refused while it is read, as soon as it passes its limit.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from sync.errors import BadReply, Unreachable

_current = threading.local()  # the sockets of the call in flight on this thread


def _track(sock: socket.socket | None) -> None:
    calls: list[socket.socket] | None = getattr(_current, "socks", None)
    if calls is not None and sock is not None:
        calls.append(sock)


class _TrackedHTTP(HTTPConnection):
    def getresponse(self) -> Any:
        _track(self.sock)
        return super().getresponse()


class _TrackedHTTPS(HTTPSConnection):
    def getresponse(self) -> Any:
        _track(self.sock)
        return super().getresponse()


class _TrackedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _TrackedHTTP


class _TrackedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPS


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _TrackedHTTPPool,
            "https": _TrackedHTTPSPool,
        }


def plain(exc: requests.RequestException) -> str:
    """What went wrong, in words an operator reads on the till's screen (the whole chain of
    urllib3's wrappers is in the log)."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        if "CERTIFICATE_VERIFY_FAILED" in text:
            return "TLS: the server's certificate is not trusted (give the CA with --ca-cert)"
        return "TLS failed (is it an https:// server?)"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "no connection within the connect timeout"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "no answer within the read timeout"
    for needle, words in (
        ("Connection refused", "connection refused (is the server running?)"),
        ("Name or service not known", "the server's name is not known (DNS)"),
        ("Temporary failure in name resolution", "the server's name cannot be looked up (DNS)"),
        ("Network is unreachable", "the network is unreachable"),
        ("No route to host", "no route to the server"),
        ("RemoteDisconnected", "the server closed the connection without answering"),
        ("Connection reset", "the connection was reset"),
    ):
        if needle in text:
            return words
    return text[:300]


def deadline_session() -> requests.Session:
    """A session whose calls `call` can cut off at their deadline."""
    session = requests.Session()
    session.mount("http://", _Adapter())
    session.mount("https://", _Adapter())
    return session


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes  # decoded: what a gzip answer unpacks to
    content_type: str
    wire_bytes: int = 0  # the body as it came over the wire (compressed, if it was)


def call(
    session: requests.Session,
    method: str,
    url: str,
    *,
    deadline_s: float,
    max_bytes: int,
    connect_s: float = 3.05,
    read_s: float = 10.0,
    **kw: Any,
) -> Reply:
    """One request, all of it (connect, answer, body) within `deadline_s`, the body at most
    `max_bytes`. Raises Unreachable (no connection, a timeout, the deadline) or BadReply (a
    body over its limit), naming what went wrong."""
    socks: list[socket.socket] = []
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        for sock in list(socks):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    _current.socks = socks
    timer = threading.Timer(deadline_s, cut)
    timer.daemon = True
    timer.start()
    try:
        # `verify` given with each request: requests would let $REQUESTS_CA_BUNDLE override the
        # session's, and a till enrolled with its server's private CA must trust that CA.
        kw.setdefault("verify", session.verify)
        reply = session.request(method, url, timeout=(connect_s, read_s), stream=True, **kw)
        try:
            declared = reply.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise BadReply(
                    f"{method} {url}: the answer is {declared} bytes, over the {max_bytes} limit"
                )
            # The limit is on the body as decoded: urllib3 unpacks a gzipped answer as it is
            # read, at most a chunk at a time, so a small body that unpacks to gigabytes is
            # refused at the limit, never unpacked whole.
            packed = reply.headers.get("Content-Encoding", "identity").lower() != "identity"
            chunks: list[bytes] = []
            size = 0
            for chunk in reply.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    what = "unpacks to more than" if packed else "is over"
                    raise BadReply(f"{method} {url}: the answer {what} the {max_bytes} limit")
                chunks.append(chunk)
            return Reply(
                reply.status_code,
                b"".join(chunks),
                reply.headers.get("Content-Type", ""),
                reply.raw.tell(),
            )
        finally:
            reply.close()
    except requests.RequestException as exc:
        if expired.is_set():
            raise Unreachable(f"no complete answer within {deadline_s:g} s (cut off)") from exc
        raise Unreachable(plain(exc)) from exc
    finally:
        timer.cancel()
        _current.socks = None
        if expired.is_set():
            session.close()  # a connection that was cut must not be used again
