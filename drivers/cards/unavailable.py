"""A reader family that cannot run here: it reports "unavailable" and never taps.

Used for reader families whose support is not built yet (PC/SC, NFC) and, later, when their
library or service is missing: the till keeps running and shows the status text.
"""

from __future__ import annotations

from drivers.cards.base import (
    CardReader,
    ErrorCallback,
    ReaderState,
    ReaderStatus,
    StatusCallback,
    TapCallback,
)


class UnavailableReader(CardReader):
    """Status `unavailable` with `text`, from construction on; start and stop do nothing else."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(name, ReaderStatus(ReaderState.UNAVAILABLE, text))

    def start(
        self,
        on_tap: TapCallback,
        on_status: StatusCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> None:
        self._bind(on_tap, on_status, on_error)
        if on_status is not None:
            on_status(self.status)

    def stop(self) -> None:
        self._unbind()
