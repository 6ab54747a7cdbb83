"""How a scene file an analyst brings is read: the rules the backend's ingest and the plugin's patch
cutting share, so that a file reads the same on the map as in the catalog.

A scene file holds a co- and a cross-pol sigma0 band (dB or linear power). Which is which is what
the band descriptions name (HH and HV, or VV and VH, in any order: SNAP writes VH before VV), else
bands 1 and 2 with the brighter taken as the co-pol: over sea and sea ice the cross-pol lies 5-20 dB
below it (HV/HH of -8 dB and less on ice, about -20 dB on open water at mid incidence).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

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
#: 70 degrees N; Web Mercator's metres there are 2.9 ground metres. Polar stereographic (EPSG:3413,
#: 3031) stays within 5 % from 58 degrees to the pole, and UTM within 0.1 % in its zone.
MAP_SCALE_TOLERANCE = 0.05


def described_channels(descriptions: Sequence[str]) -> dict[str, int]:
    """The (1-based) band each polarisation channel's description names, noise-floor bands left out."""
    channels: dict[str, int] = {}
    for index, description in enumerate(descriptions, start=1):
        if description.lower().endswith(NESZ_BAND_SUFFIX):
            continue
        if match := POLARISATION.search(description):
            channels.setdefault(match.group(1).upper(), index)
    return channels


def values_are_db(share_negative: float) -> bool:
    """Whether a band's sigma0 values are dB rather than linear power, from the share of its sampled
    values that are negative: sigma0 over sea and ice lies below 0 dB (below 1 in power) almost
    everywhere, and linear power is never negative."""
    return share_negative > 0.5


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
