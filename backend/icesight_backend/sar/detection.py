"""CFAR target detection over whole scenes, chunked with Dask, and connected-component targets.

The detector is a K-distribution CFAR: in a ring between the guard and background windows it
estimates the clutter mean and normalised variance, derives the texture shape of a K
distribution with the product's number of looks from them (a spiky sea gets a low shape and so a
higher threshold), and flags pixels whose intensity exceeds the K quantile at the false-alarm
probability. Windows are given in metres, as in ESA SNAP's adaptive
threshold detector (target 50 m, guard 500 m, background 800 m, pfa 10^-6.5 there).

The scene is processed as a chunked Dask array with ``map_overlap`` (the halo is the background
window), so memory is bounded by the chunk size, not the scene size. The detection mask (one
byte a pixel) is then labelled into targets with scipy; their measurements read only small
windows of the scene.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import dask.array as da
import numpy as np
from scipy import ndimage, special

_SHAPE_GRID = np.geomspace(0.3, 200.0, 96)


@dataclass(frozen=True)
class CfarParams:
    pixel_size_m: float
    target_window_m: float = 50.0
    guard_window_m: float = 500.0
    background_window_m: float = 800.0
    pfa: float = 10**-6.5
    looks: float = 10.7  # equivalent number of looks of the product (EW GRDM 10.7, IW GRDH 4.4)
    min_area_px: int = 2  # single-pixel exceedances are mostly clutter spikes of a K-distributed sea
    max_length_m: float = 800.0  # longer bright objects are ice floes or land, not ships or bergs
    #: Azimuth (row) displacement of the first azimuth ambiguity, metres; 0 switches the filter off.
    #: It depends on the radar's wavelength, slant range, PRF and velocity (about 5 km for
    #: Sentinel-1 EW); for a real product take it from the annotation.
    azimuth_ambiguity_m: float = 5000.0
    ambiguity_contrast_db: float = 12.0

    def windows_px(self) -> tuple[int, int, int]:
        """Odd full widths in pixels of the target, guard and background windows."""

        def odd(metres: float) -> int:
            n = max(1, int(round(metres / self.pixel_size_m)))
            return n if n % 2 == 1 else n + 1

        target, guard = odd(self.target_window_m), odd(self.guard_window_m)
        background = max(odd(self.background_window_m), guard + 4)
        return target, guard, background

    @property
    def halo_px(self) -> int:
        return self.windows_px()[2] // 2 + 1


@functools.lru_cache(maxsize=32)
def k_threshold_table(looks: float, pfa: float) -> np.ndarray:
    """Threshold / clutter mean giving ``pfa`` for K-distributed intensity, per texture shape.

    Intensity = mean x texture x speckle with texture ~ Gamma(nu, mean 1) and speckle ~
    Gamma(L, mean 1). P(I > t) = E_texture[Q(L, L t / (mean x texture))], evaluated with
    generalised Gauss-Laguerre quadrature over the texture, then solved for t by bisection.
    """
    result = np.empty_like(_SHAPE_GRID)
    for i, nu in enumerate(_SHAPE_GRID):
        if nu > 40.0:
            # Nearly untextured: a Gamma law with the K distribution's two moments is exact enough.
            shape = 1.0 / (1.0 / looks + 1.0 / nu + 1.0 / (looks * nu))
            result[i] = special.gammainccinv(shape, pfa) / shape
            continue
        nodes, weights = special.roots_genlaguerre(96, nu - 1.0)
        texture = nodes / nu
        weights = weights / weights.sum()

        def exceedance(t: float, weights=weights, texture=texture) -> float:
            return float(np.sum(weights * special.gammaincc(looks, looks * t / texture)))

        low, high = 0.0, 4.0
        while exceedance(high) > pfa:
            high *= 2.0
        for _ in range(60):
            middle = 0.5 * (low + high)
            low, high = (middle, high) if exceedance(middle) > pfa else (low, middle)
        result[i] = high
    return result


def _threshold_multiplier(texture_shape: np.ndarray, looks: float, pfa: float) -> np.ndarray:
    table = k_threshold_table(float(looks), float(pfa))
    clipped = np.clip(texture_shape, _SHAPE_GRID[0], _SHAPE_GRID[-1])
    return np.interp(np.log(clipped), np.log(_SHAPE_GRID), table)


def cfar_block(co_db: np.ndarray, params: CfarParams) -> np.ndarray:
    """CFAR on one block of co-pol sigma0 in dB (NaN = no data); returns a boolean detection mask."""
    target_w, guard_w, back_w = params.windows_px()
    valid = np.isfinite(co_db)
    intensity = np.where(valid, np.power(10.0, np.nan_to_num(co_db, nan=-100.0) / 10.0), 0.0)
    weights = valid.astype(np.float64)

    def box_sum(values: np.ndarray, width: int) -> np.ndarray:
        return ndimage.uniform_filter(values, width, mode="constant") * (width * width)

    count = box_sum(weights, back_w) - box_sum(weights, guard_w)
    s1 = box_sum(intensity, back_w) - box_sum(intensity, guard_w)
    s2 = box_sum(intensity**2, back_w) - box_sum(intensity**2, guard_w)
    looks = params.looks
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s1 / count
        normalised_variance = np.maximum(s2 / count - mean**2, 0.0) / mean**2
        # K distribution: NV = 1/L + 1/nu + 1/(L nu)  =>  nu = (1 + 1/L) / (NV - 1/L).
        excess = normalised_variance - 1.0 / looks
        texture_shape = np.where(excess > 0, (1.0 + 1.0 / looks) / np.maximum(excess, 1e-12), _SHAPE_GRID[-1])
    test = intensity if target_w == 1 else box_sum(intensity, target_w) / np.maximum(box_sum(weights, target_w), 1)
    enough = count > 0.5 * (back_w**2 - guard_w**2)
    return valid & enough & (test > mean * _threshold_multiplier(texture_shape, looks, params.pfa))


def cfar_mask(co_db, params: CfarParams, chunk_px: int = 2048) -> da.Array:
    """The detection mask of a whole scene as a lazy Dask array (uint8).

    ``co_db`` is a numpy array, a Dask array, or a lazy raster band (``sar.io.RasterBand``)."""
    array = co_db if isinstance(co_db, da.Array) else da.from_array(co_db, chunks=chunk_px, asarray=False)
    return da.map_overlap(
        lambda block: cfar_block(block, params).astype(np.uint8),
        array,
        depth=params.halo_px,
        boundary=np.nan,
        dtype=np.uint8,
        trim=True,
    )


@dataclass
class Detection:
    row: float  # centroid, pixels
    col: float
    area_px: int
    length_m: float
    peak_co_db: float
    mean_co_db: float
    mean_cross_db: float
    peak_row: int
    peak_col: int


def label_detections(
    mask: np.ndarray, co_db, cross_db, params: CfarParams, merge_distance_px: int = 2
) -> list[Detection]:
    """Connected components of the mask (8-connected, after closing gaps of ``merge_distance_px``,
    so a ship's bright scatterers make one target) measured on the co- and cross-pol bands.

    ``co_db``/``cross_db`` may be numpy arrays or anything indexable by 2-D slices (a lazy raster).
    """
    structure = np.ones((3, 3), dtype=bool)
    joined = ndimage.binary_dilation(mask, structure, iterations=merge_distance_px) if merge_distance_px else mask
    labels, _ = ndimage.label(joined, structure)
    labels[~mask.astype(bool)] = 0
    detections = []
    for index, window in enumerate(ndimage.find_objects(labels), start=1):
        if window is None:
            continue
        own = labels[window] == index
        area = int(own.sum())
        if area < params.min_area_px:
            continue
        rows, cols = np.nonzero(own)
        extent_px = math.hypot(rows.max() - rows.min() + 1, cols.max() - cols.min() + 1)
        length_m = extent_px * params.pixel_size_m
        if length_m > params.max_length_m:
            continue
        co = np.asarray(co_db[window], dtype=np.float64)
        cross = np.asarray(cross_db[window], dtype=np.float64)
        co_values, cross_values = co[own], cross[own]
        peak = int(np.nanargmax(np.where(own, co, -np.inf)))
        peak_r, peak_c = np.unravel_index(peak, own.shape)
        detections.append(
            Detection(
                row=float(window[0].start + rows.mean()),
                col=float(window[1].start + cols.mean()),
                area_px=area,
                length_m=round(length_m, 1),
                peak_co_db=float(np.nanmax(co_values)),
                mean_co_db=float(10 * np.log10(np.nanmean(10 ** (co_values / 10)))),
                mean_cross_db=float(10 * np.log10(np.nanmean(10 ** (cross_values / 10)))),
                peak_row=int(window[0].start + peak_r),
                peak_col=int(window[1].start + peak_c),
            )
        )
    return detections


def drop_azimuth_ambiguities(detections: list[Detection], params: CfarParams) -> list[Detection]:
    """Remove ghosts: a detection much dimmer than another one displaced by the ambiguity distance
    along azimuth (rows) at the same range (columns)."""
    if params.azimuth_ambiguity_m <= 0 or len(detections) < 2:
        return detections
    offset_px = params.azimuth_ambiguity_m / params.pixel_size_m
    tolerance_px = max(2.0, 300.0 / params.pixel_size_m)
    rows = np.array([d.row for d in detections])
    cols = np.array([d.col for d in detections])
    peaks = np.array([d.peak_co_db for d in detections])
    kept = []
    for d in detections:
        displaced = np.abs(np.abs(rows - d.row) - offset_px) <= tolerance_px
        same_range = np.abs(cols - d.col) <= tolerance_px
        brighter = peaks - d.peak_co_db >= params.ambiguity_contrast_db
        if not np.any(displaced & same_range & brighter):
            kept.append(d)
    return kept


def detect(co_db, cross_db, params: CfarParams, chunk_px: int = 2048, scheduler: str = "threads") -> list[Detection]:
    """CFAR over the scene (Dask, chunked), labelled targets, size and ambiguity discrimination.

    The bands may be numpy arrays or lazy raster bands. The chunks run on local threads: inside a
    job task this process's cores do the work, without sending sub-tasks back to the cluster.
    """
    mask = cfar_mask(co_db, params, chunk_px).compute(scheduler=scheduler).astype(bool)
    return drop_azimuth_ambiguities(label_detections(mask, co_db, cross_db, params), params)



@dataclass
class DetectionScore:
    n_truth: int
    n_truth_detectable: int
    recall: float  # of detectable targets (longer than two pixels)
    n_detections: int
    false_alarms_open_water: int
    open_water_km2: float

    @property
    def false_alarms_per_1000_km2(self) -> float:
        return 1000.0 * self.false_alarms_open_water / max(self.open_water_km2, 1e-9)


def score_against_truth(
    detections: list[Detection],
    truth_rows_cols_lengths: list[tuple[int, int, float]],
    pixel_size_m: float,
    open_water: np.ndarray,
    match_radius_px: float = 4.0,
) -> DetectionScore:
    """Recall of targets longer than two pixels, and unmatched detections over open water."""
    truth = np.asarray([(r, c) for r, c, _ in truth_rows_cols_lengths], dtype=float).reshape(-1, 2)
    lengths = np.asarray([length for _, _, length in truth_rows_cols_lengths], dtype=float)
    found = np.zeros(len(truth), dtype=bool)
    false_alarms = 0
    for d in detections:
        if len(truth):
            distance = np.hypot(truth[:, 0] - d.row, truth[:, 1] - d.col)
            reach = match_radius_px + lengths / pixel_size_m / 2
            hit = distance <= reach
            if hit.any():
                found |= hit
                continue
        r, c = int(round(d.row)), int(round(d.col))
        if 0 <= r < open_water.shape[0] and 0 <= c < open_water.shape[1] and open_water[r, c]:
            false_alarms += 1
    detectable = lengths / pixel_size_m > 2.0
    return DetectionScore(
        n_truth=len(truth),
        n_truth_detectable=int(detectable.sum()),
        recall=float(found[detectable].mean()) if detectable.any() else float("nan"),
        n_detections=len(detections),
        false_alarms_open_water=false_alarms,
        open_water_km2=float(open_water.sum()) * pixel_size_m**2 / 1e6,
    )
