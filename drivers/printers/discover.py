"""The receipt printers this machine has: USB printers, and device files a printer shows up as."""

from __future__ import annotations

import glob

from drivers.discovery import Finding

# Device files an ESC/POS printer shows up as: USB printer class, USB serial, serial ports.
PRINTER_FILES = ("/dev/usb/lp*", "/dev/ttyUSB*", "/dev/ttyACM*")
NO_FILES = "no printer device files (/dev/usb/lp*, /dev/ttyUSB*, /dev/ttyACM*)"


def find_printers() -> list[Finding]:
    """USB printers, then device files; each search that finds nothing says why.

    The "none" finding of the device files has `where` "" : its text says what was looked for.
    """
    return [*_usb_printers(), *_device_files()]


def _usb_printers() -> list[Finding]:
    """USB devices with a printer interface (class 7), as `escpos:usb:VVVV:PPPP`."""
    try:
        import usb.core

        devices = list(usb.core.find(find_all=True))
    except Exception as exc:  # no libusb, no permission: say so
        return [Finding("USB", f"cannot list USB devices ({exc})")]
    found = []
    for dev in devices:
        try:
            classes = {i.bInterfaceClass for cfg in dev for i in cfg}
        except Exception:  # a device we may not open: skip it
            continue
        if 7 in classes:
            spec = f"escpos:usb:{dev.idVendor:04x}:{dev.idProduct:04x}"
            found.append(Finding("USB", spec, spec))
    return found or [Finding("USB", "no USB printers")]


def _device_files() -> list[Finding]:
    files = sorted(path for pattern in PRINTER_FILES for path in glob.glob(pattern))
    found = []
    for path in files:  # a serial port needs its baud rate set: serial:, not file:
        spec = f"escpos:file:{path}" if "/usb/lp" in path else f"escpos:serial:{path}"
        found.append(Finding("device file", f"{path} ({spec})", spec))
    return found or [Finding("", NO_FILES)]
