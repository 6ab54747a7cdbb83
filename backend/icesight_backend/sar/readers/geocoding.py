"""Putting a raster georeferenced by ground control points (radar geometry) onto a map grid.

Sentinel-1 products come in radar geometry with a grid of tie points (the SAFE reader's geolocation
grid); so do calibrated products exported without terrain correction (a SNAP GeoTIFF of a GRD
product, with its tie points as GCPs). Both are warped here, through a thin-plate spline, onto the
projected CRS :func:`target_crs` picks for the scene.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import rasterio
from pyproj import Transformer
from rasterio.control import GroundControlPoint
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window


def target_crs(lat: float, lon: float) -> CRS:
    """The projected CRS a scene centred at (``lat``, ``lon``) is put on: polar stereographic north
    (EPSG:3413) above 60 degrees N, south (EPSG:3031) below 60 degrees S, its UTM zone otherwise."""
    if lat >= 60:
        return CRS.from_epsg(3413)
    if lat <= -60:
        return CRS.from_epsg(3031)
    zone = int(((lon + 180.0) % 360.0) // 6) + 1  # 180 E is 180 W: zone 1, not a 61st
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


#: How a measurement in radar geometry goes onto the map: a thin-plate spline through the
#: geolocation grid's nodes, exact at each of them. GDAL's default for ground control points, a
#: second-order polynomial fitted to all of them, is not: on the real IW GRDH product's grid
#: (``data/sentinel1_annotation``; about 250 x 170 km) it misplaces the nodes by 139 m at the median
#: and 1.66 km at worst (at 40 m pixels) (``bench/bench_geocoding.py``).
GEOCODING_METHOD = "GCP_TPS"
#: How far, metres, GDAL's approximate transformer (exact transforms at a few points of each row,
#: linear between them) may stray from the spline. Its default, 0.125 source pixels, put two of
#: that grid's 152 nodes 1.7 and 2.6 pixels off at 100 m pixels.
GEOCODING_TOLERANCE_M = 3.0


def geocode(source: Path | str, crs: CRS, destination: Path, profile: dict, pixel_spacing_m: float,
            rows_per_block: int = 1024, method: str = GEOCODING_METHOD, src_nodata: float | None = None,
            check_size: Callable[[int, int], None] | None = None) -> None:
    """Warp ``source``, georeferenced by ground control points, onto a north-up grid of ``crs`` at
    its own ground pixel spacing (GDAL's suggested output grid), bilinearly, ``rows_per_block``
    rows at a time, into a GeoTIFF of ``profile`` (NaN the no-data). ``method`` is GDAL's
    transformer for the points (:data:`GEOCODING_METHOD`), approximated within
    :data:`GEOCODING_TOLERANCE_M` of ``source``'s ``pixel_spacing_m``. ``src_nodata``: the source's
    no-data value, NaN when None. Give the points in a map CRS: a spline through longitudes breaks
    where a scene crosses the antimeridian or nears a pole. ``check_size(width, height)`` sees the
    output grid's size before anything is warped, and may refuse it."""
    tolerance_px = min(0.125, GEOCODING_TOLERANCE_M / pixel_spacing_m)
    # An explicit transform on a GCP-referenced source gives an empty warp with rasterio 1.4 here.
    with rasterio.open(source) as src, WarpedVRT(
        src, crs=crs, resampling=Resampling.bilinear, nodata=float("nan"),
        src_nodata=float("nan") if src_nodata is None else src_nodata,
        # Each band's no data is its own: a sigma0 of 0 is no data even where the incidence band has a value.
        UNIFIED_SRC_NODATA="NO",
        tolerance=tolerance_px, SRC_METHOD=method,
    ) as vrt:
        out_w, out_h = vrt.width, vrt.height
        if check_size is not None:
            check_size(out_w, out_h)
        with rasterio.open(destination, "w", **(profile | {"width": out_w, "height": out_h, "crs": crs,
                                                            "transform": vrt.transform})) as dst:
            for row in range(0, out_h, rows_per_block):
                window = Window(0, row, out_w, min(rows_per_block, out_h - row))
                dst.write(vrt.read(window=window), window=window)


def projected_gcps(gcps: list[GroundControlPoint], gcps_crs: CRS, crs: CRS) -> list[GroundControlPoint]:
    """Ground control points moved into ``crs``'s map coordinates (see :func:`geocode`: a spline
    through longitudes breaks across the antimeridian)."""
    x, y = Transformer.from_crs(gcps_crs, crs, always_xy=True).transform([g.x for g in gcps], [g.y for g in gcps])
    return [GroundControlPoint(row=g.row, col=g.col, x=float(east), y=float(north))
            for g, east, north in zip(gcps, x, y, strict=True)]


def middle_crs(gcps: list[GroundControlPoint], gcps_crs: CRS, width: int, height: int) -> CRS:
    """The CRS a raster of ``width`` x ``height`` pixels georeferenced by ``gcps`` goes onto:
    :func:`target_crs` at the control point nearest its middle (a mean of the points' longitudes
    lies on the far side of the Earth for a scene across the antimeridian)."""
    middle = min(gcps, key=lambda g: (g.row - height / 2) ** 2 + (g.col - width / 2) ** 2)
    lon, lat = Transformer.from_crs(gcps_crs, "EPSG:4326", always_xy=True).transform(middle.x, middle.y)
    return target_crs(lat, lon)


def gcp_affine(gcps: list[GroundControlPoint]) -> np.ndarray:
    """The affine map from (col, row) to (x, y) that fits ground control points best (least
    squares): rows d/dcol, d/drow and the offset; columns x and y."""
    design = np.column_stack([[g.col for g in gcps], [g.row for g in gcps], np.ones(len(gcps))])
    return np.linalg.lstsq(design, np.column_stack([[g.x for g in gcps], [g.y for g in gcps]]), rcond=None)[0]


def gcp_pixel_spacing_m(gcps: list[GroundControlPoint]) -> float:
    """The ground size of a pixel, metres, from ground control points in map coordinates: the
    square root of the area the affine fit gives one pixel."""
    return float(np.sqrt(abs(np.linalg.det(gcp_affine(gcps)[:2, :2]))))


def gcp_line_bearing_deg(gcps: list[GroundControlPoint]) -> float:
    """Which way the lines run (increasing row) on the map, degrees clockwise from map north,
    folded to [0, 180): the flight track's, in radar geometry."""
    east, north = gcp_affine(gcps)[1]
    return float(np.degrees(np.arctan2(east, north)) % 180.0)
