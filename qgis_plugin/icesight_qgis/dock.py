"""The IceSight dock: composes the panels (one module each under ``panels/``) in tabs that fit
a narrow dock, and wires them together (an uploaded scene goes onto the map, the chosen model
reaches the analysis actions, a new connection refreshes models and jobs)."""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QDockWidget, QScrollArea, QTabWidget, QWidget

from .panels.analysis import AnalysisPanel
from .panels.analysis_slices import ModelAnalysisPanel
from .panels.chart import ChartPanel
from .panels.connection import ConnectionPanel
from .panels.jobs import JobsPanel
from .panels.models import ModelsPanel
from .panels.review import ReviewPanel
from .panels.scene_browser import SceneBrowserPanel
from .panels.upload import UploadPanel

#: The narrowest the dock must work at (pixels).
MIN_DOCK_WIDTH_PX = 300


class IceSightDock(QDockWidget):
    def __init__(self, iface, parent=None):
        super().__init__("IceSight", parent)
        self.setObjectName("IceSightDock")
        self.iface = iface
        self.models = ModelsPanel(iface)
        self.analysis = AnalysisPanel(iface, model_id=self.models.model_id)
        self.chart = ChartPanel(iface)
        self.scenes = SceneBrowserPanel(iface)
        self.upload = UploadPanel(iface)
        self.jobs = JobsPanel(iface)
        self.connection = ConnectionPanel(iface)

        self.tabs = QTabWidget()
        self.tabs.setUsesScrollButtons(True)
        self.tabs.setElideMode(Qt.ElideRight)
        for panel, title in (
            (self.analysis, self.tr("Analyse")),
            (self.chart, self.tr("Ice chart")),
            (self.scenes, self.tr("Scenes")),
            (self.upload, self.tr("Upload")),
            (self.models, self.tr("Models")),
            (self.jobs, self.tr("Jobs")),
            (self.connection, self.tr("Connect")),
        ):
            self.tabs.addTab(self._scrolled(panel), title)
        self.review, self.model_analysis = ReviewPanel(iface), ModelAnalysisPanel(iface)
        self.tabs.insertTab(1, self._scrolled(self.review), self.tr("Review"))
        self.tabs.insertTab(2, self._scrolled(self.model_analysis), self.tr("What-if"))
        self.setWidget(self.tabs)
        self.setMinimumWidth(MIN_DOCK_WIDTH_PX)

        self.upload.scene_ingested.connect(self._on_scene_ingested)
        self.connection.tested.connect(self._on_connection_tested)

    @staticmethod
    def _scrolled(panel: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        area.setWidget(panel)
        return area

    def show_panel(self, panel: QWidget) -> None:
        for index in range(self.tabs.count()):
            if self.tabs.widget(index).widget() is panel:
                self.tabs.setCurrentIndex(index)
                return

    def _on_scene_ingested(self, scene_id: str) -> None:
        self.scenes.add_scene(scene_id)
        self.scenes.search()

    def _on_connection_tested(self, report) -> None:
        if report is not None:
            self.models.refresh()

    # -- the toolbar's commands -----------------------------------------------------------------

    def classify_selected(self):
        self.show_panel(self.analysis)
        return self.analysis.classify_selected()

    def explain_selected(self):
        self.show_panel(self.analysis)
        return self.analysis.explain_selected()

    def map_scene(self):
        self.show_panel(self.analysis)
        return self.analysis.map_scene()

    def cancel(self) -> None:
        self.analysis.cancel()

    def detach(self) -> None:
        """Before the dock goes (plugin unload): cancel running tasks and drop their callbacks."""
        for panel in (self.analysis, self.chart, self.scenes, self.upload, self.models, self.jobs, self.connection):
            panel.detach()
        self.review.detach()
        self.model_analysis.detach()

    def closeEvent(self, event):  # noqa: N802 - Qt API
        self.cancel()
        super().closeEvent(event)


DOCK_AREA = Qt.RightDockWidgetArea
