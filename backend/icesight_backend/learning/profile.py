"""Input profiles for monitoring: a few summary statistics per patch, their distribution over a
model's training part, and the population stability index (PSI) of new inputs against it.

The statistics are what an analyst would look at to see that the inputs changed: the clutter and
the target brightness in each band, and the incidence angle. PSI compares binned distributions:
``sum((p_new - p_ref) * ln(p_new / p_ref))``; by the usual reading, under 0.1 no shift, 0.1-0.25 a
moderate one, above 0.25 a significant one (:data:`PSI_DRIFT`).
"""

from __future__ import annotations

import numpy as np

from .data import PatchArrays

#: The summary features of a patch (sigma0 in dB, angle in degrees; see :func:`patch_features`).
FEATURES = ("hh_median_db", "hv_median_db", "hh_peak_db", "hv_peak_db", "inc_angle_deg", "hh_border_nv",
            "hh_peak_spread_px")
#: What each feature is, in an analyst's words (the monitoring report gives them with the figures).
FEATURE_LABELS = {
    "hh_median_db": "HH clutter level",
    "hv_median_db": "HV clutter level",
    "hh_peak_db": "HH target brightness",
    "hv_peak_db": "HV target brightness",
    "inc_angle_deg": "incidence angle",
    "hh_border_nv": "speckle and texture of the HH clutter (fewer looks raise it)",
    "hh_peak_spread_px": "size of the brightest spot (the product's resolution, the targets' size)",
}
#: Width of the patch's outer frame, pixels, over which the clutter's variance is measured.
BORDER_PX = 12
#: Half-width of the window around the brightest pixel in which its spread is counted, pixels.
PEAK_WINDOW_PX = 4
#: PSI above this flags drift.
PSI_DRIFT = 0.25
#: Bins of a reference profile (quantiles of the training part, so each holds about the same share).
N_BINS = 10
#: A bin share below this counts as this in the PSI (an empty bin would make it infinite).
MIN_SHARE = 1e-3


def patch_features(arrays: PatchArrays) -> dict[str, np.ndarray]:
    """The summary features of every patch (band_1 is HH, band_2 HV; NaN angle where unknown).

    Besides levels and angle, two that the classifier is sensitive to and a calibration check
    would not see (docs/simulator.md, "stress sets"): ``hh_border_nv``, the normalised variance
    of the HH intensity over the patch's outer frame (speckle and texture: coarser speckle, fewer
    looks, raises it), and ``hh_peak_spread_px``, how many pixels of the window around the HH peak
    lie within 3 dB of it (the impulse response's width and the target's size: a sharper or a
    blurred product moves it)."""
    images_hh = arrays.images[:, arrays.channels.index("band_1")]
    hh = images_hh.reshape(len(arrays), -1)
    hv = arrays.images[:, arrays.channels.index("band_2")].reshape(len(arrays), -1)
    frame = np.ones(images_hh.shape[1:], dtype=bool)
    frame[BORDER_PX:-BORDER_PX, BORDER_PX:-BORDER_PX] = False
    border = np.power(10.0, images_hh[:, frame].astype(np.float64) / 10.0)
    return {
        "hh_median_db": np.median(hh, axis=1),
        "hv_median_db": np.median(hv, axis=1),
        "hh_peak_db": hh.max(axis=1),
        "hv_peak_db": hv.max(axis=1),
        "inc_angle_deg": arrays.inc_angle_deg.astype(np.float64),
        "hh_border_nv": border.var(axis=1) / border.mean(axis=1) ** 2,
        "hh_peak_spread_px": _peak_spread_px(images_hh),
    }


def _peak_spread_px(images_db: np.ndarray) -> np.ndarray:
    """Per patch, the pixels within 3 dB of the brightest one in the window of half-width
    :data:`PEAK_WINDOW_PX` around it (the window clipped at the patch's edges); NaN for a patch with
    a value that is not finite."""
    n, height, width = images_db.shape
    peaks = np.argmax(images_db.reshape(n, -1), axis=1)
    spread = np.empty(n, dtype=np.float64)
    finite = np.isfinite(images_db).all(axis=(1, 2))
    for i, (row, col) in enumerate(zip(*np.unravel_index(peaks, (height, width)), strict=True)):
        if not finite[i]:
            spread[i] = np.nan
            continue
        window = images_db[i, max(row - PEAK_WINDOW_PX, 0) : row + PEAK_WINDOW_PX + 1,
                           max(col - PEAK_WINDOW_PX, 0) : col + PEAK_WINDOW_PX + 1]
        spread[i] = np.count_nonzero(window >= images_db[i, row, col] - 3.0)
    return spread


def reference_profile(arrays: PatchArrays) -> dict[str, dict[str, list[float]]]:
    """Per feature: inner bin edges at the training part's deciles and the share in each bin."""
    profile = {}
    for name, values in patch_features(arrays).items():
        known = values[np.isfinite(values)]
        if known.size < N_BINS:
            continue
        edges = np.unique(np.quantile(known, np.linspace(0, 1, N_BINS + 1)[1:-1]))
        counts = np.bincount(np.searchsorted(edges, known, side="right"), minlength=len(edges) + 1)
        profile[name] = {"edges": [float(e) for e in edges], "shares": [float(c) for c in counts / counts.sum()]}
    return profile


def psi(reference: dict[str, list[float]], values: np.ndarray) -> float | None:
    """Population stability index of ``values`` against one feature's reference profile; None when
    there are no finite values."""
    known = np.asarray(values, dtype=np.float64)
    known = known[np.isfinite(known)]
    if known.size == 0:
        return None
    edges = np.asarray(reference["edges"])
    counts = np.bincount(np.searchsorted(edges, known, side="right"), minlength=len(edges) + 1)
    new = np.maximum(counts / counts.sum(), MIN_SHARE)
    ref = np.maximum(np.asarray(reference["shares"]), MIN_SHARE)
    return float(np.sum((new - ref) * np.log(new / ref)))
