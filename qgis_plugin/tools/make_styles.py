"""Regenerate the plugin's shipped .qml styles with PyQGIS (run: python qgis_plugin/tools/make_styles.py).

The .qml files are committed; this script documents how they were made and keeps them consistent.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsRendererCategory,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor, QFont  # noqa: E402

STYLES = os.path.join(os.path.dirname(__file__), "..", "icesight_qgis", "styles")


def classification_style() -> None:
    layer = QgsVectorLayer(
        "Point?field=class:string&field=iceberg_probability:double&field=confidence:double", "t", "memory"
    )
    ship = QgsMarkerSymbol.createSimple(
        {"name": "triangle", "color": "#e4572e", "outline_color": "#ffffff", "outline_width": "0.4", "size": "4.2"}
    )
    iceberg = QgsMarkerSymbol.createSimple(
        {"name": "diamond", "color": "#29c7f2", "outline_color": "#0b3954", "outline_width": "0.4", "size": "4.2"}
    )
    renderer = QgsCategorizedSymbolRenderer(
        "class",
        [QgsRendererCategory("ship", ship, "Ship"), QgsRendererCategory("iceberg", iceberg, "Iceberg")],
    )
    layer.setRenderer(renderer)
    label = QgsPalLayerSettings()
    label.isExpression = True
    label.fieldName = (
        "CASE WHEN \"class\" = 'iceberg' THEN 'iceberg ' || format_number(100 * \"iceberg_probability\", 0) || '%' "
        "ELSE 'ship ' || format_number(100 * (1 - \"iceberg_probability\"), 0) || '%' END"
    )
    text = QgsTextFormat()
    text.setFont(QFont("DejaVu Sans"))
    text.setSize(8.5)
    text.setColor(QColor("#ffffff"))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(1.0)
    buffer.setColor(QColor("#0b3954"))
    text.setBuffer(buffer)
    label.setFormat(text)
    label.dist = 1.5
    layer.setLabeling(QgsVectorLayerSimpleLabeling(label))
    layer.setLabelsEnabled(True)
    message, ok = layer.saveNamedStyle(os.path.join(STYLES, "classifications.qml"))
    assert ok, message


if __name__ == "__main__":
    app = QgsApplication([], False)
    app.initQgis()
    classification_style()
    app.exitQgis()
