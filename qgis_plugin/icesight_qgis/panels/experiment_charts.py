"""The Experiments page's charts, painted with QPainter (the plugin imports no plotting library:
matplotlib is not a dependency of Debian's python3-qgis; ``tests/test_architecture.py`` keeps that
rule): a training run's curves, a search's trials and an ablation study's changes.

Each chart works from the contract's result types and says where it draws what (``series_points``,
``marks``, ``bars``), in its own pixels, so that what it shows can be checked without reading
pixels. They are laid out for the dock's narrowest width (300 px): few, non-overlapping tick
labels, legends that wrap, component names elided rather than squeezed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qgis.PyQt.QtCore import QPointF, QRectF, QSize, Qt
from qgis.PyQt.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPen
from qgis.PyQt.QtWidgets import QSizePolicy, QWidget

from icesight_contract import AblationRow, EpochMetrics, TrialResult

TRAIN_COLOUR = QColor(70, 130, 180)  # steel blue
VALIDATION_COLOUR = QColor(230, 126, 34)  # orange
ACCURACY_COLOUR = QColor(39, 174, 96)  # green
BEST_COLOUR = QColor(192, 57, 43)  # red
PRUNED_COLOUR = QColor(140, 140, 140)
FAILED_COLOUR = QColor(192, 57, 43)
HELPS_COLOUR = QColor(70, 130, 180)  # worse without the component: it helps
HURTS_COLOUR = QColor(230, 126, 34)  # better without it
GRID_COLOUR = QColor(128, 128, 128, 60)

#: Pixels between the widget's edge and what it draws.
MARGIN = 4.0
#: Radius of a data point's dot, and of the best trial's ring.
DOT_RADIUS = 2.5
BEST_RADIUS = 6.0
#: Histories longer than this are drawn as lines only (the dots would merge).
MAX_DOTTED_EPOCHS = 40


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round values (steps of 1, 2, 2.5 or 5 times a power of ten) covering
    ``low..high``: the first at or below ``low``, the last at or above ``high``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high <= low:
        pad = abs(low) * 0.05 or 0.05
        low, high = low - pad, high + pad
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    n = int(round((last - first) / step))
    return [round(first + i * step, 12) for i in range(n + 1)]


def tick_decimals(ticks: list[float]) -> int:
    """The fewest decimals that write every tick exactly (0.25 needs two, 0.5 one, 5 none)."""
    for decimals in range(5):
        if all(abs(round(t, decimals) - t) < 1e-9 for t in ticks):
            return decimals
    return 4


def spaced(labels: list[tuple[int, QRectF]]) -> list[tuple[int, QRectF]]:
    """The labels, left to right, less any that would touch the one before it."""
    kept: list[tuple[int, QRectF]] = []
    for value, rect in labels:
        if not kept or rect.left() >= kept[-1][1].right():
            kept.append((value, rect))
    return kept


def integer_step(n: int, room_px: float, label_px: float) -> int:
    """The step (1, 2, 5, 10, 20, 50, ...) between labelled integers 1..n so that labels
    ``label_px`` wide never overlap in ``room_px``."""
    fitting = max(1, int(room_px // max(label_px, 1.0)))
    step = 1
    while math.ceil(n / step) > fitting:
        for factor in (2, 2.5, 2):  # 1, 2, 5, 10, 20, 50, ...
            step = int(round(step * factor))
            if math.ceil(n / step) <= fitting:
                break
    return step


def _wrapped_height(metrics: QFontMetrics, text: str, width: float) -> float:
    return metrics.boundingRect(0, 0, max(int(width), 10), 10000, Qt.TextWordWrap, text).height()


class _Chart(QWidget):
    """What the three charts share: sizing for a narrow dock and painting through ``_paint``.
    (No text of its own: each chart translates its own words.)"""

    def __init__(self, height: int, parent=None):
        super().__init__(parent)
        self._height = height
        self.setMinimumHeight(height)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(260, self._height)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(160, self._height)

    def _set_height(self, height: int) -> None:
        if height != self._height:
            self._height = height
            self.setMinimumHeight(height)
            self.updateGeometry()

    def paintEvent(self, event):  # noqa: N802 - Qt API
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.Antialiasing)
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:  # pragma: no cover - each chart paints itself
        raise NotImplementedError

    def _line(self) -> float:
        return float(self.fontMetrics().height())

    def _text_pen(self) -> QPen:
        return QPen(self.palette().text().color())

    def _y_axis(self, painter: QPainter, rect: QRectF, ticks: list[float], text: callable) -> None:
        """Tick labels left of ``rect`` and faint grid lines across it."""
        line = self._line()
        last_label_y = math.inf
        for value in ticks:
            y = rect.bottom() - rect.height() * (value - ticks[0]) / (ticks[-1] - ticks[0])
            painter.setPen(QPen(GRID_COLOUR))
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            if last_label_y - y < line:
                continue  # the label would touch the one below it
            last_label_y = y
            painter.setPen(self._text_pen())
            painter.drawText(QRectF(MARGIN, y - line / 2, rect.left() - MARGIN - 3, line),
                             Qt.AlignRight | Qt.AlignVCenter, text(value))

    def _gutter(self, labels: list[str]) -> float:
        """Width of the left gutter that holds the widest of ``labels``."""
        metrics = self.fontMetrics()
        return MARGIN + max((metrics.horizontalAdvance(label) for label in labels), default=0) + 6

    def _legend(self, painter: QPainter | None, entries: list[tuple[str, callable]], top: float) -> float:
        """Legend entries (a symbol painter and a word) flowing left to right, wrapping at the
        widget's edge; returns the height used. With ``painter`` None, only measures."""
        metrics = self.fontMetrics()
        line = self._line()
        symbol = line  # a square the height of a line
        x, y = MARGIN, top
        for word, draw_symbol in entries:
            width = symbol + 3 + metrics.horizontalAdvance(word) + 10
            if x > MARGIN and x + width > self.width() - MARGIN:
                x, y = MARGIN, y + line
            if painter is not None:
                draw_symbol(painter, QPointF(x + symbol / 2, y + line / 2), symbol)
                painter.setPen(self._text_pen())
                painter.drawText(QRectF(x + symbol + 3, y, width, line), Qt.AlignLeft | Qt.AlignVCenter, word)
            x += width
        return y + line - top


def _line_symbol(colour: QColor):
    def draw(painter: QPainter, centre: QPointF, size: float) -> None:
        painter.setPen(QPen(colour, 2))
        painter.drawLine(QPointF(centre.x() - size / 2, centre.y()), QPointF(centre.x() + size / 2, centre.y()))
    return draw


def _dashed_symbol(colour: QColor):
    def draw(painter: QPainter, centre: QPointF, size: float) -> None:
        painter.setPen(QPen(colour, 1.5, Qt.DashLine))
        painter.drawLine(QPointF(centre.x(), centre.y() - size / 2), QPointF(centre.x(), centre.y() + size / 2))
    return draw


def draw_dot(painter: QPainter, centre: QPointF, colour: QColor, radius: float = DOT_RADIUS) -> None:
    painter.setPen(QPen(colour, 1))
    painter.setBrush(colour)
    painter.drawEllipse(centre, radius, radius)
    painter.setBrush(Qt.NoBrush)


def draw_ring(painter: QPainter, centre: QPointF, colour: QColor, radius: float, width: float = 1.5) -> None:
    painter.setPen(QPen(colour, width))
    painter.setBrush(Qt.NoBrush)
    painter.drawEllipse(centre, radius, radius)


def draw_cross(painter: QPainter, centre: QPointF, colour: QColor, radius: float = 3.5) -> None:
    painter.setPen(QPen(colour, 2))
    painter.drawLine(centre + QPointF(-radius, -radius), centre + QPointF(radius, radius))
    painter.drawLine(centre + QPointF(-radius, radius), centre + QPointF(radius, -radius))


# ---------------------------------------------------------------------------------------------
# Training curves


class TrainingCurveChart(_Chart):
    """A training run per epoch: training and validation log loss above, validation accuracy
    below, on one epoch axis; the best epoch (the weights the model kept) as a dashed line."""

    SERIES = ("train", "validation", "accuracy")

    def __init__(self, parent=None):
        super().__init__(300, parent)
        self.history: list[EpochMetrics] = []
        self.best_epoch: int | None = None

    def set_history(self, history: list[EpochMetrics], best_epoch: int | None) -> None:
        self.history = sorted(history, key=lambda m: m.epoch)
        self.best_epoch = best_epoch
        self.update()

    # Where things go: the legend, the loss plot, the accuracy plot's title and plot, the epochs.

    def _loss_ticks(self) -> list[float]:
        values = [v for m in self.history for v in (m.train_log_loss, m.val_log_loss) if math.isfinite(v)]
        return nice_ticks(min(values), max(values), 3) if values else [0.0, 0.5, 1.0]

    def _accuracy_ticks(self) -> list[float]:
        values = [m.val_accuracy for m in self.history if math.isfinite(m.val_accuracy)]
        if not values:
            return [0.0, 0.5, 1.0]
        # Within 0..1 always: every round step (1, 2, 2.5, 5 times a power of ten) divides 1.
        return nice_ticks(max(0.0, min(values) - 0.02), min(1.0, max(values) + 0.02), 2)

    def _legend_entries(self) -> list[tuple[str, callable]]:
        entries = [(self.tr("train"), _line_symbol(TRAIN_COLOUR)),
                   (self.tr("validation"), _line_symbol(VALIDATION_COLOUR))]
        if self.best_epoch:
            entries.append((self.tr("best epoch"), _dashed_symbol(BEST_COLOUR)))
        return entries

    def _gutter_width(self) -> float:
        loss = self._loss_ticks()
        accuracy = self._accuracy_ticks()
        return self._gutter([f"{t:.{tick_decimals(loss)}f}" for t in loss] + [f"{t:.0%}" for t in accuracy])

    def layout(self) -> tuple[QRectF, QRectF]:
        """(the loss plot, the accuracy plot) in the widget's pixels."""
        line = self._line()
        left = self._gutter_width()
        right = self.width() - MARGIN - 4
        top = line + 2 + self._legend(None, self._legend_entries(), line + 2) + line / 2
        bottom = self.height() - line - 4  # the epoch labels
        room = max(bottom - top - (line + 4), 40)  # less the accuracy plot's title
        loss = QRectF(left, top, max(right - left, 10), room * 0.55)
        accuracy_top = loss.bottom() + line + 4
        accuracy = QRectF(left, accuracy_top, loss.width(), max(bottom - accuracy_top, 10))
        return loss, accuracy

    def x_of(self, epoch: float, rect: QRectF) -> float:
        if not self.history:
            return rect.center().x()
        first, last = self.history[0].epoch, self.history[-1].epoch
        if last == first:
            return rect.center().x()
        inset = min(8.0, rect.width() / 10)
        return rect.left() + inset + (rect.width() - 2 * inset) * (epoch - first) / (last - first)

    @staticmethod
    def y_of(value: float, rect: QRectF, ticks: list[float]) -> float:
        low, high = ticks[0], ticks[-1]
        return rect.bottom() - rect.height() * (value - low) / ((high - low) or 1.0)

    def series_points(self, name: str) -> list[QPointF]:
        """The points of ``train``, ``validation`` (log loss) or ``accuracy``, one per epoch."""
        loss, accuracy = self.layout()
        if name == "accuracy":
            ticks = self._accuracy_ticks()
            return [QPointF(self.x_of(m.epoch, accuracy), self.y_of(m.val_accuracy, accuracy, ticks))
                    for m in self.history]
        ticks = self._loss_ticks()
        key = "train_log_loss" if name == "train" else "val_log_loss"
        return [QPointF(self.x_of(m.epoch, loss), self.y_of(getattr(m, key), loss, ticks)) for m in self.history]

    def best_epoch_x(self) -> float | None:
        if not self.best_epoch or not any(m.epoch == self.best_epoch for m in self.history):
            return None
        return self.x_of(self.best_epoch, self.layout()[0])

    def epoch_labels(self) -> list[tuple[int, QRectF]]:
        """The labelled epochs and where their labels go (never overlapping)."""
        if not self.history:
            return []
        _loss, accuracy = self.layout()
        metrics = self.fontMetrics()
        last = self.history[-1].epoch
        width = metrics.horizontalAdvance(str(last)) + 8
        step = integer_step(last, accuracy.width(), width)
        line = self._line()
        def label(epoch: int) -> tuple[int, QRectF]:
            return epoch, QRectF(self.x_of(epoch, accuracy) - width / 2, accuracy.bottom() + 2, width, line)

        labels = spaced([label(m.epoch) for m in self.history if m.epoch % step == 0])
        first = label(self.history[0].epoch)
        if not labels or (labels[0][0] != first[0] and first[1].right() <= labels[0][1].left()):
            labels.insert(0, first)  # the first epoch too, where it has room
        return labels

    def _paint(self, painter: QPainter) -> None:
        line = self._line()
        loss, accuracy = self.layout()
        painter.setPen(self._text_pen())
        painter.drawText(QRectF(MARGIN, 0, self.width() - 2 * MARGIN, line + 2), Qt.AlignLeft,
                         self.tr("log loss per epoch"))
        self._legend(painter, self._legend_entries(), line + 2)
        painter.setPen(self._text_pen())
        painter.drawText(QRectF(loss.left(), loss.bottom() + 2, loss.width(), line), Qt.AlignLeft,
                         self.tr("validation accuracy"))
        if not self.history:
            painter.drawText(loss, Qt.AlignCenter, self.tr("no training run yet"))
            return
        loss_ticks, accuracy_ticks = self._loss_ticks(), self._accuracy_ticks()
        decimals = tick_decimals(loss_ticks)
        self._y_axis(painter, loss, loss_ticks, lambda v: f"{v:.{decimals}f}")
        self._y_axis(painter, accuracy, accuracy_ticks, lambda v: f"{v:.0%}")
        painter.setPen(self._text_pen())
        for rect in (loss, accuracy):
            painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        best_x = self.best_epoch_x()
        if best_x is not None:
            painter.setPen(QPen(BEST_COLOUR, 1.5, Qt.DashLine))
            painter.drawLine(QPointF(best_x, loss.top()), QPointF(best_x, loss.bottom()))
            painter.drawLine(QPointF(best_x, accuracy.top()), QPointF(best_x, accuracy.bottom()))
        dotted = len(self.history) <= MAX_DOTTED_EPOCHS
        for name, colour in (("train", TRAIN_COLOUR), ("validation", VALIDATION_COLOUR), ("accuracy", ACCURACY_COLOUR)):
            points = self.series_points(name)
            path = QPainterPath(points[0])
            for point in points[1:]:
                path.lineTo(point)
            painter.setPen(QPen(colour, 2))
            painter.drawPath(path)
            if dotted or len(points) == 1:
                for point in points:
                    draw_dot(painter, point, colour)
        if best_x is not None:
            best = next(p for p, m in zip(self.series_points("validation"), self.history, strict=True)
                        if m.epoch == self.best_epoch)
            draw_ring(painter, best, BEST_COLOUR, BEST_RADIUS - 1.5, 2)
        painter.setPen(self._text_pen())
        for epoch, rect in self.epoch_labels():
            painter.drawText(rect, Qt.AlignCenter, str(epoch))


# ---------------------------------------------------------------------------------------------
# Search trials


@dataclass
class TrialMark:
    number: int
    kind: str  # complete, best, pruned, failed
    centre: QPointF


class TrialChart(_Chart):
    """Each trial of a search at its number: its validation log loss when it completed (the best
    trial ringed in red); trials stopped early (pruned, hollow grey) or that failed (red cross)
    have no final loss and sit in a lane of their own under the plot."""

    def __init__(self, parent=None):
        super().__init__(230, parent)
        self.trials: list[TrialResult] = []
        self.best_trial: int | None = None

    def set_trials(self, trials: list[TrialResult], best_trial: int | None) -> None:
        self.trials = sorted(trials, key=lambda t: t.number)
        self.best_trial = best_trial
        self.update()

    @staticmethod
    def kind_of(trial: TrialResult, best_trial: int | None) -> str:
        if trial.state == "complete" and trial.val_log_loss is not None:
            return "best" if trial.number == best_trial else "complete"
        return "pruned" if trial.state == "pruned" else "failed"

    def _losses(self) -> list[float]:
        return [t.val_log_loss for t in self.trials if t.val_log_loss is not None and math.isfinite(t.val_log_loss)]

    def _ticks(self) -> list[float]:
        losses = self._losses()
        if not losses:
            return [0.0, 0.5, 1.0]
        pad = 0.08 * (max(losses) - min(losses)) or 0.02  # no mark sits on the axis
        return nice_ticks(min(losses) - pad, max(losses) + pad, 3)

    def _legend_entries(self) -> list[tuple[str, callable]]:
        return [
            (self.tr("complete"), lambda p, c, s: draw_dot(p, c, TRAIN_COLOUR, 3.5)),
            (self.tr("best"), lambda p, c, s: (draw_dot(p, c, TRAIN_COLOUR, 3.5), draw_ring(p, c, BEST_COLOUR, s / 2.6, 2))),
            (self.tr("pruned"), lambda p, c, s: draw_ring(p, c, PRUNED_COLOUR, 3.5)),
            (self.tr("failed"), lambda p, c, s: draw_cross(p, c, FAILED_COLOUR)),
        ]

    def _lane_label(self) -> str:
        return self.tr("no loss")

    def layout(self) -> tuple[QRectF, QRectF]:
        """(the loss plot, the lane of trials without a loss) in the widget's pixels."""
        line = self._line()
        ticks = self._ticks()
        decimals = tick_decimals(ticks)
        left = self._gutter([f"{t:.{decimals}f}" for t in ticks] + [self._lane_label()])
        right = self.width() - MARGIN - 4
        top = line + 2 + self._legend(None, self._legend_entries(), line + 2) + line / 2
        lane_height = line + 4
        bottom = self.height() - line - 4 - lane_height - 2
        plot = QRectF(left, top, max(right - left, 10), max(bottom - top, 20))
        lane = QRectF(left, plot.bottom() + 2, plot.width(), lane_height)
        return plot, lane

    def x_of(self, number: int, rect: QRectF) -> float:
        numbers = [t.number for t in self.trials]
        if not numbers or max(numbers) == min(numbers):
            return rect.center().x()
        inset = min(10.0, rect.width() / 10)
        return rect.left() + inset + (rect.width() - 2 * inset) * (number - min(numbers)) / (max(numbers) - min(numbers))

    def marks(self) -> list[TrialMark]:
        plot, lane = self.layout()
        ticks = self._ticks()
        out = []
        for trial in self.trials:
            kind = self.kind_of(trial, self.best_trial)
            x = self.x_of(trial.number, plot)
            if trial.val_log_loss is not None and math.isfinite(trial.val_log_loss):
                y = plot.bottom() - plot.height() * (trial.val_log_loss - ticks[0]) / ((ticks[-1] - ticks[0]) or 1.0)
            else:
                y = lane.center().y()
            out.append(TrialMark(trial.number, kind, QPointF(x, y)))
        return out

    def number_labels(self) -> list[tuple[int, QRectF]]:
        if not self.trials:
            return []
        plot, lane = self.layout()
        numbers = [t.number for t in self.trials]
        width = self.fontMetrics().horizontalAdvance(str(max(numbers))) + 8
        step = integer_step(max(numbers) - min(numbers) + 1, plot.width(), width)
        line = self._line()
        return spaced([(n, QRectF(self.x_of(n, plot) - width / 2, lane.bottom() + 2, width, line))
                       for n in numbers if (n - min(numbers)) % step == 0])

    def _paint(self, painter: QPainter) -> None:
        line = self._line()
        plot, lane = self.layout()
        painter.setPen(self._text_pen())
        painter.drawText(QRectF(MARGIN, 0, self.width() - 2 * MARGIN, line + 2), Qt.AlignLeft,
                         self.tr("validation log loss by trial"))
        self._legend(painter, self._legend_entries(), line + 2)
        if not self.trials:
            painter.setPen(self._text_pen())
            painter.drawText(plot, Qt.AlignCenter, self.tr("no search yet"))
            return
        ticks = self._ticks()
        decimals = tick_decimals(ticks)
        self._y_axis(painter, plot, ticks, lambda v: f"{v:.{decimals}f}")
        painter.setPen(self._text_pen())
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.fillRect(lane, QColor(128, 128, 128, 25))
        painter.drawText(QRectF(MARGIN, lane.top(), lane.left() - MARGIN - 3, lane.height()),
                         Qt.AlignRight | Qt.AlignVCenter, self._lane_label())
        for mark in self.marks():
            if mark.kind == "pruned":
                draw_ring(painter, mark.centre, PRUNED_COLOUR, 3.5)
            elif mark.kind == "failed":
                draw_cross(painter, mark.centre, FAILED_COLOUR)
            else:
                draw_dot(painter, mark.centre, TRAIN_COLOUR, 3.5)
                if mark.kind == "best":
                    draw_ring(painter, mark.centre, BEST_COLOUR, BEST_RADIUS + 1, 2)
        painter.setPen(self._text_pen())
        for number, rect in self.number_labels():
            painter.drawText(rect, Qt.AlignCenter, str(number))


# ---------------------------------------------------------------------------------------------
# Ablation


@dataclass
class AblationBar:
    component: str
    delta: float
    rect: QRectF


class AblationChart(_Chart):
    """One bar per left-out component: the change of validation log loss against the full model,
    the component's name on the line above its bar (whole names fit a narrow dock), the change
    written beside zero on the side the bar leaves free. Right of zero (blue) the model is worse without the component, so it helps;
    left (orange) the model does better without it. With several seeds a whisker spans +- one
    spread of the change."""

    def __init__(self, parent=None):
        super().__init__(120, parent)
        self.rows: list[AblationRow] = []
        self.names: dict[str, str] = {}

    def set_rows(self, rows: list[AblationRow], names: dict[str, str] | None = None) -> None:
        """The left-out components' rows (the full model's row, ``none``, is the baseline and left out)."""
        self.rows = [row for row in rows if row.component != "none"]
        self.names = dict(names or {})
        self._set_height(self._needed_height())
        self.update()

    def _row_height(self) -> float:
        return 2 * self._line() + 6

    def _title(self) -> str:
        return self.tr("change of validation log loss without each component")

    def _title_height(self) -> float:
        return _wrapped_height(self.fontMetrics(), self._title(), max(self.width(), 160) - 2 * MARGIN)

    def _needed_height(self) -> int:
        return int(self._title_height() + 6 + max(len(self.rows), 1) * self._row_height() + self._line() + 8)

    def resizeEvent(self, event):  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._set_height(self._needed_height())  # the title may wrap onto more lines

    def _extent(self) -> float:
        spans = [abs(r.delta_log_loss) + (r.delta_log_loss_std if r.repeats > 1 else 0.0) for r in self.rows]
        return nice_ticks(0.0, max(spans, default=0.0) or 0.01, 2)[-1]

    def name_of(self, component: str) -> str:
        return self.names.get(component, component)

    def area(self) -> QRectF:
        """Where the rows go (names, values and bars), in the widget's pixels."""
        top = self._title_height() + 6
        return QRectF(MARGIN + 4, top, max(self.width() - 2 * MARGIN - 8, 20),
                      max(len(self.rows), 1) * self._row_height())

    def zero_x(self) -> float:
        return self.area().center().x()

    def bars(self) -> list[AblationBar]:
        area = self.area()
        extent = self._extent()
        zero = area.center().x()
        line = self._line()
        out = []
        for index, row in enumerate(self.rows):
            top = area.top() + index * self._row_height() + line + 2
            length = area.width() / 2 * row.delta_log_loss / extent
            out.append(AblationBar(row.component, row.delta_log_loss,
                                   QRectF(min(zero, zero + length), top, abs(length), line * 0.8)))
        return out

    def text_rects(self, index: int) -> tuple[QRectF, QRectF]:
        """(the name, the change) of row ``index``: the name across the line above its bar, the
        change on the bar's line beside zero, on the side the bar does not take."""
        area = self.area()
        line = self._line()
        top = area.top() + index * self._row_height()
        delta = self.rows[index].delta_log_loss
        width = self.fontMetrics().horizontalAdvance(f"{delta:+.3f}") + 4
        zero = area.center().x()
        value_left = zero - width - 3 if delta >= 0 else zero + 3
        return (QRectF(area.left(), top, area.width(), line),
                QRectF(value_left, top + line + 2 + 0.4 * line - line / 2, width, line))

    def _paint(self, painter: QPainter) -> None:
        metrics = self.fontMetrics()
        line = self._line()
        painter.setPen(self._text_pen())
        painter.drawText(QRectF(MARGIN, 0, self.width() - 2 * MARGIN, self.height()), Qt.AlignLeft | Qt.TextWordWrap,
                         self._title())
        area = self.area()
        if not self.rows:
            painter.drawText(area, Qt.AlignCenter, self.tr("no ablation study yet"))
            return
        extent = self._extent()
        zero = area.center().x()
        decimals = tick_decimals([extent])
        bars = self.bars()
        for value in (-extent, 0.0, extent):
            x = zero + area.width() / 2 * value / extent
            painter.setPen(QPen(GRID_COLOUR if value else self.palette().text().color()))
            for bar in bars:  # across the bars' lines only: the names above them stay clear
                painter.drawLine(QPointF(x, bar.rect.top() - 2), QPointF(x, bar.rect.bottom() + 2))
            painter.setPen(self._text_pen())
            label = f"{value:+.{decimals}f}" if value else "0"
            width = metrics.horizontalAdvance(label) + 4
            left = min(max(x - width / 2, area.left() - 2), area.right() - width + 2)
            painter.drawText(QRectF(left, area.bottom() + 2, width, line), Qt.AlignCenter, label)
        for index, (row, bar) in enumerate(zip(self.rows, bars, strict=True)):
            painter.fillRect(bar.rect, HELPS_COLOUR if bar.delta >= 0 else HURTS_COLOUR)
            if row.repeats > 1 and row.delta_log_loss_std > 0:
                spread = area.width() / 2 * row.delta_log_loss_std / extent
                end = zero + area.width() / 2 * row.delta_log_loss / extent
                y = bar.rect.center().y()
                painter.setPen(QPen(self.palette().text().color(), 1))
                painter.drawLine(QPointF(end - spread, y), QPointF(end + spread, y))
                painter.drawLine(QPointF(end - spread, y - 3), QPointF(end - spread, y + 3))
                painter.drawLine(QPointF(end + spread, y - 3), QPointF(end + spread, y + 3))
            name_rect, value_rect = self.text_rects(index)
            painter.setPen(self._text_pen())
            painter.drawText(name_rect, Qt.AlignLeft | Qt.AlignVCenter,
                             metrics.elidedText(self.name_of(row.component), Qt.ElideRight, int(name_rect.width())))
            painter.drawText(value_rect, (Qt.AlignRight if bar.delta >= 0 else Qt.AlignLeft) | Qt.AlignVCenter,
                             f"{bar.delta:+.3f}")
