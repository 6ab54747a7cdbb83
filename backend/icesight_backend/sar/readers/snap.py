"""What ESA SNAP keeps of a SAR product in the files it writes: its abstracted metadata.

SNAP summarises every SAR product it reads in an ``Abstracted_Metadata`` element (the name of the
product it was made from, ``PRODUCT``; the swath's corners, ``first_near_lat`` ... ``last_far_long``;
the incidence at near and far range, ``incidence_near`` and ``incidence_far``; 99999 where it has no
value) and carries it through its operators. A BEAM-DIMAP product holds it in its ``.dim``; a GeoTIFF
SNAP writes holds the same DIMAP header in a private TIFF tag (65000), which GDAL's GeoTIFF driver
does not read. Its terrain correction saves no incidence band unless asked to, so for most scenes
that come from SNAP the incidence over the map follows only from the swath
(:class:`~.geocoding.SwathEdges`).
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyproj.exceptions import ProjError

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
    """What a SNAP product's abstracted metadata says: the Sentinel-1 product it was made from ("" where
    it names none) and its swath (None where it does not describe one whole: :func:`swath`)."""

    product: str = ""
    swath: SwathEdges | None = None


def abstracted_metadata(root: ET.Element) -> dict[str, str]:
    """The attributes of a DIMAP header's abstracted metadata (the first ``Abstracted_Metadata``
    element: a product made from several holds its sources' further down)."""
    for element in root.iter("MDElem"):
        if element.get("name") == "Abstracted_Metadata":
            return {a.get("name", ""): (a.text or "").strip() for a in element.findall("MDATTR")}
    return {}


def swath(metadata: dict[str, str]) -> SwathEdges | None:
    """The swath the abstracted metadata describes: its corners and incidence at near and far range;
    None where a value is missing or SNAP's "no value", the angles are not those of a side-looking
    radar (between 10 and 60 degrees, near below far), or the corners' swath is not the one the
    angles span (:data:`~.geocoding.SWATH_WIDTH_TOLERANCE`: a product cut after its angles were set)."""
    try:
        near, far = (float(metadata[f"incidence_{edge}"]) for edge in ("near", "far"))
        corners = {edge: tuple((float(metadata[lon]), float(metadata[lat])) for lon, lat in names)
                   for edge, names in _CORNERS.items()}
    except (KeyError, ValueError):
        return None
    points = [(lon, lat) for edge in corners.values() for lon, lat in edge]
    if (_NO_METADATA in (near, far, *(v for point in points for v in point)) or not 10.0 <= near < far <= 60.0
            or not all(-180.0 <= lon <= 360.0 and -90.0 <= lat <= 90.0 for lon, lat in points)):
        return None
    edges = SwathEdges(corners["near"], corners["far"], near, far)
    try:
        with np.errstate(invalid="ignore", divide="ignore"):  # an edge of no length: NaN, refused below
            ratio = edges.width_ratio()
    except ProjError:
        return None
    return edges if abs(ratio - 1.0) <= SWATH_WIDTH_TOLERANCE else None


def snap_metadata(root: ET.Element) -> SnapMetadata:
    """What a DIMAP header's abstracted metadata says (:class:`SnapMetadata`)."""
    metadata = abstracted_metadata(root)
    return SnapMetadata(metadata.get("PRODUCT", ""), swath(metadata))


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
        directory = f.read(entries * entry_size)
        if len(directory) < entries * entry_size:
            return None
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
    except ET.ParseError:
        return None
    return snap_metadata(root)
