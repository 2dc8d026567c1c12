"""What the status bar says, computed without Qt so it can be tested and benchmarked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from terminal.i18n import translate


@dataclass(frozen=True, slots=True)
class TillStatus:
    online: bool
    unsent: int
    oldest_unsent: datetime | None
    now: datetime
    alarm_after_s: int
    reader_text: str
    reader_ok: bool
    printer_text: str
    printer_ok: bool
    unit_name: str
    till_id: str
    last_sync: datetime | None = None
    unreadable: int = 0  # feed items from the server this till could not read (skipped)

    @property
    def oldest_age_s(self) -> int | None:
        if self.oldest_unsent is None:
            return None
        return max(0, int((self.now - self.oldest_unsent).total_seconds()))

    @property
    def alarm(self) -> bool:
        """D-SYNC-1: entries waiting longer than the operators' promise while the server answers."""
        age = self.oldest_age_s
        return self.online and age is not None and age > self.alarm_after_s

    @property
    def network_text(self) -> str:
        synced = ""
        if self.last_sync is not None:
            age = max(0, int((self.now - self.last_sync).total_seconds()))
            synced = translate("screen", " · synced {age} ago").format(age=format_age(age))
        if self.online:
            return translate("screen", "● Online") + synced
        return translate("screen", "● Offline: selling from the local copy") + synced

    @property
    def feed_text(self) -> str:
        """Empty while the till reads everything the server sends."""
        if self.unreadable == 0:
            return ""
        if self.unreadable == 1:
            return translate("screen", "⚠ 1 change from the server not readable: reported")
        return translate(
            "screen", "⚠ {count} changes from the server not readable: reported"
        ).format(count=self.unreadable)

    @property
    def unsent_text(self) -> str:
        if self.unsent == 0:
            return translate("screen", "All entries sent")
        age = self.oldest_age_s or 0
        text = translate("screen", "Unsent {count} · oldest {age}").format(
            count=self.unsent, age=format_age(age)
        )
        return translate("screen", "⚠ {text}: sync stuck").format(text=text) if self.alarm else text


def format_age(seconds: int) -> str:
    if seconds < 60:
        return translate("screen", "{seconds} s").format(seconds=seconds)
    if seconds < 3600:
        return translate("screen", "{minutes} min").format(minutes=seconds // 60)
    hours, rest = divmod(seconds, 3600)
    return translate("screen", "{hours} h {minutes} min").format(hours=hours, minutes=rest // 60)
