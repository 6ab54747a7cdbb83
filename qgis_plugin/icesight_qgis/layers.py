"""Adding job results to the project: one layer group per job, styled from the shipped .qml files."""

from __future__ import annotations

import os

from qgis.core import QgsLayerTreeGroup, QgsProject, QgsVectorLayer

STYLE_DIR = os.path.join(os.path.dirname(__file__), "styles")
CLASSIFICATION_STYLE = os.path.join(STYLE_DIR, "classifications.qml")


def job_group(job_id: str, title: str, project: QgsProject | None = None) -> QgsLayerTreeGroup:
    project = project or QgsProject.instance()
    root = project.layerTreeRoot()
    name = f"IceSight {title} {job_id}"
    group = root.findGroup(name)
    return group if group is not None else root.insertGroup(0, name)


def add_classification_layer(gpkg_path: str, job_id: str, project: QgsProject | None = None) -> QgsVectorLayer:
    """Load a classify_patches result as a layer styled ship/iceberg with probabilities."""
    project = project or QgsProject.instance()
    layer = QgsVectorLayer(f"{gpkg_path}|layername=classifications", f"Targets (job {job_id})", "ogr")
    if not layer.isValid():
        raise ValueError(f"the result {gpkg_path} could not be opened as a GeoPackage layer")
    message, ok = layer.loadNamedStyle(CLASSIFICATION_STYLE)
    if not ok:
        raise ValueError(f"the shipped style {CLASSIFICATION_STYLE} could not be applied: {message}")
    project.addMapLayer(layer, False)
    job_group(job_id, "classification", project).addLayer(layer)
    return layer
