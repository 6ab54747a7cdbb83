"""Readers of real SAR formats into the product's objects (patch records, scenes).

A scene in the product's layout is a float32 COG: co-pol sigma0 dB (band 1), cross-pol sigma0 dB
(band 2), incidence angle in degrees (band 3) and, where the product says it, the cross-pol
channel's thermal noise floor as a noise-equivalent sigma0 in dB (band 4, ``<cross>_nesz_db``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

#: Ending of the description of the optional band holding the cross-pol noise floor (NESZ, dB).
NESZ_BAND_SUFFIX = "_nesz_db"
#: The cross-pol channel of each dual-pol pair, by its co-pol channel.
CROSS_POL = {"HH": "HV", "VV": "VH"}


class SarFormatError(ValueError):
    """A file is not what it claims to be; the message names the file, the problem and the fix."""


def scene_band_names(co: str, cross: str, with_noise: bool = False) -> tuple[str, ...]:
    """Band descriptions of a scene in the product's layout (see the module docstring)."""
    names = (f"{co}_sigma0_db", f"{cross}_sigma0_db", "incidence_angle_deg")
    return names + ((f"{cross}{NESZ_BAND_SUFFIX}",) if with_noise else ())


def scene_units(with_noise: bool = False) -> str:
    """The ``units`` tag of a scene in the product's layout."""
    return "sigma0 dB (bands 1-2), degrees (band 3)" + (", cross-pol noise-equivalent sigma0 dB (band 4)"
                                                         if with_noise else "")


def copy_to_cog(staging: Path | str, destination: Path | str) -> Path:
    """Write a tiled GeoTIFF in the product's layout as the scene's COG: DEFLATE with the
    floating-point predictor, overviews averaged. GDAL compresses on ``GDAL_NUM_THREADS`` threads
    (a job sets it, for its own thread, to its share of the worker's cores)."""
    from rasterio.shutil import copy as rio_copy

    rio_copy(staging, destination, driver="COG", compress="DEFLATE", predictor=3, overview_resampling="average",
             BIGTIFF="IF_SAFER")
    return Path(destination)


def noise_band(descriptions: Sequence[str | None], exclude: Sequence[int | None] = ()) -> int | None:
    """The (1-based) band of a scene holding the cross-pol noise floor (in dB, whatever the units of
    the sigma0 bands), skipping the bands in ``exclude``; None when it has none."""
    for index, description in enumerate(descriptions, start=1):
        if index not in exclude and (description or "").lower().endswith(NESZ_BAND_SUFFIX):
            return index
    return None
