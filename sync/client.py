"""The till's sync client: push the outbox, long-poll the change feed, fetch photos.

Every call has an overall deadline and a size limit (`sync.http`) and runs on the
scheduler's threads, never on the UI thread. Failures back off exponentially with jitter.
Each job (push, photos, pull) keeps a store of its own, opened once: a SQLite connection
holds one transaction at a time, and the jobs run at the same time.

What the server sends is read item by item: an item the till cannot read is skipped, kept in
the store's list of feed problems, shown in the status bar and reported to the server; the
rest of the page is applied. Entries leave the outbox only when the server acknowledged
their ids; a server that forgot them (restored from a backup) gets them again.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit
from uuid import UUID

import requests
from apscheduler.schedulers.background import BackgroundScheduler
from pydantic import BaseModel, TypeAdapter, ValidationError

from sync import limits
from sync.errors import BadReply, BadServerUrl, Refused, SyncError, Unreachable
from sync.http import Reply, call, deadline_session
from sync.policy import DEFAULTS, Policy, PolicyError
from sync.protocol import (
    DATA_MODELS,
    ROW_KINDS,
    ROWS_VERSION,
    AccountChange,
    AgreementChange,
    CardChange,
    CardholderChange,
    Change,
    EntryIn,
    ErrorBody,
    FeedProblem,
    JournalAck,
    JournalBatch,
    PageEnvelope,
    PolicyChange,
    ProductChange,
    Rows,
    RowsEnvelope,
    SoldOutMark,
    TillReport,
    UnitChange,
    read_change,
    read_row,
)
from sync.store import PageRecords, PhotoMismatch, Store, StoreUnavailable

__all__ = [  # the sync errors live in sync.errors; callers of the client find them here too
    "BadReply",
    "BadServerUrl",
    "Refused",
    "ServerConfig",
    "SyncClient",
    "SyncError",
    "Unreachable",
    "apply_page",
    "enrol",
    "read_envelope",
    "read_page_records",
]

log = logging.getLogger(__name__)
CONNECT_TIMEOUT_S = 3.05
PHOTO_EVERY_S = 2.0  # how often the running till looks for photos still to fetch
# A sold-out mark refused with one of these is refused for good: sending it again cannot help.
_FOR_GOOD = (403, 404, 409, 422)
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """What enrolment leaves in the data directory (`server.json`, mode 0600)."""

    url: str
    till_id: str
    credential: str
    ca_file: str | None = None  # a private CA's certificate, for a server with its own TLS

    @classmethod
    def load(cls, data_dir: Path) -> ServerConfig | None:
        path = data_dir / "server.json"
        if not path.exists():
            return None
        raw = json.loads(path.read_text(encoding="utf-8"))
        ca = raw.get("ca_file")
        return cls(
            str(raw["url"]).rstrip("/"),
            str(raw["till_id"]),
            str(raw["credential"]),
            None if ca is None else str(ca),
        )

    def save(self, data_dir: Path) -> Path:
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / "server.json"
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(
                {
                    "url": self.url,
                    "till_id": self.till_id,
                    "credential": self.credential,
                    "ca_file": self.ca_file,
                },
                out,
            )
        os.replace(tmp, path)
        return path


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name, not an address: only "localhost" is taken on its word
        return False


def enrol(
    server_url: str,
    code: str,
    *,
    timeout_s: float = 10.0,
    insecure: bool = False,
    ca_file: str | None = None,
) -> ServerConfig:
    """Trade a one-time enrolment code for this till's credential.

    Plain http:// only to this machine (the demo, tests) unless `insecure`: a credential and
    cardholders' names and photos must not cross a network in clear text.
    """
    url = server_url.rstrip("/")
    scheme = urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise BadServerUrl(f"{server_url!r}: give the server's URL, https://…")
    if scheme == "http" and not is_loopback(url) and not insecure:
        raise BadServerUrl(
            f"{url} is plain http: the till's credential and cardholders' names and photos"
            " would cross the network unencrypted. Use https:// (see the README's production"
            " section), or --insecure for a network you trust."
        )
    session = deadline_session()
    if ca_file is not None:
        session.verify = ca_file
    try:
        reply = call(
            session,
            "POST",
            f"{url}/v1/enrol",
            json={"code": code.strip()},
            deadline_s=timeout_s + CONNECT_TIMEOUT_S,
            max_bytes=64 * 1024,
            read_s=timeout_s,
        )
    except Unreachable as exc:
        raise Unreachable(f"cannot reach {url}: {exc}") from exc
    finally:
        session.close()
    if reply.status != 200:
        raise _refused(f"enrolment refused by {url} ({reply.status}):", reply)
    try:
        body = json.loads(reply.body)
        return ServerConfig(url, str(body["till_id"]), str(body["credential"]), ca_file)
    # The server's bytes, read as JSON: ValueError is how json says they are not JSON.
    except (ValueError, KeyError, TypeError) as exc:
        raise BadReply(f"{url} answered the enrolment with something else: {exc!r}") from exc


def _refused(prefix: str, reply: Reply) -> Refused:
    """An error answer, with the server's ErrorBody when it is one (a proxy's page is not)."""
    try:
        body: ErrorBody | None = ErrorBody.model_validate_json(reply.body)
    except ValidationError:
        body = None
    detail = body.detail[:300] if body is not None else reply.body[:200].decode("utf-8", "replace")
    return Refused(f"{prefix} {detail}", reply.status, body)


class Backoff:
    """Exponential backoff with full jitter: 0.5 s, 1 s, 2 s, … up to `cap_s`."""

    def __init__(self, base_s: float = 0.5, cap_s: float = 30.0) -> None:
        self.base_s, self.cap_s, self.failures = base_s, cap_s, 0

    def success(self) -> None:
        self.failures = 0

    def failure(self) -> float:
        self.failures += 1
        return random.uniform(0, min(self.cap_s, self.base_s * 2 ** min(self.failures - 1, 30)))


@dataclass
class _PhotoWait:
    backoff: Backoff
    next_at: float


class SyncClient:
    """A `sync.link.Link`: online means the server answered within the scheme policy's
    `offline_after_s`, read from the store whenever a job has had it in hand (a central change
    arrives on a feed page and applies from that page on).

    `clock` is the monotonic clock the link's age is measured by (tests move it by hand).
    """

    def __init__(
        self,
        store_path: Path,
        server: ServerConfig,
        *,
        session: requests.Session | None = None,
        push_every_s: float = 2.0,
        poll_wait_s: float = 20.0,
        timeout_s: float = 10.0,
        deadline_s: float = limits.CALL_DEADLINE_S,
        photo_retry_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store_path = store_path
        self.server = server
        self.session = session or deadline_session()
        self.session.headers["Authorization"] = f"Bearer {server.credential}"
        if server.ca_file is not None:
            self.session.verify = server.ca_file
        self.push_every_s = push_every_s
        self.poll_wait_s = poll_wait_s
        self.timeout_s = timeout_s
        self.deadline_s = deadline_s
        self._clock = clock
        self._policy: Policy = DEFAULTS  # until a job has read the store's
        self._stores: dict[str, Store] = {}  # the push and photo jobs' own, opened once
        self.last_error: str | None = None
        self.received = [0, 0]  # feed pages' bytes: over the wire, and decoded
        self._ahead: tuple[dict[str, Any], Future[Reply]] | None = None  # the next feed page
        self._ahead_pool = ThreadPoolExecutor(1, thread_name_prefix="sync-ahead")
        self._last_ok: float | None = None
        self._last_sync: datetime | None = None
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._puller: threading.Thread | None = None
        self._push_backoff = Backoff()
        self._push_retry_at = 0.0
        self._push_lock = threading.Lock()
        self._photo_waits: dict[str, _PhotoWait] = {}
        self.photo_retry_s = photo_retry_s  # the first retry of a failed photo, then doubling
        self._scheduler = BackgroundScheduler(
            executors={"default": {"type": "threadpool", "max_workers": 2}},
            job_defaults={"coalesce": True, "max_instances": 1},
        )

    # -- Link ----------------------------------------------------------------------------------
    def is_online(self) -> bool:
        if self._paused.is_set():
            return False
        last_ok = self._last_ok
        return last_ok is not None and self._clock() - last_ok < self._policy.offline_after_s

    def set_online(self, online: bool) -> None:
        """Training switch: pause syncing as if the network were down, and resume it."""
        if online:
            self._paused.clear()
            self.nudge()
        else:
            self._paused.set()

    def last_sync(self) -> datetime | None:
        return self._last_sync

    def start(self) -> None:
        """Start syncing (once: the waiting screen may have started it before the till)."""
        # Push: an APScheduler job on a timer, run at once by nudge(). Pull: a long-poll loop on
        # a daemon thread of its own, so that a poll in flight never holds up closing the till.
        if self._scheduler.running or self._stop.is_set():
            return
        self._scheduler.add_job(
            self._push_tick,
            "interval",
            seconds=self.push_every_s,
            id="push",
            next_run_time=datetime.now(UTC),
        )
        self._scheduler.add_job(
            self._photo_tick, "interval", seconds=PHOTO_EVERY_S, id="photos", max_instances=1
        )
        self._scheduler.start()
        self._puller = threading.Thread(target=self._pull_loop, name="sync-pull", daemon=True)
        self._puller.start()

    def stop(self) -> None:
        self._stop.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        # No job runs any more: their stores can be closed here. The pull thread closes its
        # own as it ends (a poll in flight may outlive this join).
        for store in self._stores.values():
            store.close()
        self._stores.clear()
        if self._puller is not None:
            self._puller.join(timeout=0.5)
        self._ahead_pool.shutdown(wait=False, cancel_futures=True)

    def nudge(self) -> None:
        """A sale was just committed: push it now rather than at the next tick."""
        if self._scheduler.running and not self._stop.is_set():
            self._scheduler.modify_job("push", next_run_time=datetime.now(UTC))

    # -- one round each (tests and benchmarks call these directly) -------------------------
    def push_once(self, store: Store, *, limit: int = limits.MAX_BATCH) -> int:
        """Send the oldest unsent entries; returns how many the server now holds."""
        with self._push_lock:
            pending = store.outbox_wire(limit)
            if not pending:
                return 0
            entries = []
            for entry, series, seq in pending:
                try:
                    wire = replace(entry, seq=seq)  # its seq in the series it travels under
                    entries.append(EntryIn.from_entry(wire, series=UUID(series)))
                except ValidationError as exc:
                    # The protocol refuses it, so would the server: keep it, show it, go on.
                    store.quarantine(entry.entry_id, f"cannot be sent: {str(exc)[:300]}")
                    log.error("entry %s cannot be sent: %s", entry.entry_id, exc)
            if not entries:
                return 0
            batch = JournalBatch(entries=entries, known_recv=store.known_recv())
            url = f"{self.server.url}/v1/tills/{self.server.till_id}/journal"
            reply = self._call(
                "POST",
                url,
                data=batch.model_dump_json(),
                headers={"Content-Type": "application/json"},
            )
            ack = self._parse(JournalAck, reply)
            store.settle(ack.results, last_recv=ack.last_recv, forgot=ack.forgot)
            self._read_policy(store)
            if ack.forgot:
                log.warning("the server forgot entries (restored from a backup?): sending again")
            return sum(1 for r in ack.results if r.received)

    def push_marks(self, store: Store) -> int:
        """Send the supervisor's sold-out marks the server does not have yet, oldest first;
        returns how many it took. The server keeps each mark's id, so a mark sent again (its
        answer lost) changes nothing the second time. A mark refused for good (the product
        left the menu, or is another unit's) is kept with the server's reason and not sent
        again; any other failure stops the round, to try again at the next push."""
        taken = 0
        with self._push_lock:
            for mark in store.pending_marks():
                url = (
                    f"{self.server.url}/v1/tills/{self.server.till_id}"
                    f"/products/{quote(mark.product_id, safe='')}/sold-out"
                )
                body = SoldOutMark(
                    mark_id=UUID(mark.mark_id), sold_out=mark.sold_out, marked_at=mark.marked_at
                )
                try:
                    self._call(
                        "PUT",
                        url,
                        data=body.model_dump_json(),
                        headers={"Content-Type": "application/json"},
                        ok=(204,),
                    )
                except Refused as exc:
                    if exc.status not in _FOR_GOOD:
                        raise
                    log.warning("sold-out mark of %s refused: %s", mark.product_id, exc)
                    store.mark_sent(mark.mark_id, sent_at=datetime.now(UTC), problem=str(exc))
                    continue
                store.mark_sent(mark.mark_id, sent_at=datetime.now(UTC))
                taken += 1
        return taken

    def pull_once(self, store: Store, *, wait: float = 0.0, photos: bool = True) -> bool:
        """Apply one page of the change feed; True when another page follows at once. With
        `photos`, fetch the photos it brought too (the running till does that on a job of
        its own, so that a slow photo never holds up a block or a balance)."""
        since = store.feed_cursor()
        params: dict[str, Any] = {
            "since": since,
            "known_recv": store.known_recv(),
            "after_recv": store.results_after(),
            "series": store.all_series(),
            "rows": ROWS_VERSION,  # a large page's items as rows, checked a page at a time
        }
        reply = self._ahead_for(params)
        if reply is None:
            reply = self._page(params, wait)
        self.received[0] += reply.wire_bytes
        self.received[1] += len(reply.body)
        page = read_envelope(reply.body)
        if page.more and not (page.results or page.reset or page.forgot):
            # A snapshot, or a burst: ask for the next page while this one is applied, so
            # the server builds it while the till writes this one. It is used only if the
            # store then asks with the same cursor and numbers (nothing else moved them).
            following = {**params, "since": page.cursor}
            self._ahead = (following, self._ahead_pool.submit(self._page, following, 0.0))
        now = datetime.now(UTC)
        again = apply_page(store, page, since=since, synced_at=now)
        self._read_policy(store)  # the page may have brought a new one
        self._last_sync = now
        self._report(store)
        if photos:
            self.fetch_photos(store)
        return again

    def _page(self, params: dict[str, Any], wait: float) -> Reply:
        url = f"{self.server.url}/v1/tills/{self.server.till_id}/changes"
        return self._call(
            "GET",
            url,
            params={**params, "wait": wait},
            read_s=wait,
            extra_s=wait,
            max_bytes=limits.MAX_PAGE_BYTES,
        )

    def _ahead_for(self, params: dict[str, Any]) -> Reply | None:
        """The page asked for ahead, if it was asked with these parameters (else dropped)."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        asked, reply = ahead
        if asked != params:
            reply.cancel()  # asked with another cursor or numbers: of no use now
            return None
        return reply.result()  # its failure is this pull's: retried after a backoff

    def fetch_photos(self, store: Store) -> int:
        """Photos are content-addressed: fetch each one this till has not got yet. One that
        fails (unreachable, too large, bytes that do not match) is tried again later, with
        backoff, until it arrives. Returns how many arrived."""
        arrived = 0
        now = time.monotonic()
        for sha in store.missing_photos():
            wait = self._photo_waits.get(sha)
            if wait is not None and now < wait.next_at:
                continue
            try:
                reply = self._call(
                    "GET", f"{self.server.url}/v1/photos/{sha}", max_bytes=limits.MAX_PHOTO_BYTES
                )
                store.put_photo(sha, reply.body)
            except (SyncError, PhotoMismatch) as exc:
                wait = self._photo_waits.setdefault(
                    sha, _PhotoWait(Backoff(self.photo_retry_s, 300.0), 0.0)
                )
                delay = wait.backoff.failure()
                wait.next_at = time.monotonic() + delay
                log.warning("photo %s not fetched (retry in %.0f s): %s", sha, delay, exc)
                continue
            self._photo_waits.pop(sha, None)
            arrived += 1
        return arrived

    def _report(self, store: Store) -> None:
        """Tell the server which feed items this till could not read (best effort)."""
        unreported = store.unreported_problems(limits.MAX_REPORT_ITEMS)
        if not unreported:
            return
        report = TillReport(problems=[problem for _, problem in unreported])
        try:
            self._call(
                "POST",
                f"{self.server.url}/v1/tills/{self.server.till_id}/reports",
                data=report.model_dump_json(),
                headers={"Content-Type": "application/json"},
                ok=(204,),
            )
        except SyncError as exc:
            log.info("feed problems not reported yet: %s", exc)
            return
        store.mark_reported(problem_id for problem_id, _ in unreported)

    # -- internals -----------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        url: str,
        *,
        read_s: float = 0.0,
        extra_s: float = 0.0,
        max_bytes: int = limits.MAX_BODY_BYTES,
        ok: tuple[int, ...] = (200,),
        **kw: Any,
    ) -> Reply:
        try:
            reply = call(
                self.session,
                method,
                url,
                deadline_s=self.deadline_s + extra_s,
                max_bytes=max_bytes,
                connect_s=CONNECT_TIMEOUT_S,
                read_s=self.timeout_s + read_s,
                **kw,
            )
        except Unreachable as exc:
            raise Unreachable(f"cannot reach {self.server.url}: {exc}") from exc
        if reply.status not in ok:
            raise _refused(f"{method} {url}: {reply.status}", reply)
        self._last_ok = self._clock()
        return reply

    def _parse(self, model: type[M], reply: Reply) -> M:
        try:
            return model.model_validate_json(reply.body)
        except ValidationError as exc:
            raise BadReply(
                f"the server answered something that is not a {model.__name__}: {str(exc)[:200]}"
            ) from exc

    def _read_policy(self, store: Store) -> None:
        """Take the scheme policy the store holds now (DEFAULTS when it holds none)."""
        try:
            unit = store.unit()  # a single amount kept by an older till is in its currency
            self._policy = Policy.from_mapping(
                store.policy_data(),
                source="scheme policy",
                currency=unit.currency if unit is not None else "EUR",
            )
        except PolicyError as exc:  # the till's screen says so too; the sync goes on
            log.warning("the store's policy cannot be read, the last one stays: %s", exc)

    def _stopped(self) -> bool:
        """Paused by the training switch, or stopped (a job's store is not opened again)."""
        return self._paused.is_set() or self._stop.is_set()

    def _job_store(self, job: str) -> Store:
        """The store `job` keeps from its first run to stop(). Opened for any thread: each job
        runs on whichever pool thread is free, but never twice at once (max_instances=1)."""
        store = self._stores.get(job)
        if store is None:
            store = Store.open(self.store_path, till_id=self.server.till_id, any_thread=True)
            self._stores[job] = store
        return store

    def _push_tick(self) -> None:
        """One scheduled push: everything unsent, unless a failure asked us to wait."""
        if self._stopped() or time.monotonic() < self._push_retry_at:
            return
        try:
            store = self._job_store("push")
            while self.push_once(store) and not self._stop.is_set():
                pass
            self.push_marks(store)
        except Exception as exc:  # logged; the next tick tries again
            self._push_retry_at = time.monotonic() + self._failed("push", exc, self._push_backoff)
        else:
            self._push_backoff.success()

    def _photo_tick(self) -> None:
        """Photos still missing, each at its own backoff (`fetch_photos`)."""
        if self._stopped():
            return
        try:
            store = self._job_store("photos")
            if store.missing_photos():
                self.fetch_photos(store)
        except Exception as exc:  # logged; the next tick tries again
            log.warning("photo fetch failed: %s", exc)

    def _pull_loop(self) -> None:
        backoff = Backoff()
        store: Store | None = None
        while not self._stop.is_set():
            if self._paused.is_set():
                self._stop.wait(0.2)
                continue
            try:
                if store is None:
                    store = Store.open(self.store_path, till_id=self.server.till_id)
                self.pull_once(store, wait=self.poll_wait_s, photos=False)
                backoff.success()
            except Exception as exc:  # logged; retried after a backoff
                if self._stop.is_set():
                    break  # the till is closing: the poll in flight was cut off, as it should be
                self._stop.wait(self._failed("pull", exc, backoff))
        if store is not None:
            store.close()

    def _failed(self, name: str, exc: Exception, backoff: Backoff) -> float:
        delay = backoff.failure()
        if isinstance(exc, SyncError | StoreUnavailable):
            self.last_error = str(exc)
            log.warning("sync %s failed (retry in %.1f s): %s", name, delay, exc)
        else:  # a bug must not end syncing for the rest of the shift
            self.last_error = f"internal error: {exc!r}"
            log.exception("sync %s failed unexpectedly (retry in %.1f s)", name, delay)
        return delay


def read_envelope(body: bytes) -> PageEnvelope:
    """A page whose rows are all well formed is read and checked in one call; one with a row
    that is not is read again with each row on its own (`read_page_records`)."""
    try:
        return RowsEnvelope.model_validate_json(body)
    except ValidationError:
        pass
    try:
        return PageEnvelope.model_validate_json(body)
    except ValidationError as exc:
        raise BadReply(
            f"the server answered something that is not a PageEnvelope: {str(exc)[:200]}"
        ) from exc


def apply_page(store: Store, page: PageEnvelope, *, since: str, synced_at: datetime) -> bool:
    """One feed page, read item by item, into the store; True when another should follow."""
    records = read_page_records(page.changes, page.rows)
    for problem in records.problems:
        log.warning(
            "feed item %s %s (seq %s) %s: %s",
            problem.kind,
            problem.key,
            problem.seq,
            "skipped" if problem.skipped else "read",
            problem.problem,
        )
    if page.reset:
        log.warning("the server did not know this till's cursor: a new snapshot starts")
    return store.apply_page(
        records,
        cursor=page.cursor,
        last_recv=page.last_recv,
        results=page.results,
        forgot=page.forgot,
        snapshot_start=page.reset or since == "0",
        more=page.more,
        synced_at=synced_at,
    )


_PAGE_CHANGES: TypeAdapter[list[Change]] = TypeAdapter(list[Change])
_FIELDS = {kind: frozenset(model.model_fields) for kind, model in DATA_MODELS.items()}


def _read_whole(changes: list[Any]) -> list[Change] | None:
    """A page whose every item reads cleanly, validated in one call (a snapshot's pages of
    thousands of items); None when any item needs reading on its own to say what is wrong."""
    for raw in changes:
        if not isinstance(raw, dict):
            return None
        data, fields = raw.get("data"), _FIELDS.get(raw.get("kind"))  # type: ignore[arg-type]
        if fields is None or (isinstance(data, dict) and not data.keys() <= fields):
            return None
    try:
        return _PAGE_CHANGES.validate_python(changes)
    except ValidationError:
        return None


def _read_each(changes: list[Any]) -> Iterator[tuple[Change | None, FeedProblem | None]]:
    whole = _read_whole(changes)
    if whole is not None:
        for change in whole:
            yield change, None
        return
    for raw in changes:
        yield read_change(raw)


def read_page_records(changes: list[Any], rows: Rows | dict[str, Any] | None = None) -> PageRecords:
    """A page's changes as store records, each read on its own: what cannot be read is
    skipped and listed in `problems`, with fields the till does not know (ignored); and its
    rows, checked already (`Rows`) or read one by one (a row that cannot be read is skipped
    and listed, the rest taken)."""
    out = PageRecords()
    if isinstance(rows, Rows):
        _take_rows(out, rows.cardholder, rows.account, rows.card, rows.agreement)
    elif rows is not None:
        _take_rows(out, *_read_rows(rows, out.problems))
    for change, problem in _read_each(changes):
        if problem is not None:
            out.problems.append(problem)
        if change is None:
            continue
        if change.data is None:
            if isinstance(change, UnitChange | PolicyChange):
                out.problems.append(
                    _problem(change.seq, change.kind, change.key, "a removal of what a till keeps")
                )
                continue
            out.removed.append((change.kind, change.key))
        elif isinstance(change, UnitChange):
            out.units.append(change.data.to_record())
        elif isinstance(change, CardholderChange):
            out.cardholders.append(change.data.to_record())
        elif isinstance(change, AccountChange):
            out.accounts.append(change.data.to_record())
            data = change.data
            if data.day is not None:
                out.days.append((data.account_id, data.day, data.day_spent, data.day_autoloads))
        elif isinstance(change, CardChange):
            out.cards.append(change.data.to_record())
        elif isinstance(change, ProductChange):
            out.products.append(change.data.to_record())
        elif isinstance(change, AgreementChange):
            out.agreements.append(change.data.to_record())
        elif isinstance(change, PolicyChange):
            out.policy = change.data.to_mapping()
    return out


def _read_rows(rows: dict[str, Any], problems: list[FeedProblem]) -> list[list[Any]]:
    """Each row read on its own, by kind (`ROW_KINDS`' order); what cannot be read is listed."""
    taken: dict[str, list[Any]] = {kind: [] for kind in ROW_KINDS}
    for kind, block in rows.items():
        for raw in block:
            row, problem = read_row(kind, raw)
            if problem is not None:
                problems.append(problem)
            if row is not None:
                taken[kind].append(row)
    return [taken[kind] for kind in ROW_KINDS]


def _take_rows(
    out: PageRecords,
    cardholders: list[Any],
    accounts: list[Any],
    cards: list[Any],
    agreements: list[Any],
) -> None:
    """Rows (`sync.protocol`'s layout, seq first) as tuples in their record's field order."""
    out.cardholder_rows = [r[1:] for r in cardholders]
    out.account_rows = [(*r[1:9], 0) for r in accounts]  # version 0, as `to_record` leaves it
    out.days.extend((r[1], r[9], r[10], r[11]) for r in accounts if r[9] is not None)
    out.card_rows = [r[1:] for r in cards]
    out.agreement_rows = [r[1:] for r in agreements]


def _problem(seq: int, kind: str, key: str, text: str) -> FeedProblem:
    return FeedProblem(seq=seq, kind=kind, key=key, problem=text, skipped=True)
