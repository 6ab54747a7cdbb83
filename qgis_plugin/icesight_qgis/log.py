"""One place for the plugin's messages: the QGIS Message Log under the IceSight tag."""

from __future__ import annotations

from qgis.core import Qgis, QgsMessageLog

from icesight_contract import PLUGIN_TAG


def log_info(message: str) -> None:
    QgsMessageLog.logMessage(message, PLUGIN_TAG, Qgis.Info)


def log_warning(message: str) -> None:
    QgsMessageLog.logMessage(message, PLUGIN_TAG, Qgis.Warning)


def log_error(message: str) -> None:
    QgsMessageLog.logMessage(message, PLUGIN_TAG, Qgis.Critical)
