"""Clutter class of every pixel, open water or sea ice, from what a dual-pol scene itself offers.

A CFAR detector tuned for a K-distributed sea raises false alarms on sea ice: its bright floes,
ridges and rubble are a brighter, spikier clutter textured at scales from a few hundred metres to
kilometres, which a 800 m ring cannot characterise. The detector therefore needs to know where
it stands. Two physical signatures separate the classes at C band and EW incidence (about
19-47 degrees), and neither needs an ice chart or a calibrated wind:

* **Cross-pol level above the floor.** Open water scatters almost no cross-pol power (Bragg
  scattering is nearly polarisation-preserving): its HV lies at or near the noise floor (NESZ,
  about -25 dB for EW). Sea ice depolarises by volume and multiple scattering: first-year ice
  sits about -22 to -18 dB in HV, deformed and multi-year ice -18 to -12 dB, i.e. 3-13 dB above
  the floor. The floor is estimated from the scene: the low percentile of the smoothed HV cells,
  the noise-limited open water when the scene has any. The floor is not flat: each sub-swath's
  antenna pattern raises the noise towards its edges, and the sub-swaths step against each
  other, by several dB in EW cross-pol. Where the scene carries its noise floor (the product's
  noise annotation, band 4), the floor follows it: the noise floor's own shape, lifted to the
  scene's level by the low percentile of HV above it (which absorbs an error in the annotation's
  absolute level; by a few dB at most, so that a scene inside the pack, whose low percentile is
  ice, keeps its floor near the noise). Without it the floor is one level for the whole scene.
* **Texture at the 300 m - 2 km scale.** After averaging over a cell of a few hundred metres the
  speckle is gone (64 looks x ENL), and open water's wind-wave texture (correlated over tens of
  metres) is averaged too: cell means of open water vary smoothly, by under 1 dB from cell to
  cell for a K-distributed sea of moderate order (a calm, spiky sea spreads them by 1.5 dB or
  more, hence the cross-pol condition below). Sea ice is a mosaic of floes, leads and ridges at exactly this scale: its cell means
  spread by 2-4 dB. The spread is measured robustly (inter-quartile range of the cell means in
  dB over a window of cells) so that a ship or an iceberg in the window does not raise it.

A pixel is sea ice when its cross-pol level exceeds its threshold, or when its texture does and,
where the floor follows the noise band, its cross-pol is at least a little above the floor
(``ClutterParams``): a calm sea of spiky texture, or the gusts and slicks of a light wind, texture
open water at this scale too, but its HV stays at the floor, while ice with floes and ridges
depolarises. (Without the band the floor is the scene's own low percentile, which lies on ice in
a scene without open water, so texture alone still marks ice there.) The
features are computed on cells of ``cell_m`` metres, one Dask chunk at a time (chunks aligned to
cells, so the result does not depend on the chunking), and classified on the small cell grid;
the class of a pixel is that of its cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import dask.array as da
import numpy as np
from scipy import ndimage

#: Window values partially sorted at once by :func:`_window_order_statistics` (bounds its memory).
_ORDER_BATCH_VALUES = 1 << 22


class ClutterParamsError(ValueError):
    """A clutter-classification parameter out of its physical range."""


@dataclass(frozen=True)
class ClutterParams:
    """Rule and thresholds of the open-water / sea-ice classification (see the module docstring)."""

    pixel_size_m: float
    #: Side of the averaging cell, metres: long enough to average speckle and sea texture away,
    #: short enough to follow an ice edge (a few hundred metres, the scale of floes and leads).
    cell_m: float = 320.0
    #: Side of the window of cells over which texture and HV level are measured (7 x 320 m = 2.2 km).
    window_cells: int = 7
    #: Robust spread (IQR / 1.349) of cell means in HH, dB, above which the clutter is textured ice.
    texture_threshold_db: float = 1.5
    #: Cross-pol level above the scene's cross-pol floor, dB, above which the clutter is ice.
    cross_excess_threshold_db: float = 3.0
    #: Cross-pol level above the floor, dB, that textured clutter must also reach to be ice: open
    #: water's HV lies at the floor however its HH is textured (a calm, spiky sea; wind gusts and
    #: slicks at the 2 km scale), while ice that has floes and ridges depolarises at least a little.
    #: Asked only where the floor follows the scene's noise band: without it the floor is the
    #: scene's own low percentile, which lies on ice in a scene without open water.
    texture_cross_excess_db: float = 1.0
    #: The most, dB, by which the noise band's floor is lifted to the scene's level (the
    #: ``cross_floor_percentile`` of HV over the band). Open water's HV lies within a few dB of the
    #: annotated noise (its own weak cross-pol, the annotation's error); a larger lift means that
    #: percentile is not open water but ice, as in a scene inside the pack.
    floor_lift_max_db: float = 3.0
    #: Percentile of the smoothed cross-pol cells taken as the scene's floor (open water / NESZ).
    cross_floor_percentile: float = 5.0
    #: Cells by which sea ice is widened: the marginal ice zone (brash, scattered floes) reaches
    #: a few hundred metres beyond where the window's texture and HV cross their thresholds.
    edge_buffer_cells: int = 1

    def __post_init__(self) -> None:
        if not self.pixel_size_m > 0:
            raise ClutterParamsError(f"pixel_size_m must be positive, got {self.pixel_size_m!r}")
        if not 2 * self.pixel_size_m <= self.cell_m <= 2000.0:
            raise ClutterParamsError(
                f"cell_m must be between two pixels ({2 * self.pixel_size_m:g} m) and 2000 m, got {self.cell_m:g}"
            )
        if not (isinstance(self.window_cells, int) and 3 <= self.window_cells <= 31 and self.window_cells % 2 == 1):
            raise ClutterParamsError(f"window_cells must be an odd integer from 3 to 31, got {self.window_cells!r}")
        if not 0.0 < self.texture_threshold_db < 20.0:
            raise ClutterParamsError(f"texture_threshold_db must be in (0, 20) dB, got {self.texture_threshold_db:g}")
        if not 0.0 < self.cross_excess_threshold_db < 30.0:
            raise ClutterParamsError(
                f"cross_excess_threshold_db must be in (0, 30) dB, got {self.cross_excess_threshold_db:g}"
            )
        if not 0.0 <= self.texture_cross_excess_db < 30.0:
            raise ClutterParamsError(f"texture_cross_excess_db must be in [0, 30) dB, got {self.texture_cross_excess_db:g}")
        if not 0.0 <= self.floor_lift_max_db < 30.0:
            raise ClutterParamsError(f"floor_lift_max_db must be in [0, 30) dB, got {self.floor_lift_max_db:g}")
        if not (isinstance(self.edge_buffer_cells, int) and 0 <= self.edge_buffer_cells <= 10):
            raise ClutterParamsError(f"edge_buffer_cells must be an integer from 0 to 10, got {self.edge_buffer_cells!r}")
        if not 0.0 <= self.cross_floor_percentile <= 50.0:
            raise ClutterParamsError(
                f"cross_floor_percentile must be in [0, 50], got {self.cross_floor_percentile:g}"
            )

    @property
    def cell_px(self) -> int:
        return max(2, int(round(self.cell_m / self.pixel_size_m)))


@dataclass
class ClutterMap:
    """The clutter class on the cell grid, with the features it was decided from (all per cell)."""

    cell_px: int
    shape_px: tuple[int, int]
    sea_ice: np.ndarray  # bool
    texture_db: np.ndarray  # robust spread of HH cell means over the window
    cross_excess_db: np.ndarray  # smoothed HV above the scene's floor
    co_background_db: np.ndarray  # smoothed (median) HH level over the window
    cross_floor_db: np.ndarray  # the cross-pol floor each cell's level is measured against

    def pixels(self, rows: slice, cols: slice) -> np.ndarray:
        """Per-pixel sea-ice mask of a window of the scene (each pixel takes its cell's class)."""
        return self._expand(self.sea_ice, rows, cols)

    def co_background_pixels(self, rows: slice, cols: slice) -> np.ndarray:
        return self._expand(self.co_background_db, rows, cols)

    def _expand(self, cells: np.ndarray, rows: slice, cols: slice) -> np.ndarray:
        r = np.clip(np.arange(rows.start, rows.stop) // self.cell_px, 0, cells.shape[0] - 1)
        c = np.clip(np.arange(cols.start, cols.stop) // self.cell_px, 0, cells.shape[1] - 1)
        return cells[np.ix_(r, c)]

    def at(self, row: float, col: float) -> tuple[bool, float]:
        """(in sea ice, local HH background dB) at a pixel position."""
        r = min(max(int(row) // self.cell_px, 0), self.sea_ice.shape[0] - 1)
        c = min(max(int(col) // self.cell_px, 0), self.sea_ice.shape[1] - 1)
        return bool(self.sea_ice[r, c]), float(self.co_background_db[r, c])


def block_cell_means_db(block: np.ndarray, cell_px: int) -> np.ndarray:
    """Mean intensity of each ``cell_px`` x ``cell_px`` cell of a block of sigma0 in dB, in dB (float32,
    NaN where the cell has no data). The block must start on the cell grid; a partial last row or
    column of cells averages the pixels it has."""
    h, w = block.shape
    padded = np.full((-(-h // cell_px) * cell_px, -(-w // cell_px) * cell_px), np.nan)
    padded[:h, :w] = block
    valid = np.isfinite(padded)
    linear = np.where(valid, np.power(10.0, np.where(valid, padded, 0.0) / 10.0), 0.0)
    grid = (padded.shape[0] // cell_px, cell_px, padded.shape[1] // cell_px, cell_px)
    total = linear.reshape(grid).sum(axis=(1, 3))
    count = valid.reshape(grid).sum(axis=(1, 3))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, 10.0 * np.log10(total / np.maximum(count, 1)), np.nan).astype(np.float32)


def cell_chunk_px(cell_px: int, chunk_px: int) -> int:
    """Chunk side that is a whole number of cells (at most ``chunk_px`` unless a cell is larger),
    so that every cell lies in one chunk."""
    return max(cell_px, (chunk_px // cell_px) * cell_px)


def cell_means_db(band, cell_px: int, chunk_px: int = 2048, scheduler: str = "threads") -> np.ndarray:
    """Mean intensity of each ``cell_px`` x ``cell_px`` cell, in dB (NaN where the cell has no data).

    ``band`` is sigma0 in dB: a numpy array, a Dask array or a lazy raster band. Chunks are made
    multiples of the cell so that every cell lies in one chunk."""
    chunk = cell_chunk_px(cell_px, chunk_px)
    array = band.rechunk(chunk) if isinstance(band, da.Array) else da.from_array(band, chunks=chunk, asarray=False)
    out_chunks = tuple(tuple(-(-size // cell_px) for size in sizes) for sizes in array.chunks)
    return array.map_blocks(block_cell_means_db, cell_px, chunks=out_chunks, dtype=np.float32).compute(
        scheduler=scheduler)


def _fill_gaps(cells: np.ndarray) -> np.ndarray:
    """NaN cells take the value of the nearest valid cell (so rank filters see no NaN)."""
    invalid = ~np.isfinite(cells)
    if not invalid.any() or invalid.all():
        return np.where(invalid, 0.0, cells)
    _, (rows, cols) = ndimage.distance_transform_edt(invalid, return_indices=True)
    return cells[rows, cols]


def _window_order_statistics(cells: np.ndarray, size: int, percentiles: tuple[float, ...]) -> list[np.ndarray]:
    """Percentiles of each ``size`` x ``size`` window of cells (edges repeat the nearest cell), as
    ``ndimage.percentile_filter`` ranks them (the median is the 50th), all from one partial sort of
    the windows rather than one rank filter each. The values are window elements, not interpolated."""
    count = size * size
    ranks = [count // 2 if p == 50.0 else min(int(count * p / 100.0), count - 1) for p in percentiles]
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(cells, size // 2, mode="edge"), (size, size))
    results = [np.empty(cells.shape) for _ in ranks]
    rows_per_batch = max(1, _ORDER_BATCH_VALUES // (cells.shape[1] * count))
    for start in range(0, cells.shape[0], rows_per_batch):
        batch = windows[start : start + rows_per_batch].reshape(-1, cells.shape[1], count)
        ordered = np.partition(batch, sorted(set(ranks)), axis=-1)
        for result, rank in zip(results, ranks, strict=True):
            result[start : start + rows_per_batch] = ordered[..., rank]
    return results


def cross_floor_cells(cross_smooth_db: np.ndarray, valid: np.ndarray, params: ClutterParams,
                      noise_cells_db: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
    """The cross-pol floor of every cell, and whether it follows the noise band: the
    ``cross_floor_percentile`` of the smoothed cross-pol cells, or, with the noise floor's cells
    (where any is valid), the noise floor (smoothed over the same window as the cross-pol) plus
    that percentile of the cross-pol above it, at most ``floor_lift_max_db``."""
    percentile = params.cross_floor_percentile
    noise_valid = valid & np.isfinite(noise_cells_db) if noise_cells_db is not None else None
    if noise_valid is not None and noise_valid.any():
        noise = _fill_gaps(np.where(noise_valid, noise_cells_db, np.nan).astype(np.float64))
        (noise,) = _window_order_statistics(noise, params.window_cells, (50.0,))
        lift = np.percentile((cross_smooth_db - noise)[noise_valid], percentile)
        return noise + min(lift, params.floor_lift_max_db), True
    level = np.percentile(cross_smooth_db[valid], percentile) if valid.any() else math.nan
    return np.full(cross_smooth_db.shape, level), False


def classify_cells(co_cells_db: np.ndarray, cross_cells_db: np.ndarray, params: ClutterParams,
                   shape_px: tuple[int, int], noise_cells_db: np.ndarray | None = None) -> ClutterMap:
    """Apply the rule to cell means of HH and HV in dB (see the module docstring); ``noise_cells_db``
    are cell means of the cross-pol noise floor, when the scene has it."""
    valid = np.isfinite(co_cells_db) & np.isfinite(cross_cells_db)
    co, cross = _fill_gaps(co_cells_db.astype(np.float64)), _fill_gaps(cross_cells_db.astype(np.float64))
    size = params.window_cells
    q25, co_background, q75 = _window_order_statistics(co, size, (25.0, 50.0, 75.0))
    texture_db = (q75 - q25) / 1.349  # IQR of a normal law = 1.349 sigma
    (cross_smooth,) = _window_order_statistics(cross, size, (50.0,))
    floor, follows_noise = cross_floor_cells(cross_smooth, valid, params, noise_cells_db)
    cross_excess = cross_smooth - floor
    textured = texture_db >= params.texture_threshold_db
    if follows_noise:
        textured &= cross_excess >= params.texture_cross_excess_db
    sea_ice = valid & (textured | (cross_excess >= params.cross_excess_threshold_db))
    if params.edge_buffer_cells:
        sea_ice = valid & ndimage.binary_dilation(sea_ice, np.ones((3, 3), bool), iterations=params.edge_buffer_cells)
    return ClutterMap(params.cell_px, shape_px, sea_ice, texture_db.astype(np.float32), cross_excess.astype(np.float32),
                      co_background.astype(np.float32), floor.astype(np.float32))


def clutter_map(co_db, cross_db, params: ClutterParams, chunk_px: int = 2048, scheduler: str = "threads",
                noise_db=None) -> ClutterMap:
    """The clutter class of a whole scene: cell means chunk by chunk (Dask), then the rule on the
    cells. ``noise_db`` is the cross-pol noise floor (NESZ, dB) where the scene has it."""
    shape = tuple(int(n) for n in co_db.shape)
    co_cells = cell_means_db(co_db, params.cell_px, chunk_px, scheduler)
    cross_cells = cell_means_db(cross_db, params.cell_px, chunk_px, scheduler)
    noise_cells = None if noise_db is None else cell_means_db(noise_db, params.cell_px, chunk_px, scheduler)
    return classify_cells(co_cells, cross_cells, params, shape, noise_cells)
