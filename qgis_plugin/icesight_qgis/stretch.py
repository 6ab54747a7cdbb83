"""The grey stretch of a sigma0 band in dB: 2-98 %, taken per surface.

A plain 2-98 % cumulative cut takes its limits from whichever surface covers most of the scene.
In a scene that is three quarters open water, the 98 % point falls inside the sea ice's own range
of backscatter, so every ice pixel above it is drawn pure white and the ice loses its texture
(floes, ridges, leads are what an analyst reads). Here the dB histogram is first split into its
darker and brighter surface where the two separate best (Otsu's threshold: open water and sea ice
when both are there, the lower and upper half of one surface otherwise); the stretch runs from
the 2 % point of the darker surface to the 98 % point of the brighter one. Open water stays dark,
sea ice keeps its texture, and ships and icebergs (a few bright pixels) still saturate.

Plain numpy: the caller reads the band (see ``scene_layers.band_sample``).
"""

from __future__ import annotations

import numpy as np

#: The stretch's percentiles: the low one of the darker surface, the high one of the brighter.
SIGMA0_STRETCH_PERCENTILES = (2.0, 98.0)
#: The share of the brightest and darkest pixels left out when splitting the histogram (point
#: targets, swath-edge fringes), in percent at each end.
_SPLIT_TAIL_PERCENT = 0.1
_SPLIT_BINS = 256
#: Fewer valid pixels than this: no histogram to split, the band's minimum and maximum are used.
_MIN_PIXELS = 100


def surface_split(values: np.ndarray) -> float:
    """The dB value that best separates the darker from the brighter pixels (Otsu's threshold:
    the largest variance between the two groups)."""
    low, high = np.percentile(values, [_SPLIT_TAIL_PERCENT, 100.0 - _SPLIT_TAIL_PERCENT])
    core = values[(values >= low) & (values <= high)]
    counts, edges = np.histogram(core, bins=_SPLIT_BINS, range=(float(low), float(high)))
    centres = (edges[:-1] + edges[1:]) / 2
    below = np.cumsum(counts)
    above = below[-1] - below
    below_sum = np.cumsum(counts * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (below_sum[-1] * below / below[-1] - below_sum) ** 2 / (below * above)
    between[~np.isfinite(between)] = 0.0
    return float(edges[int(np.argmax(between)) + 1])


def sigma0_stretch(values: np.ndarray) -> tuple[float, float]:
    """The grey limits (dB) of a sigma0 band from its pixel ``values`` (NaN = no data): the low
    percentile of the darker surface to the high percentile of the brighter one."""
    finite = np.asarray(values, dtype=np.float64).ravel()
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        raise ValueError("the band has no valid pixel to stretch")
    if finite.size < _MIN_PIXELS or float(finite.min()) == float(finite.max()):
        low, high = float(finite.min()), float(finite.max())
    else:
        split = surface_split(finite)
        darker, brighter = finite[finite <= split], finite[finite > split]
        low = float(np.percentile(darker if darker.size else finite, SIGMA0_STRETCH_PERCENTILES[0]))
        high = float(np.percentile(brighter if brighter.size else finite, SIGMA0_STRETCH_PERCENTILES[1]))
    if high <= low:  # a flat band: any non-empty range draws it mid-grey rather than failing
        high = low + 1.0
    return low, high
