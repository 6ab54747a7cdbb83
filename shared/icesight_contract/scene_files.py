"""How a scene file an analyst brings is read: the rules the backend's ingest and the plugin's patch
cutting share, so that a file reads the same on the map as in the catalog.

A scene file holds a co- and a cross-pol sigma0 band (dB or linear power). Which is which is what
the band descriptions name (HH and HV, or VV and VH, in any order: SNAP writes VH before VV), else
bands 1 and 2 with the brighter taken as the co-pol: over sea and sea ice the cross-pol lies 5-20 dB
below it (HV/HH of -8 dB and less on ice, about -20 dB on open water at mid incidence).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from .constants import INC_ANGLE_MAX_DEG, INC_ANGLE_MIN_DEG

#: A polarisation channel named within a band description (``Sigma0_VV``, ``HH_sigma0_db``, ``Band 2: VH``).
POLARISATION = re.compile(r"(?<![A-Za-z])(HH|HV|VV|VH)(?![A-Za-z])", re.IGNORECASE)
#: The cross-pol channel of each dual-pol pair, by its co-pol channel.
CROSS_POL = {"HH": "HV", "VV": "VH"}
#: Ending of the description of the optional band holding the cross-pol noise floor (NESZ, dB).
NESZ_BAND_SUFFIX = "_nesz_db"
#: How much dimmer (median, dB) band 1 must be than band 2, neither named, for band 2 to be taken as
#: the co-pol: the cross-pol lies 5-20 dB below the co-pol, so 3 dB leaves no doubt.
SWAPPED_PAIR_DB = 3.0
#: How far a grid's map scale (map metres per ground metre, along its rows and along its columns) may
#: depart from 1 for its pixels to be taken as ground pixels. Windows, lengths and the model's pixel
#: size are all read in pixels, so a grid whose metres are not the ground's misreads each of them by
#: that factor: SNAP's default map, WGS84 degrees, has pixels 3.4 m east-west for 10 m north-south at
#: 70 degrees N; Web Mercator there has 2.9 map metres to the ground metre (a map metre is 0.34 m on
#: the ground). Polar stereographic (EPSG:3413, 3031) stays within 5 % from 58 degrees to the pole,
#: and UTM within 0.1 % in its zone.
MAP_SCALE_TOLERANCE = 0.05
#: The median a co- or cross-pol sigma0 band may have, in dB and in linear power: sea and sea ice
#: lie about -35 to 5 dB. A median outside is not calibrated sigma0 (digital numbers, amplitude, or
#: the wrong units declared).
SIGMA0_MEDIAN_DB = (-45.0, 15.0)
SIGMA0_MEDIAN_LINEAR = (1e-5, 3.0)
#: What a scene file's sigma0 band holds where it has no data and declares no no-data value: 0 (the
#: fill of SNAP's exports and of a warp without a no-data value). Exactly 0 is no measured sigma0 in
#: either units (power is never exactly 0, and 0 dB never exactly), so it is read as no data and left
#: out of every judgement of a band (which band is the co-pol, its units, its median).
SIGMA0_FILL = 0.0
#: Words marking a band description as a quantity derived from a channel rather than its sigma0.
_DERIVED = ("ratio", "div", "diff")
#: What a band description naming the incidence angle holds (``incidence_angle``, SNAP's
#: ``incidenceAngleFromEllipsoid``, ``incident_angle``).
INCIDENCE_DESCRIPTION = "incid"


def described_channels(descriptions: Sequence[str]) -> dict[str, int]:
    """The (1-based) band each polarisation channel's description names, noise-floor bands left out.
    Where two bands name one channel, one naming that channel alone is taken over one naming two (a
    ratio, ``Sigma0_VH_div_Sigma0_VV``), then one not named as derived (``Sigma0_HV_ratio``), then one
    naming sigma0 over another (``Gamma0_VV``), then the first."""
    def rank(description: str) -> tuple[bool, bool, bool]:
        lowered = description.lower()
        return (len(POLARISATION.findall(description)) == 1, not any(word in lowered for word in _DERIVED),
                "sigma0" in lowered)

    channels: dict[str, int] = {}
    for index, description in enumerate(descriptions, start=1):
        if description.lower().endswith(NESZ_BAND_SUFFIX):
            continue
        if match := POLARISATION.search(description):
            channel = match.group(1).upper()
            if channel not in channels or rank(description) > rank(descriptions[channels[channel] - 1]):
                channels[channel] = index
    return channels


def values_are_db(negative: int, positive: int) -> bool:
    """Whether a band's sigma0 values are dB rather than linear power, from how many of its sampled
    values are negative and how many positive (zeros, a no-data fill, counting for neither): sigma0
    over sea and ice lies below 0 dB (below 1 in power) almost everywhere, and power is never negative."""
    return negative > positive


def level_db(negative: int, positive: int, median: float, median_positive: float) -> float:
    """A sigma0 band's level in dB, whether its values are dB or linear power (:func:`values_are_db`),
    from how many are negative and how many positive, their median, and the median of the positive
    ones (NaN where there are none), the fill left out: the brightness :func:`sigma0_pair` compares."""
    if values_are_db(negative, positive):
        return median
    return 10.0 * math.log10(median_positive) if median_positive > 0 else math.nan


def sigma0_units(negative: int, positive: int, median: float, declared: str = "auto") -> tuple[str, str | None]:
    """The units of a sigma0 band, "dB" or "linear" (``declared``, else by :func:`values_are_db`), and
    what is wrong with it (None where nothing is), from how many of its sampled values are negative and
    how many positive and their median, the fill (:data:`SIGMA0_FILL`) left out of all three."""
    units = declared if declared != "auto" else ("dB" if values_are_db(negative, positive) else "linear")
    if units == "linear" and negative:
        return units, "has negative values, impossible for linear sigma0 power"
    low, high = SIGMA0_MEDIAN_DB if units == "dB" else SIGMA0_MEDIAN_LINEAR
    if low <= median <= high:
        return units, None
    return units, (f"median {median:g} is not a sigma0 in dB (expected about -35 to 5)" if units == "dB" else
                   f"median {median:g} is not a linear sigma0 (expected about 0.0003 to 0.3); is it uncalibrated "
                   "DN? calibrate it to sigma0 first")


#: The percentiles of an unnamed band's values that must lie within the incidence angles of a
#: side-looking radar (:data:`~.constants.INC_ANGLE_MIN_DEG` to ``INC_ANGLE_MAX_DEG``) for it to be taken
#: for the incidence angle.
INCIDENCE_PERCENTILES = (1.0, 99.0)


def plausible_incidence(low: float, high: float) -> bool:
    """Whether a band whose :data:`INCIDENCE_PERCENTILES` are ``low`` and ``high`` holds incidence angles."""
    return INC_ANGLE_MIN_DEG <= low and high <= INC_ANGLE_MAX_DEG


def incidence_band(descriptions: Sequence[str], pair: tuple[int, int], plausible: Callable[[int], bool]) -> int | None:
    """The (1-based) band holding the incidence angle: the first whose description names it, else band
    3 where ``plausible(3)`` (its values look like angles of a side-looking radar); None without either.
    The sigma0 ``pair`` is never it."""
    for index, description in enumerate(descriptions, start=1):
        if index not in pair and INCIDENCE_DESCRIPTION in description.lower():
            return index
    if len(descriptions) >= 3 and 3 not in pair and plausible(3):
        return 3
    return None


def sigma0_pair(descriptions: Sequence[str], median_db: Callable[[int], float]) -> tuple[int, int]:
    """The (1-based) co- and cross-pol bands of a scene file with these band ``descriptions``: the pair
    they name, else bands 1 and 2, band 2 taken as the co-pol where neither is named and band 1 is the
    dimmer by more than :data:`SWAPPED_PAIR_DB` (``median_db(band)``: the band's median in dB)."""
    channels = described_channels(descriptions)
    for co, cross in CROSS_POL.items():
        if co in channels and cross in channels:
            return channels[co], channels[cross]
    if len(descriptions) >= 2 and not ({1, 2} & set(channels.values())):
        if median_db(1) < median_db(2) - SWAPPED_PAIR_DB:
            return 2, 1
    return 1, 2
