"""One error tree for the drivers: a caller catches what it means, never a bare ValueError."""

from __future__ import annotations

import pytest

from drivers.cards import BadCardRead, DriverError, MalformedCardId, ReaderUnavailable
from drivers.cards.nfc import UnreadableCard
from drivers.cards.pcsc import PcscUnavailable
from drivers.cards.pcsc_apdu import UidReadError, parse_uid_response
from drivers.cards.simulated import ReaderNotRunning, SimulatedReaderError, TapRefused
from drivers.printers import PaperOut, PrinterError, PrinterOffline
from drivers.printers.base import PrinterState, fault


@pytest.mark.parametrize(
    ("error", "family"),
    [
        (PcscUnavailable, ReaderUnavailable),
        (MalformedCardId, BadCardRead),
        (UidReadError, BadCardRead),
        (UnreadableCard, BadCardRead),
        (PrinterOffline, PrinterError),
        (PaperOut, PrinterError),
        (ReaderNotRunning, SimulatedReaderError),
        (TapRefused, SimulatedReaderError),
        (ReaderUnavailable, DriverError),
        (BadCardRead, DriverError),
        (PrinterError, DriverError),
        (SimulatedReaderError, DriverError),
    ],
)
def test_every_driver_error_is_in_the_tree(error: type[Exception], family: type[Exception]) -> None:
    assert issubclass(error, family)


def test_a_bad_read_from_pcsc_is_not_a_value_error() -> None:
    """The readers catch BadCardRead; a ValueError is left for bad config strings."""
    with pytest.raises(BadCardRead, match="status word 6A 81") as caught:
        parse_uid_response([0x6A, 0x81])
    assert not isinstance(caught.value, ValueError)
    assert not issubclass(UnreadableCard, ValueError)


@pytest.mark.parametrize(
    ("state", "error"),
    [
        (PrinterState.PAPER_OUT, PaperOut),
        (PrinterState.OFFLINE, PrinterOffline),
        (PrinterState.COVER_OPEN, PrinterError),
        (PrinterState.ERROR, PrinterError),
    ],
)
def test_a_refused_job_raises_the_error_of_its_state(
    state: PrinterState, error: type[PrinterError]
) -> None:
    raised = fault(state, "words for the cashier")
    assert type(raised) is error
    assert str(raised) == "words for the cashier"
