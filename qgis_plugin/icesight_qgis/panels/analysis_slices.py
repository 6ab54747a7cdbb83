"""Model analysis panel, in the spirit of the What-If Tool: the model's accuracy against the
analyst's review by slice (incidence angle, target length, open water / sea ice) as a bar chart,
and what-if probes of one selected target through ``POST /predict`` (a task).

The chart is painted with QPainter: the plugin imports nothing QGIS's Python may lack (matplotlib
is not a dependency of Debian's python3-qgis; ``tests/test_architecture.py`` keeps that rule)."""

from __future__ import annotations

from qgis.core import QgsMapLayerProxyModel, QgsProject, QgsRasterLayer, QgsVectorLayer
from qgis.PyQt.QtCore import QRectF, QSize, Qt
from qgis.PyQt.QtGui import QColor, QPainter
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import settings
from ..patches import PatchError, SceneSource, Targets
from ..review import has_review_field, layer_model_id
from ..scene_layers import is_streamed
from ..slices import (
    SliceBy,
    SliceRow,
    sample_streamed_incidences,
    scene_incidence_band,
    slice_metrics,
    slice_records,
    target_points,
)
from ..tasks import CANCELLED, JobTask
from ..whatif import ProbeOutcome, probe_task
from .base import Panel, layer_combo, narrow_combo, narrow_form, plain_label

_BAR = QColor(70, 130, 180)
_CLUTTER = QColor(160, 160, 160)


class SliceChart(QWidget):
    """Accuracy by slice as bars (0..1), each labelled with its count; clutter as a grey tick."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[SliceRow] = []
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(240, 180)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(160, 160)

    def set_rows(self, rows: list[SliceRow]) -> None:
        self.rows = list(rows)
        self.update()

    def paintEvent(self, event):  # noqa: N802 - Qt API
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    # Where things go, in the widget's pixels for a text line ``line`` high: the title on the first
    # line, then a line for the value over a full (100 %) bar, the plot, and two lines of labels.

    def title_rect(self, line: float) -> QRectF:
        return QRectF(0, 0, self.width(), line + 2)

    def plot_rect(self, line: float) -> QRectF:
        top = 2 * line + 6
        bottom = 2 * line + 6
        return QRectF(4, top, max(self.width() - 8, 10), max(self.height() - top - bottom, 10))

    def value_rect(self, index: int, accuracy: float, line: float) -> QRectF:
        """Where the bar's value is written: just above the bar (a full bar's sits under the title)."""
        plot = self.plot_rect(line)
        slot = plot.width() / max(len(self.rows), 1)
        return QRectF(plot.left() + index * slot, plot.bottom() - plot.height() * accuracy - line - 1, slot, line)

    def _paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        metrics = painter.fontMetrics()
        line = metrics.height()
        plot = self.plot_rect(line)
        painter.setPen(self.palette().text().color())
        painter.drawText(self.title_rect(line), Qt.AlignLeft, self.tr("accuracy (n reviewed ship/iceberg)"))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        if not self.rows:
            painter.drawText(plot, Qt.AlignCenter, self.tr("no reviewed target"))
            return
        slot = plot.width() / len(self.rows)
        for i, row in enumerate(self.rows):
            x = plot.left() + i * slot
            bar_w = slot * 0.7
            accuracy = row.accuracy
            if accuracy is not None:
                bar_h = plot.height() * accuracy
                painter.fillRect(QRectF(x + slot * 0.15, plot.bottom() - bar_h, bar_w, bar_h), _BAR)
                painter.drawText(self.value_rect(i, accuracy, line), Qt.AlignCenter, f"{accuracy:.0%}")
            if row.n_clutter:
                painter.fillRect(QRectF(x + slot * 0.15, plot.bottom() - 3, bar_w, 3), _CLUTTER)
            painter.drawText(QRectF(x, plot.bottom() + 2, slot, line), Qt.AlignCenter,
                             metrics.elidedText(row.label, Qt.ElideRight, int(slot)))
            painter.drawText(QRectF(x, plot.bottom() + 2 + line, slot, line), Qt.AlignCenter,
                             f"n={row.n}" + (f" +{row.n_clutter}c" if row.n_clutter else ""))


class ModelAnalysisPanel(Panel):
    task_attributes = ("task", "sampling_task")

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent)
        self.rows: list[SliceRow] = []
        self.task: JobTask | None = None
        #: Incidence angles of a layer's targets read from a streamed scene in a task, by (layer id,
        #: scene id): the network is never waited on here, and each pair is read once.
        self.sampled: dict[tuple[str, str], dict[int, float | None]] = {}
        self.sampling_task: JobTask | None = None
        self.last_probe: ProbeOutcome | None = None
        layout = QVBoxLayout(self)
        form = narrow_form()
        self.layer_combo = layer_combo(QgsMapLayerProxyModel.PointLayer)
        self.scene_combo = layer_combo(QgsMapLayerProxyModel.RasterLayer)
        form.addRow(self.tr("Reviewed targets"), self.layer_combo)
        form.addRow(self.tr("Scene (HH, HV)"), self.scene_combo)
        layout.addLayout(form)
        layout.addWidget(self._slices_box())
        layout.addWidget(self._probe_box())
        self.status_label = plain_label()
        layout.addWidget(self.status_label)
        layout.addStretch(1)

    def _slices_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Accuracy by slice"))
        form = narrow_form(parent=box)
        self.slice_combo = narrow_combo(QComboBox())
        for by in SliceBy:
            self.slice_combo.addItem(self.tr(by.value), by)
        self.slice_combo.currentIndexChanged.connect(lambda _i: self.compute_slices())
        form.addRow(self.tr("Slice by"), self.slice_combo)
        self.slices_button = QPushButton(self.tr("Compute"))
        self.slices_button.clicked.connect(lambda: self.compute_slices())
        form.addRow(self.slices_button)
        self.chart = SliceChart()
        form.addRow(self.chart)
        self.slice_table = _table([self.tr("Slice"), self.tr("n"), self.tr("Accuracy"), self.tr("Clutter")])
        form.addRow(self.slice_table)
        form.addRow(plain_label(self.tr(
            "Accuracy: the model's class against targets reviewed as ship or iceberg (one the model called "
            "clutter counts as wrong). Targets reviewed as clutter are counted in their own column.")))
        return box

    def _probe_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("What if?"))
        form = narrow_form(parent=box)
        self.probe_button = QPushButton(self.tr("Probe selected target"))
        self.probe_button.setToolTip(self.tr(
            "The iceberg probability with HV or HH at the clutter level (no target in that band) and at "
            "other incidence angles"))
        self.probe_button.clicked.connect(self.probe_selected)
        form.addRow(self.probe_button)
        self.probe_table = _table([self.tr("Variant"), self.tr("p(iceberg)"), self.tr("Change")])
        form.addRow(self.probe_table)
        return box

    def _tell(self, message: str, level: str = "info") -> None:
        self.status_label.setText(message)
        self.tell(message, level)

    # -- slices -----------------------------------------------------------------------------------

    def compute_slices(self, by: SliceBy | None = None) -> list[SliceRow]:
        """The slices of the reviewed targets. By incidence, targets without an incidence field take
        the scene's: read here from a scene on disk, in a task from a streamed one (the slices are
        computed again when it is done; till then those targets count as unknown)."""
        layer = self.layer_combo.currentLayer()
        by = by or self.slice_combo.currentData()
        scene = self.scene_combo.currentLayer() if by is SliceBy.INCIDENCE else None
        incidences = None
        if isinstance(layer, QgsVectorLayer) and isinstance(scene, QgsRasterLayer) and is_streamed(scene):
            incidences = self.sampled.get((layer.id(), scene.id()))
            points = target_points(layer, scene) if has_review_field(layer) else {}
            if incidences is None or not set(points) <= set(incidences):  # not read yet, or reviewed since
                self._sample_streamed(scene, points, (layer.id(), scene.id()))
                incidences = incidences or {}
        try:
            records = slice_records(layer, scene, incidences) if layer is not None else []
        except ValueError as exc:
            self._tell(str(exc), "warning")
            records = []
        self.rows = slice_metrics(records, by)
        self.chart.set_rows(self.rows)
        self.slice_table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            accuracy = f"{row.accuracy:.0%}" if row.accuracy is not None else "-"
            for c, text in enumerate((row.label, str(row.n), accuracy, str(row.n_clutter))):
                self.slice_table.setItem(r, c, QTableWidgetItem(text))
        return self.rows

    def _sample_streamed(self, scene: QgsRasterLayer, points: dict, key: tuple[str, str]) -> JobTask | None:
        band = scene_incidence_band(scene)
        if band is None or self.sampling_task is not None or not points:
            return None
        source = scene.source()
        task = JobTask(self.tr("IceSight: incidence angles of the reviewed targets"),
                       lambda on_progress, is_cancelled: sample_streamed_incidences(source, band, points, is_cancelled),
                       lambda angles, error: self._on_sampled(key, angles, error))
        self.sampling_task = task
        self.status_label.setText(self.tr("Reading the incidence angles from the scene..."))
        return self.run_task(task)

    def _on_sampled(self, key: tuple[str, str], angles: dict[int, float | None] | None, error: str | None) -> None:
        self.sampling_task = None
        if angles is None:
            if error != CANCELLED:
                self._tell(self.tr("The incidence angles could not be read from the scene: {error}").format(error=error),
                           "warning")
            return
        self.sampled[key] = angles
        self.status_label.setText("")
        if self.slice_combo.currentData() is SliceBy.INCIDENCE:
            self.compute_slices()

    # -- what-if ----------------------------------------------------------------------------------

    def probe_selected(self) -> JobTask | None:
        if self.task is not None:
            self._tell(self.tr("A probe is still running."), "warning")
            return None
        layer = self.layer_combo.currentLayer()
        if not isinstance(layer, QgsVectorLayer) or layer.selectedFeatureCount() != 1:
            self._tell(self.tr("Select exactly one target of the classification layer."), "warning")
            return None
        try:
            scene = SceneSource.of(self.scene_combo.currentLayer())
        except PatchError as exc:
            self._tell(str(exc), "error")
            return None
        feature = layer.selectedFeatures()[0]
        targets = Targets.of(layer.name(), [feature], layer.fields(), layer.crs())
        if not targets.points:
            self._tell(self.tr("The selected target has no position."), "warning")
            return None
        model_id = (str(feature["model_id"]) if layer.fields().indexOf("model_id") >= 0 and feature["model_id"]
                    else layer_model_id(layer))
        self.task = probe_task(settings.make_client(), scene, targets, QgsProject.instance().transformContext(),
                               self._on_probed, model_id)
        self.probe_button.setEnabled(False)
        self.status_label.setText(self.tr("Probing feature {fid} of {layer}...").format(fid=feature.id(),
                                                                                     layer=layer.name()))
        return self.run_task(self.task)

    def _on_probed(self, outcome: ProbeOutcome | None, error: str | None) -> None:
        self.task = None
        self.probe_button.setEnabled(True)
        if error:
            if error != CANCELLED:
                self._tell(self.tr("What-if probe failed: {error}").format(error=error), "error")
            return
        self.last_probe = outcome
        self.probe_table.setRowCount(len(outcome.rows))
        for r, row in enumerate(outcome.rows):
            for c, text in enumerate((row.variant, f"{row.iceberg_probability:.3f}", f"{row.change:+.3f}")):
                self.probe_table.setItem(r, c, QTableWidgetItem(text))
        layer_name, _, fid = outcome.target_id.rpartition(":")  # ids are <layer>:<feature id>
        self._tell(self.tr("What-if probes of feature {fid} of {layer} (model {model}).").format(
            fid=fid, layer=layer_name, model=outcome.model_id))



def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
    table.setMaximumHeight(190)
    return table
