"""Regenerate the plugin's shipped .qml styles with PyQGIS (run: python qgis_plugin/tools/make_styles.py).

The .qml files are committed; this script documents how they were made and keeps them consistent.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsColorRampLegendNodeSettings,
    QgsColorRampShader,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsRasterLayer,
    QgsRasterShader,
    QgsRendererCategory,
    QgsSingleBandPseudoColorRenderer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor, QFont  # noqa: E402

STYLES = os.path.join(os.path.dirname(__file__), "..", "icesight_qgis", "styles")


def classification_style() -> None:
    """Ship (red triangle), iceberg (cyan diamond), clutter (a muted grey cross: no target, the
    detector fired on ice texture or an ambiguity), each labelled with its class and probability.
    (The plugin adds, when it loads the style, the rule that hides the symbol of the target under
    review: ``review.hide_symbol_under_review``.)"""
    from qgis.core import QgsProperty

    layer = QgsVectorLayer(
        "Point?field=class:string&field=iceberg_probability:double&field=clutter_probability:double"
        "&field=confidence:double", "t", "memory"
    )
    ship = QgsMarkerSymbol.createSimple(
        {"name": "triangle", "color": "#e4572e", "outline_color": "#ffffff", "outline_width": "0.4", "size": "4.2"}
    )
    iceberg = QgsMarkerSymbol.createSimple(
        {"name": "diamond", "color": "#29c7f2", "outline_color": "#0b3954", "outline_width": "0.4", "size": "4.2"}
    )
    clutter = QgsMarkerSymbol.createSimple(
        {"name": "cross2", "color": "#a6a6a6", "outline_color": "#a6a6a6", "outline_width": "0.6", "size": "3.2"}
    )
    renderer = QgsCategorizedSymbolRenderer(
        "class",
        [QgsRendererCategory("ship", ship, "Ship"), QgsRendererCategory("iceberg", iceberg, "Iceberg"),
         QgsRendererCategory("clutter", clutter, "Clutter (no target)")],
    )
    layer.setRenderer(renderer)
    label = QgsPalLayerSettings()
    label.isExpression = True
    # clutter_probability comes with three-class models only: read it without naming it as a field.
    label.fieldName = (
        "CASE WHEN \"class\" = 'iceberg' THEN 'iceberg ' || format_number(100 * \"iceberg_probability\", 0) || '%' "
        "WHEN \"class\" = 'ship' THEN 'ship ' || format_number(100 * (1 - \"iceberg_probability\"), 0) || '%' "
        "WHEN \"class\" = 'clutter' THEN 'clutter' || "
        "coalesce(' ' || format_number(100 * attribute('clutter_probability'), 0) || '%', '') END"
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
    label.dataDefinedProperties().setProperty(  # clutter's label as muted as its symbol
        QgsPalLayerSettings.Color, QgsProperty.fromExpression("if(\"class\" = 'clutter', '#b4b4b4', '#ffffff')"))
    layer.setLabeling(QgsVectorLayerSimpleLabeling(label))
    layer.setLabelsEnabled(True)
    message, ok = layer.saveNamedStyle(os.path.join(STYLES, "classifications.qml"))
    assert ok, message


def _one_band_raster(path: str) -> QgsRasterLayer:
    """A tiny float32 GeoTIFF to hang a raster style on (a style needs a layer to be saved from)."""
    from qgis.core import Qgis, QgsCoordinateReferenceSystem, QgsRasterFileWriter, QgsRectangle

    writer = QgsRasterFileWriter(path)
    provider = writer.createOneBandRaster(
        Qgis.Float32, 4, 4, QgsRectangle(0, 0, 4, 4), QgsCoordinateReferenceSystem("EPSG:3413")
    )
    provider.setNoDataValue(1, float("nan"))
    del provider
    layer = QgsRasterLayer(path, "style")
    assert layer.isValid(), path
    return layer


def _pseudocolor(layer: QgsRasterLayer, items: list[tuple[float, str, int, str]], clip: bool) -> None:
    """A single-band interpolated colour ramp on band 1 from (value, colour, alpha, label) stops."""
    ramp = QgsColorRampShader(items[0][0], items[-1][0])
    ramp.setColorRampType(QgsColorRampShader.Interpolated)
    stops = []
    for value, colour, alpha, label in items:
        qcolor = QColor(colour)
        qcolor.setAlpha(alpha)
        stops.append(QgsColorRampShader.ColorRampItem(value, qcolor, label))
    ramp.setColorRampItemList(stops)
    ramp.setClip(clip)
    shader = QgsRasterShader()
    shader.setRasterShaderFunction(ramp)
    renderer = QgsSingleBandPseudoColorRenderer(layer.dataProvider(), 1, shader)
    renderer.setClassificationMin(items[0][0])
    renderer.setClassificationMax(items[-1][0])
    layer.setRenderer(renderer)


#: The heatmap's limits in the .qml; the plugin rescales them to each raster's symmetric limits.
HEATMAP_LIMIT = 1.0


def heatmap_style(tmp_dir: str) -> None:
    """Attribution heatmaps: diverging blue (towards ship) - white/transparent (0) - red (towards iceberg)."""
    layer = _one_band_raster(os.path.join(tmp_dir, "heatmap.tif"))
    limit = HEATMAP_LIMIT
    _pseudocolor(
        layer,
        [
            (-limit, "#2166ac", 235, "towards ship"),
            (-0.5 * limit, "#67a9cf", 170, ""),
            (-0.1 * limit, "#d1e5f0", 40, ""),
            (0.0, "#ffffff", 0, "no influence"),
            (0.1 * limit, "#fddbc7", 40, ""),
            (0.5 * limit, "#ef8a62", 170, ""),
            (limit, "#b2182b", 235, "towards iceberg"),
        ],
        clip=False,
    )
    # The legend says what the colours mean, not the raw attribution values (rescaled per job anyway).
    ramp = layer.renderer().shader().rasterShaderFunction()
    legend = QgsColorRampLegendNodeSettings()
    legend.setMinimumLabel("towards ship")
    legend.setMaximumLabel("towards iceberg")
    ramp.setLegendSettings(legend)
    layer.setOpacity(0.8)
    message, ok = layer.saveNamedStyle(os.path.join(STYLES, "heatmap.qml"))
    assert ok, message


def probability_style(tmp_dir: str) -> None:
    """Iceberg probability map: transparent below the threshold (0.5 here; the plugin moves it),
    yellow to dark red above it."""
    layer = _one_band_raster(os.path.join(tmp_dir, "probability.tif"))
    _pseudocolor(
        layer,
        [
            (0.5, "#fee391", 150, "0.5"),
            (0.75, "#fb9a29", 200, "0.75"),
            (1.0, "#993404", 235, "1.0 (iceberg)"),
        ],
        clip=True,  # values below the first stop (the threshold) are not drawn
    )
    layer.setOpacity(0.85)
    message, ok = layer.saveNamedStyle(os.path.join(STYLES, "probability.qml"))
    assert ok, message


#: The catalog COG's bands (co-pol dB, cross-pol dB, incidence in degrees, the cross-pol noise
#: floor in dB where the product gives it): the style file of each,
#: its band, placeholder limits and whether the plugin computes the limits itself on each scene
#: (sigma0: 2 % of the darker to 98 % of the brighter surface, ``icesight_qgis/stretch.py``; the
#: style says "user defined" so that QGIS never replaces them with its own cut) or QGIS takes
#: the band's minimum and maximum (incidence, noise floor).
SCENE_STYLES = (
    ("scene_hh.qml", 1, -35.0, 5.0, True),
    ("scene_hv.qml", 2, -40.0, -5.0, True),
    ("scene_incidence.qml", 3, 15.0, 50.0, False),
    ("scene_nesz.qml", 4, -35.0, -15.0, False),
)


def scene_styles(tmp_dir: str) -> None:
    """Grey single-band styles for a catalog scene's bands, stretched min-max between limits
    that the plugin sets on each scene."""
    from qgis.core import (
        Qgis,
        QgsContrastEnhancement,
        QgsCoordinateReferenceSystem,
        QgsRasterFileWriter,
        QgsRasterMinMaxOrigin,
        QgsRectangle,
        QgsSingleBandGrayRenderer,
    )

    path = os.path.join(tmp_dir, "scene.tif")
    writer = QgsRasterFileWriter(path)
    provider = writer.createMultiBandRaster(
        Qgis.Float32, 4, 4, QgsRectangle(0, 0, 4, 4), QgsCoordinateReferenceSystem("EPSG:3413"), len(SCENE_STYLES)
    )
    del provider
    for name, band, low, high, set_by_plugin in SCENE_STYLES:
        layer = QgsRasterLayer(path, "scene")
        assert layer.isValid(), path
        renderer = QgsSingleBandGrayRenderer(layer.dataProvider(), band)
        enhancement = QgsContrastEnhancement(Qgis.Float32)
        enhancement.setContrastEnhancementAlgorithm(QgsContrastEnhancement.StretchToMinimumMaximum)
        enhancement.setMinimumValue(low)
        enhancement.setMaximumValue(high)
        renderer.setContrastEnhancement(enhancement)
        origin = QgsRasterMinMaxOrigin()
        origin.setLimits(QgsRasterMinMaxOrigin.None_ if set_by_plugin else QgsRasterMinMaxOrigin.MinMax)
        origin.setExtent(QgsRasterMinMaxOrigin.WholeRaster)
        origin.setStatAccuracy(QgsRasterMinMaxOrigin.Exact)
        renderer.setMinMaxOrigin(origin)
        layer.setRenderer(renderer)
        message, ok = layer.saveNamedStyle(os.path.join(STYLES, name))
        assert ok, message


def detections_style() -> None:
    """CFAR detections: an open yellow circle around each target, so the scene stays visible."""
    from qgis.core import QgsSingleSymbolRenderer

    layer = QgsVectorLayer("Point?field=area_px:integer", "d", "memory")
    symbol = QgsMarkerSymbol.createSimple(
        {"name": "circle", "color": "0,0,0,0", "outline_color": "#ffd400", "outline_width": "0.6", "size": "5"}
    )
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    message, ok = layer.saveNamedStyle(os.path.join(STYLES, "detections.qml"))
    assert ok, message


if __name__ == "__main__":
    import tempfile

    app = QgsApplication([], False)
    app.initQgis()
    classification_style()
    detections_style()
    with tempfile.TemporaryDirectory() as tmp:
        heatmap_style(tmp)
        probability_style(tmp)
        scene_styles(tmp)
    app.exitQgis()
