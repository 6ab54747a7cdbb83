"""Adding job results to the project: one layer group per job, styled from the shipped .qml files."""

from __future__ import annotations

import os
from enum import IntEnum

import numpy as np
from qgis.core import (
    Qgis,
    QgsColorRampShader,
    QgsLayerTree,
    QgsLayerTreeGroup,
    QgsLayerTreeNode,
    QgsMapLayer,
    QgsMapLayerLegendUtils,
    QgsProject,
    QgsRasterLayer,
    QgsSingleBandPseudoColorRenderer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication

from .review import add_review_field, hide_symbol_under_review
from .workflow import ExplanationOutcome, MapOutcome

STYLE_DIR = os.path.join(os.path.dirname(__file__), "styles")
CLASSIFICATION_STYLE = os.path.join(STYLE_DIR, "classifications.qml")
HEATMAP_STYLE = os.path.join(STYLE_DIR, "heatmap.qml")
PROBABILITY_STYLE = os.path.join(STYLE_DIR, "probability.qml")

#: The smallest symmetric heatmap limit: an all-zero attribution must still make a valid ramp.
_MIN_HEATMAP_LIMIT = 1e-9
#: A heatmap's colours reach full strength at this percentile of its |attribution|: the few
#: strongest pixels saturate, and the rest of the decisive region stays visible (scaled to the
#: single largest value, almost every pixel would sit in the transparent middle of the ramp).
HEATMAP_LIMIT_PERCENTILE = 99.0
#: The legend entry of a single-band colour ramp that names its band (the ramp itself follows it).
HEATMAP_BAND_LEGEND_NODE = 0
#: The most pixels read along a side to compute a raster's statistics: a larger raster is read
#: decimated (GDAL serves it from its overviews, the pixels QGIS draws it with when zoomed out).
SAMPLE_SIDE_PX = 1024
_NUMPY_TYPES = {
    Qgis.Byte: np.uint8, Qgis.UInt16: np.uint16, Qgis.Int16: np.int16, Qgis.UInt32: np.uint32,
    Qgis.Int32: np.int32, Qgis.Float32: np.float32, Qgis.Float64: np.float64,
}


class TreeRank(IntEnum):
    """Where the plugin puts what it adds in the layer tree: a lower rank above a higher one, so
    that targets are never drawn under a raster."""

    POINTS = 0  # classified targets, detections
    EXPLANATION = 1  # the explanation summary points over their semi-transparent heatmaps
    RASTER = 2  # probability maps
    SCENE = 3  # the SAR scenes everything is drawn on


#: The layer-tree node property (saved with the project) that holds a node's :class:`TreeRank`.
TREE_RANK_PROPERTY = "icesight/tree_rank"


def tree_rank(node: QgsLayerTreeNode) -> TreeRank | None:
    """The node's rank: the one the plugin gave it, a raster of the analyst's (a basemap, a scene)
    ranks with the scenes, any other node of the analyst's has none."""
    value = node.customProperty(TREE_RANK_PROPERTY, None)
    try:
        if value is not None:
            return TreeRank(int(value))
    except (TypeError, ValueError):
        pass
    if QgsLayerTree.isLayer(node) and isinstance(node.layer(), QgsRasterLayer):
        return TreeRank.SCENE
    return None


def insertion_index(root: QgsLayerTreeGroup, rank: TreeRank, moving: QgsLayerTreeNode | None = None) -> int:
    """Where a new top-level node of ``rank`` goes: above the first node of the same or a higher
    rank (so the newest result of a kind comes first), else at the bottom. The analyst's own
    vector layers and groups keep their place. ``moving``: a node about to move, not counted."""
    for position, node in enumerate(root.children()):
        ranked = tree_rank(node) if node is not moving else None
        if ranked is not None and ranked >= rank:
            return position
    return len(root.children())


def job_group(job_id: str, title: str, project: QgsProject | None = None,
              rank: TreeRank = TreeRank.POINTS) -> QgsLayerTreeGroup:
    """The job's group (made on first use at its rank's place, :func:`insertion_index`)."""
    project = project or QgsProject.instance()
    root = project.layerTreeRoot()
    name = f"IceSight {title} {job_id}"
    group = root.findGroup(name)
    if group is None:
        group = root.insertGroup(insertion_index(root, rank), name)
        group.setCustomProperty(TREE_RANK_PROPERTY, int(rank))
    return group


def _apply_style(layer: QgsMapLayer, style: str) -> None:
    message, ok = layer.loadNamedStyle(style)
    if not ok:
        raise ValueError(f"the shipped style {style} could not be applied: {message}")


def _add_to_group(layer: QgsMapLayer, group: QgsLayerTreeGroup, project: QgsProject) -> None:
    project.addMapLayer(layer, False)
    group.addLayer(layer)


def style_classifications(layer: QgsVectorLayer) -> None:
    """The ship / iceberg / clutter style, and the analyst's ``reviewed_class`` field."""
    _apply_style(layer, CLASSIFICATION_STYLE)
    hide_symbol_under_review(layer)
    add_review_field(layer)


def add_classification_layer(gpkg_path: str, job_id: str, project: QgsProject | None = None) -> QgsVectorLayer:
    """Load a classify_patches result as a layer styled ship/iceberg with probabilities, with the
    analyst's ``reviewed_class`` field ready for review."""
    project = project or QgsProject.instance()
    name = QCoreApplication.translate("@default", "Targets (job {job})").format(job=job_id)
    layer = QgsVectorLayer(f"{gpkg_path}|layername=classifications", name, "ogr")
    if not layer.isValid():
        raise ValueError(f"the result {gpkg_path} could not be opened as a GeoPackage layer")
    style_classifications(layer)
    _add_to_group(layer, job_group(job_id, "classification", project), project)
    return layer


# -- rasters ------------------------------------------------------------------------------------


def _ramp(layer: QgsRasterLayer) -> tuple[QgsSingleBandPseudoColorRenderer, QgsColorRampShader]:
    renderer = layer.renderer()
    if not isinstance(renderer, QgsSingleBandPseudoColorRenderer):
        raise ValueError(f"{layer.name()} is not styled with a single-band colour ramp")
    return renderer, renderer.shader().rasterShaderFunction()


def _rescale_ramp(layer: QgsRasterLayer, minimum: float, maximum: float) -> None:
    """Move the ramp's stops linearly onto ``[minimum, maximum]``, keeping colours and alphas."""
    renderer, ramp = _ramp(layer)
    items = ramp.colorRampItemList()
    old_min, old_max = items[0].value, items[-1].value
    scale = (maximum - minimum) / (old_max - old_min)
    moved = [
        QgsColorRampShader.ColorRampItem(minimum + (item.value - old_min) * scale, item.color, item.label)
        for item in items
    ]
    ramp.setColorRampItemList(moved)
    ramp.setMinimumValue(minimum)
    ramp.setMaximumValue(maximum)
    renderer.setClassificationMin(minimum)
    renderer.setClassificationMax(maximum)
    layer.triggerRepaint()


def band_sample(layer: QgsRasterLayer, band: int, max_side_px: int = SAMPLE_SIDE_PX) -> np.ndarray:
    """The pixels of ``band`` as float64 (NaN where there is no data), the whole raster read at
    most ``max_side_px`` pixels along its longer side."""
    provider = layer.dataProvider()
    width, height = provider.xSize(), provider.ySize()
    scale = min(1.0, max_side_px / max(width, height, 1))
    columns, rows = max(1, round(width * scale)), max(1, round(height * scale))
    block = provider.block(band, provider.extent(), columns, rows)
    dtype = _NUMPY_TYPES.get(block.dataType())
    if dtype is None or not block.isValid():
        raise ValueError(f"band {band} of {layer.name()} could not be read as numbers")
    values = np.frombuffer(bytes(block.data()), dtype=dtype).astype(np.float64)
    if block.hasNoDataValue():
        values[values == block.noDataValue()] = np.nan
    return values.reshape(rows, columns)


def heatmap_limit(layer: QgsRasterLayer) -> float:
    """The symmetric limit of a heatmap: :data:`HEATMAP_LIMIT_PERCENTILE` of the absolute
    attribution of its total band (pixels with no attribution, such as the gaps of a mosaic,
    left out)."""
    magnitude = np.abs(band_sample(layer, 1))
    magnitude = magnitude[np.isfinite(magnitude) & (magnitude > 0)]
    if magnitude.size == 0:
        return _MIN_HEATMAP_LIMIT
    return max(float(np.percentile(magnitude, HEATMAP_LIMIT_PERCENTILE)), _MIN_HEATMAP_LIMIT)


def heatmap_legend_texts() -> dict[str, str]:
    """What a heatmap's legend says, in the analyst's language: the name of the band drawn (the
    total attribution, the sum of its HH and HV parts) and the ramp's ends and middle."""
    return {
        "band": QCoreApplication.translate("@default", "Attribution (HH + HV)"),
        "towards ship": QCoreApplication.translate("@default", "towards ship"),
        "no influence": QCoreApplication.translate("@default", "no influence"),
        "towards iceberg": QCoreApplication.translate("@default", "towards iceberg"),
    }


def style_heatmap(layer: QgsRasterLayer, project: QgsProject | None = None) -> float:
    """The diverging heatmap style (blue towards ship, red towards iceberg, transparent near 0) with
    the raster's own symmetric limits ``-limit..limit`` (:func:`heatmap_limit`); returns the limit.
    Its legend reads "Attribution (HH + HV)" over a ramp from "towards ship" to "towards iceberg"
    (the band's name is set on the layer's node once the layer is in ``project``'s layer tree, see
    :func:`label_heatmap_legend`)."""
    _apply_style(layer, HEATMAP_STYLE)
    limit = heatmap_limit(layer)
    _rescale_ramp(layer, -limit, limit)
    texts = heatmap_legend_texts()
    _renderer, ramp = _ramp(layer)
    ramp.setColorRampItemList([QgsColorRampShader.ColorRampItem(item.value, item.color, texts.get(item.label, item.label))
                               for item in ramp.colorRampItemList()])
    settings = ramp.legendSettings()
    settings.setMinimumLabel(texts["towards ship"])
    settings.setMaximumLabel(texts["towards iceberg"])
    ramp.setLegendSettings(settings)
    label_heatmap_legend(layer, project)
    return limit


def label_heatmap_legend(layer: QgsRasterLayer, project: QgsProject | None = None) -> bool:
    """Name a heatmap's band in the legend for the analyst ("Attribution (HH + HV)" instead of the
    file's "Band 1: total (Gray)"): a label on the layer's node in the layer tree, as when an analyst
    renames a legend entry, saved with the project and shown in print layouts too. False when the
    layer is not in the layer tree (yet)."""
    project = project or layer.project() or QgsProject.instance()
    node = project.layerTreeRoot().findLayer(layer.id())
    if node is None:
        return False
    QgsMapLayerLegendUtils.setLegendNodeUserLabel(node, HEATMAP_BAND_LEGEND_NODE, heatmap_legend_texts()["band"])
    layer.legendChanged.emit()  # the layer tree and legends read the label again
    return True


def style_probability(layer: QgsRasterLayer, threshold: float) -> None:
    """The probability-map style: transparent below ``threshold``, a colour ramp from it to 1."""
    if not 0.0 <= threshold < 1.0:
        raise ValueError(f"the probability threshold must be at least 0 and below 1, got {threshold:g}")
    _apply_style(layer, PROBABILITY_STYLE)
    _rescale_ramp(layer, threshold, 1.0)


def _raster(path: str, name: str) -> QgsRasterLayer:
    layer = QgsRasterLayer(path, name)
    if not layer.isValid():
        raise ValueError(f"the result {path} could not be opened as a raster")
    return layer


def add_explanation_layers(
    outcome: ExplanationOutcome, project: QgsProject | None = None
) -> tuple[QgsVectorLayer, list[QgsRasterLayer]]:
    """The per-target summary (points with shares, angle attribution, top region) above the heatmaps
    (one per target, or the mosaic), all in the job's group. Each heatmap has its own symmetric
    limit (:func:`heatmap_limit`): an attribution's pattern shows on every target, the strong and
    the weak decision alike (the legend speaks of direction, not of amounts)."""
    project = project or QgsProject.instance()
    group = job_group(outcome.job_id, f"explanation ({outcome.result.method.value})", project, TreeRank.EXPLANATION)
    summary = QgsVectorLayer(f"{outcome.summary_path}|layername=explanations",
                             QCoreApplication.translate("@default", "Explanations"), "ogr")
    if not summary.isValid():
        raise ValueError(f"the result {outcome.summary_path} could not be opened as a GeoPackage layer")
    sources = dict(outcome.heatmap_paths)
    if outcome.mosaic_path:
        sources[QCoreApplication.translate("@default", "all targets")] = outcome.mosaic_path
    heatmap = QCoreApplication.translate("@default", "Heatmap {target}")
    rasters = [_raster(path, heatmap.format(target=target)) for target, path in sources.items()]
    for raster in rasters:
        style_heatmap(raster)
    _add_to_group(summary, group, project)
    for raster in rasters:
        _add_to_group(raster, group, project)
        label_heatmap_legend(raster, project)
    return summary, rasters


def add_probability_layer(outcome: MapOutcome, threshold: float, project: QgsProject | None = None) -> QgsRasterLayer:
    project = project or QgsProject.instance()
    name = QCoreApplication.translate("@default", "Iceberg probability {scene}").format(scene=outcome.result.scene_id)
    layer = _raster(outcome.raster_path, name)
    style_probability(layer, threshold)
    _add_to_group(layer, job_group(outcome.job_id, "probability map", project, TreeRank.RASTER), project)
    return layer
