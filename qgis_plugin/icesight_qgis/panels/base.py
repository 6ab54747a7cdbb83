"""What every panel shares: telling the analyst (message bar, escaped; details in the Message
Log under the plugin's tag) and starting tasks whose jobs the project remembers."""

from __future__ import annotations

import html

from qgis.core import Qgis, QgsMapLayerProxyModel
from qgis.gui import QgsMapLayerComboBox
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from .. import project_jobs
from ..log import log_error, log_info, log_warning
from ..tasks import JobTask, start
from ..translation import translate

_LEVELS = {"info": Qgis.Info, "warning": Qgis.Warning, "error": Qgis.Critical, "success": Qgis.Success}
#: Characters a combo box shows before eliding: narrow enough for a 300 px dock.
COMBO_MIN_CHARS = 10


class Panel(QWidget):
    #: The attributes that hold this panel's running tasks (each a JobTask or None).
    task_attributes: tuple[str, ...] = ("task",)

    def __init__(self, iface, parent: QWidget | None = None):
        super().__init__(parent)
        self.iface = iface

    def tr(self, message: str) -> str:  # noqa: D102 - Qt's name
        """Qt's tr() looks a string up under the instance's class only; a string in this base class's
        code (or a panel's base) is catalogued under the class that holds it, so look there too."""
        return translate(self, message)

    def cancel(self) -> None:
        """Cancel this panel's running tasks (their callbacks still report the cancellation)."""
        for name in self.task_attributes:
            task = getattr(self, name, None)
            if task is not None:
                task.cancel()

    def detach(self) -> None:
        """Before the dock goes (plugin unload): drop the running tasks' callbacks and cancel them."""
        for name in self.task_attributes:
            task = getattr(self, name, None)
            if task is not None:
                task.on_done = lambda outcome, error: None
                # The task may still report before it stops: not to widgets that are gone. Only what the
                # panel connected is let go (QGIS's task manager follows progressChanged too; only panels
                # follow the task's own message_changed).
                for signal, slot in ((task.progressChanged, self.show_progress), (task.message_changed, None)):
                    try:
                        if slot is None:
                            signal.disconnect()
                        else:
                            signal.disconnect(slot)
                    except TypeError:  # not connected
                        pass
                task.cancel()
            setattr(self, name, None)

    def tell(self, message: str, level: str = "info", detail: str | None = None) -> None:
        """``message`` in the message bar (as plain text: a '<' in it is shown, not parsed as HTML);
        the message and ``detail`` in the Message Log."""
        logged = f"{message}\n{detail}" if detail else message
        {"error": log_error, "warning": log_warning}.get(level, log_info)(logged)
        bar = self.iface.messageBar() if self.iface is not None else None
        if bar is not None:
            bar.pushMessage("IceSight", html.escape(message), _LEVELS.get(level, Qgis.Info), 8 if level != "error" else 0)

    def show_progress(self, value: float) -> None:
        """A task's progress (0-100) on ``self.progress``: connect tasks here rather than through a
        lambda, which would outlive the panel and write to a deleted bar."""
        self.progress.setValue(int(value))

    def progress_row(self) -> QHBoxLayout:
        """A progress bar (``self.progress``, 0-100) with the panel's Cancel button (``self.cancel_button``)."""
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        return row

    def run_task(self, task: JobTask) -> JobTask:
        task.job_submitted.connect(project_jobs.remember)
        return start(task)


def plain_label(text: str = "") -> QLabel:
    """A wrapping label that never interprets its text as HTML."""
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


def layer_combo(filters: QgsMapLayerProxyModel.Filters) -> QgsMapLayerComboBox:
    """A narrow picker of the project's layers of one kind (``QgsMapLayerProxyModel.PointLayer``, ...)."""
    combo = narrow_combo(QgsMapLayerComboBox())
    combo.setFilters(filters)
    return combo


def narrow_combo(combo: QComboBox) -> QComboBox:
    """A combo box that fits a narrow dock: it shrinks and elides instead of widening the dock."""
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(COMBO_MIN_CHARS)
    combo.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
    return combo


def narrow_form(form: QFormLayout | None = None, parent: QWidget | None = None) -> QFormLayout:
    """A form whose labels sit above their fields, so that it fits a narrow dock."""
    form = form or (QFormLayout(parent) if parent is not None else QFormLayout())
    form.setRowWrapPolicy(QFormLayout.WrapAllRows)
    form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
    return form
