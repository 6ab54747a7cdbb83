"""The IceSight dock: composes the panels (one module each under ``panels/``) as pages picked
from a list at its top (every page named in full, even in a 300 px dock, where a row of ten
tabs would be cut to "An..", "Re.."), and wires them together (an uploaded scene goes onto the
map, the chosen model reaches the analysis actions, a model trained or found on the Experiments page
joins the model list and can be chosen for the analysis, a new connection refreshes models, jobs and
the feature store's lists)."""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDockWidget,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .panels.analysis import AnalysisPanel
from .panels.analysis_slices import ModelAnalysisPanel
from .panels.chart import ChartPanel
from .panels.connection import ConnectionPanel
from .panels.experiments import ExperimentsPanel
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
        self.review = ReviewPanel(iface)
        self.model_analysis = ModelAnalysisPanel(iface)
        self.experiments = ExperimentsPanel(iface)

        # The pages in the order of an analyst's day, in three groups (separated in the list):
        # the targets, the data, the backend.
        self.page_combo = QComboBox()
        self.page_combo.setObjectName("IceSightPageSelector")
        self.page_combo.setToolTip(self.tr("IceSight page"))
        self.page_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.page_combo.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.page_combo.setMaxVisibleItems(20)
        self.pages = QStackedWidget()
        groups = (
            ((self.analysis, self.tr("Analyse targets")), (self.review, self.tr("Review")),
             (self.model_analysis, self.tr("What-if (model analysis)")), (self.chart, self.tr("Ice chart"))),
            ((self.scenes, self.tr("Scenes")), (self.upload, self.tr("Upload a scene"))),
            ((self.models, self.tr("Models")), (self.experiments, self.tr("Experiments")), (self.jobs, self.tr("Jobs")),
             (self.connection, self.tr("Connect"))),
        )
        for group in groups:
            if self.page_combo.count():
                self.page_combo.insertSeparator(self.page_combo.count())
            for panel, title in group:
                self.page_combo.addItem(title, self.pages.count())
                self.pages.addWidget(self._scrolled(panel))
        self.page_combo.currentIndexChanged.connect(self._on_page_chosen)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.page_combo)
        layout.addWidget(self.pages, 1)
        self.setWidget(body)
        self.setMinimumWidth(MIN_DOCK_WIDTH_PX)

        self.upload.scene_ingested.connect(self._on_scene_ingested)
        self.connection.tested.connect(self._on_connection_tested)
        self.experiments.model_registered.connect(self._on_model_registered)
        self.experiments.use_model.connect(self.models.choose_model)

    @staticmethod
    def _scrolled(panel: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        area.setWidget(panel)
        return area

    # -- pages ----------------------------------------------------------------------------------

    def _on_page_chosen(self, combo_index: int) -> None:
        page = self.page_combo.itemData(combo_index)
        if page is not None:
            self.pages.setCurrentIndex(page)

    def page_titles(self) -> list[str]:
        """The pages' titles, in the order of the pages."""
        return [self.page_combo.itemText(i) for i in range(self.page_combo.count())
                if self.page_combo.itemData(i) is not None]

    def page_panel(self, page: int) -> QWidget:
        return self.pages.widget(page).widget()

    def current_panel(self) -> QWidget:
        return self.pages.currentWidget().widget()

    def show_panel(self, panel: QWidget) -> None:
        for page in range(self.pages.count()):
            if self.page_panel(page) is panel:
                self.page_combo.setCurrentIndex(self.page_combo.findData(page))
                return

    def _on_scene_ingested(self, scene_id: str) -> None:
        self.scenes.add_scene(scene_id)
        self.scenes.search()

    def _on_connection_tested(self, report) -> None:
        if report is not None:
            self.models.refresh()
            self.experiments.mark_stale()

    def _on_model_registered(self, _model_id: str) -> None:
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
        for page in range(self.pages.count()):
            self.page_panel(page).detach()


DOCK_AREA = Qt.RightDockWidgetArea
