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

#: The summary features of a patch (sigma0 in dB, angle in degrees).
FEATURES = ("hh_median_db", "hv_median_db", "hh_peak_db", "hv_peak_db", "inc_angle_deg")
#: PSI above this flags drift.
PSI_DRIFT = 0.25
#: Bins of a reference profile (quantiles of the training part, so each holds about the same share).
N_BINS = 10
#: A bin share below this counts as this in the PSI (an empty bin would make it infinite).
MIN_SHARE = 1e-3


def patch_features(arrays: PatchArrays) -> dict[str, np.ndarray]:
    """The summary features of every patch (band_1 is HH, band_2 HV; NaN angle where unknown)."""
    hh = arrays.images[:, arrays.channels.index("band_1")].reshape(len(arrays), -1)
    hv = arrays.images[:, arrays.channels.index("band_2")].reshape(len(arrays), -1)
    return {
        "hh_median_db": np.median(hh, axis=1),
        "hv_median_db": np.median(hv, axis=1),
        "hh_peak_db": hh.max(axis=1),
        "hv_peak_db": hv.max(axis=1),
        "inc_angle_deg": arrays.inc_angle_deg.astype(np.float64),
    }


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
