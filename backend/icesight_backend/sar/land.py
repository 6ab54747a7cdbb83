"""Where land is, so that nothing is detected on it and no land pixel enters a CFAR's background.

A SAR scene of iceberg waters is seldom far from a coast: Greenland's, Svalbard's, Labrador's. Land
is bright, textured and full of corners (cliffs, glaciers, settlements) and a sea-clutter CFAR flags
it by the thousand; along the shore it also raises the background of every target near it. Ice
services mask land before looking for targets (ESA SNAP's ship detection does so too).

Two sources, used together (:class:`LandMask`):

- the built-in mask: NOAA's GLOBE digital elevation model (Hastings and Dunbar 1999; 30 arc-second
  cells, about 1 km north-south; public domain), land wherever GLOBE has an elevation, shipped as
  ``data/land_30s.npz`` (``tools/build_land_mask.py`` says how it is made). Its coastline is that of
  the 1990s and good to about a cell: glacier fronts that have retreated since (many of Greenland's
  fjords) are land in it, and islands smaller than a cell are missing from it;
- polygons given by the analyst in longitude and latitude (a detailed coastline layer, say).

Both grow seaward by a buffer, and are evaluated on a grid of about :data:`LAND_GRID_M` cells over
the scene (a pixel takes its cell's answer), so a 25,000 x 25,000 px IW scene costs a grid of
2,500 x 2,500 cells; the scene's own pixels are never held whole. :class:`LandMaskedBand` reads a
band with land set to NaN, the value the detector already treats as outside the swath.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from affine import Affine

from icesight_contract import lonlat_polygons

#: The built-in mask (see the module's docstring).
LAND_FILE = Path(__file__).resolve().parent / "data" / "land_30s.npz"
#: Side of the grid cells the mask is evaluated on, metres (a whole number of pixels, at least one):
#: well inside the built-in cells (about 1 km north-south, 160-370 m east-west at 65-80 N) and the
#: default buffer; a 10,000 x 10,000 px EW or a 25,000 x 25,000 px IW scene is a 2,500 x 2,500 grid.
LAND_GRID_M = 160.0
#: What the built-in mask is, for results and layers.
BUILTIN_SOURCE = "GLOBE 30 arc-second land cells (NOAA)"
POLYGON_SOURCE = "land polygons given with the job"


@functools.lru_cache(maxsize=1)
def _tile_index() -> tuple[np.ndarray, int, int]:
    with np.load(LAND_FILE) as data:
        return data["kind"].copy(), int(data["cells_per_degree"]), int(data["tile_degrees"])


@functools.lru_cache(maxsize=64)
def _tile(i: int, j: int) -> np.ndarray:
    """The land cells of a mixed tile (row ``i`` from the north, column ``j`` from 180 W)."""
    _, cells, degrees = _tile_index()
    side = cells * degrees
    with np.load(LAND_FILE) as data:
        return np.unpackbits(data[f"t{i}_{j}"], count=side * side).astype(bool).reshape(side, side)


def is_land(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Whether each point (degrees, EPSG:4326) lies in a land cell of the built-in mask."""
    kind, cells, degrees = _tile_index()
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    # Cell rows from 90 N southward, columns from 180 W eastward (the source's first edges).
    row = np.clip(np.floor((90.0 - lat) * cells), 0, 180 * cells - 1).astype(np.int64)
    col = np.floor((np.mod(lon + 180.0, 360.0)) * cells).astype(np.int64) % (360 * cells)
    side = cells * degrees
    ti, tj = row // side, col // side
    land = kind[ti, tj] == 1
    mixed = kind[ti, tj] == 2
    if mixed.any():
        row_m, col_m = row[mixed], col[mixed]
        keys = ti[mixed] * kind.shape[1] + tj[mixed]
        values = np.zeros(len(keys), dtype=bool)
        for key in np.unique(keys):
            here = keys == key
            i, j = divmod(int(key), kind.shape[1])
            values[here] = _tile(i, j)[row_m[here] - i * side, col_m[here] - j * side]
        land[mixed] = values
    return land


@dataclass
class LandGrid:
    """Land over a scene before any buffer, on grid cells of ``step_px`` x ``step_px`` pixels, reaching
    ``margin`` cells past the scene's edges (so land just outside still grows in). One lookup of the
    sources; :meth:`grown` makes the mask for a buffer. Build it with :func:`land_grid`."""

    cells: np.ndarray  # bool, the scene's cells and the margin on every side
    margin: int
    step_px: int
    cell_m: float
    shape: tuple[int, int]
    sources: tuple[str, ...]

    def grown(self, buffer_m: float) -> LandMask:
        """The mask with land grown seaward by ``buffer_m`` (at most the reach the grid was made for)."""
        if buffer_m > self.margin * self.cell_m:
            raise ValueError(f"a {buffer_m:g} m buffer reaches past the grid's {self.margin * self.cell_m:g} m margin")
        land = self.cells
        if buffer_m > 0 and land.any():
            from scipy import ndimage

            # Cells whose centre lies within the buffer of a land cell's centre.
            land = ndimage.distance_transform_edt(~land) * self.cell_m <= buffer_m
        n_rows, n_cols = (-(-n // self.step_px) for n in self.shape)
        inner = land[self.margin : self.margin + n_rows, self.margin : self.margin + n_cols].copy()
        return LandMask(inner, self.step_px, self.shape, self.sources)


def land_grid(transform, crs, shape: tuple[int, int], reach_m: float, builtin: bool = True,
              polygons: dict[str, Any] | None = None) -> LandGrid | None:
    """The land of a scene of ``shape`` pixels georeferenced by ``transform`` and ``crs`` (a
    projected CRS in metres): the built-in mask's cells (``builtin``) and ``polygons`` (GeoJSON in
    lon/lat), looked up once for buffers of up to ``reach_m``. None when neither is asked for."""
    if not builtin and polygons is None:
        return None
    if crs is None:
        raise ValueError("the scene has no coordinate reference system, so where land lies in it is unknown; "
                         "ingest it with its georeferencing, or set land_mask to false")
    from pyproj import CRS

    if not CRS.from_user_input(crs).is_projected:
        raise ValueError("the scene's CRS is not projected (pixels in degrees, not metres): the land buffer and "
                         "grid need metres; ingest the scene in a projected CRS, or set land_mask to false")
    pixel_m = abs(transform.a)
    step = max(1, int(round(LAND_GRID_M / pixel_m)))
    cell_m = step * pixel_m
    margin = int(math.ceil(reach_m / cell_m)) + 1
    grid_transform = transform * Affine.translation(-margin * step, -margin * step) * Affine.scale(step)
    grid_shape = tuple(-(-n // step) + 2 * margin for n in shape)
    land = np.zeros(grid_shape, dtype=bool)
    sources = []
    if builtin:
        land |= _builtin_cells(grid_transform, crs, grid_shape)
        sources.append(BUILTIN_SOURCE)
    if polygons is not None:
        land |= _polygon_cells(polygons, grid_transform, crs, grid_shape)
        sources.append(POLYGON_SOURCE)
    return LandGrid(land, margin, step, cell_m, tuple(shape), tuple(sources))


@dataclass
class LandMask:
    """Land over a scene, grown by a buffer, on a grid of ``step_px`` x ``step_px`` pixel cells (a
    pixel takes its cell's answer). Build it with :meth:`for_scene` or :meth:`for_settings`."""

    cells: np.ndarray  # bool, (ceil(height / step), ceil(width / step))
    step_px: int
    shape: tuple[int, int]
    sources: tuple[str, ...]

    @classmethod
    def for_scene(cls, transform, crs, shape: tuple[int, int], buffer_m: float, builtin: bool = True,
                  polygons: dict[str, Any] | None = None) -> LandMask | None:
        """The land of a scene (see :func:`land_grid`), grown by ``buffer_m``; None when neither
        source is asked for."""
        grid = land_grid(transform, crs, shape, buffer_m, builtin, polygons)
        return None if grid is None else grid.grown(buffer_m)

    @classmethod
    def for_settings(cls, settings, transform, crs, shape: tuple[int, int]) -> LandMask | None:
        """The land a job's ``LAND_SETTINGS`` (``land_mask``, ``land_polygons``, ``land_buffer_m``)
        ask to leave out of a scene."""
        return cls.for_scene(transform, crs, shape, settings.land_buffer_m, builtin=settings.land_mask,
                             polygons=settings.land_polygons)

    def window(self, rows: slice, cols: slice) -> np.ndarray:
        """Whether each pixel of ``rows`` x ``cols`` is land (buffer included)."""
        r0, r1, _ = rows.indices(self.shape[0])
        c0, c1, _ = cols.indices(self.shape[1])
        return self.cells[np.ix_(np.arange(r0, r1) // self.step_px, np.arange(c0, c1) // self.step_px)]

    def fraction(self) -> float:
        """Share of the scene's pixels that are land (cells weighted by the pixels they hold)."""
        rows = np.minimum(self.step_px, self.shape[0] - np.arange(self.cells.shape[0]) * self.step_px)
        cols = np.minimum(self.step_px, self.shape[1] - np.arange(self.cells.shape[1]) * self.step_px)
        return float(rows @ self.cells @ cols / (self.shape[0] * self.shape[1]))

    def outlines(self, transform) -> list:
        """The masked area as shapely polygons in the scene's CRS (cell edges), for a map layer."""
        from rasterio import features
        from shapely.geometry import shape

        grid_transform = transform * Affine.scale(self.step_px)
        return [shape(geometry) for geometry, value in
                features.shapes(self.cells.astype(np.uint8), mask=self.cells, transform=grid_transform) if value]


#: Grid rows looked up at a time (bounds the memory of the coordinates).
_LOOKUP_ROWS = 256


def _builtin_cells(grid_transform, crs, grid_shape: tuple[int, int]) -> np.ndarray:
    """The built-in mask at each grid cell's centre, a band of rows at a time."""
    from pyproj import Transformer

    to_lonlat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    land = np.zeros(grid_shape, dtype=bool)
    for r0 in range(0, grid_shape[0], _LOOKUP_ROWS):
        r1 = min(r0 + _LOOKUP_ROWS, grid_shape[0])
        cols, rows = np.meshgrid(np.arange(grid_shape[1]) + 0.5, np.arange(r0, r1) + 0.5)
        lon, lat = to_lonlat.transform(*(grid_transform * (cols, rows)))
        finite = np.isfinite(lon) & np.isfinite(lat)
        band = np.zeros(lon.shape, dtype=bool)
        band[finite] = is_land(lon[finite], lat[finite])
        land[r0:r1] = band
    return land


def _polygon_cells(polygons: dict[str, Any], grid_transform, crs, grid_shape: tuple[int, int]) -> np.ndarray:
    """Grid cells that the polygons (GeoJSON, lon/lat) touch, in the scene's CRS."""
    from pyproj import Transformer
    from rasterio import features
    from shapely import make_valid, transform
    from shapely.geometry import shape

    to_scene = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    shapes = []
    for geometry in lonlat_polygons(polygons, "land_polygons"):
        projected = transform(make_valid(shape(geometry)), lambda xy: np.column_stack(to_scene.transform(xy[:, 0], xy[:, 1])))
        if not projected.is_empty:
            shapes.append((projected, 1))
    if not shapes:
        return np.zeros(grid_shape, dtype=bool)
    return features.rasterize(shapes, out_shape=grid_shape, transform=grid_transform, all_touched=True,
                              dtype=np.uint8).astype(bool)


class LandMaskedBand:
    """A band (``sar.io.RasterBand`` or any array-like with ``shape``, ``dtype`` and windowed
    ``__getitem__``) read with its land pixels set to NaN."""

    def __init__(self, band, land: LandMask):
        if tuple(band.shape) != land.shape:
            raise ValueError(f"the land mask is for a {land.shape} scene, the band is {tuple(band.shape)}")
        self.band, self.land = band, land
        self.shape, self.ndim = tuple(band.shape), 2
        self.dtype = np.dtype(np.float32)

    def __getitem__(self, key) -> np.ndarray:
        rows, cols = key if isinstance(key, tuple) else (key, slice(None))
        data = np.array(self.band[rows, cols], dtype=np.float32)
        data[self.land.window(rows, cols)] = np.nan
        return data
