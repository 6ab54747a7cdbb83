"""Cutting 75 x 75 patches from a scene raster layer around points, in the contract's record schema.

The scene raster holds co- and cross-pol sigma0 (dB, or linear power which is converted) and,
optionally, the incidence angle in degrees as band 3. Which band is the co-pol is read as the backend
reads it (:func:`icesight_contract.sigma0_pair`: the channels the band descriptions name, else bands
1 and 2 with the brighter the co-pol; SNAP writes VH before VV), and so are its units. Its map must be
in ground metres: a raster in longitude and latitude (SNAP's default) or on a map whose metres are not
the ground's would give stretched patches, and is refused with what to do. Raster providers are not
shared across threads: a background task describes the scene with :class:`SceneSource` on the main
thread and opens a layer of its own with :meth:`SceneSource.open` in its thread.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsDistanceArea,
    QgsFeature,
    QgsFields,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsUnitTypes,
)

from icesight_contract import (
    INC_ANGLE_MAX_DEG,
    INC_ANGLE_MIN_DEG,
    INC_ANGLE_MISSING,
    INCIDENCE_PERCENTILES,
    MAP_SCALE_TOLERANCE,
    PATCH_SIZE_PX,
    SIGMA0_FILL,
    PatchRecord,
    incidence_band,
    level_db,
    plausible_incidence,
    sigma0_pair,
    sigma0_units,
    values_are_db,
)

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


def _read_window(layer: QgsRasterLayer, band: int, extent: QgsRectangle, size: int = PATCH_SIZE_PX) -> np.ndarray:
    """A ``size`` x ``size`` window of one band as float64, NaN where the raster has no data (or none
    exists)."""
    provider = layer.dataProvider()
    block = provider.block(band, extent, size, size)
    if not block.isValid():
        raise PatchError(f"could not read band {band} of {layer.name()}")
    dtype = _NUMPY_TYPES.get(block.dataType())
    if dtype is None:
        raise PatchError(f"band {band} of {layer.name()} has an unsupported data type; sigma0 must be real numbers")
    values = np.frombuffer(bytes(block.data()), dtype=dtype).reshape(size, size).astype(np.float64)
    missing = np.isnan(values)
    if block.hasNoDataValue():
        # Pixels outside the raster come back as the no-data value too: one vectorised comparison.
        nodata = block.noDataValue()
        if not np.isnan(nodata):
            missing |= values == nodata
    elif block.hasNoData():  # a no-data bitmap without a value: ask pixel by pixel (rare)
        missing |= np.array(
            [[block.isNoData(r, c) for c in range(size)] for r in range(size)], dtype=bool
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
            f"{layer.name()} has {layer.bandCount()} band(s); IceSight needs co- and cross-pol sigma0 (HH and HV, "
            "or VV and VH)"
        )
    if not layer.crs().isValid():
        raise PatchError(f"{layer.name()} has no CRS: set the layer's CRS before cutting patches")
    problem = _ground_scale_problem(layer)
    if problem:
        raise PatchError(
            f"{layer.name()} {problem}: patches cut from it would be stretched, which the model misreads. Upload it "
            "as a scene (IceSight puts it on polar stereographic or UTM ground metres) and work on the catalog "
            "scene, or warp it first (Raster > Projections > Warp) onto polar stereographic (EPSG:3413 north, "
            "EPSG:3031 south) or its UTM zone, with no-data set"
        )


def _ground_scale_problem(layer: QgsRasterLayer) -> str | None:
    """What is wrong with a layer's map for cutting patches (None where its pixels are ground pixels):
    longitude and latitude, a map whose middle cannot be put on the Earth, or map metres departing
    from the ground's by more than :data:`~icesight_contract.MAP_SCALE_TOLERANCE` along its rows or
    columns at its middle (as the backend's ingest judges a scene file)."""
    crs = layer.crs()
    name = crs.authid() or crs.description()
    centre = layer.extent().center()
    res_x, res_y = layer.rasterUnitsPerPixelX(), layer.rasterUnitsPerPixelY()
    measure = QgsDistanceArea()
    measure.setSourceCrs(crs, QgsCoordinateTransformContext())
    if not measure.setEllipsoid(crs.ellipsoidAcronym() or "EPSG:7030") or not measure.willUseEllipsoid():
        return f"has a CRS ({name}) whose ellipsoid QGIS does not know, so its pixels cannot be measured on the ground"
    ground_x = measure.measureLine(centre, QgsPointXY(centre.x() + res_x, centre.y()))
    ground_y = measure.measureLine(centre, QgsPointXY(centre.x(), centre.y() + res_y))
    if not (ground_x > 0 and ground_y > 0):  # 0 or NaN: QGIS could not transform the middle to the ellipsoid
        return f"has a middle that does not fall on the Earth in its CRS ({name}): check the layer's CRS"
    if crs.isGeographic():
        return (f"is in longitude and latitude ({name}): its pixels are {ground_x:.1f} m east-west by "
                f"{ground_y:.1f} m north-south at its middle")
    unit = QgsUnitTypes.fromUnitToUnitFactor(crs.mapUnits(), QgsUnitTypes.DistanceMeters)
    scales = (res_x * unit / ground_x, res_y * unit / ground_y)  # map metres per ground metre
    if all(abs(scale - 1.0) <= MAP_SCALE_TOLERANCE for scale in scales):
        return None
    return (f"is on a map ({name}) where a metre is {1.0 / scales[0]:.2f} x {1.0 / scales[1]:.2f} m on the ground at "
            "its middle")


#: QGIS shows a band's GDAL description after its number: "Band 2: Sigma0_VV" (the word translated).
_BAND_LABEL = re.compile(r"^\w+ \d+:?\s*")
#: The side, pixels, of the overview of a whole band read to tell its units and brightness.
_OVERVIEW_PX = 256


@dataclass(frozen=True)
class SceneBands:
    """Which bands of a scene layer hold the co- and cross-pol sigma0 and the incidence angle, and
    whether the sigma0 is dB (None: each patch's own values say)."""

    co: int
    cross: int
    in_db: bool | None
    incidence: int | None = None

    @classmethod
    def of(cls, layer: QgsRasterLayer) -> SceneBands:
        """The bands as the backend reads them (:func:`~icesight_contract.sigma0_pair`,
        :func:`~icesight_contract.incidence_band`): from the band descriptions, else from an overview of
        each band, read only when the descriptions leave something open (a catalog scene's say all)."""
        overviews: dict[int, np.ndarray] = {}

        def overview(band: int) -> np.ndarray:
            """The band's values in an overview of the whole layer, read once (no data left out)."""
            if band not in overviews:
                values = _read_window(layer, band, layer.extent(), _OVERVIEW_PX)
                overviews[band] = values[np.isfinite(values)]
            return overviews[band]

        def measured(band: int) -> np.ndarray:
            """A sigma0 band's overview values, its fill left out."""
            values = overview(band)
            return values[values != SIGMA0_FILL]


        descriptions = band_descriptions(layer)
        co, cross = sigma0_pair(descriptions, lambda band: level_db(*_sigma0_counts(measured(band))))
        in_db = None
        if all(descriptions[band - 1].lower().endswith("_db") for band in (co, cross)):
            in_db = True  # the product's own layout, or SNAP's Sigma0_<pol>_db
        else:
            for band in (co, cross):
                values = measured(band)
                if not values.size:
                    continue  # nothing sampled: each patch's values say
                units, problem = sigma0_units(*_sigma0_counts(values)[:3])
                if problem:
                    raise PatchError(f"{layer.name()}: band {band} {problem}")
                if in_db is not None and (units == "dB") != in_db:
                    raise PatchError(f"{layer.name()}: band {co} (co-pol) and band {cross} (cross-pol) are not in the "
                                     "same units (one dB, one linear power)")
                in_db = units == "dB"

        def plausible(band: int) -> bool:
            values = overview(band)
            return bool(values.size) and plausible_incidence(*np.percentile(values, INCIDENCE_PERCENTILES))

        return cls(co, cross, in_db, incidence_band(descriptions, (co, cross), plausible))


def band_descriptions(layer: QgsRasterLayer) -> list[str]:
    """The description of each band of a raster layer ("" where it has none)."""
    return [_BAND_LABEL.sub("", layer.bandName(band)) for band in range(1, layer.bandCount() + 1)]


def _sigma0_counts(values: np.ndarray) -> tuple[int, int, float, float]:
    """What the contract's units rules ask of a sigma0 band's values (no data and fill left out): how
    many are negative, how many positive, their median and the positive ones' median (NaN where none is)."""
    positive = values[values > 0]
    return (int(np.count_nonzero(values < 0)), int(positive.size), float(np.median(values)) if values.size else np.nan,
            float(np.median(positive)) if positive.size else np.nan)


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
    pair = SceneBands.of(layer)
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
        bands = [_read_window(layer, b, window) for b in (pair.co, pair.cross)]
        valid = np.isfinite(bands[0]) & np.isfinite(bands[1]) & (bands[0] != SIGMA0_FILL) & (bands[1] != SIGMA0_FILL)
        in_db = pair.in_db if pair.in_db is not None else values_are_db(*_sigma0_counts(bands[0][valid])[:2])
        if not in_db:  # linear power: to dB as the contract requires (0, no power, is no data)
            valid &= (bands[0] > 0) & (bands[1] > 0)
            bands = [10.0 * np.log10(np.where(valid, values, 1.0)) for values in bands]
        if valid.mean() < min_valid_fraction:
            skipped.append(f"{patch_id}: less than {min_valid_fraction:.0%} of the patch is inside the swath")
            continue
        padded = not valid.all()
        # Pad off-swath / off-scene pixels with the patch's own median clutter.
        converted = [np.where(valid, values, float(np.median(values[valid]))) for values in bands]
        inc: float | str = INC_ANGLE_MISSING
        if pair.incidence is not None:
            value, ok = layer.dataProvider().sample(p, pair.incidence)
            if ok and value is not None and math.isfinite(value) and INC_ANGLE_MIN_DEG <= value <= INC_ANGLE_MAX_DEG:
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
