"""Icebergs for the ice chart: which classified targets go on it (icebergs at or above a probability
threshold; never ships, nor clutter: no target at all), their WMO size class, and the chart's own files (GeoPackage, GeoJSON).
The ice services' encodings are in :mod:`.ice_exchange`, the table of formats in :mod:`.chart_export`.

Size classes follow the length column of the WMO iceberg size table (WMO Sea-Ice Nomenclature,
WMO-No. 259; the Canadian Ice Service's MANICE, 9th ed., table of iceberg sizes; the International
Ice Patrol uses the same lengths): growler < 5 m, bergy bit 5-15 m, small 15-60 m, medium
61-120 m, large 121-200 m, very large > 200 m. The tables give whole metres and overlap at 15 m;
for a measured length we take growler < 5, bergy bit 5 to < 15, small 15 to <= 60, medium
> 60 to <= 120, large > 120 to <= 200, very large > 200. The codes are those of the Ice Objects
Catalogue attribute ICEBSZ, as S-411 lists them (01 growler ... 06 very large, 99 unknown).

Caveat: the length is a *horizontal* SAR length (the CFAR detection's ``length_m``; when it is
missing, the diameter of the disc with the detection's bright area ``area_px``). WMO defines
growlers and bergy bits chiefly by their height above the sea (< 1 m, 1-5 m), which SAR does not
measure; a berg classed here by length is a length class, not a height class.

Selection runs on the main thread (it reads the layer); writing runs anywhere (plain values only).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsFeature,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsSettings,
    QgsVectorFileWriter,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from icesight_contract import ClassName

from . import settings
from .review import ReviewClass

WGS84 = "EPSG:4326"
#: The class a three-class model gives a detection that is no target.
CLUTTER = ReviewClass.CLUTTER.value
#: QgsSettings key of the probability an iceberg needs to go on the chart.
THRESHOLD_KEY = f"{settings.PREFIX}/ice_chart_threshold"


class IceChartError(ValueError):
    """The layer or the request cannot make an ice chart; the message says what to fix."""


# -- WMO size classes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SizeClass:
    name: str
    #: Ice Objects Catalogue ICEBSZ / S-411 ``icebsz`` code.
    code: int
    #: Longest horizontal length (m) in the class; None: no upper bound.
    max_length_m: float | None
    #: Whether a length of exactly ``max_length_m`` belongs to the class.
    max_inclusive: bool


SIZE_CLASSES: tuple[SizeClass, ...] = (
    SizeClass("growler", 1, 5.0, False),
    SizeClass("bergy bit", 2, 15.0, False),
    SizeClass("small", 3, 60.0, True),
    SizeClass("medium", 4, 120.0, True),
    SizeClass("large", 5, 200.0, True),
    SizeClass("very large", 6, None, False),
)
UNKNOWN_SIZE = SizeClass("unknown", 99, None, False)


def size_class(length_m: float | None) -> SizeClass:
    """The WMO size class of a berg ``length_m`` long (horizontal length, metres)."""
    if length_m is None or not math.isfinite(length_m) or length_m < 0:
        return UNKNOWN_SIZE
    for size in SIZE_CLASSES:
        if size.max_length_m is None:
            return size
        if length_m < size.max_length_m or (size.max_inclusive and length_m == size.max_length_m):
            return size
    return UNKNOWN_SIZE  # pragma: no cover - the last class has no upper bound


class LengthSource(str, Enum):
    DETECTION = "detection"  # the CFAR detection's length_m
    BRIGHT_AREA = "bright_area"  # diameter of the disc with the detection's bright area
    NONE = "none"


def length_from_bright_area_m(area_px: float, pixel_size_m: float) -> float:
    """The diameter of the disc with the bright area: a length for a berg seen only as an area."""
    return 2.0 * math.sqrt(area_px * pixel_size_m**2 / math.pi)


# -- selection -----------------------------------------------------------------------------------

#: Fields a classification layer must have.
REQUIRED_FIELDS = ("class", "iceberg_probability")
#: Fields naming the target, the first present wins.
ID_FIELDS = ("detection_id", "patch_id", "target_id")


@dataclass(frozen=True)
class IcebergRecord:
    target_id: str
    x: float  # in the layer's CRS
    y: float
    lon: float  # WGS 84 degrees
    lat: float
    iceberg_probability: float
    confidence: float | None
    uncertainty: float | None
    model_id: str
    scene_id: str
    job_id: str
    length_m: float | None
    length_source: LengthSource
    size: SizeClass


@dataclass
class IcebergSelection:
    """The icebergs that go on the chart, and how many targets were left out and why."""

    icebergs: list[IcebergRecord]
    crs: QgsCoordinateReferenceSystem
    threshold: float
    n_targets: int = 0
    n_ships: int = 0
    n_clutter: int = 0  # called clutter: no target (ice texture, an ambiguity)
    n_below_threshold: int = 0  # icebergs with a probability under the threshold
    n_unclassified: int = 0  # class empty or none of ship, iceberg, clutter
    n_without_position: int = 0

    @property
    def n_left_out(self) -> int:
        return self.n_targets - len(self.icebergs)

    def model_ids(self) -> list[str]:
        return sorted({b.model_id for b in self.icebergs if b.model_id})


def _number(value) -> float | None:
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value) -> str:
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return ""
    return str(value)


def select_icebergs(
    features: Iterable[QgsFeature],
    fields: QgsFields,
    crs: QgsCoordinateReferenceSystem,
    transform_context: QgsCoordinateTransformContext,
    threshold: float,
    pixel_size_m: float | None = None,
) -> IcebergSelection:
    """The icebergs among classified ``features`` with ``iceberg_probability >= threshold``.

    Ships and clutter (a three-class model's "no target") never go on the chart. ``pixel_size_m`` (of the scene) turns a detection's ``area_px``
    into a length where ``length_m`` is missing."""
    if not 0.0 <= threshold <= 1.0:
        raise IceChartError(f"the iceberg probability threshold must be between 0 and 1, got {threshold:g}")
    names = set(fields.names())
    missing = [name for name in REQUIRED_FIELDS if name not in names]
    if missing:
        raise IceChartError(
            f"not a classification layer: it has no {', '.join(missing)} field (classify targets first)"
        )
    if not crs.isValid():
        raise IceChartError("the classification layer has no valid CRS")
    to_wgs84 = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem(WGS84), transform_context)
    id_field = next((name for name in ID_FIELDS if name in names), None)
    selection = IcebergSelection([], crs, threshold)
    for feature in features:
        selection.n_targets += 1
        label = _text(feature["class"]).strip().lower()
        probability = _number(feature["iceberg_probability"])
        if label == ClassName.SHIP.value:
            selection.n_ships += 1
            continue
        if label == CLUTTER:
            selection.n_clutter += 1
            continue
        if label != ClassName.ICEBERG.value or probability is None:
            selection.n_unclassified += 1
            continue
        if probability < threshold:
            selection.n_below_threshold += 1
            continue
        geometry = feature.geometry()
        if geometry is None or geometry.isEmpty():
            selection.n_without_position += 1
            continue
        point = geometry.centroid().asPoint()  # a point; the centre of a footprint
        lonlat = to_wgs84.transform(point)
        length_m, source = _length(feature, names, pixel_size_m)
        selection.icebergs.append(IcebergRecord(
            target_id=_text(feature[id_field]) if id_field else str(feature.id()),
            x=point.x(), y=point.y(), lon=lonlat.x(), lat=lonlat.y(),
            iceberg_probability=probability,
            confidence=_number(feature["confidence"]) if "confidence" in names else None,
            uncertainty=_number(feature["uncertainty"]) if "uncertainty" in names else None,
            model_id=_text(feature["model_id"]) if "model_id" in names else "",
            scene_id=_text(feature["scene_id"]) if "scene_id" in names else "",
            job_id=_text(feature["job_id"]) if "job_id" in names else "",
            length_m=length_m, length_source=source, size=size_class(length_m),
        ))
    return selection


def _length(feature: QgsFeature, names: set[str], pixel_size_m: float | None) -> tuple[float | None, LengthSource]:
    length = _number(feature["length_m"]) if "length_m" in names else None
    if length is not None and length > 0:
        return length, LengthSource.DETECTION
    area = _number(feature["area_px"]) if "area_px" in names else None
    if area is not None and area > 0 and pixel_size_m:
        return length_from_bright_area_m(area, pixel_size_m), LengthSource.BRIGHT_AREA
    return None, LengthSource.NONE


# -- formats -------------------------------------------------------------------------------------


#: The chart's own attribute table (GeoPackage, GeoJSON): name, type, value of a record.
CHART_FIELDS: tuple[tuple[str, QVariant.Type, Callable[[IcebergRecord], object]], ...] = (
    ("target_id", QVariant.String, lambda b: b.target_id),
    ("class", QVariant.String, lambda b: ClassName.ICEBERG.value),
    ("iceberg_probability", QVariant.Double, lambda b: b.iceberg_probability),
    ("confidence", QVariant.Double, lambda b: b.confidence),
    ("uncertainty", QVariant.Double, lambda b: b.uncertainty),
    ("length_m", QVariant.Double, lambda b: b.length_m),
    ("length_source", QVariant.String, lambda b: b.length_source.value),
    ("size_class", QVariant.String, lambda b: b.size.name),
    ("wmo_size_code", QVariant.Int, lambda b: b.size.code),
    ("model_id", QVariant.String, lambda b: b.model_id),
    ("scene_id", QVariant.String, lambda b: b.scene_id),
    ("job_id", QVariant.String, lambda b: b.job_id),
)


def make_fields(spec, widths: dict[str, tuple[int, int]] | None = None) -> QgsFields:
    """Fields ``(name, type, ...)`` of ``spec``; ``widths`` gives (length, precision) by name."""
    fields = QgsFields()
    for name, kind, *_value in spec:
        length, precision = (widths or {}).get(name, (0, 0))
        fields.append(QgsField(name, kind, len=length, prec=precision))
    return fields


def write_points(path: str, driver: str, fields: QgsFields, rows: Iterable[tuple[float, float, list]],
                 crs: QgsCoordinateReferenceSystem, transform_context: QgsCoordinateTransformContext,
                 layer_name: str, layer_options: list[str] | None = None) -> str:
    """Write points ``(x, y, attributes)`` in ``crs`` with an OGR ``driver``; returns the path."""
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = driver
    options.layerName = layer_name
    options.fileEncoding = "UTF-8"
    options.layerOptions = layer_options or []
    writer = QgsVectorFileWriter.create(path, fields, QgsWkbTypes.Point, crs, transform_context, options)
    if writer.hasError() != QgsVectorFileWriter.NoError:
        raise IceChartError(f"could not create {path}: {writer.errorMessage()}")
    for x, y, attributes in rows:
        feature = QgsFeature(fields)
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        feature.setAttributes(attributes)
        if not writer.addFeature(feature):
            raise IceChartError(f"could not write a feature to {path}: {writer.errorMessage()}")
    del writer  # flushes and closes the file
    return path


def _chart_rows(selection: IcebergSelection, in_wgs84: bool):
    for berg in selection.icebergs:
        x, y = (berg.lon, berg.lat) if in_wgs84 else (berg.x, berg.y)
        yield x, y, [value(berg) for _, _, value in CHART_FIELDS]


def write_gpkg(selection: IcebergSelection, folder: str, stem: str,
               context: QgsCoordinateTransformContext) -> str:
    """Layer ``icebergs`` in the classification layer's CRS."""
    return write_points(os.path.join(folder, f"{stem}.gpkg"), "GPKG", make_fields(CHART_FIELDS),
                        _chart_rows(selection, False), selection.crs, context, "icebergs")


def write_geojson(selection: IcebergSelection, folder: str, stem: str,
                  context: QgsCoordinateTransformContext) -> str:
    """RFC 7946 GeoJSON: WGS 84 longitude, latitude (7 decimals, about 1 cm)."""
    return write_points(os.path.join(folder, f"{stem}.geojson"), "GeoJSON", make_fields(CHART_FIELDS),
                        _chart_rows(selection, True), QgsCoordinateReferenceSystem(WGS84), context, stem,
                        ["RFC7946=YES"])


# -- settings ------------------------------------------------------------------------------------


def chart_threshold() -> float:
    """The iceberg probability a target needs to go on the chart (a setting; default 0.5)."""
    return QgsSettings().value(THRESHOLD_KEY, settings.DEFAULT_PROBABILITY_THRESHOLD, type=float)


def save_chart_threshold(value: float) -> None:
    QgsSettings().setValue(THRESHOLD_KEY, float(value))


def default_chart_folder() -> str:
    """``ice_chart`` in the plugin's results folder (by default next to the saved project)."""
    return os.path.join(settings.results_dir(), "ice_chart")
