"""Open-loop tills on one event loop: sales at a set schedule, whatever the answers do.

Each till has its own credential, long-polls the change feed the whole time, and sells one
sale every `interval` seconds from a random phase. A sale is made when it is due, whatever
earlier answers do: a slow answer never delays the next sale (the offered load stays what was
asked, so the ack times are not flattered by the server slowing its own load down).

A till pushes as its sync client does, one push at a time: a push carries every sale of that
till the server has not confirmed (made while the last push was in flight, or whose push
failed, timed out or came back "gap"), and goes out when the sale is made or, if a push is in
flight, as soon as that one is answered. Nothing the server has not confirmed is forgotten,
the server answers "duplicate" for what it already holds, and a sale still in flight is not
sent twice. A sale's ack time runs from when it was due until the first answer that says the
server holds it: time waiting behind the till's earlier push counts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import heapq
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final, Literal
from uuid import UUID

import aiohttp
from pydantic import ValidationError

from server.api_models import DepositIn, DepositOut
from server.cli import KEEP_ALIVE_S
from sync import limits
from sync.entry_body import Line, SaleBody
from sync.ids import new_id
from sync.protocol import EnrollRequest, EnrollResponse, EntryIn, JournalAck, PageEnvelope
from tests.server.live import ADMIN
from tests.terminal.till_scheme import UNIT

WATCHED_CARD = "C100"  # no till sells to it: its balance moves only with the deposits
WATCHED = "a100"
HOLDERS = 101
SALE = -350
NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)
DAY = date(2026, 11, 21)
# A one-meal sale as a till journals it (the server checks the body, issue 8).
BODY = dataclasses.asdict(
    SaleBody(lines=[Line("meal", "Menü 1", "Mains", 1, -SALE, 700)], total=-SALE)
)
PUSH_TIMEOUT_S = 10.0  # a till's own (sync.client.SyncClient.timeout_s)
POLL_GRACE_S = 10.0  # beyond the asked-for wait, before a long-poll counts as timed out


# What `Fleet._request` answers when there is no body to read.
TIMEOUT: Final = "timeout"
FAILED: Final = "failed"  # no answer: the connection failed
REFUSED: Final = "refused"  # an answer other than 200


@dataclass
class Sale:
    seq: int
    due: float  # perf_counter when it was to be sent
    body: str  # its EntryIn, serialised once
    sending: bool = False  # in a push not answered yet


@dataclass
class Till:
    index: int
    till_id: str
    headers: dict[str, str]
    next_seq: int = 1
    unconfirmed: dict[int, Sale] = field(default_factory=dict)  # seq -> sale, oldest first
    seen: list[tuple[float, int]] = field(default_factory=list)  # (when, watched balance)
    synced: asyncio.Event = field(default_factory=asyncio.Event)
    cursor: str = "0"
    pushing: bool = False  # a push of this till is in flight: the next waits for it

    def sell(self, due: float) -> Sale:
        entry = EntryIn(
            id=UUID(new_id()),
            seq=self.next_seq,
            kind="sale",
            created_at=NOW,
            business_day=DAY,
            account_id=f"a{(self.index + self.next_seq) % 100}",
            card_id=f"C{(self.index + self.next_seq) % 100}",
            amount=SALE,
            currency="EUR",
            receipt_no=self.next_seq,
            body=BODY,
        )
        sale = Sale(self.next_seq, due, entry.model_dump_json())
        self.unconfirmed[sale.seq] = sale
        self.next_seq += 1
        return sale

    def batch(self) -> tuple[list[Sale], str]:
        """What is unconfirmed and not in flight, oldest first, and its JournalBatch built
        from the entries' own serialisations (the bytes JournalBatch.model_dump_json gives)."""
        sales = [s for s in self.unconfirmed.values() if not s.sending][: limits.MAX_BATCH]
        for sale in sales:
            sale.sending = True
        return sales, '{"entries":[' + ",".join(s.body for s in sales) + '],"known_recv":0}'


@dataclass
class Tally:
    """What one run measured; times are perf_counter seconds."""

    acks: list[tuple[float, float]] = field(default_factory=list)  # (due, confirmed)
    deposits: list[tuple[float, int]] = field(default_factory=list)  # (answered, balance)
    errors: Counter[str] = field(default_factory=Counter)
    sent_again: Counter[str] = field(default_factory=Counter)  # entry answers "send it again"
    pushes: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    due: list[float] = field(default_factory=list)  # every sale made, when it was due
    poll_answers: list[float] = field(default_factory=list)  # when each long-poll came back
    polls_in_flight: int = 0
    send_lag: list[tuple[float, float]] = field(default_factory=list)  # (due, sent late by)


class Fleet:
    """The tills of one server, their HTTP client, and the tasks that drive them."""

    def __init__(self, url: str, tills: int, *, wait_s: float) -> None:
        self.url = url
        self.count = tills
        self.wait_s = wait_s
        self.tills: list[Till] = []
        self.tally = Tally()
        self.refused = 0  # over every run: the ledger check leaves these out
        self.session = aiohttp.ClientSession(
            # No pool limit: each till's requests go out when due, never queue in the client.
            # The server keeps an idle connection for `KEEP_ALIVE_S` (75 s): letting go of it
            # sooner ourselves keeps a push from landing on a socket the server is closing (no
            # retry for a POST), and a till pushing every 20 s keeps its connection, as a
            # till's requests session does.
            connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=KEEP_ALIVE_S - 15),
        )
        self._pollers: list[asyncio.Task[None]] = []
        self._admin = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"}

    async def close(self) -> None:
        await self.session.close()

    # -- set-up: a credential per till, as enrolment gives one ------------------------------
    async def enrol(self, parallel: int = 16) -> None:
        gate = asyncio.Semaphore(parallel)

        async def one(n: int) -> Till:
            async with gate:
                till_id = f"t{n}"
                async with self.session.post(
                    f"{self.url}/v1/admin/tills",
                    data=f'{{"till_id":"{till_id}","unit_id":"{UNIT.unit_id}"}}',
                    headers=self._admin,
                ) as reply:
                    reply.raise_for_status()
                    code = (await reply.json())["enrolment_code"]
                async with self.session.post(
                    f"{self.url}/v1/enrol",
                    data=EnrollRequest(code=code).model_dump_json(),
                    headers={"Content-Type": "application/json"},
                ) as reply:
                    reply.raise_for_status()
                    enrolled = EnrollResponse.model_validate_json(await reply.read())
                headers = {
                    "Authorization": f"Bearer {enrolled.credential}",
                    "Content-Type": "application/json",
                }
                return Till(n, enrolled.till_id, headers)

        self.tills = list(await asyncio.gather(*(one(n) for n in range(self.count))))

    # -- the long-polls ----------------------------------------------------------------------
    def start_polling(self) -> None:
        self._pollers = [asyncio.create_task(self._poll(t)) for t in self.tills]

    async def synced(self) -> None:
        """Every till has read the feed to its head (its first snapshot, or a reset)."""
        await asyncio.gather(*(t.synced.wait() for t in self.tills))

    async def stop_polling(self) -> None:
        for task in self._pollers:
            task.cancel()  # a long-poll still waiting at the end is no error
        await asyncio.gather(*self._pollers, return_exceptions=True)

    async def _poll(self, till: Till) -> None:
        url = f"{self.url}/v1/tills/{till.till_id}/changes"
        timeout = aiohttp.ClientTimeout(total=self.wait_s + POLL_GRACE_S)
        while True:
            tally = self.tally
            tally.polls_in_flight += 1
            try:
                got = await self._request(
                    "poll",
                    self.session.get(
                        url,
                        params={"since": till.cursor, "wait": str(self.wait_s)},
                        headers=till.headers,
                        timeout=timeout,
                    ),
                )
            finally:
                tally.polls_in_flight -= 1
            if got == TIMEOUT:
                continue
            arrived = time.perf_counter()
            if got != FAILED:
                tally.poll_answers.append(arrived)  # an answer, whatever its status
            if not isinstance(got, bytes):
                await asyncio.sleep(0.5)  # as a till backs off before it asks again
                continue
            body = got
            try:
                page = PageEnvelope.model_validate_json(body)
            except ValidationError:
                tally.errors["poll unreadable page"] += 1
                continue
            till.cursor = page.cursor
            for change in page.changes:
                if change.get("key") == WATCHED and change.get("kind") == "account":
                    data = change.get("data")
                    if data is not None:
                        till.seen.append((arrived, int(data["balance"])))
            if not page.more:
                till.synced.set()

    # -- the sales ---------------------------------------------------------------------------
    async def sell(self, interval_s: float, until: float, seed: int) -> None:
        """Every till sells one sale each `interval_s` from a random phase until `until`.
        One scheduler (a heap of due times) instead of a task per till: fewer wake-ups."""
        rng = random.Random(seed)
        start = time.perf_counter()
        due = [(start + rng.uniform(0, interval_s), t.index) for t in self.tills]
        heapq.heapify(due)
        pushes: set[asyncio.Task[None]] = set()
        while due and due[0][0] < until:
            when, index = heapq.heappop(due)
            delay = when - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            self.tally.send_lag.append((when, time.perf_counter() - when))
            self.tally.due.append(when)
            till = self.tills[index]
            till.sell(when)
            task = asyncio.create_task(self._push(till))
            pushes.add(task)
            task.add_done_callback(pushes.discard)
            heapq.heappush(due, (when + interval_s, index))
        if pushes:
            await asyncio.wait(pushes)

    async def _push(self, till: Till) -> None:
        """A till pushes one batch at a time, as its sync client does: a sale made while its
        push is in flight goes in the next one, sent as soon as that push is answered. The
        sales stay on schedule whatever the answers do (open loop); only their batching
        follows the server, as at a real till."""
        if till.pushing:
            return
        till.pushing = True
        try:
            while True:
                sales, batch = till.batch()
                if not sales:
                    return
                try:
                    confirmed = await self._send(till, batch)
                finally:
                    for sale in sales:
                        sale.sending = False
                if not confirmed:
                    return  # the till's next sale, or the flush, sends them again
        finally:
            till.pushing = False

    async def _send(self, till: Till, batch: str) -> bool:
        """One push; whether the server confirmed every entry of it."""
        tally = self.tally
        tally.pushes += 1
        tally.in_flight += 1
        tally.max_in_flight = max(tally.max_in_flight, tally.in_flight)
        try:
            got = await self._request(
                "push",
                self.session.post(
                    f"{self.url}/v1/tills/{till.till_id}/journal",
                    data=batch,
                    headers=till.headers,
                    timeout=aiohttp.ClientTimeout(total=PUSH_TIMEOUT_S),
                ),
            )
        finally:
            tally.in_flight -= 1
        confirmed = time.perf_counter()
        if not isinstance(got, bytes):
            return False
        body = got
        try:
            ack = JournalAck.model_validate_json(body)
        except ValidationError:
            tally.errors["push unreadable answer"] += 1
            return False
        everything = True
        for result in ack.results:
            if not result.received:  # gap, seq_taken, conflict: the till sends it again
                tally.sent_again[result.status] += 1
                everything = False
                continue
            sale = till.unconfirmed.pop(result.seq, None)
            if sale is None:
                continue  # confirmed already (an answer the till took for lost)
            if result.status == "refused":  # held for good but never booked: not a sale
                tally.errors["entry refused"] += 1
                self.refused += 1
            else:
                tally.acks.append((sale.due, confirmed))
        return everything

    async def flush(self, bound_s: float) -> int:
        """After the run, push what is still unconfirmed (one push per till at a time) until
        the server holds every sale or `bound_s` passes; returns how many remain."""
        end = time.perf_counter() + bound_s
        while time.perf_counter() < end:
            waiting = [t for t in self.tills if t.unconfirmed]
            if not waiting:
                return 0
            await asyncio.gather(*(self._push(t) for t in waiting))
        return sum(len(t.unconfirmed) for t in self.tills)

    # -- the back office -----------------------------------------------------------------------
    async def deposit(self, every_s: float, until: float) -> None:
        """1 cent on the watched card every `every_s`, on schedule like the sales."""
        tasks: set[asyncio.Task[None]] = set()
        when = time.perf_counter()
        body = DepositIn(card_id=WATCHED_CARD, amount=1).model_dump_json()
        while when < until:
            delay = when - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(self._deposit_once(body))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            when += every_s
        if tasks:
            await asyncio.wait(tasks)

    async def _deposit_once(self, body: str) -> None:
        got = await self._request(
            "deposit",
            self.session.post(
                f"{self.url}/v1/admin/deposits",
                data=body,
                headers=self._admin,
                timeout=aiohttp.ClientTimeout(total=PUSH_TIMEOUT_S),
            ),
        )
        answered = time.perf_counter()
        if not isinstance(got, bytes):
            return
        raw = got
        try:
            balance = DepositOut.model_validate_json(raw).balance
        except ValidationError:
            self.tally.errors["deposit unreadable answer"] += 1
            return
        self.tally.deposits.append((answered, balance))

    async def _request(
        self, what: str, request: Any
    ) -> bytes | Literal["timeout", "failed", "refused"]:
        """One request's body when it answered 200; else the error counted under `what`
        (a timeout, a failed connection, or another status) and which kind it was."""
        try:
            async with request as reply:
                body: bytes = await reply.read()
                status = reply.status
        except TimeoutError:
            self.tally.errors[f"{what} timeout"] += 1
            return TIMEOUT
        except aiohttp.ClientError as exc:
            self.tally.errors[f"{what} {type(exc).__name__}"] += 1
            return FAILED
        if status != 200:
            self.tally.errors[f"{what} HTTP {status}"] += 1
            return REFUSED
        return body


def change_at_every_till(
    tills: list[Till], deposits: list[tuple[float, int]]
) -> tuple[list[float], int]:
    """For each deposit and each till: from the admin write's answer until the till's first
    poll answer holding that balance or a later one (several deposits can arrive in one
    page). Returns the delays and how many (deposit, till) pairs never arrived."""
    ordered = sorted(deposits, key=lambda d: d[1])
    delays: list[float] = []
    missed = 0
    for till in tills:
        seen = sorted(till.seen)
        i = 0
        best = -1  # the highest balance seen so far, as the till's observations go
        for answered, balance in ordered:
            while best < balance and i < len(seen):
                best = max(best, seen[i][1])
                i += 1
            if best >= balance:
                delays.append(seen[i - 1][0] - answered)
            else:
                missed += 1
    return delays, missed
