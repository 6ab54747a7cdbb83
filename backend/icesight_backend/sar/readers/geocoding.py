"""Putting a raster georeferenced by ground control points (radar geometry) onto a map grid.

Sentinel-1 products come in radar geometry with a grid of tie points (the SAFE reader's geolocation
grid); so do calibrated products exported without terrain correction (a SNAP GeoTIFF of a GRD
product, with its tie points as GCPs). Both are warped here, through a thin-plate spline, onto the
projected CRS :func:`target_crs` picks for the scene. A product that kept no incidence band gets its
incidence over the map from its swath's edges and the incidence along them (:class:`SwathEdges`:
the corner nodes of the original product's geolocation grid, as SNAP keeps it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import rasterio
from pyproj import Transformer
from rasterio.control import GroundControlPoint
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window

from . import SarFormatError, checkpoint


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
    # An explicit transform on a GCP-referenced source gives an empty warp with rasterio 1.4 here.
    with rasterio.open(source) as src:
        _warp(src, destination, profile, pixel_spacing_m, rows_per_block, src_nodata, check_size,
              crs=crs, SRC_METHOD=method)


def reproject(source: Path | str, crs: CRS, destination: Path, profile: dict, pixel_size_m: float,
              rows_per_block: int = 1024, src_nodata: float | None = None,
              check_size: Callable[[int, int], None] | None = None) -> None:
    """Warp ``source``, which has a CRS and a geotransform, onto a north-up grid of ``crs`` with
    square pixels of ``pixel_size_m`` covering it, bilinearly, as :func:`geocode` does."""
    from rasterio.warp import calculate_default_transform

    with rasterio.open(source) as src:
        transform, width, height = calculate_default_transform(src.crs, crs, src.width, src.height, *src.bounds,
                                                               resolution=pixel_size_m)
        _warp(src, destination, profile, pixel_size_m, rows_per_block, src_nodata, check_size,
              crs=crs, transform=transform, width=width, height=height)


def _warp(src, destination: Path, profile: dict, pixel_size_m: float, rows_per_block: int,
          src_nodata: float | None, check_size: Callable[[int, int], None] | None, **grid) -> None:
    """``src`` through a bilinear :class:`WarpedVRT` of ``grid`` (its CRS, and either the source's
    transformer method or an explicit grid) into ``destination``; see :func:`geocode`."""
    with WarpedVRT(
        src, resampling=Resampling.bilinear, nodata=float("nan"),
        src_nodata=float("nan") if src_nodata is None else src_nodata,
        # Each band's no data is its own: a sigma0 of 0 is no data even where the incidence band has a value.
        UNIFIED_SRC_NODATA="NO",
        tolerance=min(0.125, GEOCODING_TOLERANCE_M / pixel_size_m), **grid,
    ) as vrt:
        out_w, out_h = vrt.width, vrt.height
        if check_size is not None:
            check_size(out_w, out_h)
        with rasterio.open(destination, "w", **(profile | {"width": out_w, "height": out_h, "crs": vrt.crs,
                                                            "transform": vrt.transform})) as dst:
            for row in range(0, out_h, rows_per_block):
                checkpoint()
                window = Window(0, row, out_w, min(rows_per_block, out_h - row))
                dst.write(vrt.read(window=window), window=window)


#: The map scales of areas (the square root of the product of the two) a scene may have at all:
#: Mercator's reaches 20 only at 87 degrees, beyond Web Mercator's 85, equal-area maps keep 1, and
#: no map projection used for the sea shrinks areas by half in each direction. A scale outside these
#: is a wrong CRS or geotransform (coordinates off a projection's domain come back clamped).
PLAUSIBLE_MAP_SCALE = (0.5, 20.0)


def ground_pixel(crs: CRS, transform, width: int, height: int) -> tuple[float, float, float, float]:
    """A grid's middle pixel on the ground: its longitude and latitude, and its sides along the
    grid's columns and rows in metres (geodesics on the WGS84 ellipsoid). Raises ValueError for a
    CRS that cannot be put on the Earth."""
    from pyproj import Geod
    from pyproj.exceptions import ProjError

    col, row = width / 2.0, height / 2.0
    xs, ys = transform * (np.array([col, col + 1.0, col]), np.array([row, row, row + 1.0]))
    try:
        lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(xs, ys)
    except ProjError as exc:
        raise ValueError(f"its CRS cannot be put on the Earth ({exc})") from None
    geod = Geod(ellps="WGS84")
    _, _, along_row = geod.inv(lon[0], lat[0], lon[1], lat[1])
    _, _, along_col = geod.inv(lon[0], lat[0], lon[2], lat[2])
    return float(lon[0]), float(lat[0]), float(along_row), float(along_col)


def map_scales(crs: CRS, transform, along_row: float, along_col: float) -> tuple[float, float]:
    """Map metres per ground metre of a projected grid's pixel whose sides are ``along_row`` and
    ``along_col`` metres on the ground (:func:`ground_pixel`), along its rows (one column on) and
    along its columns (one row on): equal on a conformal map, unequal where a map keeps areas but
    not shapes."""
    unit = crs.linear_units_factor[1] if crs.linear_units_factor else 1.0
    return (float(np.hypot(transform.a, transform.d)) * unit / along_row,
            float(np.hypot(transform.b, transform.e)) * unit / along_col)


def rotated_bearing_deg(bearing_deg: float, crs: CRS, transform, width: int, height: int, to_crs: CRS) -> float:
    """A direction at a grid's middle, degrees clockwise from its map's north, as seen on
    ``to_crs``'s map (the meridians' convergence between the two maps, at the middle: across a
    scene hundreds of kilometres wide near a pole the convergence varies by degrees, which one
    bearing for the scene, as a product's annotation gives it, does not follow)."""
    x, y = transform * (width / 2.0, height / 2.0)
    step = abs(transform.a) + abs(transform.b)
    theta = np.radians(bearing_deg)
    xs, ys = Transformer.from_crs(crs, to_crs, always_xy=True).transform(
        [x, x + step * np.sin(theta)], [y, y + step * np.cos(theta)])
    return float(np.degrees(np.arctan2(xs[1] - xs[0], ys[1] - ys[0])) % 360.0)


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


def _linear_weights(nodes: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each position in ``at``, the indices of the nodes before and after it and the weight of
    the one after, linear between increasing ``nodes`` and continued linearly beyond the outer two."""
    lower = np.clip(np.searchsorted(nodes, at, side="right") - 1, 0, max(len(nodes) - 2, 0))
    upper = np.minimum(lower + 1, len(nodes) - 1)
    span = nodes[upper] - nodes[lower]
    return lower, upper, np.divide(at - nodes[lower], span, out=np.zeros_like(at, dtype=np.float64), where=span > 0)


@dataclass(frozen=True, eq=False)
class GridLut:
    """Values on a regular grid of (line, pixel) nodes, interpolated bilinearly and continued
    linearly beyond the outer nodes (as a GRD product's LUTs are read). :meth:`block` fills a whole
    window separably, along pixels at the nodes' lines first: a 1024-line block of a full IW scene
    costs a few array passes instead of a search per pixel."""

    lines: np.ndarray
    pixels: np.ndarray
    values: np.ndarray  # (lines, pixels)

    def __post_init__(self):
        if self.values.shape != (len(self.lines), len(self.pixels)) or min(self.values.shape) < 1:
            raise SarFormatError(f"a LUT of {self.values.shape} values on {len(self.lines)} lines x "
                                 f"{len(self.pixels)} pixels")
        if np.any(np.diff(self.lines) <= 0) or np.any(np.diff(self.pixels) <= 0):
            raise SarFormatError("a LUT's lines and pixels must increase")

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """The values at ``points``, an (n, 2) array of (line, pixel)."""
        points = np.asarray(points, dtype=np.float64)
        li, lj, lw = _linear_weights(self.lines, points[:, 0])
        pi, pj, pw = _linear_weights(self.pixels, points[:, 1])
        v = self.values
        return ((1 - lw) * ((1 - pw) * v[li, pi] + pw * v[li, pj])
                + lw * ((1 - pw) * v[lj, pi] + pw * v[lj, pj]))

    def block(self, window: Window) -> np.ndarray:
        """The values over every pixel of ``window`` (float64, lines x pixels)."""
        lines = np.arange(window.row_off, window.row_off + window.height, dtype=np.float64)
        pixels = np.arange(window.col_off, window.col_off + window.width, dtype=np.float64)
        li, lj, lw = _linear_weights(self.lines, lines)
        pi, pj, pw = _linear_weights(self.pixels, pixels)
        needed = np.unique(np.concatenate([li, lj]))
        rows = self.values[needed]
        along = rows[:, pi] * (1 - pw) + rows[:, pj] * pw
        li, lj = np.searchsorted(needed, li), np.searchsorted(needed, lj)
        lw = lw[:, None]
        return along[li] * (1 - lw) + along[lj] * lw


#: Sentinel-1's orbit height, metres: 693 km (ESA, Sentinel-1 User Guide, "Mission overview"); it
#: varies by about 15 km around the orbit, which moves an incidence interpolated between the swath's
#: edges (:class:`SwathEdges`) by under 0.1 degree.
ORBIT_HEIGHT_M = 693_000.0
#: The Earth's mean radius, metres (a sphere: the ellipsoid's radius of curvature differs by under
#: 0.4 % from it at any latitude, which moves the interpolated incidence by hundredths of a degree).
EARTH_RADIUS_M = 6_371_000.0


def ground_arc_rad(incidence_deg):
    """The Earth-centre angle between the sub-satellite point and a ground point seen at
    ``incidence_deg`` (a sphere of :data:`EARTH_RADIUS_M` under an orbit :data:`ORBIT_HEIGHT_M` up):
    the look angle ``a`` obeys ``sin a = R sin(incidence) / (R + H)`` and the arc is ``incidence - a``."""
    incidence = np.radians(incidence_deg)
    look = np.arcsin(EARTH_RADIUS_M * np.sin(incidence) / (EARTH_RADIUS_M + ORBIT_HEIGHT_M))
    return incidence - look


def incidence_at_arc_deg(arc_rad):
    """The incidence angle of a ground point ``arc_rad`` from the sub-satellite point (the inverse of
    :func:`ground_arc_rad`): the look angle is ``atan(R sin arc / (R + H - R cos arc))``."""
    look = np.arctan2(EARTH_RADIUS_M * np.sin(arc_rad), EARTH_RADIUS_M + ORBIT_HEIGHT_M - EARTH_RADIUS_M * np.cos(arc_rad))
    return np.degrees(arc_rad + look)


#: Spacing, pixels, of the nodes at which the incidence over a map grid is computed from a swath's
#: edges (:meth:`SwathEdges.incidence_over`), bilinear between them: across an EW swath (19-47
#: degrees over 400 km) the incidence bends by under 0.002 degree between nodes 64 x 40 m apart.
INCIDENCE_NODE_SPACING_PX = 64
#: How far the swath's width between its near and far corners may depart from the width its near and
#: far incidence angles span (:meth:`SwathEdges.width_ratio`) for the two to be taken as describing
#: one swath. A product cut from a larger one whose incidence angles were not cut with it is off by
#: the part cut away; an EW swath measured either way agrees within a few per cent.
SWATH_WIDTH_TOLERANCE = 0.15


@dataclass(frozen=True)
class SwathEdges:
    """A radar image's swath as a product's metadata describes it: the ground positions (longitude,
    latitude) of its near-range and far-range edges at its first and last lines, and the incidence
    angle at near and far range. The incidence anywhere on the ground follows from how far across
    the swath the point lies (:meth:`incidence_deg`)."""

    near: tuple[tuple[float, float], tuple[float, float]]  # (lon, lat) at the first and the last line
    far: tuple[tuple[float, float], tuple[float, float]]
    incidence_near_deg: float
    incidence_far_deg: float

    @classmethod
    def of_grid(cls, grid: np.ndarray) -> SwathEdges | None:
        """The swath of a product's geolocation grid (rows of line, pixel, longitude, latitude, incidence;
        pixel 0 at near range, as in every Sentinel-1 product): its corner nodes, and the incidence at
        near and far range as the mean of each edge's two. None without all four corner nodes. On real
        grids the incidence it gives is within 0.05 degree of every node's over an IW GRDH swath."""
        lines, pixels = grid[:, 0], grid[:, 1]
        corners = []
        for pixel in (pixels.min(), pixels.max()):
            for line in (lines.min(), lines.max()):
                node = grid[(lines == line) & (pixels == pixel)]
                if len(node) == 0:
                    return None
                corners.append(node[0])
        (n0, n1, f0, f1) = corners
        return cls((tuple(n0[2:4]), tuple(n1[2:4])), (tuple(f0[2:4]), tuple(f1[2:4])),
                   float(n0[4] + n1[4]) / 2, float(f0[4] + f1[4]) / 2)

    @cached_property
    def _plane(self) -> tuple[Transformer, tuple[np.ndarray, ...]]:
        """A map on which distances from the swath's middle are the ground's (azimuthal equidistant),
        and the corners on it: near at the first and last line, far at the first and last line (made
        once: the width check and the incidence over a grid both need it)."""
        lons, lats = zip(*self.near, *self.far, strict=True)
        # The middle's longitude by the mean of unit vectors: the corners may straddle the antimeridian.
        lon0 = float(np.degrees(np.arctan2(np.mean(np.sin(np.radians(lons))), np.mean(np.cos(np.radians(lons))))))
        plane = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={np.mean(lats)} +lon_0={lon0} +datum=WGS84",
                                     always_xy=True)
        return plane, tuple(np.array(plane.transform(*corner)) for corner in (*self.near, *self.far))

    @staticmethod
    def _across(corners: tuple[np.ndarray, ...], x, y) -> tuple[np.ndarray, np.ndarray]:
        """The distances, metres, of points on the plane from the near edge (positive towards far range)
        and from the far edge (positive towards near range), each edge a straight line through its
        two corners."""
        n0, n1, f0, f1 = corners

        def signed(a, b, towards):
            along = (b - a) / np.hypot(*(b - a))
            side = np.sign(along[0] * (towards[1] - a[1]) - along[1] * (towards[0] - a[0]))
            return side * (along[0] * (y - a[1]) - along[1] * (x - a[0]))

        return signed(n0, n1, (f0 + f1) / 2), signed(f0, f1, (n0 + n1) / 2)

    def width_ratio(self) -> float:
        """The swath's width, from the near edge to the far edge's middle, over the width its near and
        far incidence angles span on the ground (1 where the two describe the same swath)."""
        _, corners = self._plane
        from_near, _ = self._across(corners, *((corners[2] + corners[3]) / 2))
        spanned = EARTH_RADIUS_M * float(ground_arc_rad(self.incidence_far_deg) - ground_arc_rad(self.incidence_near_deg))
        return float(from_near) / spanned if spanned > 0 else float("inf")

    def incidence_deg(self, lon, lat) -> np.ndarray:
        """The incidence angle at ground points: their fraction of the way from the near edge to the far
        edge is that fraction of the ground arc between the edges' incidence angles (continued beyond
        the edges)."""
        plane, corners = self._plane
        from_near, from_far = self._across(corners, *plane.transform(np.asarray(lon, dtype=np.float64),
                                                                      np.asarray(lat, dtype=np.float64)))
        across = from_near / (from_near + from_far)
        near, far = ground_arc_rad(self.incidence_near_deg), ground_arc_rad(self.incidence_far_deg)
        return incidence_at_arc_deg(near + across * (far - near))

    def incidence_over(self, crs, transform, width: int, height: int) -> GridLut:
        """The incidence angle over a map grid (lines x pixels), computed at nodes every
        :data:`INCIDENCE_NODE_SPACING_PX` pixels and at the grid's last pixel, bilinear between them."""
        rows, cols = (np.unique(np.append(np.arange(0, size, INCIDENCE_NODE_SPACING_PX), size - 1)).astype(np.float64)
                      for size in (height, width))
        xs, ys = transform * np.meshgrid(cols + 0.5, rows + 0.5)
        lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(xs, ys)
        return GridLut(rows, cols, self.incidence_deg(lon, lat))
