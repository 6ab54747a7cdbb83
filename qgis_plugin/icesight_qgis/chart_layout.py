"""The printed ice chart: a print layout (map of the scene and the classification layer, legend,
scale bar, north arrow, title, acquisition date, model and date of production) exported to PDF
and PNG.

Layouts are rendered on the main thread: QGIS's own layout export algorithms are not threaded
(layout items are QObjects of the GUI thread). Building and exporting an A4 chart of a small map
takes well under a second (measured in tests/plugin/test_ice_chart.py and returned as
``ChartPrint.seconds``), so no task is used; the acquisition date never needs the network here
(it comes from the project's catalog footprints, or the caller).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass

from qgis.core import (
    QgsApplication,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsMapLayer,
    QgsPrintLayout,
    QgsProject,
    QgsRasterBlockFeedback,
    QgsRasterFileWriter,
    QgsRasterLayer,
    QgsRasterPipe,
    QgsRectangle,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QFont

from .chart import IceChartError
from .scene_layers import FOOTPRINTS_LAYER_NAME
from .scenes import catalog_scene_id

UNKNOWN = "unknown"
#: A4 landscape, millimetres.
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 297.0, 210.0
MARGIN_MM = 10.0
PNG_DPI = 150
NORTH_ARROW_SVG = "arrows/NorthArrow_02.svg"
#: Share of the icebergs' extent added around them when there is no scene to frame the map.
EXTENT_MARGIN = 0.15


@dataclass(frozen=True)
class ChartSheet:
    """What the chart says besides the map."""

    title: str
    acquired: str  # acquisition date (ISO) of the scene, or "unknown"
    model: str  # model id(s) of the classification
    produced: str  # date of production (ISO, UTC)

    def caption(self) -> str:
        made = QCoreApplication.translate("@default", "Acquired: {acquired}    Model: {model}    Produced: {produced}")
        sizes = QCoreApplication.translate(
            "@default", "Iceberg sizes: WMO length classes from the horizontal SAR length (not the height that defines growlers and bergy bits)")  # noqa: E501
        return made.format(acquired=self.acquired, model=self.model, produced=self.produced) + "\n" + sizes


@dataclass(frozen=True)
class ChartPrint:
    pdf_path: str
    png_path: str
    seconds: float  # building and exporting the layout, on the main thread


def acquisition_date(scene: QgsRasterLayer | None, project: QgsProject | None = None) -> str:
    """The scene's acquisition date from its catalog item as the project knows it (the catalog
    footprints layer the scene browser fills), found by the scene layer's catalog id; else
    "unknown". Never asks the backend (this runs on the main thread)."""
    scene_id = catalog_scene_id(scene) if scene is not None else None
    if not scene_id:
        return UNKNOWN
    project = project or QgsProject.instance()
    for layer in project.mapLayersByName(FOOTPRINTS_LAYER_NAME):
        if not isinstance(layer, QgsVectorLayer) or "acquired" not in layer.fields().names():
            continue
        for feature in layer.getFeatures():
            if feature["scene_id"] == scene_id and feature["acquired"]:
                return str(feature["acquired"])
    return UNKNOWN


def chart_model(layer: QgsVectorLayer) -> str:
    """The model id(s) the classification layer's targets were classified with."""
    index = layer.fields().indexOf("model_id")
    if index < 0:
        return UNKNOWN
    models = sorted({str(v) for v in layer.uniqueValues(index) if v is not None and str(v) not in ("", "NULL")})
    return ", ".join(models) or UNKNOWN


def make_sheet(title: str, layer: QgsVectorLayer, scene: QgsRasterLayer | None, acquired: str | None = None,
               project: QgsProject | None = None) -> ChartSheet:
    produced = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return ChartSheet(title=title, acquired=acquired or acquisition_date(scene, project), model=chart_model(layer),
                      produced=produced)


def _map_extent(layers: list[QgsMapLayer], map_crs, project: QgsProject) -> QgsRectangle:
    """The scene's extent when there is one, else the classification layer's, with a margin."""
    framing = layers[-1]
    extent = QgsCoordinateTransform(framing.crs(), map_crs, project.transformContext()).transformBoundingBox(
        framing.extent())
    if not isinstance(framing, QgsRasterLayer):
        pad = max(extent.width(), extent.height()) * EXTENT_MARGIN or 1000.0
        extent = QgsRectangle(extent.xMinimum() - pad, extent.yMinimum() - pad, extent.xMaximum() + pad,
                              extent.yMaximum() + pad)
    return extent


def _label(layout: QgsPrintLayout, text: str, size_pt: float, x: float, y: float, width: float, height: float,
           bold: bool = False) -> QgsLayoutItemLabel:
    label = QgsLayoutItemLabel(layout)
    label.setText(text)
    font = QFont()
    font.setPointSizeF(size_pt)
    font.setBold(bold)
    label.setFont(font)
    label.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutMillimeters))
    label.attemptResize(QgsLayoutSize(width, height, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(label)
    return label


def _svg(name: str) -> str | None:
    for folder in QgsApplication.svgPaths():
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    return None


def build_layout(layer: QgsVectorLayer, scene: QgsRasterLayer | None, sheet: ChartSheet,
                 project: QgsProject | None = None) -> QgsPrintLayout:
    """The chart's print layout (not added to the project's layout manager)."""
    if not isinstance(layer, QgsVectorLayer) or not layer.isValid():
        raise IceChartError("choose the classification layer to print")
    project = project or QgsProject.instance()
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(sheet.title)
    layout.pageCollection().page(0).setPageSize(QgsLayoutSize(PAGE_WIDTH_MM, PAGE_HEIGHT_MM))

    title = _label(layout, sheet.title, 20, MARGIN_MM, MARGIN_MM - 4, PAGE_WIDTH_MM - 2 * MARGIN_MM, 12, bold=True)
    title.setId("title")
    caption = _label(layout, sheet.caption(), 8, MARGIN_MM, PAGE_HEIGHT_MM - MARGIN_MM - 9,
                     PAGE_WIDTH_MM - 2 * MARGIN_MM, 10)
    caption.setId("caption")

    layers: list[QgsMapLayer] = [layer] + ([scene] if scene is not None else [])
    legend_width = 60.0
    map_top = MARGIN_MM + 10
    map_width = PAGE_WIDTH_MM - 2 * MARGIN_MM - legend_width - 5
    map_height = PAGE_HEIGHT_MM - map_top - MARGIN_MM - 12
    chart_map = QgsLayoutItemMap(layout)
    chart_map.setId("map")
    chart_map.attemptMove(QgsLayoutPoint(MARGIN_MM, map_top, QgsUnitTypes.LayoutMillimeters))
    chart_map.attemptResize(QgsLayoutSize(map_width, map_height, QgsUnitTypes.LayoutMillimeters))
    map_crs = (scene or layer).crs()
    chart_map.setCrs(map_crs)
    chart_map.setLayers(layers)
    chart_map.setKeepLayerSet(True)
    chart_map.setFrameEnabled(True)
    layout.addLayoutItem(chart_map)
    chart_map.zoomToExtent(_map_extent(layers, map_crs, project))

    legend = QgsLayoutItemLegend(layout)
    legend.setId("legend")
    legend.setTitle(QCoreApplication.translate("@default", "Legend"))
    legend.setLinkedMap(chart_map)
    legend.setAutoUpdateModel(False)  # a tree of its own: the project's layer tree is left alone
    root = legend.model().rootGroup()
    root.removeAllChildren()
    for map_layer in layers:
        root.addLayer(map_layer)
    legend.attemptMove(QgsLayoutPoint(MARGIN_MM + map_width + 5, map_top, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(legend)
    legend.adjustBoxSize()

    scale_bar = QgsLayoutItemScaleBar(layout)
    scale_bar.setId("scale bar")
    scale_bar.setStyle("Single Box")
    scale_bar.setLinkedMap(chart_map)
    scale_bar.applyDefaultSize()
    scale_bar.attemptMove(QgsLayoutPoint(MARGIN_MM + 3, map_top + map_height - 14, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(scale_bar)

    north_svg = _svg(NORTH_ARROW_SVG)
    arrow_x, arrow_y = MARGIN_MM + map_width - 16, map_top + 3
    if north_svg is not None:
        arrow = QgsLayoutItemPicture(layout)
        arrow.setPicturePath(north_svg)
        arrow.setLinkedMap(chart_map)
        arrow.setNorthMode(QgsLayoutItemPicture.TrueNorth)  # polar stereographic: grid north is not north
        arrow.attemptMove(QgsLayoutPoint(arrow_x, arrow_y, QgsUnitTypes.LayoutMillimeters))
        arrow.attemptResize(QgsLayoutSize(12, 12, QgsUnitTypes.LayoutMillimeters))
        layout.addLayoutItem(arrow)
    else:
        arrow = _label(layout, "N\n↑", 14, arrow_x, arrow_y, 12, 14, bold=True)
    arrow.setId("north arrow")
    return layout


def export_layout(layout: QgsPrintLayout, pdf_path: str, png_path: str, dpi: int = PNG_DPI) -> None:
    for path in (pdf_path, png_path):
        folder = os.path.dirname(os.path.abspath(path))
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise IceChartError(f"could not make the folder {folder} for the chart ({exc.strerror or exc}); choose "
                                "a folder you can write to") from None
    exporter = QgsLayoutExporter(layout)
    result = exporter.exportToPdf(pdf_path, QgsLayoutExporter.PdfExportSettings())
    if result != QgsLayoutExporter.Success:
        raise IceChartError(f"could not write the chart PDF {pdf_path}: {exporter.errorMessage()}")
    image = QgsLayoutExporter.ImageExportSettings()
    image.dpi = dpi
    image.exportMetadata = False  # GDAL cannot update a PNG in place; the PDF carries the metadata
    result = exporter.exportToImage(png_path, image)
    if result != QgsLayoutExporter.Success:
        raise IceChartError(f"could not write the chart PNG {png_path}: {exporter.errorMessage()}")


#: The long side, pixels, of the local copy of a streamed scene a chart is printed with: more than the
#: map frame holds at the PNG's resolution.
PRINT_COPY_PX = 4000


def print_copy(source: str, path: str, max_px: int = PRINT_COPY_PX, is_cancelled=lambda: False) -> str:
    """In a task's thread: the scene at ``source`` (a streamed catalog scene) written to the GeoTIFF
    ``path``, every band, at most ``max_px`` on its long side (the provider reads the COG's overviews),
    so that the layout, which renders on the main thread, never waits on the network. The layer is
    opened in this thread (a provider belongs to its own); ``is_cancelled()`` is asked as the writer
    goes (:class:`JobCancelledError`)."""
    from .client import JobCancelledError

    scene = QgsRasterLayer(source, "scene", "gdal")
    if not scene.isValid():
        raise IceChartError(f"the scene could not be read for the chart ({scene.error().summary() or 'no answer'})")
    provider = scene.dataProvider()
    scale = min(1.0, max_px / max(provider.xSize(), provider.ySize()))
    pipe = QgsRasterPipe()
    if not pipe.set(provider.clone()):
        raise IceChartError("the scene could not be read for the chart (no raster pipe)")
    feedback = QgsRasterBlockFeedback()
    feedback.progressChanged.connect(lambda _progress: feedback.cancel() if is_cancelled() else None)
    writer = QgsRasterFileWriter(path)
    writer.setCreateOptions(["TILED=YES", "COMPRESS=DEFLATE"])
    written = writer.writeRaster(pipe, max(1, round(provider.xSize() * scale)), max(1, round(provider.ySize() * scale)),
                                 provider.extent(), provider.crs(), QgsCoordinateTransformContext(), feedback)
    if is_cancelled() or feedback.isCanceled():
        raise JobCancelledError("copying the scene for the chart")
    if written != QgsRasterFileWriter.NoError:
        raise IceChartError(f"the scene could not be copied for the chart (raster writer error {written})")
    return path


def print_chart(layer: QgsVectorLayer, scene: QgsRasterLayer | None, sheet: ChartSheet, pdf_path: str,
                png_path: str, project: QgsProject | None = None) -> ChartPrint:
    """Build the chart's layout and export it to ``pdf_path`` and ``png_path`` (main thread)."""
    started = time.perf_counter()
    layout = build_layout(layer, scene, sheet, project)
    export_layout(layout, pdf_path, png_path)
    return ChartPrint(pdf_path, png_path, time.perf_counter() - started)
