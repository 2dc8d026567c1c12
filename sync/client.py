"""The till's sync client: push the outbox, long-poll the change feed, on APScheduler jobs.

Every call has a timeout and runs on the scheduler's threads, never on the UI thread. Failures
back off exponentially with jitter. Each job opens the store itself: a SQLite connection
belongs to one thread.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import requests
from apscheduler.schedulers.background import BackgroundScheduler
from pydantic import ValidationError

from sync.protocol import ChangePage, EntryIn, JournalAck, JournalBatch
from sync.records import (
    Account,
    AutoloadAgreement,
    Card,
    Cardholder,
    CardState,
    PriceLevel,
    Product,
    Unit,
)
from sync.store import Store, StoreUnavailable

log = logging.getLogger(__name__)
CONNECT_TIMEOUT_S = 3.05
M = TypeVar("M", JournalAck, ChangePage)


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """What enrolment leaves in the data directory (`server.json`, mode 0600)."""

    url: str
    till_id: str
    credential: str

    @classmethod
    def load(cls, data_dir: Path) -> ServerConfig | None:
        path = data_dir / "server.json"
        if not path.exists():
            return None
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(str(raw["url"]).rstrip("/"), str(raw["till_id"]), str(raw["credential"]))

    def save(self, data_dir: Path) -> Path:
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / "server.json"
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(
                {"url": self.url, "till_id": self.till_id, "credential": self.credential}, out
            )
        os.replace(tmp, path)
        return path


class SyncError(Exception):
    """The server could not be reached, refused us, or answered nonsense."""


def enrol(server_url: str, code: str, *, timeout_s: float = 10.0) -> ServerConfig:
    """Trade a one-time enrolment code for this till's credential."""
    url = server_url.rstrip("/")
    try:
        reply = requests.post(
            f"{url}/v1/enrol", json={"code": code}, timeout=(CONNECT_TIMEOUT_S, timeout_s)
        )
    except requests.RequestException as exc:
        raise SyncError(f"cannot reach {url}: {exc}") from exc
    if reply.status_code != 200:
        raise SyncError(f"enrolment refused by {url} ({reply.status_code}): {reply.text[:200]}")
    body = reply.json()
    return ServerConfig(url, str(body["till_id"]), str(body["credential"]))


class Backoff:
    """Exponential backoff with full jitter: 0.5 s, 1 s, 2 s, … up to 30 s."""

    def __init__(self, base_s: float = 0.5, cap_s: float = 30.0) -> None:
        self.base_s, self.cap_s, self.failures = base_s, cap_s, 0

    def success(self) -> None:
        self.failures = 0

    def failure(self) -> float:
        self.failures += 1
        return random.uniform(0, min(self.cap_s, self.base_s * 2 ** (self.failures - 1)))


class SyncClient:
    """A `sync.link.Link`: online means the server answered within `offline_after_s`."""

    def __init__(
        self,
        store_path: Path,
        server: ServerConfig,
        *,
        session: requests.Session | None = None,
        push_every_s: float = 2.0,
        poll_wait_s: float = 20.0,
        timeout_s: float = 10.0,
        offline_after_s: float = 30.0,
    ) -> None:
        self.store_path = store_path
        self.server = server
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {server.credential}"
        self.push_every_s = push_every_s
        self.poll_wait_s = poll_wait_s
        self.timeout_s = timeout_s
        self.offline_after_s = offline_after_s
        self.last_error: str | None = None
        self._last_ok: float | None = None
        self._last_sync: datetime | None = None
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._puller: threading.Thread | None = None
        self._push_backoff = Backoff()
        self._push_retry_at = 0.0
        self._push_lock = threading.Lock()
        self._scheduler = BackgroundScheduler(
            executors={"default": {"type": "threadpool", "max_workers": 2}},
            job_defaults={"coalesce": True, "max_instances": 1},
        )

    # -- Link ----------------------------------------------------------------------------------
    def is_online(self) -> bool:
        if self._paused.is_set():
            return False
        return self._last_ok is not None and time.monotonic() - self._last_ok < self.offline_after_s

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
        # Push: an APScheduler job on a timer, run at once by nudge(). Pull: a long-poll loop on
        # a daemon thread of its own, so that a poll in flight never holds up closing the till.
        self._scheduler.add_job(
            self._push_tick,
            "interval",
            seconds=self.push_every_s,
            id="push",
            next_run_time=datetime.now(UTC),
        )
        self._scheduler.start()
        self._puller = threading.Thread(target=self._pull_loop, name="sync-pull", daemon=True)
        self._puller.start()

    def stop(self) -> None:
        self._stop.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        if self._puller is not None:
            self._puller.join(timeout=0.5)

    def nudge(self) -> None:
        """A sale was just committed: push it now rather than at the next tick."""
        if self._scheduler.running and not self._stop.is_set():
            self._scheduler.modify_job("push", next_run_time=datetime.now(UTC))

    # -- one round each (tests and benchmarks call these directly) -------------------------
    def push_once(self, store: Store, *, limit: int = 500) -> int:
        """Send the oldest unsent entries; returns how many the server settled."""
        with self._push_lock:
            pending = store.outbox_pending(limit)
            if not pending:
                return 0
            batch = JournalBatch(entries=[EntryIn.from_entry(e) for e in pending])
            url = f"{self.server.url}/v1/tills/{self.server.till_id}/journal"
            reply = self._call(
                "POST",
                url,
                data=batch.model_dump_json(),
                headers={"Content-Type": "application/json"},
            )
            ack = self._parse(JournalAck, reply)
            refused = [
                (str(r.id), f"{r.status}: {r.detail}")
                for r in ack.results
                if r.status in ("refused", "conflict")
            ]
            store.settle(ack.applied_seq, refused)
            return sum(1 for r in ack.results if r.settled)

    def pull_once(self, store: Store, *, wait: float = 0.0) -> bool:
        """Apply one page of the change feed; True when another page follows at once."""
        params: dict[str, str | float | int] = {
            "since": store.sync_cursor(),
            "wait": wait,
            "after_seq": store.server_applied_seq(),
        }
        url = f"{self.server.url}/v1/tills/{self.server.till_id}/changes"
        page = self._parse(ChangePage, self._call("GET", url, params=params, read_s=wait))
        try:
            records = _records(page)
        except (KeyError, ValueError, TypeError) as exc:
            raise SyncError(f"the server sent a change this till cannot read: {exc!r}") from exc
        now = datetime.now(UTC)
        store.apply_changes(
            cursor=page.cursor,
            applied_seq=page.applied_seq,
            synced_at=now,
            refused=[(str(r.id), f"refused: {r.detail}") for r in page.refused],
            **records,
        )
        self._last_sync = now
        self._fetch_photos(store, records["cardholders"])
        return page.more

    def _fetch_photos(self, store: Store, cardholders: list[Cardholder]) -> None:
        """Photos are content-addressed: fetch each one this till has not got yet."""
        for holder in cardholders:
            sha = holder.photo_sha256
            if sha is None or store.photo(sha) is not None:
                continue
            reply = self._call("GET", f"{self.server.url}/v1/photos/{sha}")
            try:
                store.put_photo(sha, reply.content)
            except ValueError as exc:  # bytes that do not match their address: not stored
                raise SyncError(f"photo {sha} came back corrupted: {exc}") from exc

    # -- internals -----------------------------------------------------------------------------
    def _call(self, method: str, url: str, *, read_s: float = 0.0, **kw: Any) -> requests.Response:
        try:
            reply = self.session.request(
                method, url, timeout=(CONNECT_TIMEOUT_S, self.timeout_s + read_s), **kw
            )
        except requests.RequestException as exc:
            raise SyncError(f"cannot reach {self.server.url}: {exc}") from exc
        if reply.status_code != 200:
            raise SyncError(f"{method} {url}: {reply.status_code} {reply.text[:200]}")
        self._last_ok = time.monotonic()
        return reply

    def _parse(self, model: type[M], reply: requests.Response) -> M:
        try:
            return model.model_validate_json(reply.content)
        except ValidationError as exc:
            raise SyncError(
                f"the server answered something that is not a {model.__name__}: {str(exc)[:200]}"
            ) from exc

    def _push_tick(self) -> None:
        """One scheduled push: everything unsent, unless a failure asked us to wait."""
        if self._paused.is_set() or time.monotonic() < self._push_retry_at:
            return
        try:
            with Store.open(self.store_path, till_id=self.server.till_id) as store:
                while self.push_once(store) and not self._stop.is_set():
                    pass
        except Exception as exc:  # logged; the next tick tries again
            self._push_retry_at = time.monotonic() + self._failed("push", exc, self._push_backoff)
        else:
            self._push_backoff.success()

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
                self.pull_once(store, wait=self.poll_wait_s)
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


def _records(page: ChangePage) -> dict[str, Any]:
    out: dict[str, Any] = {
        "units": [],
        "cardholders": [],
        "accounts": [],
        "cards": [],
        "products": [],
        "agreements": [],
        "policy": None,
        "days": [],
        "removed": [],
    }
    for change in page.changes:
        d = change.data
        if d is None:
            if change.kind not in ("product", "agreement"):
                raise ValueError(f"the server removed {change.kind} {change.key}: tills keep those")
            out["removed"].append((change.kind, change.key))
            continue
        if change.kind == "unit":
            out["units"].append(Unit(**d))
        elif change.kind == "cardholder":
            out["cardholders"].append(
                Cardholder(
                    d["cardholder_id"],
                    d["name"],
                    d["photo_sha256"],
                    frozenset(d["allowed_unit_types"]),
                    d["daily_limit"],
                    frozenset(d["blocked_categories"]),
                )
            )
        elif change.kind == "account":
            expires = d["membership_expires"]
            out["accounts"].append(
                Account(
                    d["account_id"],
                    d["cardholder_id"],
                    d["currency"],
                    int(d["balance"]),
                    PriceLevel(d["price_level"]),
                    None if expires is None else date.fromisoformat(expires),
                    bool(d["payment_blocked"]),
                    int(d["arrears"]),
                )
            )
            if d.get("day") is not None:
                out["days"].append(
                    (
                        d["account_id"],
                        date.fromisoformat(d["day"]),
                        int(d["day_spent"]),
                        int(d["day_autoloads"]),
                    )
                )
        elif change.kind == "card":
            out["cards"].append(
                Card(d["card_id"], d["account_id"], CardState(d["state"]), d["replaced_by"])
            )
        elif change.kind == "product":
            prices = {PriceLevel(k): int(v) for k, v in d["prices"].items()}
            out["products"].append(
                Product(
                    d["product_id"],
                    d["name"],
                    d["category"],
                    prices,
                    int(d["vat_rate_bp"]),
                    d["shortcut"],
                    int(d["position"]),
                )
            )
        elif change.kind == "agreement":
            out["agreements"].append(
                AutoloadAgreement(
                    d["account_id"],
                    int(d["threshold"]),
                    int(d["amount"]),
                    date.fromisoformat(d["active_from"]),
                    bool(d["ended"]),
                    bool(d["collection_failed"]),
                )
            )
        elif change.kind == "policy":
            out["policy"] = dict(d)
    return out
