"""Adding job results to the project: one layer group per job, styled from the shipped .qml files."""

from __future__ import annotations

import os

from qgis.core import (
    QgsColorRampShader,
    QgsLayerTreeGroup,
    QgsMapLayer,
    QgsProject,
    QgsRasterBandStats,
    QgsRasterLayer,
    QgsSingleBandPseudoColorRenderer,
    QgsVectorLayer,
)

from .review import add_review_field
from .workflow import ExplanationOutcome, MapOutcome

STYLE_DIR = os.path.join(os.path.dirname(__file__), "styles")
CLASSIFICATION_STYLE = os.path.join(STYLE_DIR, "classifications.qml")
HEATMAP_STYLE = os.path.join(STYLE_DIR, "heatmap.qml")
PROBABILITY_STYLE = os.path.join(STYLE_DIR, "probability.qml")

#: The smallest symmetric heatmap limit: an all-zero attribution must still make a valid ramp.
_MIN_HEATMAP_LIMIT = 1e-9


def job_group(job_id: str, title: str, project: QgsProject | None = None) -> QgsLayerTreeGroup:
    project = project or QgsProject.instance()
    root = project.layerTreeRoot()
    name = f"IceSight {title} {job_id}"
    group = root.findGroup(name)
    return group if group is not None else root.insertGroup(0, name)


def _apply_style(layer: QgsMapLayer, style: str) -> None:
    message, ok = layer.loadNamedStyle(style)
    if not ok:
        raise ValueError(f"the shipped style {style} could not be applied: {message}")


def _add_to_group(layer: QgsMapLayer, group: QgsLayerTreeGroup, project: QgsProject) -> None:
    project.addMapLayer(layer, False)
    group.addLayer(layer)


def add_classification_layer(gpkg_path: str, job_id: str, project: QgsProject | None = None) -> QgsVectorLayer:
    """Load a classify_patches result as a layer styled ship/iceberg with probabilities, with the
    analyst's ``reviewed_class`` field ready for review."""
    project = project or QgsProject.instance()
    layer = QgsVectorLayer(f"{gpkg_path}|layername=classifications", f"Targets (job {job_id})", "ogr")
    if not layer.isValid():
        raise ValueError(f"the result {gpkg_path} could not be opened as a GeoPackage layer")
    _apply_style(layer, CLASSIFICATION_STYLE)
    add_review_field(layer)
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


def heatmap_limit(layer: QgsRasterLayer) -> float:
    """The symmetric limit of a heatmap: the largest absolute attribution of its total band."""
    stats = layer.dataProvider().bandStatistics(1, QgsRasterBandStats.Min | QgsRasterBandStats.Max)
    return max(abs(stats.minimumValue), abs(stats.maximumValue), _MIN_HEATMAP_LIMIT)


def style_heatmap(layer: QgsRasterLayer, limit: float | None = None) -> float:
    """The diverging heatmap style (blue towards ship, red towards iceberg, transparent near 0) with
    symmetric limits ``-limit..limit`` (by default the raster's own largest absolute value)."""
    _apply_style(layer, HEATMAP_STYLE)
    limit = heatmap_limit(layer) if limit is None else limit
    _rescale_ramp(layer, -limit, limit)
    return limit


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
    (one per target, or the mosaic), all in the job's group. The heatmaps of one job share one
    symmetric limit so that their colours compare."""
    project = project or QgsProject.instance()
    group = job_group(outcome.job_id, f"explanation ({outcome.result.method.value})", project)
    summary = QgsVectorLayer(f"{outcome.summary_path}|layername=explanations", "Explanations", "ogr")
    if not summary.isValid():
        raise ValueError(f"the result {outcome.summary_path} could not be opened as a GeoPackage layer")
    sources = dict(outcome.heatmap_paths)
    if outcome.mosaic_path:
        sources["all targets"] = outcome.mosaic_path
    rasters = [_raster(path, f"Heatmap {target}") for target, path in sources.items()]
    limit = max((heatmap_limit(r) for r in rasters), default=_MIN_HEATMAP_LIMIT)
    for raster in rasters:
        style_heatmap(raster, limit)
    _add_to_group(summary, group, project)
    for raster in rasters:
        _add_to_group(raster, group, project)
    return summary, rasters


def add_probability_layer(outcome: MapOutcome, threshold: float, project: QgsProject | None = None) -> QgsRasterLayer:
    project = project or QgsProject.instance()
    layer = _raster(outcome.raster_path, f"Iceberg probability {outcome.result.scene_id}")
    style_probability(layer, threshold)
    _add_to_group(layer, job_group(outcome.job_id, "probability map", project), project)
    return layer
