"""Scene browser: the backend's scene catalog filtered by time, the current map extent and
acquisition mode; footprints on the map; *Add scene* streams the chosen COG styled (HH, with HV
and incidence as named styles); *Detect targets* runs CFAR on it and loads the detections."""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsDateTimeEdit
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from icesight_contract import AcquisitionMode

from .. import settings
from ..scene_layers import (
    add_detections_layer,
    add_scene_layer,
    footprints_layer,
    open_scene_layer,
    streamed_source,
)
from ..tasks import CANCELLED, JobTask
from ..workflow import DetectionOutcome, detect_targets
from .base import Panel, narrow_combo, narrow_form, plain_label

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


class SceneBrowserPanel(Panel):
    task_attributes = ("search_task", "add_task", "detect_task")

    #: A scene layer was added to the project.
    scene_added = pyqtSignal(object)

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent)
        self.items: list[dict] = []
        self.search_task: JobTask | None = None
        self.add_task: JobTask | None = None
        self.detect_task: JobTask | None = None
        self.footprints: QgsVectorLayer | None = None
        self.last_scene_layer: QgsRasterLayer | None = None
        self.last_detections: QgsVectorLayer | None = None

        form = narrow_form()
        self.start_edit = self._date_edit()
        self.end_edit = self._date_edit()
        self.mode_combo = narrow_combo(QComboBox())
        self.mode_combo.addItem(self.tr("Any mode"), None)
        for mode in AcquisitionMode:
            self.mode_combo.addItem(mode.value, mode.value)
        self.extent_check = QCheckBox(self.tr("Over the map extent only"))
        self.extent_check.setToolTip(self.tr("Only scenes whose footprint touches the current map extent"))
        self.extent_check.setChecked(True)
        form.addRow(self.tr("From"), self.start_edit)
        form.addRow(self.tr("To"), self.end_edit)
        form.addRow(self.tr("Mode"), self.mode_combo)
        form.addRow(self.extent_check)
        self.search_button = QPushButton(self.tr("Search the catalog"))
        self.search_button.clicked.connect(self.search)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("Scene"), self.tr("Acquired"), self.tr("Mode")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.add_button = QPushButton(self.tr("Add scene"))
        self.add_button.setToolTip(self.tr("Stream the chosen scene from the backend onto the map"))
        self.add_button.clicked.connect(self.add_selected_scene)
        self.detect_button = QPushButton(self.tr("Detect targets"))
        self.detect_button.setToolTip(self.tr("Find bright targets on the chosen scene (CFAR) and load them"))
        self.detect_button.clicked.connect(self.detect_selected_scene)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.detect_button)
        self.status_label = plain_label()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.search_button)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)

    def _date_edit(self) -> QgsDateTimeEdit:
        edit = QgsDateTimeEdit()
        edit.setAllowNull(True)
        edit.setNullRepresentation(self.tr("any time"))
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        edit.clear()
        return edit

    # -- search ----------------------------------------------------------------------------------

    @staticmethod
    def _iso(edit: QgsDateTimeEdit) -> str | None:
        if edit.isNull():
            return None
        return edit.dateTime().toUTC().toString("yyyy-MM-ddTHH:mm:ssZ")

    def map_bbox(self) -> tuple[float, float, float, float] | None:
        """The map canvas's extent in degrees (west, south, east, north), or None without a canvas."""
        canvas = self.iface.mapCanvas() if self.iface is not None else None
        if canvas is None or canvas.extent().isEmpty():
            return None
        crs = canvas.mapSettings().destinationCrs()
        extent = QgsRectangle(canvas.extent())
        if not crs.isValid() or crs == WGS84:
            return (max(extent.xMinimum(), -180.0), max(extent.yMinimum(), -90.0),
                    min(extent.xMaximum(), 180.0), min(extent.yMaximum(), 90.0))
        try:
            box = QgsCoordinateTransform(crs, WGS84, QgsProject.instance()).transformBoundingBox(extent)
        except QgsCsException:  # an extent the map's CRS cannot give in degrees: search everywhere
            return None
        west, south, east, north = (max(box.xMinimum(), -180.0), max(box.yMinimum(), -90.0),
                                    min(box.xMaximum(), 180.0), min(box.yMaximum(), 90.0))
        # A polar map around the pole: the edges' transformed points never reach it, so the box would
        # stop short of the high Arctic (or Antarctic) and leave out the scenes there.
        to_map = QgsCoordinateTransform(WGS84, crs, QgsProject.instance())
        for latitude in (90.0, -90.0):
            try:
                pole = to_map.transform(QgsPointXY(0.0, latitude))
            except QgsCsException:
                continue
            if extent.contains(pole):
                west, east = -180.0, 180.0
                north, south = (90.0, south) if latitude > 0 else (north, -90.0)
        return west, south, east, north

    def search(self) -> JobTask | None:
        if self.search_task is not None:
            return self.search_task
        start, end, mode = self._iso(self.start_edit), self._iso(self.end_edit), self.mode_combo.currentData()
        bbox = self.map_bbox() if self.extent_check.isChecked() else None
        client = settings.make_client()
        task = JobTask(self.tr("IceSight: search the scene catalog"),
                       lambda on_progress, is_cancelled: client.scenes(start, end, bbox, mode),
                       self._on_searched, client)
        self.search_task = task
        self.status_label.setText(self.tr("Searching the catalog..."))
        return self.run_task(task)

    def _on_searched(self, items: list[dict] | None, error: str | None) -> None:
        self.search_task = None
        if items is None:
            self.status_label.setText(self.tr("Search failed: {error}").format(error=error))
            self.tell(self.tr("The scene catalog could not be searched: {error}").format(error=error), "error")
            return
        self.items = items
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            properties = item.get("properties", {})
            values = (item["id"], properties.get("datetime") or "", properties.get("sar:instrument_mode") or "")
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setToolTip(value)
                self.table.setItem(row, column, cell)
        if items:
            self.table.selectRow(0)
        self.footprints = footprints_layer(items)
        self.status_label.setText(self.tr("{n} scene(s) found").format(n=len(items)))

    def scene_ids(self) -> list[str]:
        return [item["id"] for item in self.items]

    def select_scene(self, scene_id: str) -> bool:
        for row, item in enumerate(self.items):
            if item["id"] == scene_id:
                self.table.selectRow(row)
                return True
        return False

    def selected_scene_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.items):
            return None
        return self.items[rows[0].row()]["id"]

    # -- add a scene ------------------------------------------------------------------------------

    def add_selected_scene(self) -> JobTask | None:
        scene_id = self.selected_scene_id()
        if scene_id is None:
            self.tell(self.tr("Search the catalog and choose a scene first."), "warning")
            return None
        return self.add_scene(scene_id)

    def add_scene(self, scene_id: str) -> JobTask | None:
        """Stream catalog scene ``scene_id`` onto the map (opened and styled in a task)."""
        current = settings.load()
        try:
            header_file = settings.write_gdal_header_file(current.token)
        except OSError as exc:
            self.tell(self.tr("The scene cannot be streamed: {error}").format(error=settings.header_file_problem(exc)),
                      "error")
            return None
        client = settings.make_client(current)
        source = streamed_source(client.scene_url(scene_id), header_file)
        client.close()
        task = JobTask(self.tr("IceSight: add scene {scene}").format(scene=scene_id),
                       lambda on_progress, is_cancelled: open_scene_layer(scene_id, source),
                       self._on_scene_opened)
        self.add_task = task
        self.status_label.setText(self.tr("Opening scene {scene}...").format(scene=scene_id))
        return self.run_task(task)

    def _on_scene_opened(self, layer: QgsRasterLayer | None, error: str | None) -> None:
        self.add_task = None
        if layer is None:
            if error != CANCELLED:
                self.status_label.setText(self.tr("The scene could not be added: {error}").format(error=error))
                self.tell(self.tr("The scene could not be added: {error}").format(error=error), "error")
            return
        self.last_scene_layer = add_scene_layer(layer)
        self.status_label.setText(self.tr("Scene {scene} added (styles: HH, HV, incidence)").format(scene=layer.name()))
        self.scene_added.emit(layer)

    # -- detect -----------------------------------------------------------------------------------

    def detect_selected_scene(self) -> JobTask | None:
        scene_id = self.selected_scene_id()
        if scene_id is None:
            self.tell(self.tr("Search the catalog and choose a scene first."), "warning")
            return None
        return self.detect(scene_id)

    def detect(self, scene_id: str) -> JobTask | None:
        if self.detect_task is not None:
            self.tell(self.tr("Target detection is still running; wait for it."), "warning")
            return None
        client = settings.make_client()
        output_dir = settings.results_dir()
        task = JobTask(self.tr("IceSight: detect targets on {scene}").format(scene=scene_id),
                       lambda on_progress, is_cancelled: detect_targets(client, scene_id, output_dir, on_progress,
                                                                       is_cancelled),
                       self._on_detected, client)
        task.message_changed.connect(self.status_label.setText)
        self.detect_task = task
        self.status_label.setText(self.tr("Detecting targets on {scene}...").format(scene=scene_id))
        return self.run_task(task)

    def _on_detected(self, outcome: DetectionOutcome | None, error: str | None) -> None:
        self.detect_task = None
        if outcome is None:
            if error != CANCELLED:
                self.status_label.setText(self.tr("Detection failed: {error}").format(error=error))
                self.tell(self.tr("Target detection failed: {error}").format(error=error), "error")
            return
        try:
            self.last_detections = add_detections_layer(outcome.gpkg_path, outcome.job_id, outcome.result.scene_id)
        except ValueError as exc:
            self.tell(str(exc), "error")
            return
        message = self.tr("{n} target(s) detected on {scene} (job {job})").format(
            n=outcome.result.n_detections, scene=outcome.result.scene_id, job=outcome.job_id)
        self.status_label.setText(message)
        self.tell(message, "success")



