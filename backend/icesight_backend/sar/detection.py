"""CFAR target detection over whole scenes, chunked with Dask, and connected-component targets.

The detector is a K-distribution CFAR: in a ring between the guard and background windows it
estimates the clutter mean and normalised variance, derives the texture shape of a K
distribution with the product's number of looks from them (a spiky sea gets a low shape and so a
higher threshold), and flags pixels whose intensity exceeds the K quantile at the false-alarm
probability. Windows are given in metres, as in ESA SNAP's adaptive
threshold detector (target 50 m, guard 500 m, background 800 m, pfa 10^-6.5 there).

Two additions make it hold in sea ice (issue #9). The cross-pol band gets its own CFAR: open
water's HV sits at the noise floor, where icebergs (HV/HH about -5 dB) stand out even when a
steep-incidence sea hides them in HH. And the scene's clutter class, open water or sea ice, is
estimated (:mod:`sar.clutter`); a detection in ice is kept only when its peak clears the K
threshold of its own 2 km ice background, fitted by log-cumulants, at a lower pfa and with a
margin (:func:`passes_background_test`): bright floes and ridges pass the 800 m ring, not
that. In open water the same test judges what only the co-pol CFAR flagged: a sea spike from a
sea spikier than a K distribution with the ring's moments (log-normal, breaking waves) clears the
ring in co-pol alone, while a ship over open water also shows in cross-pol, where the sea sits at
the noise floor. It also judges, without its margin, the smallest clusters only the cross-pol CFAR
flagged there: the noise floor's speckle at the CFAR's own pfa. Where the scene carries its noise
floor (band 4), the cross-pol is judged over it, so that sub-swath seams do not bias the rings.
``cross_pol_cfar=False, sea_ice_aware=False`` gives the co-pol detector of before.

The scene is processed as a chunked Dask array with ``map_overlap`` (the halo is the background
window), so memory is bounded by the chunk size, not the scene size. The detection mask (one
byte a pixel) is then labelled into targets with scipy; their measurements read only small
windows of the scene.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import dask
import dask.array as da
import numpy as np
from scipy import ndimage, special
from scipy.spatial import ConvexHull, QhullError

from icesight_contract import ContractError, DetectTargetsParams, check_detector_settings

from .ambiguity import NOMINAL_AZIMUTH_AMBIGUITY_M, AmbiguityField
from .clutter import (
    ClutterMap,
    ClutterParams,
    block_cell_means_db,
    cell_chunk_px,
    classify_cells,
)
from .land import LandMask, LandMaskedBand

_SHAPE_GRID = np.geomspace(0.3, 200.0, 96)
_TRIGAMMA_GRID = special.polygamma(1, _SHAPE_GRID)  # decreasing with the shape
_MIN_BACKGROUND_PX = 100
#: Candidate pixels whose ring windows are gathered at once (bounds the memory of :func:`_ring_sums_at`).
_RING_BATCH = 4096


#: A detection parameter out of range; ``field`` names it. The detector settings a job carries are
#: the contract's, checked by its rules (:func:`icesight_contract.check_detector_settings`), so the
#: error is the contract's too.
DetectionParamsError = ContractError


@dataclass(frozen=True)
class CfarParams:
    pixel_size_m: float
    #: The detector settings a ``detect_targets`` job carries take the contract's defaults and rules
    #: (:data:`icesight_contract.DETECTOR_SETTINGS`); what follows them is the backend's own.
    target_window_m: float = DetectTargetsParams.target_window_m
    guard_window_m: float = DetectTargetsParams.guard_window_m
    background_window_m: float = DetectTargetsParams.background_window_m
    pfa: float = DetectTargetsParams.pfa
    looks: float = 10.7  # equivalent number of looks of the product (EW GRDM 10.7, IW GRDH 4.4)
    #: Single-pixel exceedances are mostly clutter spikes of a K-distributed sea.
    min_area_px: int = DetectTargetsParams.min_area_px
    max_length_m: float = 800.0  # longer bright objects are ice floes or land, not ships or bergs
    #: Azimuth displacement of the first azimuth ambiguity, metres, where the scene does not give its
    #: own (:mod:`sar.ambiguity`: a SAFE product's annotation does); 0 switches the filter off.
    azimuth_ambiguity_m: float = NOMINAL_AZIMUTH_AMBIGUITY_M
    ambiguity_contrast_db: float = 12.0
    #: Which way azimuth (the flight track) runs in the scene's grid, degrees clockwise from the
    #: grid's up: 0 where azimuth runs along the rows (radar geometry, simulated scenes). A geocoded
    #: product's track is oblique to its map grid; the SAFE reader takes it from the geolocation
    #: grid (the scene's ``azimuth_bearing_deg`` tag), and ghosts are looked for along it.
    azimuth_bearing_deg: float = 0.0
    #: Run a second CFAR on the cross-pol band and keep what either flags. Open water's cross-pol
    #: sits at the noise floor, so icebergs (cross-/co-pol about -5 dB) stand 10-15 dB above it
    #: even where a steep-incidence sea hides them in co-pol (Howell et al. 2004, 2012).
    cross_pol_cfar: bool = DetectTargetsParams.cross_pol_cfar
    #: Estimate open water / sea ice (:mod:`sar.clutter`) and discriminate detections in sea ice.
    #: ``cross_pol_cfar=False, sea_ice_aware=False`` is the co-pol-only detector of before.
    sea_ice_aware: bool = DetectTargetsParams.sea_ice_aware
    #: Square around a target (full width, metres) that is its local background: its median is
    #: the background level, and a K distribution fitted to it (log-cumulants) judges targets in ice.
    discrimination_window_m: float = 2000.0
    #: False-alarm probability of the sea-ice test: lower than ``pfa`` because ice is a mixture of
    #: floes, ridges and leads whose tail a K fit only approximates.
    ice_pfa: float = DetectTargetsParams.ice_pfa
    #: Margin, dB, by which a target in sea ice must exceed the K threshold of its background at
    #: ``ice_pfa`` (in co- or cross-pol): about the error of a shape fitted on ~100 independent
    #: texture samples (2 km of ice textured at 100-200 m).
    ice_margin_db: float = DetectTargetsParams.ice_margin_db
    #: In open water, hold a detection that only the co-pol CFAR flagged to the same test (``ice_pfa``,
    #: ``ice_margin_db``), when the cross-pol CFAR runs. Sea spikes of a spiky or non-K sea are small,
    #: co-pol only and 5-9 dB above the sea: they beat the 800 m ring's moment fit but not the 2 km
    #: log-cumulant fit. Ships over open water, whose cross-pol clears the sea's noise-floor cross-pol,
    #: are not judged by it.
    co_only_background_test: bool = DetectTargetsParams.co_only_background_test
    #: In open water, keep a cluster of at most ``min_area_px`` that only the cross-pol CFAR flagged
    #: when its peak clears the K threshold at ``ice_pfa`` of its 2 km background, without
    #: ``ice_margin_db``. Open water's cross-pol is the noise floor's speckle, and the CFAR's ``pfa``
    #: lets a few of its clusters through in every scene (a 3,000 px scene holds 9 million pixels):
    #: ``ice_pfa`` is 300 times rarer. Such clusters are as small as the detector keeps, while an
    #: iceberg over a sea that hides it in co-pol spreads over the response's few pixels, so larger
    #: clusters are not held to the 2 km test. A larger cluster only the cross-pol CFAR flagged is
    #: kept when its peak clears, at the CFAR's own ``pfa`` and without margin, the K threshold of
    #: the ring just around it (the ring of ``local_ice_test``): level first-year ice can pass for
    #: open water (its HV at the noise floor, its HH smooth at the 2 km scale), and its ridges,
    #: bright in cross-pol, run on through that ring, where a berg's cross-pol falls to the floor
    #: within a resolution cell or two.
    cross_only_background_test: bool = DetectTargetsParams.cross_only_background_test
    #: Let a detection in sea ice that falls short of its 2 km background's threshold (by less than
    #: ``ice_margin_db``) pass when it stands out from a ring just outside it (``LOCAL_RING_GAP_PX``
    #: away, ``LOCAL_RING_WIDTH_PX`` wide): in cross-pol, by ``ice_margin_db`` over the ring's K
    #: threshold at ``ice_pfa``, when it is more cross-polarised than its background (icebergs); or
    #: in co-pol, by ``ship_in_ice_margin_db``, when the co-pol CFAR flagged it (ships). See
    #: :func:`passes_background_test`.
    local_ice_test: bool = DetectTargetsParams.local_ice_test
    #: The margin, dB, by which the co-pol peak of a detection in sea ice that is no more
    #: cross-polarised than the ice (a ship) must clear the K threshold of its co-pol ring for the
    #: local test to keep it. No depolarisation guards this route, and bright floes of a
    #: log-normal ice clear their ring by 2-3 dB, so it asks twice ``ice_margin_db``'s default.
    ship_in_ice_margin_db: float = 4.0
    #: Also look for targets too large for the guard window. An iceberg of 500 m or more fills the
    #: guard and reaches into the background ring, which it brightens and roughens so much that the
    #: pixel CFAR misses it even 15 dB above the sea. A second CFAR tests the mean intensity of
    #: ``extended_box_m`` squares against a ring between ``extended_guard_m`` (wider than any object
    #: under ``max_length_m`` with its box) and ``extended_background_m``; what it flags is added to
    #: the mask where it spans ``extended_min_m`` or more (smaller objects are the pixel CFAR's), is
    #: labelled apart and judged like any detection (:func:`passes_background_test`), and joins the
    #: pixel CFARs' detections by :func:`join_extended_detections`. See :func:`extended_cfar_block`; the box is
    #: at least 3 pixels wide.
    extended_target_cfar: bool = DetectTargetsParams.extended_target_cfar
    extended_box_m: float = 200.0
    extended_guard_m: float = 1200.0
    extended_background_m: float = 2000.0
    extended_min_m: float = 300.0
    #: What the extended CFAR adds must stand, on average over its pixels, this far above its local
    #: background (median, 2 km) in co- and in cross-pol, dB. A large iceberg does, over the sea (15
    #: to 25 dB) and over sea ice: glacial ice scatters from its volume in both channels. Floes and
    #: patches of rougher or older ice hundreds of metres across stand some 3 to 8 dB above level ice,
    #: in one channel more than the other; at this scale they, not the sea's spikes, are what a CFAR finds.
    extended_contrast_db: float = 9.0
    #: Rule and thresholds of the clutter classification; None: the defaults of ``ClutterParams``.
    clutter: ClutterParams | None = None

    def __post_init__(self) -> None:
        if not self.pixel_size_m > 0:
            raise DetectionParamsError("pixel_size_m", f"must be positive, got {self.pixel_size_m!r}")
        if not 0.0 <= self.azimuth_bearing_deg < 360.0:
            raise DetectionParamsError("azimuth_bearing_deg", f"must be in [0, 360) degrees, got {self.azimuth_bearing_deg!r}")
        check_detector_settings(self)
        if not self.guard_window_m < self.discrimination_window_m <= 10000.0:
            raise DetectionParamsError(
                "discrimination_window_m",
                f"must exceed guard_window_m ({self.guard_window_m:g}) and be at most 10000 m, "
                f"got {self.discrimination_window_m:g}",
            )
        if not 0.0 <= self.ship_in_ice_margin_db <= 30.0:
            raise DetectionParamsError(
                "ship_in_ice_margin_db", f"must be from 0 to 30 dB, got {self.ship_in_ice_margin_db!r}")
        if not 0.0 < self.extended_box_m <= self.extended_min_m:
            raise DetectionParamsError(
                "extended_box_m", f"must be positive and at most extended_min_m ({self.extended_min_m:g} m), "
                f"got {self.extended_box_m!r}")
        if not 0.0 <= self.extended_contrast_db <= 40.0:
            raise DetectionParamsError(
                "extended_contrast_db", f"must be from 0 to 40 dB, got {self.extended_contrast_db!r}")
        if not self.max_length_m + self.extended_box_m <= self.extended_guard_m < self.extended_background_m <= 10000.0:
            raise DetectionParamsError(
                "extended_guard_m", f"must be at least max_length_m + extended_box_m ({self.max_length_m + self.extended_box_m:g} m) "
                f"and less than extended_background_m (at most 10000 m), got {self.extended_guard_m!r} and "
                f"{self.extended_background_m!r}")
        if self.clutter is not None and self.clutter.pixel_size_m != self.pixel_size_m:
            raise DetectionParamsError(
                "clutter", f"pixel_size_m {self.clutter.pixel_size_m:g} differs from the detector's {self.pixel_size_m:g}"
            )

    @property
    def judges_cross_pol(self) -> bool:
        """Whether anything judges the cross-pol: its CFAR, or the clutter classes. Only then is
        the scene's noise-floor band read (see :func:`detect`)."""
        return self.cross_pol_cfar or self.sea_ice_aware

    def clutter_params(self) -> ClutterParams:
        return self.clutter if self.clutter is not None else ClutterParams(pixel_size_m=self.pixel_size_m)

    def _odd_px(self, metres: float, unit_px: int = 1) -> int:
        """``metres`` as an odd number (at least 1) of units of ``unit_px`` pixels."""
        n = max(1, int(round(metres / self.pixel_size_m / unit_px)))
        return n if n % 2 == 1 else n + 1

    def windows_px(self) -> tuple[int, int, int]:
        """Odd full widths in pixels of the target, guard and background windows."""
        target, guard = self._odd_px(self.target_window_m), self._odd_px(self.guard_window_m)
        background = max(self._odd_px(self.background_window_m), guard + 4)
        return target, guard, background

    def extended_windows(self) -> tuple[int, int, int, int]:
        """The extended-target CFAR's box (odd full width, pixels, at least 3), the spacing of the box
        means its ring is sampled at (half a box, pixels), and its guard and background windows (odd
        full widths in samples)."""
        box = max(3, self._odd_px(self.extended_box_m))
        step = box // 2
        guard = self._odd_px(self.extended_guard_m, step)
        return box, step, guard, max(self._odd_px(self.extended_background_m, step), guard + 2)

    @property
    def halo_px(self) -> int:
        """How far beyond a block the CFAR reads: the background window's half width (the extended
        CFAR's, with its box, when it runs)."""
        halo = self.windows_px()[2] // 2 + 1
        if self.extended_target_cfar:
            box, step, _, background = self.extended_windows()
            halo = max(halo, (background // 2 + 1) * step + box // 2 + 1)
        return halo


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


def _box_sum(values: np.ndarray, width: int) -> np.ndarray:
    """Sum over the ``width`` x ``width`` square centred on each pixel; outside the block counts as 0."""
    return ndimage.uniform_filter(values, width, mode="constant") * (width * width)


def _box_count(valid: np.ndarray, width: int) -> np.ndarray:
    """Valid pixels in the ``width`` x ``width`` square of each pixel. Where the valid pixels are a
    product of valid rows and valid columns (a whole block, or one padded with no data beyond a
    scene edge: most blocks) the count is a product of per-axis counts, exact and without filtering
    the block; otherwise it is box-filtered."""
    rows, cols = valid.any(axis=1), valid.any(axis=0)
    if not np.array_equal(valid, np.outer(rows, cols)):
        return _box_sum(valid.astype(np.float64), width)

    def inside(axis_valid: np.ndarray) -> np.ndarray:
        return np.convolve(axis_valid.astype(np.float64), np.ones(width), mode="same")

    return np.outer(inside(rows), inside(cols))


def _ring_count(valid: np.ndarray, guard_w: int, back_w: int) -> np.ndarray:
    """Valid pixels in the ring between the guard and background squares of each pixel (see :func:`_box_count`)."""
    return _box_count(valid, back_w) - _box_count(valid, guard_w)


def _ring_sums_at(values: np.ndarray, rows: np.ndarray, cols: np.ndarray, guard_w: int, back_w: int) -> np.ndarray:
    """Sum of ``values`` over the ring between the guard and background squares of a few pixels
    (outside the block counts as 0, as in :func:`_box_sum`), window by window."""
    half, inner = back_w // 2, slice(back_w // 2 - guard_w // 2, back_w // 2 + guard_w // 2 + 1)
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(values, half), (back_w, back_w))
    sums = np.empty(len(rows))
    for start in range(0, len(rows), _RING_BATCH):
        part = windows[rows[start : start + _RING_BATCH], cols[start : start + _RING_BATCH]]
        sums[start : start + _RING_BATCH] = (part.sum(axis=(1, 2), dtype=np.float64)
                                             - part[:, inner, inner].sum(axis=(1, 2), dtype=np.float64))
    return sums


def _intensity(band_db: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(valid, linear intensity with 0 where not valid) of a band in dB with NaN for no data."""
    valid = np.isfinite(band_db)
    return valid, np.where(valid, np.power(10.0, np.where(valid, band_db, -100.0) / 10.0), 0.0)


def _ring_sum(values: np.ndarray, guard_w: int, back_w: int) -> np.ndarray:
    """Sum of ``values`` over the ring between the guard and background squares of each pixel."""
    return _box_sum(values, back_w) - _box_sum(values, guard_w)


def _ring_is_enough(count: np.ndarray, guard_w: int, back_w: int) -> np.ndarray:
    """Where a ring holds enough valid samples to be judged against: more than half of it."""
    return count > 0.5 * (back_w**2 - guard_w**2)


def _lowest_multiplier(looks: float, pfa: float) -> float:
    """The smallest threshold / mean of the K table (untextured clutter): a value below mean x this
    fails whatever the texture, so the texture need only be estimated where a value exceeds it."""
    return float(k_threshold_table(float(looks), float(pfa)).min())


def _k_threshold(mean: np.ndarray, mean_square: np.ndarray, looks: float, pfa: float) -> np.ndarray:
    """The K threshold at ``pfa`` of clutter with this mean and mean square (of its intensities):
    the texture shape from the normalised variance, NV = 1/L + 1/nu + 1/(L nu)  =>
    nu = (1 + 1/L) / (NV - 1/L), untextured where NV <= 1/L."""
    with np.errstate(invalid="ignore", divide="ignore"):
        normalised_variance = np.maximum(mean_square - mean**2, 0.0) / mean**2
        excess = normalised_variance - 1.0 / looks
        shape = np.where(excess > 0, (1.0 + 1.0 / looks) / np.maximum(excess, 1e-12), _SHAPE_GRID[-1])
    return mean * _threshold_multiplier(shape, looks, pfa)


def cfar_block(co_db: np.ndarray, params: CfarParams,
               intensity: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """CFAR on one block of co-pol sigma0 in dB (NaN = no data); returns a boolean detection mask.
    ``intensity``: the block's (valid, linear intensity) of :func:`_intensity`, when already made.

    The clutter mean is needed at every pixel, the texture only where the test could pass: the
    threshold multiplier is smallest for an untextured clutter (the last entry of the K table), so
    a pixel below mean x that minimum fails whatever the texture. The normalised variance, shape
    and K quantile are therefore evaluated on those few candidates only."""
    target_w, guard_w, back_w = params.windows_px()
    valid, intensity = _intensity(co_db) if intensity is None else intensity
    count = _ring_count(valid, guard_w, back_w)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = _ring_sum(intensity, guard_w, back_w) / count
    if target_w == 1:
        test = intensity
    else:
        test = _box_sum(intensity, target_w) / np.maximum(_box_sum(valid.astype(np.float64), target_w), 1)
    with np.errstate(invalid="ignore"):
        rows, cols = np.nonzero(valid & _ring_is_enough(count, guard_w, back_w)
                                & (test > mean * _lowest_multiplier(params.looks, params.pfa)))
    mean_square = _ring_sums_at(intensity**2, rows, cols, guard_w, back_w) / count[rows, cols]
    mask = np.zeros(co_db.shape, dtype=bool)
    mask[rows, cols] = test[rows, cols] > _k_threshold(mean[rows, cols], mean_square, params.looks, params.pfa)
    return mask


def extended_cfar_block(band_db: np.ndarray, params: CfarParams, origin: tuple[int, int] = (0, 0),
                        intensity: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The extended-target CFAR on one block of a band in dB (NaN = no data): a boolean mask of the
    pixels of objects too large for the pixel CFAR's guard window. ``origin``: the scene position of
    the block's first pixel; ``intensity`` as in :func:`cfar_block`.

    The test is the mean intensity of an ``extended_box_m`` square (wholly in the data) around each
    pixel, against the K threshold at ``pfa`` of the box means in the ring between
    ``extended_guard_m`` and ``extended_background_m`` (their mean and normalised variance, as the
    pixel CFAR does). Box means vary little within half a box, so the ring's statistics are taken
    from box means sampled every half box on a grid fixed to the scene (so that a chunk sees what
    the whole scene does), each pixel using its nearest sample's: the wide windows come cheap. A box
    mean averages the speckle of its pixels: it is taken to have ``looks`` times the box's pixels as
    looks, an upper bound (neighbouring pixels share speckle) that leaves every measured variance
    beyond it to the texture, the conservative side. A flagged box mean covers the object widened
    by up to half a box, so of the flagged pixels those are kept whose own mean over half a box (at
    least 3 x 3 pixels) is at least their box's mean: inside a large object the two agree, around a
    compact one the box, which holds it, is the brighter. Holes left by the speckle inside an object
    are filled.
    """
    box_w, step, guard_c, back_c = params.extended_windows()
    valid, intensity = _intensity(band_db) if intensity is None else intensity
    whole = _box_count(valid, box_w) >= box_w * box_w - 0.5
    boxed = np.where(whole, _box_sum(intensity, box_w) / (box_w * box_w), 0.0)
    first = tuple((-start) % step for start in origin)  # samples sit where the scene position is a multiple of step
    sampled, sampled_whole = boxed[first[0] :: step, first[1] :: step], whole[first[0] :: step, first[1] :: step]
    count = _ring_count(sampled_whole, guard_c, back_c)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = _ring_sum(sampled, guard_c, back_c) / count
        mean_square = _ring_sum(sampled**2, guard_c, back_c) / count
    enough = _ring_is_enough(count, guard_c, back_c)
    looks = params.looks * box_w * box_w
    coarse_rows, coarse_cols = (np.clip(np.floor((np.arange(n) - start) / step + 0.5).astype(int), 0, m - 1)
                                for n, start, m in zip(band_db.shape, first, mean.shape, strict=True))
    with np.errstate(invalid="ignore"):
        full_mean = np.where(enough, mean, np.inf)[np.ix_(coarse_rows, coarse_cols)]
        rows, cols = np.nonzero(whole & (boxed > full_mean * _lowest_multiplier(looks, params.pfa)))
    mask = np.zeros(band_db.shape, dtype=bool)
    if not len(rows):
        return mask
    i, j = coarse_rows[rows], coarse_cols[cols]
    flagged = boxed[rows, cols] > _k_threshold(mean[i, j], mean_square[i, j], looks, params.pfa)
    rows, cols = rows[flagged], cols[flagged]
    local_w = max(3, (box_w // 2) | 1)  # a box mean's half-box core (whole when the box is: every pixel valid)
    padded = np.pad(intensity, local_w // 2)
    core = sum(padded[rows + dr, cols + dc] for dr in range(local_w) for dc in range(local_w))
    own = core / (local_w * local_w) >= boxed[rows, cols]
    mask[rows[own], cols[own]] = True
    labels, _ = ndimage.label(mask, np.ones((3, 3), dtype=bool))
    for index, box in enumerate(ndimage.find_objects(labels), start=1):
        if box is not None:
            mask[box] |= ndimage.binary_fill_holes(labels[box] == index)
    return mask


def _wide_components(mask: np.ndarray, min_px: float) -> np.ndarray:
    """The pixels of ``mask`` in 8-connected components whose bounding box spans ``min_px`` or more
    along rows or columns."""
    labels, _ = ndimage.label(mask, np.ones((3, 3), dtype=bool))
    wide = [index for index, box in enumerate(ndimage.find_objects(labels), start=1)
            if box is not None and max(box[0].stop - box[0].start, box[1].stop - box[1].start) >= min_px]
    return np.isin(labels, wide) if wide else np.zeros(mask.shape, dtype=bool)


def cfar_bits(co_block: np.ndarray, cross_block: np.ndarray | None, params: CfarParams,
              origin: tuple[int, int] = (0, 0)) -> np.ndarray:
    """The mask bits of one block: ``CO_BIT`` where co-pol exceeds its CFAR threshold and, with a
    cross-pol block and ``params.cross_pol_cfar``, ``CROSS_BIT`` where cross-pol exceeds its own.
    With ``params.extended_target_cfar``, ``EXTENDED_CO_BIT`` and ``EXTENDED_CROSS_BIT`` where the
    extended CFAR (:func:`extended_cfar_block`) flagged an object at least ``extended_min_m`` wide.
    ``origin``: the scene position of the blocks' first pixel."""
    judge_cross = cross_block is not None and params.cross_pol_cfar
    co = _intensity(co_block)
    cross = _intensity(cross_block) if judge_cross else None
    bits = cfar_block(co_block, params, co).astype(np.uint8) * CO_BIT
    if judge_cross:
        bits |= cfar_block(cross_block, params, cross).astype(np.uint8) * CROSS_BIT
    if params.extended_target_cfar:
        co_ext = extended_cfar_block(co_block, params, origin, co)
        cross_ext = extended_cfar_block(cross_block, params, origin, cross) if judge_cross else np.zeros_like(co_ext)
        wide = _wide_components(co_ext | cross_ext, params.extended_min_m / params.pixel_size_m)
        bits |= (co_ext & wide).astype(np.uint8) * EXTENDED_CO_BIT | (cross_ext & wide).astype(np.uint8) * EXTENDED_CROSS_BIT
    return bits


def _chunk_starts(chunks: tuple[tuple[int, ...], ...]) -> list[np.ndarray]:
    """Where each chunk of a Dask array's ``chunks`` begins, per axis."""
    return [np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int) for sizes in chunks]


def cfar_mask(co_db, params: CfarParams, chunk_px: int = 2048, cross_db=None) -> da.Array:
    """The detection mask of a whole scene as a lazy Dask array (uint8).

    ``co_db`` (and ``cross_db``) are numpy arrays, Dask arrays, or lazy raster bands
    (``sar.io.RasterBand``). Without ``cross_db`` the mask is 0/1 (co-pol CFAR). With it, and
    ``params.cross_pol_cfar``, the cross-pol band gets its own CFAR and the mask holds bits:
    ``CO_BIT`` where co-pol exceeds its threshold, ``CROSS_BIT`` where cross-pol does; the extended
    CFAR's bits come on top (:func:`cfar_bits`)."""

    def lazy(band) -> da.Array:
        return band if isinstance(band, da.Array) else da.from_array(band, chunks=chunk_px, asarray=False)

    co = lazy(co_db)
    depth = params.halo_px
    starts = _chunk_starts(co.chunks)

    def origin(block_info) -> tuple[int, int]:  # the scene position of an overlapped block's first pixel
        i, j = block_info[0]["chunk-location"]
        return int(starts[0][i]) - depth, int(starts[1][j]) - depth

    if cross_db is None or not params.cross_pol_cfar:
        return da.map_overlap(lambda block, block_info=None: cfar_bits(block, None, params, origin(block_info)),
                              co, depth=depth, boundary=np.nan, dtype=np.uint8, trim=True)
    cross = lazy(cross_db).rechunk(co.chunks)
    return da.map_overlap(
        lambda co_block, cross_block, block_info=None: cfar_bits(co_block, cross_block, params, origin(block_info)),
        co, cross, depth=depth, boundary=np.nan, dtype=np.uint8, trim=True)


#: Ring of a target's immediate surroundings (:func:`passes_background_test`), pixels outside its
#: box: GRD products sample their resolution at about half its width, so a gap of 2 px clears the
#: impulse response's main lobe; 3 px of width give 100+ pixels around even a two-pixel target.
LOCAL_RING_GAP_PX, LOCAL_RING_WIDTH_PX = 2, 3

CO_BIT, CROSS_BIT = 1, 2
#: The extended-target CFAR's bits (see ``CfarParams.extended_target_cfar``): its objects are
#: labelled apart from the pixel CFARs' (:data:`MASK_LAYERS`).
EXTENDED_CO_BIT, EXTENDED_CROSS_BIT = 4, 8
#: (bits, whether extended) of the two layers of the mask labelled into objects each on its own:
#: the pixel CFARs' and the extended CFAR's. Within a layer, its low bit is co-pol, its high bit cross-pol.
MASK_LAYERS = ((CO_BIT | CROSS_BIT, False), (EXTENDED_CO_BIT | EXTENDED_CROSS_BIT, True))
#: Gap, pixels, closed between flagged pixels of one target (a ship's separate bright scatterers).
MERGE_DISTANCE_PX = 2
_CHANNELS = {CO_BIT: "co", CROSS_BIT: "cross", CO_BIT | CROSS_BIT: "co+cross"}


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
    #: Where it was found: the clutter class there and the local background (median of a square
    #: of ``discrimination_window_m`` around the object, outside its guard margin), dB.
    in_sea_ice: bool = False
    background_co_db: float = math.nan
    background_cross_db: float = math.nan
    peak_cross_db: float = math.nan
    #: How far the peak exceeds the K-distribution threshold at ``ice_pfa`` of that background,
    #: dB, the better of co- and cross-pol (the sea-ice test; NaN without enough background). The
    #: cross-pol is judged over its noise floor where the scene has the noise band.
    k_margin_db: float = math.nan
    #: The cross-pol peak's margin over the K threshold at ``ice_pfa`` of the ring just around the
    #: object (see ``CfarParams.local_ice_test``), dB, over the noise floor as ``k_margin_db``; NaN
    #: without enough ring (swath edge).
    local_cross_margin_db: float = math.nan
    #: The same for the co-pol peak over the co-pol ring (the local test of ships in ice), dB.
    local_co_margin_db: float = math.nan
    #: The cross-pol peak's margin over the K threshold of that ring at the CFAR's own ``pfa``
    #: (the open-water test of larger cross-pol-only clusters, see ``cross_only_background_test``), dB.
    local_cross_cfar_margin_db: float = math.nan
    #: Which CFAR flagged it: "co", "cross" or "co+cross".
    channels: str = "co"
    #: Whether the extended-target CFAR found it (an object too large for the pixel CFAR's guard
    #: window): it must then stand ``extended_contrast_db`` above its background, and where the
    #: pixel CFARs found a part of it, it replaces their detections only when much longer (see
    #: :func:`join_extended_detections`).
    extended: bool = False

    @property
    def co_contrast_db(self) -> float:
        """Peak co-pol above the local co-pol background (median)."""
        return self.peak_co_db - self.background_co_db

    @property
    def cross_contrast_db(self) -> float:
        """Peak cross-pol above the local cross-pol background (median)."""
        return self.peak_cross_db - self.background_cross_db

    @property
    def depolarisation_excess_db(self) -> float:
        """How much more cross-polarised the object is than its background: peak cross-/co-pol
        ratio less the background's, dB (positive for icebergs, which scatter from their volume;
        ships, dihedrals, are usually less cross-polarised than the ice around them)."""
        return self.cross_contrast_db - self.co_contrast_db


def k_fit_log_cumulants(values_db: np.ndarray, looks: float) -> tuple[float, float]:
    """Mean (dB) and texture shape of a K distribution fitted to intensities by log-cumulants.

    For intensity = mean x Gamma(nu) texture x Gamma(L) speckle, var(ln I) = psi1(L) + psi1(nu) and
    E[ln I] = ln mean + psi(L) - ln L + psi(nu) - ln nu (Nicolas 2002's Mellin-kind statistics).
    Logarithms tame the bright outliers (ridges, other targets) that spoil moment estimates.
    """
    ln = np.asarray(values_db, dtype=np.float64) * (math.log(10.0) / 10.0)
    excess = float(ln.var()) - float(special.polygamma(1, looks))
    if excess <= _TRIGAMMA_GRID[-1]:
        shape = float(_SHAPE_GRID[-1])
    else:
        shape = float(np.interp(-excess, -_TRIGAMMA_GRID, _SHAPE_GRID))
    ln_mean = float(ln.mean()) - special.digamma(looks) + math.log(looks) - special.digamma(shape) + math.log(shape)
    return 10.0 * ln_mean / math.log(10.0), shape


def _k_margin_db(peak_db: float, background_db: np.ndarray, params: CfarParams) -> float:
    """How far ``peak_db`` clears the K threshold of ``background_db`` at ``ice_pfa``, dB."""
    return _k_margins_db(peak_db, background_db, params, (params.ice_pfa,))[0]


def _k_margins_db(peak_db: float, background_db: np.ndarray, params: CfarParams,
                  pfas: tuple[float, ...]) -> tuple[float, ...]:
    """How far ``peak_db`` clears the K threshold of ``background_db`` at each of ``pfas``, dB (one
    fit of the background; NaN for each without enough background)."""
    finite = background_db[np.isfinite(background_db)]
    if finite.size < _MIN_BACKGROUND_PX:
        return (math.nan,) * len(pfas)
    mean_db, shape = k_fit_log_cumulants(finite, params.looks)
    shapes = np.array([shape])
    return tuple(peak_db - mean_db - 10.0 * math.log10(float(_threshold_multiplier(shapes, params.looks, pfa)[0]))
                 for pfa in pfas)


def _components(present: np.ndarray, merge_distance_px: int) -> np.ndarray:
    """Labels of the 8-connected components of ``present`` after closing gaps of ``merge_distance_px``
    (a dilation by a square of that half-width), zero off ``present``: each target keeps only its
    own pixels. The dilation is done as shifted ORs along each axis (a square is separable), which
    equals ``binary_dilation`` with a 3 x 3 square iterated ``merge_distance_px`` times."""
    joined = present
    for axis in (0, 1):
        grown = joined.copy()
        for shift in range(1, merge_distance_px + 1):
            ahead, behind = [slice(None)] * 2, [slice(None)] * 2
            ahead[axis], behind[axis] = slice(shift, None), slice(None, -shift)
            grown[tuple(ahead)] |= joined[tuple(behind)]
            grown[tuple(behind)] |= joined[tuple(ahead)]
        joined = grown
    labels, _ = ndimage.label(joined, np.ones((3, 3), dtype=bool))
    labels[~present] = 0
    return labels


def feret_length_px(own: np.ndarray) -> float:
    """An object's length, pixels: the longest distance between two corners of its pixels (the
    maximum Feret diameter of the pixel squares). A line of n pixels along a row or a diagonal is n
    or n x sqrt(2) long, a disc of diameter n about n, where its bounding box's diagonal says n x sqrt(2)."""
    rows, cols = np.nonzero(own)
    corners = np.unique(np.concatenate([np.column_stack([rows + dr, cols + dc]) for dr in (0, 1) for dc in (0, 1)]),
                        axis=0).astype(np.float64)
    if len(corners) > 64:
        try:
            corners = corners[ConvexHull(corners).vertices]
        except QhullError:  # all corners on a line: every one is on the hull's line
            pass
    return float(np.sqrt(((corners[:, None, :] - corners[None, :, :]) ** 2).sum(axis=-1).max()))


def _sized_components(labels: np.ndarray, params: CfarParams):
    """(label, bounding box, own-pixel mask, length in metres) of each component of ``labels`` that
    is large enough (``min_area_px``) and not too long (``max_length_m``) to be a ship or an iceberg."""
    for index, window in enumerate(ndimage.find_objects(labels), start=1):
        if window is None:
            continue
        own = labels[window] == index
        if int(own.sum()) < params.min_area_px:
            continue
        length_m = feret_length_px(own) * params.pixel_size_m
        if length_m > params.max_length_m:
            continue
        yield index, window, own, length_m


def _ring(shape: tuple[int, int], box: tuple[int, int, int, int], inner_px: int, outer_px: int | None) -> np.ndarray:
    """Mask of the pixels of an array of ``shape`` that lie outside ``box`` (top, bottom, left, right;
    array coordinates) widened by ``inner_px`` and inside it widened by ``outer_px`` (None: anywhere)."""
    top, bottom, left, right = box

    def widened(margin: int) -> tuple[slice, slice]:
        return (slice(max(top - margin, 0), max(bottom + margin, 0)), slice(max(left - margin, 0), max(right + margin, 0)))

    inside = np.zeros(shape, dtype=bool)
    if outer_px is None:
        inside[:] = True
    else:
        inside[widened(outer_px)] = True
    inside[widened(inner_px)] = False
    return inside


def _background_ring_px(params: CfarParams) -> int:
    """Margin, pixels, by which a target's box is widened into its local background square."""
    guard_margin_px = params.windows_px()[1] // 2
    return max(guard_margin_px + 2, int(round(params.discrimination_window_m / 2 / params.pixel_size_m)))


def _background_window(window: tuple[slice, slice], params: CfarParams, shape: tuple[int, int]) -> tuple[int, ...]:
    """(r0, r1, c0, c1): a target's box widened by :func:`_background_ring_px`, within the scene."""
    ring_px = _background_ring_px(params)
    (top, bottom), (left, right) = (window[0].start, window[0].stop), (window[1].start, window[1].stop)
    return (max(top - ring_px, 0), min(bottom + ring_px, shape[0]),
            max(left - ring_px, 0), min(right + ring_px, shape[1]))


def label_detections(
    mask: np.ndarray,
    co_db,
    cross_db,
    params: CfarParams,
    merge_distance_px: int = MERGE_DISTANCE_PX,
    clutter: ClutterMap | None = None,
    windows: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray, np.ndarray | None]] | None = None,
    noise_db=None,
) -> list[Detection]:
    """Connected components of the mask (8-connected, after closing gaps of ``merge_distance_px``,
    so a ship's bright scatterers make one target) measured on the co- and cross-pol bands.

    ``mask`` is boolean or holds ``CO_BIT``/``CROSS_BIT`` and the extended CFAR's bits (see
    :func:`cfar_mask`); each layer of :data:`MASK_LAYERS` is labelled on its own, so an object the
    extended CFAR found comes back as its own detection (``extended``). Each target is
    measured together with its local background: the median, co- and cross-pol, of a square of
    ``discrimination_window_m`` around it less the object's box widened by half the guard window
    (the median ignores bright neighbours, ridges and other targets in the ring). ``clutter``
    gives the clutter class at the centroid. ``co_db``/``cross_db`` may be numpy arrays or
    anything indexable by 2-D slices (a lazy raster); one window is read per band and target,
    unless ``windows`` already holds it (co-pol, cross-pol and noise floor keyed by
    ``(r0, r1, c0, c1)``, as :func:`scan_scene` keeps them). With ``noise_db``, the cross-pol
    noise floor, the cross-pol peak is judged against its backgrounds over that floor, so that a
    background straddling a sub-swath seam is not taken for a heavy-tailed one; the levels a
    detection reports are the cross-pol as read.
    """
    bits = np.asarray(mask)
    if bits.dtype == bool:
        bits = bits.astype(np.uint8) * CO_BIT
    detections = []
    for layer, extended in MASK_LAYERS:
        layer_bits = bits & layer
        layer_bits >>= 2 if extended else 0  # CO_BIT / CROSS_BIT within the layer
        detections += [_measure(window, own, length_m, layer_bits, extended, co_db, cross_db, params, clutter,
                                windows, noise_db)
                       for window, own, length_m in _scene_objects(layer_bits != 0, merge_distance_px, params)]
    return detections


#: Side, pixels, of the blocks in which :func:`_scene_objects` looks for the mask's occupied regions.
OCCUPANCY_BLOCK_PX = 64


def _scene_objects(present: np.ndarray, merge_distance_px: int, params: CfarParams):
    """(box, own-pixel mask, length in metres) of each object :func:`_sized_components` finds in
    :func:`_components` of a whole scene's mask, in its label order (:func:`_label_order`), labelled
    region by region. The mask is sparse (targets and a few false pixels), while labelling it whole
    takes some 10 bytes a pixel: 7 GB more for a full IW GRDH scene. So the occupied blocks of
    :data:`OCCUPANCY_BLOCK_PX` are grouped into 8-connected regions, and each region's pixels are
    labelled in its own box. Pixels of different regions lie a whole empty block apart, farther than
    any gap a target's pixels are joined across, so the objects are the same."""
    block = max(OCCUPANCY_BLOCK_PX, 2 * merge_distance_px + 1)
    height, width = present.shape
    if not present.any():
        return []
    occupied = np.logical_or.reduceat(np.logical_or.reduceat(present, np.arange(0, height, block), axis=0),
                                      np.arange(0, width, block), axis=1)
    regions, count = ndimage.label(occupied, np.ones((3, 3), dtype=bool))
    found = []
    for index, cells in enumerate(ndimage.find_objects(regions), start=1):
        r0, c0 = cells[0].start * block, cells[1].start * block
        r1, c1 = min(cells[0].stop * block, height), min(cells[1].stop * block, width)
        part = present[r0:r1, c0:c1]
        if count > 1:  # other regions' blocks may lie in this one's box
            own_cells = np.repeat(np.repeat(regions[cells] == index, block, axis=0), block, axis=1)
            part = part & own_cells[: r1 - r0, : c1 - c0]
        for _, window, own, length_m in _sized_components(_components(part, merge_distance_px), params):
            box = (slice(r0 + window[0].start, r0 + window[0].stop), slice(c0 + window[1].start, c0 + window[1].stop))
            found.append((_label_order(box, own, merge_distance_px), box, own, length_m))
    return [(box, own, length_m) for _, box, own, length_m in sorted(found, key=lambda item: item[0])]


def _label_order(box: tuple[slice, slice], own: np.ndarray, merge_distance_px: int) -> tuple[int, int]:
    """Where the object's gap-closed blob starts in raster order (scene coordinates), the order in
    which :func:`_components` on the whole mask numbers objects: its top row, clipped at the scene's
    edge, and the leftmost pixel the closing reaches on that row."""
    rows, cols = np.nonzero(own)
    top = max(box[0].start + int(rows[0]) - merge_distance_px, 0)
    reaching = rows + box[0].start <= top + merge_distance_px
    return top, max(box[1].start + int(cols[reaching].min()) - merge_distance_px, 0)


def _measure(window: tuple[slice, slice], own: np.ndarray, length_m: float, bits: np.ndarray, extended: bool,
             co_db, cross_db, params: CfarParams, clutter: ClutterMap | None,
             windows: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray, np.ndarray | None]] | None,
             noise_db) -> Detection:
    """One object of :func:`label_detections` (its box ``window``, its pixels ``own`` there, the
    mask ``bits`` of its layer) measured on the bands with its backgrounds."""
    shape = bits.shape
    guard_margin_px = params.windows_px()[1] // 2
    rows, cols = np.nonzero(own)
    area = len(rows)
    (top, bottom), (left, right) = (window[0].start, window[0].stop), (window[1].start, window[1].stop)
    r0, r1, c0, c1 = key = _background_window(window, params, shape)
    if windows is not None and key in windows:
        co_read, cross_read, noise_read = windows[key]
    else:
        co_read, cross_read = np.asarray(co_db[r0:r1, c0:c1]), np.asarray(cross_db[r0:r1, c0:c1])
        noise_read = None if noise_db is None else np.asarray(noise_db[r0:r1, c0:c1])
    judged_read = cross_read if noise_read is None else cross_over_noise_db(cross_read, noise_read)
    co_around, cross_around, judged_around = (np.asarray(band, dtype=np.float64)
                                              for band in (co_read, cross_read, judged_read))
    inner = (slice(top - r0, bottom - r0), slice(left - c0, right - c0))
    co, cross = co_around[inner], cross_around[inner]
    ring = _ring(co_around.shape, (top - r0, bottom - r0, left - c0, right - c0), guard_margin_px, None)
    near = _ring(co_around.shape, (top - r0, bottom - r0, left - c0, right - c0), LOCAL_RING_GAP_PX,
                 LOCAL_RING_GAP_PX + LOCAL_RING_WIDTH_PX)
    co_values, cross_values = co[own], cross[own]
    peak = int(np.nanargmax(np.where(own, co, -np.inf)))
    peak_r, peak_c = np.unravel_index(peak, own.shape)
    row, col = float(top + rows.mean()), float(left + cols.mean())
    peak_co, peak_cross = float(np.nanmax(co_values)), float(np.nanmax(cross_values))
    judged_values = judged_around[inner][own]
    judged_values = judged_values[np.isfinite(judged_values)]
    peak_judged = float(judged_values.max()) if judged_values.size else math.nan
    flagged = int(np.bitwise_or.reduce(bits[window][own].astype(np.uint8)))
    near_cross_margins = _k_margins_db(peak_judged, judged_around[near], params, (params.ice_pfa, params.pfa))
    return Detection(
        row=row,
        col=col,
        area_px=area,
        length_m=round(length_m, 1),
        peak_co_db=peak_co,
        mean_co_db=float(10 * np.log10(np.nanmean(10 ** (co_values / 10)))),
        mean_cross_db=float(10 * np.log10(np.nanmean(10 ** (cross_values / 10)))),
        peak_row=int(top + peak_r),
        peak_col=int(left + peak_c),
        in_sea_ice=clutter.at(row, col)[0] if clutter is not None else False,
        background_co_db=_median_or_nan(co_around[ring]),
        background_cross_db=_median_or_nan(cross_around[ring]),
        peak_cross_db=peak_cross,
        k_margin_db=max(_k_margin_db(peak_co, co_around[ring], params),
                        _k_margin_db(peak_judged, judged_around[ring], params), key=_nan_lowest),
        local_cross_margin_db=near_cross_margins[0],
        local_cross_cfar_margin_db=near_cross_margins[1],
        local_co_margin_db=_k_margin_db(peak_co, co_around[near], params),
        channels=_CHANNELS.get(flagged, "co"),
        extended=extended,
    )


@dataclass
class SceneScan:
    """What one pass over the scene's chunks yields (see :func:`scan_scene`)."""

    mask: np.ndarray  # uint8, CO_BIT / CROSS_BIT / EXTENDED_CO_BIT / EXTENDED_CROSS_BIT
    #: Cell means of co- and cross-pol, dB, for the clutter classes (None unless asked for).
    co_cells_db: np.ndarray | None
    cross_cells_db: np.ndarray | None
    #: Co-pol, cross-pol and noise-floor values (dB, as read; no noise without the band) of the
    #: background windows of the targets found.
    windows: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray, np.ndarray | None]]
    #: Cell means of the cross-pol noise floor, dB (None unless asked for and the scene has it).
    noise_cells_db: np.ndarray | None = None


def _scan_reach_px(params: CfarParams) -> int:
    """How far beyond a chunk its scan must see the CFAR mask to measure every target anchored in
    it: a target up to ``max_length_m`` long, gaps it closes, and its background window's margin."""
    return _background_ring_px(params) + math.ceil(params.max_length_m / params.pixel_size_m) + MERGE_DISTANCE_PX + 1


def _axis_chunks(length: int, chunk: int, least: int) -> tuple[int, ...]:
    """Chunk sizes along an axis: ``chunk`` each, a last remainder shorter than ``least`` joined to
    the chunk before it (every chunk but a lone one is then at least the overlap depth)."""
    sizes = [chunk] * (length // chunk)
    remainder = length % chunk
    if remainder and sizes and remainder < least:
        sizes[-1] += remainder
    elif remainder:
        sizes.append(remainder)
    return tuple(sizes)


def cross_over_noise_db(cross_db: np.ndarray, noise_db: np.ndarray) -> np.ndarray:
    """Cross-pol sigma0 over its noise floor, dB; NaN where the floor is unknown (a hole in a
    user's noise band). The cross-pol CFAR and tests skip those pixels, as they skip pixels
    outside the swath: falling back to the cross-pol there would put a step of some 25 dB into
    the rings at the hole's edge."""
    return cross_db - noise_db


def _scan_block(co_ext: np.ndarray, cross_ext: np.ndarray, noise_ext: np.ndarray | None, origin: tuple[int, int],
                depth: tuple[int, int], size: tuple[int, int], params: CfarParams, shape: tuple[int, int],
                cell_px: int | None):
    """One chunk of :func:`scan_scene`, given with ``depth`` pixels of its neighbours (NaN outside
    the scene): its mask bits, its cell means and the background windows of the targets whose box
    starts in it (targets measured by a neighbour, or too small or long, are left out)."""
    (d0, d1), (h, w) = depth, size
    interior = (slice(d0, d0 + h), slice(d1, d1 + w))
    judged_ext = cross_ext if noise_ext is None else cross_over_noise_db(cross_ext, noise_ext)
    bits = cfar_bits(co_ext, judged_ext, params, (origin[0] - d0, origin[1] - d1))
    cells = None
    if cell_px is not None:
        cells = tuple(None if band is None else block_cell_means_db(band[interior], cell_px)
                      for band in (co_ext, cross_ext, noise_ext))
    top_ext, left_ext = origin[0] - d0, origin[1] - d1  # scene position of the extended block's corner
    windows = {}
    boxes = [box for layer, _ in MASK_LAYERS
             for _, box, _, _ in _sized_components(_components((bits & layer) != 0, MERGE_DISTANCE_PX), params)]
    for box in boxes:
        if not (d0 <= box[0].start < d0 + h and d1 <= box[1].start < d1 + w):
            continue
        scene_box = (slice(box[0].start + top_ext, box[0].stop + top_ext),
                     slice(box[1].start + left_ext, box[1].stop + left_ext))
        r0, r1, c0, c1 = key = _background_window(scene_box, params, shape)
        local = (slice(r0 - top_ext, r1 - top_ext), slice(c0 - left_ext, c1 - left_ext))
        if local[0].start >= 0 and local[1].start >= 0 and local[0].stop <= co_ext.shape[0] \
                and local[1].stop <= co_ext.shape[1]:
            windows[key] = tuple(None if band is None else band[local].copy() for band in (co_ext, cross_ext, noise_ext))
    return bits[interior], cells, windows


def scan_scene(co_db, cross_db, params: CfarParams, chunk_px: int = 2048, scheduler: str = "threads",
               cell_px: int | None = None, noise_db=None, threads: int | None = None) -> SceneScan:
    """The whole scene's CFAR mask, cell means and target windows from a single read of each band.

    Reading and decoding the raster is the dearest part of detection, so every chunk is read once
    (Dask shares it with its neighbours' overlaps) and everything later steps need is taken from it:
    the mask bits (co- and cross-pol CFAR, as :func:`cfar_mask` of the cross-pol over its noise
    floor where ``noise_db`` is given), with ``cell_px`` the cell means of
    both bands for the clutter classes (chunks are then whole cells, as in
    :func:`sar.clutter.cell_means_db`), and the bands around each target the chunk's own mask shows,
    so that :func:`label_detections` need not read the scene again. The overlap reaches beyond the
    CFAR halo by :func:`_scan_reach_px`; a target the scan could not see whole is read from the
    bands later. Memory: a few chunks, the mask (one byte a pixel) and the targets' windows.

    ``noise_db``, the cross-pol noise floor where the scene has it, is read with the bands: the
    cross-pol CFAR then runs on the cross-pol over its floor. Open water's cross-pol is the noise
    floor's speckle, and the floor steps by several dB between sub-swaths: a ring straddling a step
    would take the noisier side's level for a target's background on the quieter side. The windows
    kept for measurement are the cross-pol as read.

    ``threads``: how many chunks are scanned at once (None: a core each). A chunk of a 10 m scene
    with its halo holds some 2,850 px square in a dozen float64 arrays, so this bounds the memory too.
    """
    height, width = (int(n) for n in co_db.shape)
    depth = params.halo_px + _scan_reach_px(params)
    chunk = max(chunk_px, depth)
    if cell_px is not None:
        chunk = cell_chunk_px(cell_px, chunk)
        chunk += cell_px if chunk < depth else 0
    chunks = (_axis_chunks(height, chunk, depth), _axis_chunks(width, chunk, depth))
    depths = (min(depth, *chunks[0]), min(depth, *chunks[1]))

    def extended(band) -> da.Array:
        array = band.rechunk(chunks) if isinstance(band, da.Array) else da.from_array(band, chunks=chunks, asarray=False)
        return da.overlap.overlap(array, depth=dict(enumerate(depths)), boundary={0: np.nan, 1: np.nan})

    co_blocks, cross_blocks = extended(co_db).to_delayed(), extended(cross_db).to_delayed()
    noise_blocks = None if noise_db is None else extended(noise_db).to_delayed()
    starts = _chunk_starts(chunks)
    scan = dask.delayed(_scan_block, pure=True)
    tasks = [[scan(co_blocks[i, j], cross_blocks[i, j], None if noise_blocks is None else noise_blocks[i, j],
                   (int(starts[0][i]), int(starts[1][j])), depths, (rows, cols), params, (height, width), cell_px)
              for j, cols in enumerate(chunks[1])] for i, rows in enumerate(chunks[0])]
    results = dask.compute(tasks, scheduler=scheduler, num_workers=threads)[0]
    mask = np.block([[bits for bits, _, _ in row] for row in results])
    windows = {key: values for row in results for _, _, found in row for key, values in found.items()}
    if cell_px is None:
        return SceneScan(mask, None, None, windows)
    co_cells, cross_cells, noise_cells = (
        None if results[0][0][1][band] is None else np.block([[cells[band] for _, cells, _ in row] for row in results])
        for band in range(3)
    )
    return SceneScan(mask, co_cells, cross_cells, windows, noise_cells)


def _nan_lowest(value: float) -> float:
    return value if np.isfinite(value) else -math.inf


def _median_or_nan(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else math.nan


def passes_background_test(detection: Detection, params: CfarParams) -> bool:
    """Whether a detection is a target rather than clutter texture, where that needs judging.

    The pixel CFAR's 800 m ring holds too few independent samples of ice, whose texture is
    correlated over a hundred metres or more, to know its tail: bright floes and ridges pass it.
    In sea ice a detection is therefore kept only when its peak, in co- or cross-pol, exceeds the
    threshold at ``ice_pfa`` of a K distribution fitted (log-cumulants) to a ``discrimination_window_m``
    square of its own background by at least ``ice_margin_db``. Icebergs (volume scattering, bright
    in cross-pol where level ice is dark) and ships (dihedrals) clear it by 5-15 dB.

    Small icebergs and ships in bright or spiky ice do not: a 2 km square of deformed ice holds
    ridges as bright as they are. With ``local_ice_test`` such a detection is kept when its peak
    is within ``ice_margin_db`` of that threshold and it stands out from the ring just outside it,
    where a compact target has dropped to the ice level within a resolution cell or two while a
    bright floe or ridge, correlated over hundreds of metres, has not. Icebergs stand out in
    cross-pol: the detection is kept when it is more cross-polarised than its background
    (``depolarisation_excess_db`` > 0: glacial ice scatters from its volume, while the bright spots
    of sea-ice texture are bright in HH at least as much as in HV) and its cross-pol peak clears,
    by ``ice_margin_db``, the K threshold at ``ice_pfa`` of that ring. Ships (dihedrals, less
    depolarising than ice) stand out in co-pol: the detection is kept when its co-pol peak clears
    the co-pol ring's threshold by ``ship_in_ice_margin_db`` and the co-pol CFAR flagged it. A cross-pol peak over its ring without
    the depolarisation is how an HH-bright texture spot shows, and is not enough.

    In open water the test judges only what one CFAR alone flagged: the co-pol
    (``co_only_background_test``, with the margin) or the cross-pol (``cross_only_background_test``,
    without it: clusters of at most ``min_area_px`` against the 2 km background, larger ones against
    the ring just around them at the CFAR's own ``pfa``); the rest is kept. Without the clutter class (``sea_ice_aware=False``)
    every such detection is judged so, wherever it lies.
    """
    if detection.extended and min(detection.mean_co_db - detection.background_co_db,
                                  detection.mean_cross_db - detection.background_cross_db) < params.extended_contrast_db:
        return False  # NaN (no background: swath edge) compares False and keeps it
    in_ice = params.sea_ice_aware and detection.in_sea_ice
    co_only = params.co_only_background_test and params.cross_pol_cfar and detection.channels == "co"
    cross_only = params.cross_only_background_test and detection.channels == "cross"
    if cross_only and not in_ice and detection.area_px > params.min_area_px:
        return not detection.local_cross_cfar_margin_db < 0.0  # NaN (no ring: swath edge) keeps it
    if not (in_ice or co_only or cross_only) or not np.isfinite(detection.k_margin_db):
        return True  # nothing to judge, or no background to judge against (swath edge): keep
    if detection.k_margin_db >= (params.ice_margin_db if in_ice or co_only else 0.0):
        return True
    if not (in_ice and params.local_ice_test and detection.k_margin_db >= -params.ice_margin_db):
        return False
    depolarising_and_compact = (detection.depolarisation_excess_db > 0.0
                                and detection.local_cross_margin_db >= params.ice_margin_db)
    compact_in_co_pol = "co" in detection.channels and detection.local_co_margin_db >= params.ship_in_ice_margin_db
    return bool(depolarising_and_compact or compact_in_co_pol)


@dataclass(frozen=True)
class _GhostSearch:
    """Where to look for each detection's ghost source: between ``shortest_px`` and ``longest_px``
    (per detection) along azimuth, within ``tolerance_px``; the unit vectors along azimuth and along
    range in (row, col) (rows grow downwards)."""

    shortest_px: np.ndarray
    longest_px: np.ndarray
    tolerance_px: float
    along: tuple[float, float]
    across: tuple[float, float]


def _ghost_search(detections: list[Detection], params: CfarParams, ambiguity: AmbiguityField | None) -> _GhostSearch:
    """The first azimuth ambiguity's displacement at each detection: the scene's (``ambiguity``) where
    it is known, ``params.azimuth_ambiguity_m`` elsewhere."""
    if ambiguity is None:
        shortest = longest = np.full(len(detections), params.azimuth_ambiguity_m)
    else:
        shortest, longest = ambiguity.at([d.row for d in detections], [d.col for d in detections])
    bearing = math.radians(params.azimuth_bearing_deg)
    return _GhostSearch(np.asarray(shortest) / params.pixel_size_m, np.asarray(longest) / params.pixel_size_m,
                        max(2.0, 300.0 / params.pixel_size_m), (-math.cos(bearing), math.sin(bearing)),
                        (math.sin(bearing), math.cos(bearing)))


#: A masked source casts a ghost worth dropping when it is a point scatterer this far above the
#: masked pixels around it (a harbour crane or a building on land, not bright terrain, whose
#: speckled maxima stand some 10-15 dB above its median)...
MASKED_SOURCE_PROMINENCE_DB = 20.0
#: ...and this far above the detection: Sentinel-1's azimuth ambiguity-to-signal ratio is -22 dB or
#: better (ESA's mission requirement), less a margin for the ghost's own speckle.
MASKED_SOURCE_CONTRAST_DB = 18.0


def drop_ghosts_of_masked_sources(detections: list[Detection], co_db, masked, params: CfarParams,
                                  ambiguity: AmbiguityField | None = None) -> list[Detection]:
    """Remove ghosts of sources the detector never looked at because they were masked (land: a
    harbour, a cliff facing the radar): a detection :data:`MASKED_SOURCE_CONTRAST_DB` or more dimmer
    than a masked point scatterer (:data:`MASKED_SOURCE_PROMINENCE_DB` above the masked pixels around
    it) of the scene as it is (``co_db``, not masked) one ambiguity distance away along azimuth at the
    same range (``ambiguity``'s displacement where the scene has one, see :func:`drop_azimuth_ambiguities`).
    ``masked(rows, cols)`` says which pixels of a window were masked."""
    if params.azimuth_ambiguity_m <= 0 or not detections:
        return detections
    search = _ghost_search(detections, params, ambiguity)
    along = search.along
    height, width = (int(n) for n in co_db.shape)
    reach = int(math.ceil(search.tolerance_px))
    kept = []
    for d, shortest, longest in zip(detections, search.shortest_px, search.longest_px, strict=True):
        brightest = -math.inf
        # Windows of the tolerance's width, stepped over the interval the ghost's source may lie in.
        steps = max(1, int(math.ceil((longest - shortest) / max(reach, 1))))
        offsets = np.linspace(shortest, longest, steps + 1) if longest > shortest else [shortest]
        for offset_px, sign in ((o, s) for o in offsets for s in (1.0, -1.0)):
            row, col = int(round(d.row + sign * offset_px * along[0])), int(round(d.col + sign * offset_px * along[1]))
            rows = slice(max(row - reach, 0), min(row + reach + 1, height))
            cols = slice(max(col - reach, 0), min(col + reach + 1, width))
            if rows.start >= rows.stop or cols.start >= cols.stop:
                continue
            source = masked(rows, cols)
            if source.any():
                values = np.asarray(co_db[rows, cols], dtype=np.float64)[source]
                values = values[np.isfinite(values)]
                if values.size and values.max() - np.median(values) >= MASKED_SOURCE_PROMINENCE_DB:
                    brightest = max(brightest, float(values.max()))
        if brightest - d.peak_co_db < MASKED_SOURCE_CONTRAST_DB:
            kept.append(d)
    return kept


def drop_azimuth_ambiguities(detections: list[Detection], params: CfarParams,
                             ambiguity: AmbiguityField | None = None) -> list[Detection]:
    """Remove ghosts: a detection much dimmer than another one displaced by the first azimuth
    ambiguity's distance along azimuth (``params.azimuth_bearing_deg`` in the grid; rows at 0) at the
    same range. The distance is the scene's own at the detection (``ambiguity``, from its annotation:
    it changes with slant range and sub-swath), or ``params.azimuth_ambiguity_m`` where the scene has
    none; where the annotation leaves an interval, any distance in it."""
    if params.azimuth_ambiguity_m <= 0 or len(detections) < 2:
        return detections
    search = _ghost_search(detections, params, ambiguity)
    along_track, across_track, tolerance = search.along, search.across, search.tolerance_px
    rows = np.array([d.row for d in detections])
    cols = np.array([d.col for d in detections])
    peaks = np.array([d.peak_co_db for d in detections])
    kept = []
    for d, shortest, longest in zip(detections, search.shortest_px, search.longest_px, strict=True):
        d_row, d_col = rows - d.row, cols - d.col
        along = np.abs(d_row * along_track[0] + d_col * along_track[1])
        displaced = (along >= shortest - tolerance) & (along <= longest + tolerance)
        same_range = np.abs(d_row * across_track[0] + d_col * across_track[1]) <= tolerance
        brighter = peaks - d.peak_co_db >= params.ambiguity_contrast_db
        if not np.any(displaced & same_range & brighter):
            kept.append(d)
    return kept


def detect(
    co_db,
    cross_db,
    params: CfarParams,
    chunk_px: int = 2048,
    scheduler: str = "threads",
    clutter: ClutterMap | None = None,
    noise_db=None,
    land: LandMask | None = None,
    ambiguity: AmbiguityField | None = None,
    threads: int | None = None,
) -> list[Detection]:
    """CFAR over the scene (Dask, chunked), labelled targets, size, sea-ice and ambiguity discrimination.

    ``land`` (:class:`~.land.LandMask` of the scene) is left out: its pixels read as no data, so
    nothing is detected on it and none enters a background, and ghosts its bright points cast onto
    the sea are dropped (:func:`drop_ghosts_of_masked_sources`). ``ambiguity`` is the scene's
    azimuth ambiguity displacement (:mod:`sar.ambiguity`, from a SAFE product's annotation); without
    it ghosts are looked for at ``params.azimuth_ambiguity_m``.

    With ``params.sea_ice_aware`` the clutter class of the scene is estimated first (unless
    ``clutter`` is given, see :mod:`sar.clutter`; ``noise_db``, the cross-pol noise floor where the
    scene has it, shapes the cross-pol floor the classes are told by) and detections in sea ice
    must pass :func:`passes_background_test`, as must open-water detections that only one CFAR
    flagged. The cross-pol CFAR runs on the cross-pol over ``noise_db`` where it is given. Mask,
    clutter cells and the targets' windows come from one read of the scene and of its noise band
    (:func:`scan_scene`). The bands may be
    numpy arrays or lazy raster bands. The chunks run on local threads: inside a job task this
    process's cores do the work, without sending sub-tasks back to the cluster; ``threads`` of them
    (:func:`scan_scene`; None: every core).
    """
    scene_co_db = co_db
    if land is not None:
        co_db, cross_db = LandMaskedBand(co_db, land), None if cross_db is None else LandMaskedBand(cross_db, land)
    clutter_params = params.clutter_params()
    classify = params.sea_ice_aware and clutter is None
    if not params.judges_cross_pol:
        noise_db = None  # the plain co-pol detector
    scan = scan_scene(co_db, cross_db, params, chunk_px, scheduler, clutter_params.cell_px if classify else None,
                      noise_db, threads)
    if classify:
        shape = (int(co_db.shape[0]), int(co_db.shape[1]))
        clutter = classify_cells(scan.co_cells_db, scan.cross_cells_db, clutter_params, shape, scan.noise_cells_db)
    detections = label_detections(scan.mask, co_db, cross_db, params, clutter=clutter, windows=scan.windows,
                                  noise_db=noise_db)
    detections = [d for d in detections if passes_background_test(d, params)]
    detections = drop_azimuth_ambiguities(join_extended_detections(detections, params), params, ambiguity)
    if land is None:
        return detections
    return drop_ghosts_of_masked_sources(detections, scene_co_db, land.window, params, ambiguity)


def join_extended_detections(detections: list[Detection], params: CfarParams) -> list[Detection]:
    """The pixel CFARs' detections with the extended CFAR's: an extended detection that holds none
    of the former (none within half its length and the gap closed between a target's pixels) is a
    new object; one that holds some replaces them when it is longer than the longest of them by more
    than its box (the pixel CFAR saw a part of a large object, a few bright facets of a 450 m berg);
    otherwise they stand (a long ship is the pixel CFAR's)."""
    found = [d for d in detections if not d.extended]
    joined = []
    for extended in (d for d in detections if d.extended):
        reach_px = extended.length_m / params.pixel_size_m / 2 + MERGE_DISTANCE_PX
        held = [d for d in found if math.hypot(d.row - extended.row, d.col - extended.col) <= reach_px]
        if not held or extended.length_m > max(d.length_m for d in held) + params.extended_box_m:
            found = [d for d in found if not any(d is h for h in held)]
            joined.append(extended)
    return found + joined


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


#: A detection finds a true target when it lies within this many pixels of the target's centre plus
#: half the target's length (:func:`truth_reach_px`).
MATCH_RADIUS_PX = 4.0


def truth_reach_px(lengths_m, pixel_size_m: float, match_radius_px: float = MATCH_RADIUS_PX) -> np.ndarray:
    """How far from each true target's centre, pixels, a detection still finds it."""
    return match_radius_px + np.asarray(lengths_m, dtype=float) / pixel_size_m / 2


def reach_fractions(row: float, col: float, truth_rows: np.ndarray, truth_cols: np.ndarray,
                    reach_px: np.ndarray) -> np.ndarray:
    """How far a detection at (``row``, ``col``) lies from each true target, as a fraction of that
    target's reach: at most 1 where the detection finds it."""
    return np.hypot(np.asarray(truth_rows) - row, np.asarray(truth_cols) - col) / reach_px


def nearest_match(row: float, col: float, truth_rows: np.ndarray, truth_cols: np.ndarray,
                  reach_px: np.ndarray) -> int | None:
    """The index of the true target a detection at (``row``, ``col``) finds: of those within their
    reach, the nearest relative to its reach; None for a false alarm."""
    relative = reach_fractions(row, col, truth_rows, truth_cols, reach_px)
    if not relative.size:
        return None
    nearest = int(np.argmin(relative))
    return nearest if relative[nearest] <= 1.0 else None


def score_against_truth(
    detections: list[Detection],
    truth_rows_cols_lengths: list[tuple[int, int, float]],
    pixel_size_m: float,
    open_water: np.ndarray,
    match_radius_px: float = MATCH_RADIUS_PX,
) -> DetectionScore:
    """Recall of targets longer than two pixels, and unmatched detections over open water. A
    detection finds every target within its reach (:func:`reach_fractions`), so one detection of two
    targets side by side counts for both; a false alarm is one that finds none (as in
    :func:`nearest_match`)."""
    truth = np.asarray([(r, c) for r, c, _ in truth_rows_cols_lengths], dtype=float).reshape(-1, 2)
    lengths = np.asarray([length for _, _, length in truth_rows_cols_lengths], dtype=float)
    reach = truth_reach_px(lengths, pixel_size_m, match_radius_px)
    found = np.zeros(len(truth), dtype=bool)
    false_alarms = 0
    for d in detections:
        if len(truth):
            hit = reach_fractions(d.row, d.col, truth[:, 0], truth[:, 1], reach) <= 1.0
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
