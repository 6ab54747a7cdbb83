"""Cutting 75 x 75 patches from a scene raster layer around points, in the contract's record schema.

The scene raster holds HH and HV sigma0 (bands 1 and 2; dB, or linear power which is converted)
and, optionally, the incidence angle in degrees as band 3. Raster providers are not shared across
threads: a background task describes the scene with :class:`SceneSource` on the main thread and
opens a layer of its own with :meth:`SceneSource.open` in its thread.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsFeature,
    QgsFields,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
)

from icesight_contract import INC_ANGLE_MISSING, PATCH_SIZE_PX, PatchRecord

from .scenes import catalog_scene_id


class PatchError(ValueError):
    """A patch cannot be cut (wrong raster, point off the scene); the message says what to do."""


@dataclass
class CutResult:
    patches: list[PatchRecord]
    skipped: list[str]  # human-readable reasons, one per point not cut


_NUMPY_TYPES = {
    Qgis.Byte: np.uint8, Qgis.UInt16: np.uint16, Qgis.Int16: np.int16, Qgis.UInt32: np.uint32,
    Qgis.Int32: np.int32, Qgis.Float32: np.float32, Qgis.Float64: np.float64,
}


def _read_window(layer: QgsRasterLayer, band: int, extent: QgsRectangle) -> np.ndarray:
    """A 75 x 75 window of one band as float64, NaN where the raster has no data (or none exists)."""
    provider = layer.dataProvider()
    block = provider.block(band, extent, PATCH_SIZE_PX, PATCH_SIZE_PX)
    if not block.isValid():
        raise PatchError(f"could not read band {band} of {layer.name()}")
    dtype = _NUMPY_TYPES.get(block.dataType())
    if dtype is None:
        raise PatchError(f"band {band} of {layer.name()} has an unsupported data type; sigma0 must be real numbers")
    values = np.frombuffer(bytes(block.data()), dtype=dtype).reshape(PATCH_SIZE_PX, PATCH_SIZE_PX).astype(np.float64)
    missing = np.isnan(values)
    if block.hasNoDataValue():
        # Pixels outside the raster come back as the no-data value too: one vectorised comparison.
        nodata = block.noDataValue()
        if not np.isnan(nodata):
            missing |= values == nodata
    elif block.hasNoData():  # a no-data bitmap without a value: ask pixel by pixel (rare)
        missing |= np.array(
            [[block.isNoData(r, c) for c in range(PATCH_SIZE_PX)] for r in range(PATCH_SIZE_PX)], dtype=bool
        )
    return np.where(missing, np.nan, values)


@dataclass(frozen=True)
class SceneSource:
    """What a worker thread needs to open the scene raster again, and the scene's id for results."""

    uri: str
    provider: str
    name: str
    catalog_id: str | None  # the backend's catalog id; None for a local raster

    @classmethod
    def of(cls, layer: QgsRasterLayer) -> SceneSource:
        check_scene_layer(layer)
        return cls(layer.source(), layer.providerType(), layer.name(), catalog_scene_id(layer))

    @property
    def scene_id(self) -> str:
        """The id results carry: the catalog id when there is one, else the layer's name."""
        return self.catalog_id or self.name

    def open(self) -> QgsRasterLayer:
        layer = QgsRasterLayer(self.uri, self.name, self.provider)
        check_scene_layer(layer)
        return layer


@dataclass
class Targets:
    """Target points with their ids (``<layer>:<fid>``), CRS and the analyst's attributes, read on
    the main thread so that a task can cut patches and join attributes without the layer."""

    points: list[tuple[str, QgsPointXY]]
    crs: QgsCoordinateReferenceSystem
    fields: QgsFields
    attributes: dict[str, list[Any]] = field(default_factory=dict)  # target id -> values in field order

    @classmethod
    def of(cls, layer_name: str, features: Iterable[QgsFeature], fields: QgsFields,
           crs: QgsCoordinateReferenceSystem) -> Targets:
        points, attributes = [], {}
        for feature in features:
            if not feature.hasGeometry():
                continue
            target_id = f"{layer_name}:{feature.id()}"
            points.append((target_id, feature.geometry().asPoint()))
            attributes[target_id] = list(feature.attributes())
        return cls(points, QgsCoordinateReferenceSystem(crs), QgsFields(fields), attributes)


def check_scene_layer(layer: QgsRasterLayer) -> None:
    if layer is None or not layer.isValid():
        raise PatchError("no valid scene raster selected: load a Sentinel-1 scene (GeoTIFF) and pick it")
    if layer.bandCount() < 2:
        raise PatchError(
            f"{layer.name()} has {layer.bandCount()} band(s); IceSight needs HH (band 1) and HV (band 2) sigma0"
        )
    if not layer.crs().isValid():
        raise PatchError(f"{layer.name()} has no CRS: set the layer's CRS before cutting patches")


def cut_patches(
    layer: QgsRasterLayer,
    points: list[tuple[str, QgsPointXY]],
    points_crs: QgsCoordinateReferenceSystem,
    scene_id: str | None = None,
    min_valid_fraction: float = 0.5,
    transform_context: QgsCoordinateTransformContext | None = None,
) -> CutResult:
    """One patch per point (id, map point in ``points_crs``), centred on the scene pixel it falls in.

    ``transform_context`` is the project's (read on the main thread when cutting in a task)."""
    check_scene_layer(layer)
    context = transform_context if transform_context is not None else QgsProject.instance().transformContext()
    to_scene = QgsCoordinateTransform(points_crs, layer.crs(), context)
    extent = layer.extent()
    res_x, res_y = layer.rasterUnitsPerPixelX(), layer.rasterUnitsPerPixelY()
    half = PATCH_SIZE_PX // 2
    scene_id = scene_id or catalog_scene_id(layer) or layer.name()
    patches, skipped = [], []
    for patch_id, point in points:
        p = to_scene.transform(point)
        col = int(math.floor((p.x() - extent.xMinimum()) / res_x))
        row = int(math.floor((extent.yMaximum() - p.y()) / res_y))
        if not (0 <= col < layer.width() and 0 <= row < layer.height()):
            skipped.append(f"{patch_id}: outside the scene {layer.name()}")
            continue
        window = QgsRectangle(
            extent.xMinimum() + (col - half) * res_x,
            extent.yMaximum() - (row + half + 1) * res_y,
            extent.xMinimum() + (col + half + 1) * res_x,
            extent.yMaximum() - (row - half) * res_y,
        )
        bands = [_read_window(layer, b, window) for b in (1, 2)]
        valid = np.isfinite(bands[0]) & np.isfinite(bands[1])
        if valid.mean() < min_valid_fraction:
            skipped.append(f"{patch_id}: less than {min_valid_fraction:.0%} of the patch is inside the swath")
            continue
        padded = not valid.all()
        converted = []
        for values in bands:
            finite = values[valid]
            if np.nanmedian(finite) > 0 and np.nanmax(finite) < 1e4:
                # Linear power: convert to dB as the contract requires.
                values = 10.0 * np.log10(np.maximum(values, 1e-8))
                finite = values[valid]
            # Pad off-swath / off-scene pixels with the patch's own median clutter.
            converted.append(np.where(valid, values, float(np.median(finite))))
        inc: float | str = INC_ANGLE_MISSING
        if layer.bandCount() >= 3:
            value, ok = layer.dataProvider().sample(p, 3)
            if ok and value is not None and math.isfinite(value) and 10.0 <= value <= 60.0:
                inc = float(value)
        centre_x = extent.xMinimum() + (col + 0.5) * res_x
        centre_y = extent.yMaximum() - (row + 0.5) * res_y
        patches.append(
            PatchRecord(
                id=str(patch_id),
                band_1=[round(float(v), 4) for v in converted[0].ravel()],
                band_2=[round(float(v), 4) for v in converted[1].ravel()],
                inc_angle=inc,
                scene_id=scene_id,
                row=row,
                col=col,
                x=centre_x,
                y=centre_y,
                crs=layer.crs().authid() or layer.crs().toWkt(),
                padded=padded,
            )
        )
    return CutResult(patches, skipped)
