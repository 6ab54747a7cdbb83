"""The plugin object QGIS creates: the translation for QGIS's language, toolbar, dock and Processing
provider, all removed on unload."""

from __future__ import annotations

import os

from qgis.core import QgsApplication
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from . import settings, translation
from .dock import DOCK_AREA, IceSightDock
from .log import log_warning
from .processing_provider import IceSightProvider

ICONS = os.path.join(os.path.dirname(__file__), "icons")
ICON = os.path.join(ICONS, "icesight.svg")


def icon(name: str) -> QIcon:
    return QIcon(os.path.join(ICONS, f"{name}.svg"))


class IceSightPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.toolbar = None
        self.dock: IceSightDock | None = None
        self.actions: list[QAction] = []
        self.provider: IceSightProvider | None = None
        # Before anything shows a string: the toolbar, the dock and the Processing algorithms.
        self.translator = translation.install_translator()

    def initProcessing(self):  # noqa: N802 - QGIS API
        self.provider = IceSightProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802 - QGIS API
        self.initProcessing()
        self._refresh_gdal_headers()
        self.dock = IceSightDock(self.iface, self.iface.mainWindow())
        self.iface.addDockWidget(DOCK_AREA, self.dock)
        self.dock.hide()

        self.toolbar = self.iface.addToolBar("IceSight")
        self.toolbar.setObjectName("IceSightToolbar")
        panel = QAction(QIcon(ICON), self.tr("IceSight panel"), self.iface.mainWindow())
        panel.setObjectName("IceSightPanelAction")
        panel.setCheckable(True)
        panel.toggled.connect(self.dock.setVisible)
        self.dock.visibilityChanged.connect(panel.setChecked)
        dock = self.dock
        commands = [
            (self.tr("Classify selected patches"), "IceSightClassifyAction", "classify", dock.classify_selected),
            (self.tr("Explain selected targets"), "IceSightExplainAction", "explain", dock.explain_selected),
            (self.tr("Map scene (iceberg probability)"), "IceSightMapSceneAction", "map", dock.map_scene),
            (self.tr("Scene catalog"), "IceSightScenesAction", "scenes", lambda: dock.show_panel(dock.scenes)),
            (self.tr("Upload scene"), "IceSightUploadAction", "upload", lambda: dock.show_panel(dock.upload)),
            (self.tr("Models"), "IceSightModelsAction", "models", lambda: dock.show_panel(dock.models)),
            (self.tr("Jobs"), "IceSightJobsAction", "jobs", lambda: dock.show_panel(dock.jobs)),
        ]
        actions = [panel]
        for text, name, icon_name, command in commands:
            action = QAction(icon(icon_name), text, self.iface.mainWindow())
            action.setObjectName(name)
            action.triggered.connect(lambda _checked=False, command=command: self._run(command))
            actions.append(action)
        for action in actions:
            self.toolbar.addAction(action)
            self.iface.addPluginToMenu("&IceSight", action)
            self.actions.append(action)

    @staticmethod
    def _refresh_gdal_headers() -> None:
        """Streamed scenes of saved projects read the token from this file: keep it current."""
        current = settings.load()
        if current.token:
            try:
                settings.write_gdal_header_file(current.token)
            except OSError as exc:
                log_warning(f"streamed scenes cannot authenticate: {exc}")

    def tr(self, message: str) -> str:
        return translation.translate(self, message)

    def _run(self, command):
        self.dock.show()
        command()

    def unload(self):
        for action in self.actions:
            self.iface.removePluginMenu("&IceSight", action)
            action.deleteLater()
        self.actions = []
        if self.dock is not None:
            self.dock.detach()
            self.iface.removeDockWidget(self.dock)
            self.dock.setParent(None)
            self.dock.deleteLater()
            self.dock = None
        if self.toolbar is not None:
            self.toolbar.setParent(None)
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        translation.remove_translator(self.translator)
        self.translator = None
