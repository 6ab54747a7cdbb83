"""Finishing downloaded result files before they are loaded: the analyst's target attributes and the
classification's uncertainty joined into the classification GeoPackage.

Runs in a task's thread on a layer of its own (no layer of the project is touched).
"""

from __future__ import annotations

from qgis.core import QgsField, QgsVectorLayer
from qgis.PyQt.QtCore import QVariant

from icesight_contract import ClassifyPatchesResult

from .patches import Targets

#: Fields of the target layer the result does not take over (the GeoPackage's own feature id).
_SKIPPED_FIELDS = {"fid"}
#: The prefix of a target field whose name the result already uses (the truth's ``class``, say).
TARGET_PREFIX = "target_"


def join_target_attributes(
    gpkg_path: str, targets: Targets, result: ClassifyPatchesResult, layer_name: str = "classifications"
) -> list[str]:
    """Add every field of the targets' layer to the result layer (renamed ``target_<name>`` where
    the result has that name already) and the ``uncertainty`` of each classification, matched by
    target id (``patch_id``). Returns the names of the added fields."""
    layer = QgsVectorLayer(f"{gpkg_path}|layername={layer_name}", "result", "ogr")
    if not layer.isValid():
        raise ValueError(f"the result {gpkg_path} could not be opened as a GeoPackage layer")
    taken = {name.lower() for name in layer.fields().names()}
    added: list[QgsField] = []
    source_index: list[tuple[int, str]] = []  # (index in the target's values, name in the result)
    for index, target_field in enumerate(targets.fields):
        if target_field.name().lower() in _SKIPPED_FIELDS:
            continue
        name = target_field.name()
        if name.lower() in taken:
            name = f"{TARGET_PREFIX}{name}"
        if name.lower() in taken:
            continue
        copy = QgsField(target_field)
        copy.setName(name)
        added.append(copy)
        taken.add(name.lower())
        source_index.append((index, name))
    if "uncertainty" not in taken:
        added.append(QgsField("uncertainty", QVariant.Double))
    provider = layer.dataProvider()
    if added and not provider.addAttributes(added):
        raise ValueError(f"could not add the target fields to {gpkg_path}: {provider.lastError()}")
    layer.updateFields()
    fields = layer.fields()
    uncertainty = {c.id: c.uncertainty for c in result.classifications}
    id_index = fields.indexOf("patch_id")
    changes: dict[int, dict[int, object]] = {}
    for feature in layer.getFeatures():
        target_id = feature[id_index] if id_index >= 0 else None
        values = targets.attributes.get(target_id)
        change = {}
        if values is not None:
            for index, name in source_index:
                change[fields.indexOf(name)] = values[index]
        if uncertainty.get(target_id) is not None:
            change[fields.indexOf("uncertainty")] = float(uncertainty[target_id])
        if change:
            changes[feature.id()] = change
    if changes and not provider.changeAttributeValues(changes):
        raise ValueError(f"could not write the target attributes into {gpkg_path}: {provider.lastError()}")
    return [f.name() for f in added]
