"""What the status bar says: network, last sync, unsent entries and the age of the oldest."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from terminal.status import TillStatus, format_age

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
BASE = TillStatus(
    online=True,
    unsent=0,
    oldest_unsent=None,
    now=NOW,
    alarm_after_s=180,
    reader_text="ready",
    reader_ok=True,
    printer_text="ready",
    printer_ok=True,
    unit_name="Mensa Nord",
    till_id="till-1",
    last_sync=NOW - timedelta(seconds=4),
)


def test_all_sent_and_online_with_last_sync() -> None:
    """Online with nothing queued: says so, with the age of the last sync."""
    assert BASE.unsent_text == "All entries sent"
    assert BASE.network_text == "● Online · synced 4 s ago"
    assert not BASE.alarm


def test_unsent_count_and_oldest_age() -> None:
    """Queued entries show their count and the age of the oldest."""
    status = replace(BASE, unsent=3, oldest_unsent=NOW - timedelta(seconds=95))
    assert status.unsent_text == "Unsent 3 · oldest 1 min"
    assert not status.alarm


def test_d_sync_1_alarm_only_when_stuck_while_online() -> None:
    """D-SYNC-1: an entry older than 3 minutes while the server answers raises the alarm;
    offline, an old queue is expected and is no alarm."""
    stuck = replace(BASE, unsent=1, oldest_unsent=NOW - timedelta(minutes=4))
    assert stuck.alarm
    assert stuck.unsent_text.startswith("⚠")
    assert not replace(stuck, online=False).alarm
    assert replace(stuck, online=False).network_text.startswith("● Offline")


def test_format_age() -> None:
    """Ages read as seconds, minutes, or hours and minutes."""
    assert [format_age(s) for s in (0, 59, 60, 3599, 3600, 7260)] == [
        "0 s",
        "59 s",
        "1 min",
        "59 min",
        "1 h 0 min",
        "2 h 1 min",
    ]


def test_feed_items_the_till_could_not_read_show() -> None:
    """Skipped feed items are counted in the status bar until read again; none: nothing."""
    assert BASE.feed_text == ""
    assert replace(BASE, unreadable=1).feed_text.startswith("⚠ 1 change from the server")
    assert "3 changes" in replace(BASE, unreadable=3).feed_text
