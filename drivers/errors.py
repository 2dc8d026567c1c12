"""What can go wrong in a driver, as one tree, so that a caller catches what it means.

    DriverError
    ├── ReaderUnavailable   this reader family cannot run here (library or service missing)
    ├── BadCardRead         what a reader delivered is not a card number
    ├── PrinterError        a receipt was not printed
    │   ├── PrinterOffline  the printer cannot be reached (off, unplugged, not answering)
    │   └── PaperOut        the printer is out of paper
    └── SimulatedReaderError  the simulated reader's socket did not take a tap (its client side)

Every message is a sentence for the cashier or the installer. A malformed config string is a
ValueError (bad input), not one of these. A bad read on a running reader is reported to the
till as a `drivers.cards.BadRead` event, never raised to it.
"""

from __future__ import annotations


class DriverError(Exception):
    """A card reader or receipt printer failed; the message says why."""


class ReaderUnavailable(DriverError):
    """This kind of card reader cannot be used here (pcscd not running, a library missing)."""


class BadCardRead(DriverError):
    """What a reader delivered (or someone typed) is not a card number; the message says why."""


class PrinterError(DriverError):
    """Printing failed; the message says why in words a cashier understands."""


class PrinterOffline(PrinterError):
    """The printer cannot be reached or is offline: nothing was printed."""


class PaperOut(PrinterError):
    """The printer is out of paper: nothing was printed."""
