"""Long-polls' page reads, gathered: the polls that want a page at the same moment share one
transaction and one thread, and only a few such reads run at once.

With thousands of tills waiting, one write wakes them all. Read one by one, their pages took
every worker thread and pooled connection, and the pushes queued behind them until they timed
out and were sent again (issue 11, item 7). Here a woken poll queues its question; at most
`at_once` reads run at a time, each taking every question queued when it starts: one read of
the feed's head and of the tills, each cursor checked once, each (cursor, unit) page built
once (`server.feed.read_pages_json`). Polls answered together get the same cursor, so the
next time they are woken together they share their page as well. The rest of the thread
pool and of the connections stays free for pushes, whatever the number of polls.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from anyio import CapacityLimiter, to_thread

from server.db import Database
from server.feed import Ask, PageJson, feed_head, read_pages_json

# Reads at a time, on threads of their own (`open_pool` keeps connections for them too): the
# pushes queued for the handler threads never hold a poll's read up, nor the reads a push.
AT_ONCE = 2
MOST = 1000  # questions in one read, so one read's transaction stays short


@dataclass(frozen=True, slots=True)
class Answer:
    page: PageJson
    gzipped: bytes | None  # the body gzipped, when the poll takes gzip


@dataclass(slots=True)
class _Question:
    ask: Ask | None  # None: only the feed's head
    gzip: bool
    future: asyncio.Future[Answer | int]


class PollReads:
    """One per serving process; bound to the event loop that uses it (a new loop, as a test's
    new client brings, starts afresh)."""

    def __init__(self, db: Database, *, at_once: int = AT_ONCE, most: int = MOST) -> None:
        self.db = db
        self.at_once = at_once
        self.most = most
        self.reads = 0  # reads run so far (tests count them)
        self.pages = 0  # pages read so far, in those reads
        self.heads = 0  # reads of the feed's head alone
        self._lane: _Lane | None = None
        self._limiter: CapacityLimiter | None = None

    async def read(self, ask: Ask, *, gzip: bool = False) -> Answer:
        """The till's page, read with every other asked for meanwhile."""
        got = await self._ask(ask, gzip)
        assert isinstance(got, Answer)
        return got

    async def head(self) -> int:
        """The feed's head as of a read begun after this call: one read for every poll that
        asks at the moment, and no page read (the cheap look of a poll with nothing new)."""
        got = await self._ask(None, False)
        assert isinstance(got, int)
        return got

    async def _ask(self, ask: Ask | None, gzip: bool) -> Answer | int:
        loop = asyncio.get_running_loop()
        lane = self._lane
        if lane is None or lane.loop is not loop:
            lane = self._lane = _Lane(loop)
            self._limiter = CapacityLimiter(self.at_once)
        question = _Question(ask, gzip, loop.create_future())
        lane.queued.append(question)
        if lane.running < self.at_once:
            lane.running += 1
            lane.tasks.add(task := loop.create_task(self._drain(lane)))
            task.add_done_callback(lane.tasks.discard)
        return await question.future

    async def _drain(self, lane: _Lane) -> None:
        try:
            while lane.queued:
                batch = [q for q in lane.queued[: self.most] if not q.future.done()]
                del lane.queued[: self.most]
                if not batch:
                    continue
                self.reads += 1
                asks = sum(q.ask is not None for q in batch)
                self.pages += asks
                self.heads += asks < len(batch)
                try:
                    answers = await to_thread.run_sync(
                        _answer, self.db, batch, limiter=self._limiter
                    )
                except Exception as exc:  # the database failed: every poll of it hears so
                    for q in batch:
                        if not q.future.done():
                            q.future.set_exception(exc)
                    continue
                for q, answer in zip(batch, answers, strict=True):
                    if q.future.done():
                        continue  # its till went away meanwhile
                    if isinstance(answer, Exception):
                        q.future.set_exception(answer)
                    else:
                        q.future.set_result(answer)
        finally:
            lane.running -= 1


class _Lane:
    """The questions of one event loop and the reads serving them."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queued: list[_Question] = []
        self.running = 0
        # Held: a task only weakly referenced may be collected before it is done.
        self.tasks: set[asyncio.Task[None]] = set()


def _answer(db: Database, batch: list[_Question]) -> list[Answer | int | Exception]:
    """On a worker thread: the pages, and gzipped there too (a snapshot's page is a megabyte:
    not on the event loop; the shared changes are compressed once per page)."""
    asks = [q.ask for q in batch if q.ask is not None]
    pages = iter(read_pages_json(db, asks) if asks else [])
    head = feed_head(db) if len(asks) < len(batch) else 0
    out: list[Answer | int | Exception] = []
    for q in batch:
        if q.ask is None:
            out.append(head)
            continue
        page = next(pages)
        out.append(
            page if isinstance(page, Exception) else Answer(page, page.gzip() if q.gzip else None)
        )
    return out
