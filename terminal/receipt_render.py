"""Receipt layout, written once: plain text for 32/42/48-column paper and an 80 mm PDF.

No float touches money: amounts go through `terminal.money.format_money`, VAT rates through
`terminal.receipt.vat_rate_text` (integer formatting of basis points).
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from drivers.printers.base import PrintJob
from sync.records import EntryKind
from terminal.i18n import QT_TRANSLATE_NOOP, Language, format_clock, format_day
from terminal.money import format_money
from terminal.receipt import Receipt, tender_label, vat_rate_text

# 58 mm thermal paper holds 32 characters (font A); 80 mm paper 42 or 48 (font A / font B).
COLUMNS = (32, 42, 48)

TITLES: dict[EntryKind, str] = {
    EntryKind.SALE: QT_TRANSLATE_NOOP("receipt", "RECEIPT"),
    EntryKind.TOPUP: QT_TRANSLATE_NOOP("receipt", "TOP-UP"),
    EntryKind.AUTOLOAD: QT_TRANSLATE_NOOP("receipt", "AUTOLOAD"),
    EntryKind.VOID: QT_TRANSLATE_NOOP("receipt", "VOID"),
    EntryKind.ARREARS_PAYMENT: QT_TRANSLATE_NOOP("receipt", "ARREARS PAYMENT"),
}
COPY_MARK = QT_TRANSLATE_NOOP("receipt", "*** COPY ***")


def L(receipt: Receipt) -> Language:  # noqa: N802 (short: it is on every label)
    """The receipt's language: its unit's (D-UNIT-1), whatever the screen speaks."""
    return Language(receipt.language)


def tender_text(receipt: Receipt) -> str:
    return L(receipt).translate("receipt", receipt.tender)


# ---------------------------------------------------------------- shared bits


def local_time_text(receipt: Receipt) -> str:
    """'21.11.2026 12:03 +01:00' (de_DE): the unit's local date and time as its people write
    them (Babel, the unit's locale), with its UTC offset."""
    local = receipt.local_time()
    return f"{format_day(local.date())} {format_clock(local)} {_offset_text(local)}"


def _offset_text(moment: datetime) -> str:
    offset = moment.utcoffset()
    minutes = 0 if offset is None else int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def vat_codes(receipt: Receipt) -> dict[int, str]:
    """A letter per VAT rate, lowest rate first (A, B, ...), printed after each line amount."""
    return {v.rate_bp: chr(ord("A") + i) for i, v in enumerate(receipt.vat)}


def title(receipt: Receipt) -> str:
    """The receipt's heading; a top-up's void and an arrears payment say what they are."""
    if receipt.kind is EntryKind.ARREARS_PAYMENT:
        return L(receipt).translate("receipt", "ARREARS PAYMENT")
    if receipt.kind is EntryKind.VOID and receipt.voided_kind is EntryKind.TOPUP:
        return L(receipt).translate("receipt", "VOID OF TOP-UP")
    return L(receipt).translate("receipt", TITLES[receipt.kind])


def voids_text(receipt: Receipt) -> str | None:
    """What a void names: the receipt number it voids (a cashier finds receipts by number);
    the entry id only for voids journaled before they kept the number."""
    if receipt.voids_receipt_no is not None:
        text = L(receipt).translate("receipt", "Void of receipt {number}")
        return text.format(number=receipt.voids_receipt_no)
    if receipt.voids_entry_id:
        text = L(receipt).translate("receipt", "Voids {entry}")
        return text.format(entry=receipt.voids_entry_id)
    return None


def _no_vat(receipt: Receipt) -> bool:
    """Stored value moved, nothing sold: no VAT to show."""
    return receipt.kind in (EntryKind.TOPUP, EntryKind.AUTOLOAD) or (
        receipt.voided_kind is EntryKind.TOPUP
    )


def _money(receipt: Receipt, minor: int, *, plus: bool = False) -> str:
    text = format_money(minor, receipt.currency)
    return f"+{text}" if plus and minor > 0 else text


def _summary(receipt: Receipt) -> list[tuple[str, str]]:
    """Label/value rows under the total: tender, card, autoload, balance after."""
    total = _money(receipt, abs(receipt.total))
    rows: list[tuple[str, str]] = []
    lang, tender = L(receipt), tender_text(receipt)
    if receipt.kind is EntryKind.VOID:
        rows.append((lang.translate("receipt", "Refund to {tender}").format(tender=tender), total))
    elif receipt.kind is EntryKind.AUTOLOAD:
        rows.append(
            (
                lang.translate("receipt", "Collected by {tender}").format(tender=tender),
                lang.translate("receipt", "later"),
            )
        )
    else:
        rows.append((lang.translate("receipt", "Paid by {tender}").format(tender=tender), total))
    if receipt.masked_card_id:
        rows.append((lang.translate("receipt", "Card"), receipt.masked_card_id))
    if receipt.autoload_amount is not None and receipt.kind is not EntryKind.AUTOLOAD:
        amount = _money(receipt, receipt.autoload_amount, plus=True)
        rows.append((lang.translate("receipt", "Autoload"), amount))
    if receipt.arrears_after is not None:  # D-AUTO-7
        left = _money(receipt, receipt.arrears_after)
        rows.append((lang.translate("receipt", "Arrears left"), left))
    rows.append(
        (lang.translate("receipt", "Balance after"), _money(receipt, receipt.balance_after))
    )
    return rows


def _item_rows(receipt: Receipt) -> list[tuple[str, str, str, str]]:
    """(quantity prefix, name, amount, VAT code) per line; a credit without lines gets one row."""
    codes = vat_codes(receipt)
    if receipt.lines:
        return [
            (
                f"{line.quantity} x ",
                line.name,
                _money(receipt, line.amount),
                codes[line.vat_rate_bp],
            )
            for line in receipt.lines
        ]
    if receipt.kind is EntryKind.ARREARS_PAYMENT:
        label = L(receipt).translate("receipt", "Arrears paid")
        return [("", label, _money(receipt, receipt.total), "")]
    if receipt.voided_kind is EntryKind.TOPUP:
        label = L(receipt).translate("receipt", "Top-up taken back")
        return [("", label, _money(receipt, receipt.total), "")]
    label = (
        L(receipt).translate("receipt", "Top-up")
        if receipt.kind is EntryKind.TOPUP
        else L(receipt).translate("receipt", "Autoload")
    )
    return [("", label, _money(receipt, receipt.total, plus=True), "")]


# ---------------------------------------------------------------- text


def render_text(receipt: Receipt, columns: int = 42) -> str:
    """The receipt as monospace text, every line at most `columns` wide (32, 42 or 48)."""
    if columns not in COLUMNS:
        raise ValueError(f"receipt width must be one of {COLUMNS} columns, got {columns}")
    w = columns
    out: list[str] = []

    def centre(text: str) -> None:
        for part in _wrap(text, w):
            out.append(part.center(w).rstrip())

    def kv(label: str, value: str) -> None:
        if len(label) + 1 + len(value) <= w:
            out.append(label + value.rjust(w - len(label)))
        else:  # too wide for one line: label, then the value right-aligned below it
            out.extend(_wrap(label, w))
            out.extend(part.rjust(w) for part in _wrap(value, w))

    if receipt.copy:
        centre(L(receipt).translate("receipt", COPY_MARK))
        out.append("")
    centre(receipt.seller_name)
    for address_line in receipt.address.splitlines():
        centre(address_line)
    centre(L(receipt).translate("receipt", "VAT no. {number}").format(number=receipt.vat_number))
    centre(receipt.unit_name)
    out.append("=" * w)
    centre(title(receipt))
    kv(L(receipt).translate("receipt", "Receipt no."), str(receipt.receipt_no))
    kv(L(receipt).translate("receipt", "Till"), receipt.till_id)
    kv(L(receipt).translate("receipt", "Date"), local_time_text(receipt))
    voided = voids_text(receipt)
    if voided is not None:
        out.extend(_wrap(voided, w))
    out.append("-" * w)

    amount_w = max(12, *(len(r[2]) + 1 for r in _item_rows(receipt)))
    name_w = w - amount_w - 2
    for line_index, (prefix, name, amount, code) in enumerate(_item_rows(receipt)):
        parts = _wrap(name, name_w - len(prefix))
        indent = " " * len(prefix)
        out.append(
            f"{prefix}{parts[0]}".ljust(name_w) + amount.rjust(amount_w) + f" {code}".rstrip()
        )
        out.extend(f"{indent}{part}".rstrip() for part in parts[1:])
        if receipt.lines:
            line = receipt.lines[line_index]
            if abs(line.quantity) != 1:
                each = L(receipt).translate("receipt", "{price} each")
                out.append(indent + each.format(price=_money(receipt, line.unit_price)))

    out.append("-" * w)
    kv(L(receipt).translate("receipt", "TOTAL"), _money(receipt, receipt.total))
    out.append("=" * w)
    for label, value in _summary(receipt):
        kv(label, value)
    if receipt.offline:
        centre(L(receipt).translate("receipt", "* APPROVED OFFLINE *"))

    if receipt.vat:
        out.append("-" * w)
        first_w = 9
        cell_w = (w - first_w) // 3
        heads = (
            L(receipt).translate("receipt", "Net"),
            L(receipt).translate("receipt", "VAT"),
            L(receipt).translate("receipt", "Gross"),
        )
        out.append(
            heads[1].ljust(first_w)
            + "".join(h.rjust(cell_w) for h in (heads[0], heads[1], heads[2]))
        )
        codes = vat_codes(receipt)
        for v in receipt.vat:
            first = f"{codes[v.rate_bp]} {vat_rate_text(v.rate_bp)}".ljust(first_w)
            cells = (_money(receipt, x) for x in (v.net, v.vat, v.gross))
            out.append(first + "".join(" " + c.rjust(cell_w - 1) for c in cells))
    elif _no_vat(receipt):
        out.append("-" * w)
        centre(L(receipt).translate("receipt", "Stored value: no VAT"))

    out.append("-" * w)
    kv(L(receipt).translate("receipt", "Entry"), receipt.entry_id)
    centre(L(receipt).translate("receipt", "Thank you"))
    if receipt.copy:
        out.append("")
        centre(L(receipt).translate("receipt", COPY_MARK))
    # The safety net: a line that came out too wide is wrapped, never cut off.
    fitted = [part for line in out for part in (_wrap(line, w) if len(line) > w else [line])]
    return "\n".join(fitted) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    """Wrap at spaces; a word longer than the width is broken, so nothing is ever lost."""
    width = max(1, width)
    parts = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=True)
    return parts or [""]


# ---------------------------------------------------------------- PDF

PAGE_WIDTH_MM = 80.0
MARGIN_MM = 4.0
LINE_MM = 4.0
BODY_PT = 8.5

FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
FONT_DIRS: tuple[Path, ...] = (
    Path(__file__).resolve().parent.parent / "assets" / "fonts",
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian/Ubuntu: fonts-dejavu-core
    Path("/usr/share/fonts/dejavu"),  # Fedora
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/share/fonts/TTF"),  # Arch
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)


def find_font(filename: str, dirs: Sequence[Path] = FONT_DIRS) -> Path | None:
    """The first readable `filename` in `dirs` (a small, fixed search; no font scanning)."""
    for folder in dirs:
        candidate = folder / filename
        if candidate.is_file():
            return candidate
    return None


def latin1_text(text: str) -> str:
    """Transliterate for the built-in Helvetica (Latin-1 only): '€' -> 'EUR', '•' -> '*'."""
    text = text.replace("€", "EUR").replace("•", "*").replace("–", "-").replace("—", "-")
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            ascii_form = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(ascii_form or "?")
    return "".join(out)


def render_pdf(receipt: Receipt, *, font_dirs: Sequence[Path] | None = None) -> bytes:
    """The receipt as a PDF on an 80 mm wide page exactly as tall as its content.

    Uses DejaVu Sans (€ å ä ö æ ø ü ß) when found in `font_dirs` (default FONT_DIRS), else the
    built-in Helvetica with transliterated text.
    """
    dirs = FONT_DIRS if font_dirs is None else tuple(font_dirs)
    regular = find_font(FONT_FILES[0], dirs)
    bold = find_font(FONT_FILES[1], dirs) if regular is not None else None
    # First pass on a very tall page to measure; second pass on a page that fits.
    measure = _PdfReceipt(receipt, 2000.0, regular, bold)
    height = measure.draw()
    measure.close_fonts()
    page = _PdfReceipt(receipt, height + MARGIN_MM, regular, bold)
    page.draw()
    return page.output()


class _PdfReceipt:
    def __init__(self, receipt: Receipt, height: float, regular: Path | None, bold: Path | None):
        from fpdf import FPDF  # fpdf2; imported here so text rendering never needs it

        self.r = receipt
        pdf: Any = FPDF(orientation="P", unit="mm", format=(PAGE_WIDTH_MM, height))
        pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        pdf.set_auto_page_break(False)
        pdf.set_creation_date(receipt.issued_at)
        pdf.set_title(f"{receipt.till_id}/{receipt.receipt_no}")
        pdf.set_creator("canteen-till")
        if regular is not None:
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold or regular))
            self.family = "DejaVu"
            self.unicode = True
        else:
            self.family = "helvetica"
            self.unicode = False
        pdf.add_page()
        self.pdf = pdf
        self.width = PAGE_WIDTH_MM - 2 * MARGIN_MM

    def t(self, text: str) -> str:
        return text if self.unicode else latin1_text(text)

    def font(self, size: float = BODY_PT, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)

    def centre(self, text: str, size: float = BODY_PT, bold: bool = False) -> None:
        self.font(size, bold)
        self.pdf.multi_cell(
            self.width,
            LINE_MM * size / BODY_PT,
            self.t(text),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )

    def kv(self, label: str, value: str, size: float = BODY_PT, bold: bool = False) -> None:
        self.font(size, bold)
        pdf = self.pdf
        height = LINE_MM * size / BODY_PT
        value_w = min(pdf.get_string_width(self.t(value)) + 1.0, self.width)
        label_w = self.width - value_w
        if pdf.get_string_width(self.t(label)) + 1.0 > label_w:  # no room: two lines
            pdf.multi_cell(
                self.width, height, self.t(label), align="L", new_x="LMARGIN", new_y="NEXT"
            )
            pdf.multi_cell(
                self.width, height, self.t(value), align="R", new_x="LMARGIN", new_y="NEXT"
            )
            return
        pdf.cell(label_w, height, self.t(label), new_x="RIGHT", new_y="TOP")
        pdf.cell(value_w, height, self.t(value), align="R", new_x="LMARGIN", new_y="NEXT")

    def rule(self, gap: float = 1.2, weight: float = 0.2) -> None:
        pdf = self.pdf
        y = pdf.get_y() + gap
        pdf.set_line_width(weight)
        pdf.line(MARGIN_MM, y, PAGE_WIDTH_MM - MARGIN_MM, y)
        pdf.set_y(y + gap)

    def space(self, mm: float = 1.5) -> None:
        self.pdf.set_y(self.pdf.get_y() + mm)

    def draw(self) -> float:
        r, pdf = self.r, self.pdf
        if r.copy:
            self.centre(L(self.r).translate("receipt", COPY_MARK), 11, bold=True)
            self.space()
        self.centre(r.seller_name, 11, bold=True)
        for address_line in r.address.splitlines():
            self.centre(address_line)
        self.centre(L(r).translate("receipt", "VAT no. {number}").format(number=r.vat_number))
        self.centre(r.unit_name)
        self.rule(weight=0.4)
        self.centre(title(r), 10, bold=True)
        self.kv(L(r).translate("receipt", "Receipt no."), str(r.receipt_no))
        self.kv(L(r).translate("receipt", "Till"), r.till_id)
        self.kv(L(r).translate("receipt", "Date"), local_time_text(r))
        voided = voids_text(r)
        if voided is not None:
            self.centre(voided)
        self.rule()

        code_w, amount_w = 4.0, 20.0
        name_w = self.width - code_w - amount_w
        for index, (prefix, name, amount, code) in enumerate(_item_rows(r)):
            self.font()
            y = pdf.get_y()
            pdf.set_xy(MARGIN_MM + name_w, y)
            pdf.cell(amount_w, LINE_MM, self.t(amount), align="R", new_x="RIGHT", new_y="TOP")
            pdf.cell(code_w, LINE_MM, code, align="R", new_x="LMARGIN", new_y="TOP")
            pdf.set_xy(MARGIN_MM, y)
            prefix_w = pdf.get_string_width(prefix) + 0.5 if prefix else 0.0
            if prefix:
                pdf.cell(prefix_w, LINE_MM, prefix, new_x="RIGHT", new_y="TOP")
            # Left-aligned (fpdf2 justifies by default); continuation lines indent under the name.
            pdf.multi_cell(
                name_w - prefix_w, LINE_MM, self.t(name), align="L", new_x="LMARGIN", new_y="NEXT"
            )
            if r.lines and abs(r.lines[index].quantity) != 1:
                self.font(7.5)
                pdf.set_x(MARGIN_MM + prefix_w)
                each = f"{_money(r, r.lines[index].unit_price)} each"
                pdf.cell(
                    name_w - prefix_w, LINE_MM * 0.9, self.t(each), new_x="LMARGIN", new_y="NEXT"
                )
        self.rule()
        self.kv(L(r).translate("receipt", "TOTAL"), _money(r, r.total), size=11, bold=True)
        self.rule(weight=0.4)
        for label, value in _summary(r):
            self.kv(label, value)
        if r.offline:
            self.space(1)
            self.centre(L(r).translate("receipt", "APPROVED OFFLINE"), bold=True)

        if r.vat:
            self.rule()
            self._vat_table()
        elif _no_vat(r):
            self.rule()
            self.centre(L(r).translate("receipt", "Stored value: no VAT"), 7.5)
        self.rule()
        self.centre(L(r).translate("receipt", "Entry {entry}").format(entry=r.entry_id), 6.5)
        self.space(1)
        self.centre(L(r).translate("receipt", "Thank you"), 9)
        if r.copy:
            self.space()
            self.centre(L(self.r).translate("receipt", COPY_MARK), 11, bold=True)
        return float(pdf.get_y())

    def _vat_table(self) -> None:
        r, pdf = self.r, self.pdf
        first_w = 15.0
        cell_w = (self.width - first_w) / 3
        self.font(7.5, bold=True)
        lang = L(r)
        vat = lang.translate("receipt", "VAT")
        pdf.cell(first_w, LINE_MM, self.t(vat), new_x="RIGHT", new_y="TOP")
        for head in (lang.translate("receipt", "Net"), vat, lang.translate("receipt", "Gross")):
            pdf.cell(cell_w, LINE_MM, self.t(head), align="R", new_x="RIGHT", new_y="TOP")
        pdf.ln(LINE_MM)
        self.font(7.5)
        codes = vat_codes(r)
        for v in r.vat:
            pdf.cell(
                first_w,
                LINE_MM,
                f"{codes[v.rate_bp]} {vat_rate_text(v.rate_bp)}",
                new_x="RIGHT",
                new_y="TOP",
            )
            for amount in (v.net, v.vat, v.gross):
                pdf.cell(
                    cell_w,
                    LINE_MM,
                    self.t(_money(r, amount)),
                    align="R",
                    new_x="RIGHT",
                    new_y="TOP",
                )
            pdf.ln(LINE_MM)

    def output(self) -> bytes:
        data = bytes(self.pdf.output())
        self.close_fonts()
        return data

    def close_fonts(self) -> None:
        # fpdf2 opens TrueType files lazily and never closes them; a till renders all day.
        for font in self.pdf.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()


# ---------------------------------------------------------------- print jobs


def job_id_for(receipt: Receipt) -> str:
    """'T01-000042': the same for the original and its reprints (till id made file-name safe)."""
    till = re.sub(r"[^A-Za-z0-9_-]+", "_", receipt.till_id).strip("_") or "till"
    return f"{till}-{receipt.receipt_no:06d}"


def receipt_no_of_job(job_id: str) -> int | None:
    """The receipt number a job id (job_id_for) carries; None for any other id."""
    tail = job_id.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def make_print_job(receipt: Receipt, *, columns: int = 42, with_pdf: bool = True) -> PrintJob:
    """The job a printer gets: the text layout, and the PDF when wanted (simulated printer).

    The QR code carries the journal entry id, so a receipt leads an auditor to its entry. The
    cash drawer opens for cash taken in (a cash top-up), never for a reprint.
    """
    return PrintJob(
        job_id=job_id_for(receipt),
        text=render_text(receipt, columns),
        pdf=render_pdf(receipt) if with_pdf else None,
        columns=columns,
        copy=receipt.copy,
        qr=receipt.entry_id,
        kick_drawer=receipt.tender == tender_label("cash") and not receipt.copy,
    )
