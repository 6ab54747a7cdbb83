"""Ice chart panel: the icebergs of a classification layer exported for the ice chart (GeoPackage,
GeoJSON, SIGRID-3, S-411; files written in a task) and the chart printed to PDF and PNG."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile

from qgis.core import QgsMapLayerProxyModel, QgsProject, QgsRasterLayer, QgsUnitTypes, QgsVectorLayer
from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP
from qgis.PyQt.QtWidgets import QCheckBox, QDoubleSpinBox, QGroupBox, QLineEdit, QPushButton, QVBoxLayout

from .. import chart
from ..chart_export import FORMATS, ChartFormat, ExportReport, export_icebergs
from ..chart_layout import ChartPrint, make_sheet, print_chart, print_copy
from ..scene_layers import is_streamed
from ..tasks import CANCELLED, JobTask
from .base import Panel, layer_combo, narrow_form, plain_label

DEFAULT_TITLE = QT_TRANSLATE_NOOP("@default", "Icebergs from Sentinel-1 (IceSight)")


def scene_pixel_size_m(scene: QgsRasterLayer | None) -> float | None:
    """The scene's pixel size in metres, when its CRS is in metres."""
    if scene is None or scene.crs().mapUnits() != QgsUnitTypes.DistanceMeters:
        return None
    return scene.rasterUnitsPerPixelX()


def output_stem(layer: QgsVectorLayer) -> str:
    """``icebergs_<layer>_<UTC time>``: a new name for each export, safe in file names."""
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in layer.name()).strip("_") or "layer"
    return f"icebergs_{name}_{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}"


class ChartPanel(Panel):
    task_attributes = ("task", "print_task")

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent)
        self.task: JobTask | None = None
        self.print_task: JobTask | None = None  # the copy of a streamed scene a chart is printed with
        self.last_export: ExportReport | None = None
        self.last_print: ChartPrint | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self._source_box())
        layout.addWidget(self._export_box())
        layout.addWidget(self._print_box())
        self.status_label = plain_label()
        layout.addWidget(self.status_label)
        layout.addStretch(1)

    def _source_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Classification"))
        form = narrow_form(parent=box)
        self.layer_combo = layer_combo(QgsMapLayerProxyModel.PointLayer)
        self.scene_combo = layer_combo(QgsMapLayerProxyModel.RasterLayer)
        self.scene_combo.setAllowEmptyLayer(True)
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(0.0, 1.0)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setDecimals(2)
        self.threshold_spin.setValue(chart.chart_threshold())
        self.threshold_spin.setToolTip(self.tr("Icebergs with a lower iceberg probability are left off the chart"))
        self.threshold_spin.valueChanged.connect(chart.save_chart_threshold)
        form.addRow(self.tr("Classification layer"), self.layer_combo)
        self.scene_combo.setToolTip(self.tr(
            "Optional: the chart's map background, its pixel size (a length for bergs known only by their "
            "bright area) and its catalog id (the acquisition date)"))
        form.addRow(self.tr("Scene (optional)"), self.scene_combo)
        form.addRow(self.tr("Iceberg probability from"), self.threshold_spin)
        return box

    def _export_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Export icebergs"))
        form = narrow_form(parent=box)
        self.format_checks: dict[ChartFormat, QCheckBox] = {}
        for chart_format, (name, _) in FORMATS.items():
            check = QCheckBox(self.tr(name))
            check.setChecked(True)
            self.format_checks[chart_format] = check
            form.addRow(check)
        self.folder_widget = QgsFileWidget()
        self.folder_widget.setStorageMode(QgsFileWidget.GetDirectory)
        # Left empty: the default is resolved when the chart is written (next to the project saved by
        # then, or in the results folder set since), not when the dock was built at QGIS's start.
        self.folder_widget.lineEdit().setPlaceholderText(self.tr("next to the project (or the results folder)"))
        form.addRow(self.tr("Save in"), self.folder_widget)
        self.export_button = QPushButton(self.tr("Export"))
        self.export_button.clicked.connect(self.export)
        form.addRow(self.export_button)
        return box

    def _print_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Print chart"))
        form = narrow_form(parent=box)
        self.title_edit = QLineEdit(self.tr(DEFAULT_TITLE))
        form.addRow(self.tr("Title"), self.title_edit)
        self.print_button = QPushButton(self.tr("Print (PDF and PNG)"))
        self.print_button.clicked.connect(self.print_chart)
        form.addRow(self.print_button)
        return box

    # -- helpers --------------------------------------------------------------------------------

    def _tell(self, message: str, level: str = "info") -> None:
        self.status_label.setText(message)
        self.tell(message, level)

    def _layer(self) -> QgsVectorLayer | None:
        layer = self.layer_combo.currentLayer()
        if not isinstance(layer, QgsVectorLayer):
            self._tell(self.tr("Pick a classification layer (points with class and iceberg_probability)."), "warning")
            return None
        return layer

    def _scene(self) -> QgsRasterLayer | None:
        scene = self.scene_combo.currentLayer()
        return scene if isinstance(scene, QgsRasterLayer) else None

    def _folder(self) -> str:
        return self.folder_widget.filePath().strip() or chart.default_chart_folder()

    def chosen_formats(self) -> list[ChartFormat]:
        return [f for f, check in self.format_checks.items() if check.isChecked()]

    # -- actions --------------------------------------------------------------------------------

    def export(self) -> JobTask | None:
        """Select the icebergs here (reading the layer), write the files in a task."""
        if self.task is not None:
            self._tell(self.tr("The last export is still being written."), "warning")
            return None
        layer = self._layer()
        if layer is None:
            return None
        formats = self.chosen_formats()
        if not formats:
            self._tell(self.tr("Tick at least one format."), "warning")
            return None
        context = QgsProject.instance().transformContext()
        try:
            selection = chart.select_icebergs(layer.getFeatures(), layer.fields(), layer.crs(), context,
                                              self.threshold_spin.value(), scene_pixel_size_m(self._scene()))
        except chart.IceChartError as exc:
            self._tell(str(exc), "error")
            return None
        folder, stem = self._folder(), output_stem(layer)

        def work(on_progress, is_cancelled) -> ExportReport:
            on_progress(0.0, f"writing {len(selection.icebergs)} icebergs")
            return export_icebergs(selection, folder, formats, stem, context)

        self.task = JobTask(f"IceSight: export {len(selection.icebergs)} icebergs for the ice chart", work,
                            self._on_exported)
        self.export_button.setEnabled(False)
        self.status_label.setText(self.tr("Writing {n} iceberg(s)...").format(n=len(selection.icebergs)))
        return self.run_task(self.task)

    def _on_exported(self, report: ExportReport | None, error: str | None) -> None:
        self.task = None
        self.export_button.setEnabled(True)
        if error is not None:
            if error != CANCELLED:
                self._tell(self.tr("Export failed: {error}").format(error=error), "error")
            return
        self.last_export = report
        s = report.selection
        self._tell(self.tr(
            "{n} iceberg(s) written to {folder}; left out: {ships} ship(s), {clutter} clutter (no target), "
            "{low} below probability {threshold}, {other} unclassified or without position."
        ).format(n=len(s.icebergs), folder=report.folder, ships=s.n_ships, clutter=s.n_clutter, low=s.n_below_threshold,
                 threshold=f"{s.threshold:g}", other=s.n_unclassified + s.n_without_position))

    def print_chart(self) -> ChartPrint | None:
        """Build and export the layout here on the main thread (well under a second for a chart). A
        streamed scene is first copied to a local file in a task (the layout renders here, and must not
        wait on the network): the chart is then printed when the copy is done, and None is returned."""
        layer = self._layer()
        if layer is None:
            return None
        scene = self._scene()
        if scene is not None and is_streamed(scene):
            return self._print_from_copy(layer, scene)
        return self._print(layer, scene)

    def _print_from_copy(self, layer: QgsVectorLayer, scene: QgsRasterLayer) -> None:
        if self.print_task is not None:
            self._tell(self.tr("The chart is still being printed."), "warning")
            return None
        folder = tempfile.mkdtemp(prefix="icesight-print-")
        path, source, ids = os.path.join(folder, "scene.tif"), scene.source(), (layer.id(), scene.id())
        self.print_task = JobTask(
            self.tr("IceSight: copy the scene for the chart"),
            lambda on_progress, is_cancelled: print_copy(source, path, is_cancelled=is_cancelled),
            lambda copied, error: self._on_copied(ids, folder, copied, error))
        self._tell(self.tr("Reading the scene for the chart..."))
        self.run_task(self.print_task)
        return None

    def _on_copied(self, ids: tuple[str, str], folder: str, copied: str | None, error: str | None) -> None:
        self.print_task = None
        try:
            if copied is None:
                if error != CANCELLED:
                    self._tell(self.tr("The chart could not be printed: {error}").format(error=error), "error")
                return
            # By id: either layer may have been removed from the project while the copy was read.
            layer, scene = (QgsProject.instance().mapLayer(layer_id) for layer_id in ids)
            if not isinstance(layer, QgsVectorLayer) or not isinstance(scene, QgsRasterLayer):
                self._tell(self.tr("The chart was not printed: its layer or scene left the project meanwhile."),
                           "warning")
                return
            local = QgsRasterLayer(copied, scene.name(), "gdal")
            local.setRenderer(scene.renderer().clone())
            self._print(layer, local, sheet_scene=scene)
            del local  # the copy's file is let go before its folder is removed
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _print(self, layer: QgsVectorLayer, scene: QgsRasterLayer | None,
               sheet_scene: QgsRasterLayer | None = None) -> ChartPrint | None:
        folder = self._folder()
        stem = output_stem(layer).replace("icebergs_", "ice_chart_", 1)
        sheet = make_sheet(self.title_edit.text().strip() or self.tr(DEFAULT_TITLE), layer, sheet_scene or scene)
        try:
            printed = print_chart(layer, scene, sheet, os.path.join(folder, f"{stem}.pdf"),
                                  os.path.join(folder, f"{stem}.png"))
        except chart.IceChartError as exc:
            self._tell(str(exc), "error")
            return None
        self.last_print = printed
        self._tell(self.tr("Chart printed to {pdf} and {png} ({seconds:.2f} s).").format(
            pdf=printed.pdf_path, png=printed.png_path, seconds=printed.seconds))
        return printed

