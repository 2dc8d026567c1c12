"""The tray: lines with quantities, void line, total at the tapped card's price level."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from sync.records import SaleLine
from terminal import messages
from terminal.i18n import translate
from terminal.money import format_money
from terminal.ui import theme


def fill_row(
    table: QTableWidget,
    row: int,
    line: SaleLine,
    currency: str,
    *,
    name: str | None = None,
    colour: QColor | None = None,
) -> None:
    """One tray line as its three cells: quantity, name, amount (numbers right-aligned)."""
    cells = [f"{line.quantity} ×", name or line.name, format_money(line.amount, currency)]
    for col, text in enumerate(cells):
        item = QTableWidgetItem(text)
        if col != 1:
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if colour is not None:
            item.setForeground(colour)
        table.setItem(row, col, item)


class BasketView(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        title = QLabel(translate("screen", "Tray"))
        title.setObjectName("trayTitle")
        layout.addWidget(title)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(
            [
                translate("screen", "Qty"),
                translate("screen", "Item"),
                translate("screen", "Amount"),
            ]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        self.total = QLabel("")
        self.total.setObjectName("total")
        self.level = QLabel("")
        self.level.setObjectName("level")
        for label in (self.total, self.level):
            label.setAlignment(Qt.AlignmentFlag.AlignRight)
            label.setWordWrap(True)  # a long total takes a second line, never more width
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            layout.addWidget(label)

    def set_scale(self, scale: float) -> None:
        """Rows as high as the table's text needs, at least a thumb's width at scale 1."""
        self.table.verticalHeader().setDefaultSectionSize(round(40 * scale))

    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return rows[0].row()
        return self.table.rowCount() - 1 if self.table.rowCount() else None

    def show_lines(
        self,
        lines: list[SaleLine],
        total: int,
        currency: str,
        level: str,
        flagged: frozenset[str] = frozenset(),
    ) -> None:
        """The tray; a line in `flagged` (sold out or off the menu since) says so, in red."""
        selected = self.table.currentRow()
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            name = line.name
            if line.product_id in flagged:
                name = translate("screen", "{name} (not available: Del)").format(name=name)
            colour = QColor(theme.REFUSED) if line.product_id in flagged else None
            fill_row(self.table, row, line, currency, name=name, colour=colour)
        if lines:
            self.table.selectRow(
                min(max(selected, 0), len(lines) - 1) if selected >= 0 else len(lines) - 1
            )
        self.total.setText(
            translate("screen", "Total {amount}").format(amount=format_money(total, currency))
        )
        self.level.setText(messages.price_level_name(level))
