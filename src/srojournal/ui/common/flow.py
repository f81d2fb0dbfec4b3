"""A layout that lays its widgets out in a row and wraps them onto more rows when the row is
too narrow, instead of squeezing them until they overlap (the journal's filters, a list of
chips). Widgets never shrink below their minimum size hint; an item may ask to stretch to fill
the rest of its row (``addWidget(w, stretch=1)``)."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget, QWidgetItem


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._stretch: dict[int, int] = {}
        self._spacing = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    # -- QLayout -------------------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def addWidget(self, w: QWidget, stretch: int = 0) -> None:  # noqa: N802
        self.addChildWidget(w)
        parent = self.parentWidget()
        hidden_on_purpose = w.isHidden() and w.testAttribute(
            Qt.WidgetAttribute.WA_WState_ExplicitShowHide
        )
        if parent is not None and parent.isVisible() and not hidden_on_purpose:
            w.show()  # now, not on the next event-loop turn: the size is wanted at once
        item = QWidgetItem(w)
        self._stretch[id(item)] = stretch
        self._items.append(item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        if 0 <= index < len(self._items):
            item = self._items.pop(index)
            self._stretch.pop(id(item), None)
            return item
        return None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._do_layout(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._do_layout(rect, apply=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # -- placing -------------------------------------------------------------------------------
    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _do_layout(self, rect: QRect, *, apply: bool) -> int:
        m = self.contentsMargins()
        if not self._visible():
            return 0
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        rows: list[list[tuple[QLayoutItem, int]]] = [[]]
        x = 0
        for item in self._visible():
            w = max(item.sizeHint().width(), item.minimumSize().width())
            w = min(w, area.width()) if area.width() > 0 else w
            if rows[-1] and x + w > area.width():
                rows.append([])
                x = 0
            rows[-1].append((item, w))
            x += w + self._spacing
        y = area.y()
        for row in rows:
            if not row:
                continue
            height = max(item.sizeHint().height() for item, _ in row)
            spare = area.width() - sum(w for _, w in row) - self._spacing * (len(row) - 1)
            stretches = [self._stretch.get(id(item), 0) for item, _ in row]
            total = sum(stretches)
            x = area.x()
            for (item, w), st in zip(row, stretches, strict=True):
                extra = spare * st // total if total and spare > 0 else 0
                if apply:
                    widget = item.widget()
                    policy = widget.sizePolicy() if widget is not None else None
                    h = height
                    if policy is not None and policy.verticalPolicy() == QSizePolicy.Policy.Fixed:
                        h = item.sizeHint().height()
                    item.setGeometry(QRect(QPoint(x, y + (height - h) // 2), QSize(w + extra, h)))
                x += w + extra + self._spacing
            y += height + self._spacing
        return y - self._spacing - rect.y() + m.bottom()
