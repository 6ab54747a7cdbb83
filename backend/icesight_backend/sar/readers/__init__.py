"""Readers of real SAR formats into the product's objects (patch records, scenes).

A scene in the product's layout is a float32 COG: co-pol sigma0 dB (band 1), cross-pol sigma0 dB
(band 2), incidence angle in degrees (band 3) and, where the product says it, the cross-pol
channel's thermal noise floor as a noise-equivalent sigma0 in dB (band 4, ``<cross>_nesz_db``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from icesight_contract.scene_files import NESZ_BAND_SUFFIX
from icesight_contract.targets import LOOKS_RANGE


@dataclass(frozen=True)
class ProductName:
    """What a Sentinel-1 product's name says (ESA's naming convention, Sentinel-1 Product
    Specification S1-RS-MDA-52-7441, "Product naming"): the beam mode where it is EW or IW (None
    otherwise), the co- and cross-pol channels of a dual-pol product, when the acquisition started
    (ISO 8601 UTC), and the product's equivalent number of looks (:data:`PRODUCT_LOOKS`; None for
    other products, and for a file named as multilooked or speckle-filtered since)."""

    mode: str | None
    polarisations: tuple[str, str] | None
    acquired: str
    looks: float | None = None


#: The equivalent number of looks of each EW and IW GRD product, by beam mode and resolution class
#: (H, M), averaged over the swath: ESA, Sentinel-1 User Guide, "Level-1 Ground Range Detected"
#: (from the Sentinel-1 Product Definition, S1-RS-MDA-52-7440, Table 5-1). IW GRDH 4.4 is also
#: quoted from the Product Definition by the S1-NRB documentation, and EW GRDH's 2.7 (3 x 1 looks,
#: 25 m pixels) by the STAC SAR extension's Sentinel-1 example; IW GRDM's 81.8 (22 x 5 looks) could
#: not be checked against the document here. The detector's CFAR thresholds follow from the looks:
#: a scene judged with another product's looks gets thresholds set for the wrong speckle.
PRODUCT_LOOKS = {("IW", "H"): 4.4, ("IW", "M"): 81.8, ("EW", "H"): 2.7, ("EW", "M"): 10.7}
#: The scene tag (COG metadata) holding a scene's equivalent number of looks, where its product is known.
LOOKS_TAG = "looks"


def scene_looks(tags: dict[str, str]) -> float | None:
    """A scene's equivalent number of looks from its tags (:data:`LOOKS_TAG`); None where not known."""
    try:
        looks = float(tags.get(LOOKS_TAG, ""))
    except ValueError:
        return None
    return looks if LOOKS_RANGE[0] <= looks <= LOOKS_RANGE[1] else None


#: The pixel spacing, metres, of each of those products (the same source): what says a product's
#: resolution class when its name does not.
PRODUCT_PIXEL_SPACING_M = {("IW", "H"): 10.0, ("IW", "M"): 40.0, ("EW", "H"): 25.0, ("EW", "M"): 40.0}


def product_looks(mode: str | None, resolution: str | None = None, pixel_spacing_m: float | None = None) -> float | None:
    """The equivalent number of looks of an EW or IW GRD product of resolution class ``resolution``
    (H or M), else of the class whose pixel spacing is nearest ``pixel_spacing_m`` (within 20 %);
    None where neither says."""
    if resolution is None and pixel_spacing_m:
        spacings = {cls: spacing for (m, cls), spacing in PRODUCT_PIXEL_SPACING_M.items() if m == mode}
        nearest = min(spacings, key=lambda cls: abs(spacings[cls] - pixel_spacing_m), default=None)
        if nearest is not None and abs(spacings[nearest] - pixel_spacing_m) <= 0.2 * spacings[nearest]:
            resolution = nearest
    return PRODUCT_LOOKS.get((mode, resolution))


#: mission _ beam mode _ product type and resolution class _ level, class and polarisation _ start _
#: ...: ``S1A_EW_GRDM_1SDH_20210403T122536_...``. SNAP and most tools keep the name in the names of
#: the files they derive (``..._Cal_TC.tif``).
_PRODUCT_NAME = re.compile(r"S1[A-D]_(?P<mode>IW|EW|WV|S[1-6])_[A-Z]{3}(?P<resolution>[FHM_])_[0-2][SA]"
                           r"(?P<pol>SH|SV|DH|DV|HH|HV|VV|VH)_(?P<start>\d{8}T\d{6})_")
#: The suffixes SNAP adds to a product's name when it multilooks (``_ML``) or speckle-filters
#: (``_Spk``) it.
_AVERAGED = re.compile(r"_(ML|Spk)(?=[_.]|$)", re.IGNORECASE)
#: The channels of a dual-pol product by its polarisation code (DH: HH and HV; DV: VV and VH).
_DUAL_POL = {"DH": ("HH", "HV"), "DV": ("VV", "VH")}


def product_name(name: str) -> ProductName | None:
    """What the Sentinel-1 product name within a file's ``name`` says, or None when it holds none."""
    from datetime import datetime

    match = _PRODUCT_NAME.search(Path(name).name.upper())
    if match is None:
        return None
    try:
        started = datetime.strptime(match["start"], "%Y%m%dT%H%M%S")
    except ValueError:
        return None
    mode = match["mode"] if match["mode"] in ("EW", "IW") else None
    # A product SNAP multilooked or speckle-filtered since (``..._ML``, ``..._Spk``) has more looks than
    # the product it was made from: how many more its name does not say.
    averaged = _AVERAGED.search(Path(name).name[match.end():])
    return ProductName(mode, _DUAL_POL.get(match["pol"]), started.isoformat() + "Z",
                       None if averaged else product_looks(mode, match["resolution"]))


#: The running job's cancellation check (:func:`checkpoints`), called between the blocks of the long
#: reading, calibrating and warping loops: a cancelled ingest stops within one block instead of
#: holding its worker for the rest of a whole product.
_CHECKPOINT: ContextVar[Callable[[], None] | None] = ContextVar("icesight_reader_checkpoint", default=None)


@contextmanager
def checkpoints(check: Callable[[], None]):
    """Run ``check`` (which raises to stop) between blocks of the readers' loops within this block of
    code, on this thread."""
    token = _CHECKPOINT.set(check)
    try:
        yield
    finally:
        _CHECKPOINT.reset(token)


def checkpoint() -> None:
    """Between two blocks of a reader's loop: the running job's check, if any (:func:`checkpoints`)."""
    check = _CHECKPOINT.get()
    if check is not None:
        check()


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


def staging_profile(count: int, **grid) -> dict:
    """The GeoTIFF a scene is staged in before its COG (:func:`copy_to_cog`) or before it is
    normalised: ``count`` float32 bands, NaN the no-data, 512 px tiles; ``grid``: its width, height,
    crs and transform, where known."""
    return {"driver": "GTiff", "count": count, "dtype": "float32", "nodata": float("nan"), "tiled": True,
            "blockxsize": 512, "blockysize": 512, "BIGTIFF": "IF_SAFER", **grid}


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
