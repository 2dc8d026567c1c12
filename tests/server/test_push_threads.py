"""The ordinary pushes run on threads of their own (`routes.journal._in_thread`), yet count
against the same bound as the documented handlers' threads (anyio's limiter): no more
threads hold a database connection at once than the pool keeps for handlers, so the
long-polls' reserved connections stay theirs (`poll_reads.AT_ONCE`)."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import anyio
from anyio import to_thread

from server.routes.journal import _in_thread


class Work:
    """Counts how many run at once; each holds until `release` is set."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = self.most = self.done = 0
        self.release = threading.Event()

    def __call__(self, value: int) -> int:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        self.release.wait(10)
        with self.lock:
            self.running -= 1
            self.done += 1
        return value * 2


def test_pushes_share_the_handlers_bound_and_keep_it_until_their_thread_ends() -> None:
    work = Work()

    async def main() -> None:
        limiter = to_thread.current_default_thread_limiter()
        limiter.total_tokens = 2
        with ThreadPoolExecutor(6) as pool:
            server: Any = SimpleNamespace(pushes=pool)
            tasks = [asyncio.ensure_future(_in_thread(server, work, n)) for n in range(5)]
            while work.running < 2:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)  # time for a third to start, were it let
            assert work.running == 2
            assert limiter.borrowed_tokens == 2
            # a documented handler's thread waits for a token as the pushes do
            handler = asyncio.ensure_future(to_thread.run_sync(lambda: "handled"))
            await asyncio.sleep(0.05)
            assert not handler.done()
            # a push whose request is cancelled keeps its token while its thread runs
            tasks[0].cancel()
            await asyncio.sleep(0.05)
            assert limiter.borrowed_tokens == 2
            work.release.set()
            results = await asyncio.gather(*tasks[1:])
            assert results == [2, 4, 6, 8]
            assert await handler == "handled"
            while work.done < 5:  # the cancelled one's thread ran to its end
                time.sleep(0.01)
            await asyncio.sleep(0)
            assert limiter.borrowed_tokens == 0

    anyio.run(main)
    assert work.most == 2
