"""What ESA SNAP keeps of a SAR product in the files it writes: its metadata.

SNAP summarises every SAR product it reads in an ``Abstracted_Metadata`` element (the name of the
product it was made from, ``PRODUCT``; whether it is terrain-corrected; the corners of its raster,
``first_near_lat`` ... ``last_far_long``; the incidence at near and far range; 99999 where it has no
value) and keeps the product's own annotations under ``Original_Product_Metadata``; both travel through
its operators. A BEAM-DIMAP product holds them in its ``.dim``; a GeoTIFF SNAP writes holds the same
DIMAP header in a private TIFF tag (65000), which GDAL's GeoTIFF driver does not read.

SNAP's terrain correction saves no incidence band unless asked to, so for most scenes that come from
SNAP the incidence over the map must follow from the swath (:class:`~.geocoding.SwathEdges`). The
swath is the original Sentinel-1 product's geolocation grid (its annotation, kept whole however the
product was cut since). The abstracted corners describe the swath only while the product is in radar
geometry: terrain correction sets them to the corners of its map raster (SNAP's
``RangeDopplerGeocodingOp``), whose west and east edges are not the swath's near and far range.
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyproj.exceptions import ProjError

from icesight_contract.constants import INC_ANGLE_MAX_DEG, INC_ANGLE_MIN_DEG

from .geocoding import SWATH_WIDTH_TOLERANCE, SwathEdges

#: The private TIFF tag in which SNAP's GeoTIFF writer stores the product's DIMAP header.
DIMAP_TIFF_TAG = 65000
#: The value SNAP's abstracted metadata holds where it has none (``AbstractMetadata.NO_METADATA``).
_NO_METADATA = 99999.0
#: The abstracted metadata's corners of the swath: (longitude, latitude) names at near and far range,
#: first and last line.
_CORNERS = {edge: tuple((f"{line}_{edge}_long", f"{line}_{edge}_lat") for line in ("first", "last"))
            for edge in ("near", "far")}
#: The largest DIMAP header read from a TIFF, bytes: a whole product's header with its original
#: annotations runs to a few megabytes.
_MAX_HEADER_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class SnapMetadata:
    """What a SNAP product's metadata says: the Sentinel-1 product it was made from ("" where it names
    none) and its swath (None where the metadata does not describe one whole: :func:`swath`)."""

    product: str = ""
    swath: SwathEdges | None = None


def _element(root: ET.Element, name: str) -> ET.Element | None:
    """The first metadata element (``MDElem``) of ``name`` within ``root``."""
    return next((element for element in root.iter("MDElem") if element.get("name") == name), None)


def _attributes(element: ET.Element) -> dict[str, str]:
    """A metadata element's own attributes (``MDATTR``) by name."""
    return {a.get("name", ""): (a.text or "").strip() for a in element.findall("MDATTR")}


def abstracted_metadata(root: ET.Element) -> dict[str, str]:
    """The attributes of a DIMAP header's abstracted metadata (the first ``Abstracted_Metadata``
    element: a product made from several holds its sources' further down)."""
    element = _element(root, "Abstracted_Metadata")
    return _attributes(element) if element is not None else {}


#: The geolocation grid point's values read, in the order :class:`~.geocoding.SwathEdges` takes them.
_GRID_VALUES = ("line", "pixel", "longitude", "latitude", "incidenceAngle")


def original_geolocation_grid(root: ET.Element) -> np.ndarray | None:
    """The geolocation grid of the Sentinel-1 GRD product a SNAP product was made from (rows of line,
    pixel, longitude, latitude, incidence), from the first GRD annotation SNAP keeps under
    ``Original_Product_Metadata/annotation``; None where there is none. An SLC product's annotations
    each cover one sub-swath in slant range, not the whole swath, and are not taken."""
    original = _element(root, "Original_Product_Metadata")
    annotation = _element(original, "annotation") if original is not None else None
    if annotation is None:
        return None
    for document in annotation.findall("MDElem"):
        if "-grd-" not in document.get("name", "").lower():
            continue
        rows = []
        for point in document.iter("MDElem"):
            if point.get("name") == "geolocationGridPoint":
                values = _attributes(point)
                try:
                    rows.append([float(values[name]) for name in _GRID_VALUES])
                except (KeyError, ValueError):
                    continue
        grid = np.asarray(rows, dtype=np.float64).reshape(-1, len(_GRID_VALUES))
        if len(grid) >= 4 and np.isfinite(grid).all():
            return grid
    return None


def _radar_geometry_swath(metadata: dict[str, str]) -> SwathEdges | None:
    """The swath of a product still in radar geometry from its abstracted corners and incidence at near
    and far range; None for a map-projected product (its corners are its map raster's) or where a value
    is missing or SNAP's "no value"."""
    if metadata.get("is_terrain_corrected", "0") != "0" or metadata.get("map_projection", "").strip() not in ("", "-"):
        return None
    try:
        near, far = (float(metadata[f"incidence_{edge}"]) for edge in ("near", "far"))
        corners = {edge: tuple((float(metadata[lon]), float(metadata[lat])) for lon, lat in names)
                   for edge, names in _CORNERS.items()}
    except (KeyError, ValueError):
        return None
    if _NO_METADATA in (near, far, *(value for edge in corners.values() for corner in edge for value in corner)):
        return None
    return SwathEdges(corners["near"], corners["far"], near, far)


def swath(root: ET.Element) -> SwathEdges | None:
    """The swath a DIMAP header describes: the original product's geolocation grid's
    (:func:`original_geolocation_grid`), else, for a product in radar geometry, its abstracted corners'.
    None where neither is there, the angles are not those of a side-looking radar (within
    ``INC_ANGLE_MIN_DEG`` to ``INC_ANGLE_MAX_DEG``, near below far), the corners are not on the Earth, or the corners' swath is not the one the
    angles span (:data:`~.geocoding.SWATH_WIDTH_TOLERANCE`)."""
    grid = original_geolocation_grid(root)
    edges = SwathEdges.of_grid(grid) if grid is not None else _radar_geometry_swath(abstracted_metadata(root))
    if edges is None:
        return None
    points = [*edges.near, *edges.far]
    if (not INC_ANGLE_MIN_DEG <= edges.incidence_near_deg < edges.incidence_far_deg <= INC_ANGLE_MAX_DEG
            or not all(-180.0 <= lon <= 360.0 and -90.0 <= lat <= 90.0 for lon, lat in points)):
        return None
    try:
        with np.errstate(invalid="ignore", divide="ignore"):  # an edge of no length: NaN, refused below
            ratio = edges.width_ratio()
    except ProjError:
        return None
    return edges if abs(ratio - 1.0) <= SWATH_WIDTH_TOLERANCE else None


def snap_metadata(root: ET.Element) -> SnapMetadata:
    """What a DIMAP header says (:class:`SnapMetadata`)."""
    return SnapMetadata(abstracted_metadata(root).get("PRODUCT", ""), swath(root))


def tiff_tag_bytes(path: Path | str, tag: int) -> bytes | None:
    """The raw value of a tag of a TIFF's first image (classic or BigTIFF, either byte order); None
    when the file is not a TIFF, has no such tag, or its directory points outside the file."""
    sizes = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 16: 8, 17: 8, 18: 8}
    with open(path, "rb") as f:
        head = f.read(16)
        if len(head) < 8 or head[:2] not in (b"II", b"MM"):
            return None
        order = "<" if head[:2] == b"II" else ">"
        (version,) = struct.unpack(order + "H", head[2:4])
        if version == 42:
            (offset,) = struct.unpack(order + "I", head[4:8])
            count_format, entry_format, inline = "H", "HHII", 4
        elif version == 43 and len(head) == 16:
            (offset,) = struct.unpack(order + "Q", head[8:16])
            count_format, entry_format, inline = "Q", "HHQQ", 8
        else:
            return None
        size = f.seek(0, 2)
        count_size, entry_size = struct.calcsize(count_format), struct.calcsize(order + entry_format)
        if not 0 < offset <= size - count_size:
            return None
        f.seek(offset)
        (entries,) = struct.unpack(order + count_format, f.read(count_size))
        if entries * entry_size > size - offset - count_size:  # a directory larger than the file: not one
            return None
        directory = f.read(entries * entry_size)
        for index in range(entries):
            entry = directory[index * entry_size:(index + 1) * entry_size]
            code, kind, count, value = struct.unpack(order + entry_format, entry)
            if code != tag:
                continue
            length = count * sizes.get(kind, 1)
            if length <= inline:  # held in the entry itself
                return entry[entry_size - inline:][:length]
            if length > _MAX_HEADER_BYTES or value + length > size:
                return None
            f.seek(value)
            return f.read(length)
    return None


def tiff_snap_metadata(path: Path | str) -> SnapMetadata | None:
    """What the DIMAP header SNAP writes into a GeoTIFF says (:class:`SnapMetadata`); None for a TIFF
    that holds none (not written by SNAP), or one that is not readable XML."""
    raw = tiff_tag_bytes(path, DIMAP_TIFF_TAG)
    if not raw:
        return None
    try:
        root = ET.fromstring(raw.rstrip(b"\0"))
    except (ET.ParseError, LookupError, ValueError):  # not XML, or in an encoding Python does not know
        return None
    return snap_metadata(root)
