"""The analyst's review of a classification layer: the ``reviewed_class`` field (ship / iceberg /
clutter, empty = not reviewed) with its value-map widget, the review order (most informative
correction first: active learning) and the reviewed targets read back as labelled points.

Runs on the main thread on layers of the project; the patches are cut later in a task.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsEditorWidgetSetup,
    QgsExpressionContextUtils,
    QgsFeatureRequest,
    QgsField,
    QgsProperty,
    QgsSymbolLayer,
    QgsVectorDataProvider,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QVariant

from icesight_contract import ClassName

from .patches import Targets

REVIEWED_CLASS_FIELD = "reviewed_class"
#: The fields of a classification layer the review order reads.
UNCERTAINTY_FIELD = "uncertainty"
PROBABILITY_FIELD = "iceberg_probability"
PREDICTED_CLASS_FIELD = "class"
PATCH_ID_FIELD = "patch_id"
MODEL_ID_FIELD = "model_id"
#: How QGIS's value map spells NULL (QgsValueMapFieldFormatter::NULL_VALUE).
VALUE_MAP_NULL = "{2839923C-8B7D-419E-B84B-CA2FE9B80EC7}"
NOT_REVIEWED = "(not reviewed)"
#: The layer variable holding the feature id of the target under review: the classification style
#: does not draw that target's symbol (the review rings it), so its pixels stay visible.
REVIEW_FID_VARIABLE = "icesight_review_fid"


class ReviewClass(str, Enum):
    SHIP = "ship"
    ICEBERG = "iceberg"
    CLUTTER = "clutter"  # no ship, no iceberg: a false alarm of the detector


#: The reviewed classes the backend trains on, as ``is_iceberg``; clutter is counted and left out
#: because the backend's models know two classes only.
TRAINING_LABELS = {ReviewClass.SHIP: ClassName.SHIP, ReviewClass.ICEBERG: ClassName.ICEBERG,
                   ReviewClass.CLUTTER: ClassName.CLUTTER}


def review_widget_setup() -> QgsEditorWidgetSetup:
    """The value map of ``reviewed_class``: description shown -> value stored."""
    entries = [{c.value: c.value} for c in ReviewClass] + [{NOT_REVIEWED: VALUE_MAP_NULL}]
    return QgsEditorWidgetSetup("ValueMap", {"map": entries})


def add_review_field(layer: QgsVectorLayer) -> None:
    """Give a classification layer its ``reviewed_class`` field (added to the file, so reviews are
    saved with the result) and the value-map widget the attribute table and form edit it with."""
    if layer.fields().indexOf(REVIEWED_CLASS_FIELD) < 0:
        provider = layer.dataProvider()
        if not provider.capabilities() & QgsVectorDataProvider.AddAttributes:
            raise ValueError(f"{layer.name()} cannot take a {REVIEWED_CLASS_FIELD} field: its format is read-only")
        if not provider.addAttributes([QgsField(REVIEWED_CLASS_FIELD, QVariant.String, "String", 16)]):
            raise ValueError(f"could not add {REVIEWED_CLASS_FIELD} to {layer.name()}: {provider.lastError()}")
        layer.updateFields()
    layer.setEditorWidgetSetup(layer.fields().indexOf(REVIEWED_CLASS_FIELD), review_widget_setup())


def hide_symbol_under_review(layer: QgsVectorLayer) -> None:
    """Make the classification style skip the symbol of the target under review
    (:func:`mark_under_review`), every other target drawn as before."""
    renderer = layer.renderer()
    if not isinstance(renderer, QgsCategorizedSymbolRenderer):
        return
    not_under_review = QgsProperty.fromExpression(f"coalesce(to_int(@{REVIEW_FID_VARIABLE}), -1) <> $id")
    for index, category in enumerate(renderer.categories()):
        symbol = category.symbol().clone()
        for symbol_layer in symbol.symbolLayers():
            symbol_layer.setDataDefinedProperty(QgsSymbolLayer.PropertyLayerEnabled, not_under_review)
        renderer.updateCategorySymbol(index, symbol)


def mark_under_review(layer: QgsVectorLayer, fid: int | None) -> None:
    """Tell the layer's style which target is under review (None: none)."""
    if fid is not None:
        QgsExpressionContextUtils.setLayerVariable(layer, REVIEW_FID_VARIABLE, int(fid))
    else:  # QGIS 3.22 has no call that removes one layer variable: keep the others
        names, values = (layer.customProperty(key) or [] for key in ("variableNames", "variableValues"))
        names, values = ([v] if isinstance(v, str) else list(v) for v in (names, values))
        kept = {name: value for name, value in zip(names, values, strict=False) if name != REVIEW_FID_VARIABLE}
        QgsExpressionContextUtils.setLayerVariables(layer, kept)
    layer.triggerRepaint()


def has_review_field(layer: QgsVectorLayer | None) -> bool:
    return isinstance(layer, QgsVectorLayer) and layer.fields().indexOf(REVIEWED_CLASS_FIELD) >= 0


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN is missing too


def reviewed_class(value) -> ReviewClass | None:
    """The stored value as a class; None when not reviewed (NULL, empty, or not a class)."""
    try:
        return ReviewClass(str(value).strip().lower()) if value is not None else None
    except ValueError:
        return None


def review_order(layer: QgsVectorLayer) -> list[int]:
    """Feature ids, the most informative correction first.

    With an ``uncertainty`` on every target (the spread of the probability over the test-time
    views), the largest spread comes first, ties broken by the probability nearest 0.5; without it
    on every target, the probability nearest 0.5 first: two scales are never mixed in one order."""
    fields = layer.fields()
    rows = []
    for feature in layer.getFeatures(QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry)):
        probability = _number(feature[PROBABILITY_FIELD]) if fields.indexOf(PROBABILITY_FIELD) >= 0 else None
        uncertainty = _number(feature[UNCERTAINTY_FIELD]) if fields.indexOf(UNCERTAINTY_FIELD) >= 0 else None
        margin = abs(probability - 0.5) if probability is not None else 0.5
        rows.append((feature.id(), uncertainty, margin))
    if rows and all(uncertainty is not None for _fid, uncertainty, _margin in rows):
        rows.sort(key=lambda r: (-r[1], r[2], r[0]))
    else:
        rows.sort(key=lambda r: (r[2], r[0]))
    return [fid for fid, _u, _m in rows]


def set_reviewed_class(layer: QgsVectorLayer, fid: int, value: ReviewClass | None) -> None:
    """Write the review of one target: into the edit buffer when the analyst is editing the layer,
    else committed at once (so a review is never lost with an unsaved buffer)."""
    index = layer.fields().indexOf(REVIEWED_CLASS_FIELD)
    if index < 0:
        raise ValueError(f"{layer.name()} has no {REVIEWED_CLASS_FIELD} field: load it as an IceSight result")
    stored = value.value if value is not None else None
    if layer.isEditable():
        layer.changeAttributeValue(fid, index, stored)
        return
    if not layer.startEditing():
        raise ValueError(f"{layer.name()} cannot be edited")
    layer.changeAttributeValue(fid, index, stored)
    if not layer.commitChanges():
        errors = "; ".join(layer.commitErrors())
        layer.rollBack()
        raise ValueError(f"could not save the review in {layer.name()}: {errors}")


@dataclass
class ReviewedTargets:
    """The reviewed targets as points with their labels (class by target id): ships, icebergs and
    clutter (false alarms, sent as patches with no target)."""

    targets: Targets
    labels: dict[str, ClassName]
    fids: dict[str, int]  # target id -> feature id in the reviewed layer

    def count(self, label: ClassName) -> int:
        return sum(1 for v in self.labels.values() if v is label)

    @property
    def n_ships(self) -> int:
        return self.count(ClassName.SHIP)

    @property
    def n_icebergs(self) -> int:
        return self.count(ClassName.ICEBERG)

    @property
    def n_clutter(self) -> int:
        return self.count(ClassName.CLUTTER)


def reviewed_targets(layer: QgsVectorLayer) -> ReviewedTargets:
    """Read on the main thread. Target ids are the result's ``patch_id`` (the original target, for
    provenance) when it is set and unique, else ``<layer>:<fid>``."""
    if not has_review_field(layer):
        raise ValueError("pick a classification layer with a reviewed_class field (an IceSight result)")
    features = []
    for feature in layer.getFeatures():
        reviewed = reviewed_class(feature[REVIEWED_CLASS_FIELD])
        if reviewed is not None and feature.hasGeometry():
            features.append((feature, TRAINING_LABELS[reviewed]))
    has_patch_id = layer.fields().indexOf(PATCH_ID_FIELD) >= 0
    ids = [str(f[PATCH_ID_FIELD]) if has_patch_id and f[PATCH_ID_FIELD] else "" for f, _label in features]
    if "" in ids or len(set(ids)) != len(ids):
        ids = [f"{layer.name()}:{f.id()}" for f, _label in features]
    targets = Targets([], layer.crs(), layer.fields())
    labels, fids = {}, {}
    for target_id, (feature, label) in zip(ids, features, strict=True):
        targets.points.append((target_id, feature.geometry().asPoint()))
        targets.attributes[target_id] = list(feature.attributes())
        labels[target_id] = label
        fids[target_id] = feature.id()
    return ReviewedTargets(targets, labels, fids)


def layer_model_id(layer: QgsVectorLayer) -> str | None:
    """The model that classified the layer's targets (its ``model_id`` field), if one."""
    if layer.fields().indexOf(MODEL_ID_FIELD) < 0:
        return None
    for feature in layer.getFeatures(QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry)):
        if feature[MODEL_ID_FIELD]:
            return str(feature[MODEL_ID_FIELD])
    return None
