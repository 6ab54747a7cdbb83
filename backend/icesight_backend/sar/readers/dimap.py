"""ESA SNAP's own format, BEAM-DIMAP, zipped: a calibrated, terrain-corrected scene as SNAP saves it.

A BEAM-DIMAP product is ``<name>.dim``, an XML header, beside ``<name>.data/``, which holds each band
that is written (not a virtual band, an expression SNAP evaluates on the fly) as an ENVI raster:
``<band>.img`` with its header ``<band>.hdr``. A map-projected product's ENVI headers carry its grid
(``map info``, ``coordinate system string``); SNAP's default map projection is WGS84 longitude and
latitude. The ``.dim`` names each band's no-data value (``NO_DATA_VALUE``, 0 for SNAP's sigma0).

Here the sigma0 pair (``Sigma0_HH`` and ``Sigma0_HV``, or ``Sigma0_VV`` and ``Sigma0_VH``; linear or
``_db``) and the incidence angle, where one is written, are stacked into one GeoTIFF with their band
names as descriptions and NaN where the product has no data: a scene file as
:mod:`.geotiff` reads it. Products still in radar geometry (no map grid: not terrain-corrected) are
refused, with what to do.
"""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import rasterio
from rasterio.errors import NotGeoreferencedWarning, RasterioIOError
from rasterio.windows import Window

from . import CROSS_POL, SarFormatError, staging_profile

#: Band names of the sigma0 pair (SNAP's calibration names them so), linear or in dB.
_SIGMA0 = re.compile(r"^Sigma0_(?P<pol>HH|HV|VV|VH)(?P<db>_db)?$", re.IGNORECASE)
#: Incidence angle bands SNAP writes, the ellipsoid's first (the one a GRD product's annotation gives).
INCIDENCE_BANDS = ("incidenceAngleFromEllipsoid", "incident_angle", "localIncidenceAngle",
                   "projectedLocalIncidenceAngle")
#: What SNAP does to a product for this reader to take it.
_SNAP_STEPS = ("calibrate it to sigma0 (Radar > Radiometric > Calibrate) and terrain-correct it (Radar > Geometric "
               "> Terrain Correction), or export it as GeoTIFF")


@dataclass(frozen=True)
class DimapProduct:
    """A zipped BEAM-DIMAP product's bands: each written band's name, its ``.img`` member in the zip
    and its no-data value (None when the header names none)."""

    zip_path: Path
    name: str  # the .dim's name, without the extension
    bands: dict[str, tuple[str, float | None]]

    def vsi(self, band: str) -> str:
        """GDAL's path to a band's image inside the zip (braced: the zip's name need not end in .zip)."""
        return f"/vsizip/{{{self.zip_path}}}/{self.bands[band][0]}"


def is_dimap_zip(path: Path | str) -> bool:
    """Whether a zip holds a BEAM-DIMAP header (``.dim``)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(n.lower().endswith(".dim") for n in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def open_dimap(path: Path | str) -> DimapProduct:
    """Read a zipped BEAM-DIMAP product's header and find its written bands."""
    path = Path(path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        headers = [n for n in names if n.lower().endswith(".dim")]
        if len(headers) != 1:
            raise SarFormatError(f"{path.name}: holds {len(headers)} BEAM-DIMAP headers (.dim); zip one product, its "
                                 ".dim and its .data folder")
        header = PurePosixPath(headers[0])
        try:
            root = ET.fromstring(archive.read(headers[0]))
        except ET.ParseError as exc:
            raise SarFormatError(f"{path.name}: {header.name} is not readable XML ({exc})") from None
    data_dir = header.with_suffix(".data")
    images = {PurePosixPath(n).stem: n for n in names
              if PurePosixPath(n).parent == data_dir and n.lower().endswith(".img")}
    if not images:
        raise SarFormatError(f"{path.name}: has no {data_dir.name}/ folder of band images beside {header.name}; zip the "
                             "product's .dim and its .data folder together")
    bands: dict[str, tuple[str, float | None]] = {}
    for info in root.iter("Spectral_Band_Info"):
        band = (info.findtext("BAND_NAME") or "").strip()
        if band in images:
            used = (info.findtext("NO_DATA_VALUE_USED") or "").strip().lower() == "true"
            value = info.findtext("NO_DATA_VALUE")
            bands[band] = (images[band], float(value) if used and value is not None else None)
    for band, member in images.items():  # written bands the header does not list
        bands.setdefault(band, (member, None))
    return DimapProduct(path, header.stem, bands)


def _choose(product: DimapProduct) -> tuple[str, str, str | None]:
    """The co-pol, cross-pol and incidence bands of a product."""
    sigma0 = {}
    for band in product.bands:
        if match := _SIGMA0.match(band):
            sigma0.setdefault((match["pol"].upper(), bool(match["db"])), band)
    for co in ("HH", "VV"):
        for db in (False, True):
            if (co, db) in sigma0 and (CROSS_POL[co], db) in sigma0:
                incidence = next((b for b in INCIDENCE_BANDS if b in product.bands), None)
                return sigma0[(co, db)], sigma0[(CROSS_POL[co], db)], incidence
    raise SarFormatError(
        f"{product.zip_path.name}: {product.name} has no written sigma0 pair (Sigma0_HH and Sigma0_HV, or Sigma0_VV and "
        f"Sigma0_VH); its written bands are {', '.join(sorted(product.bands)) or 'none'}: {_SNAP_STEPS} (a virtual "
        "band is not written: convert it to a real band first)"
    )


def dimap_to_geotiff(path: Path | str, destination: Path, rows_per_block: int = 1024) -> Path:
    """Stack a zipped BEAM-DIMAP product's sigma0 pair and incidence angle into a GeoTIFF at
    ``destination`` (float32, NaN the no-data, band names as descriptions)."""
    product = open_dimap(path)
    chosen = [band for band in _choose(product) if band is not None]
    sources = []
    try:
        for band in chosen:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", NotGeoreferencedWarning)  # radar geometry: refused below
                    sources.append(rasterio.open(product.vsi(band)))
            except RasterioIOError as exc:
                raise SarFormatError(f"{product.zip_path.name}: band {band} cannot be read ({exc})") from None
        first = sources[0]
        if first.crs is None or first.transform.is_identity:
            raise SarFormatError(f"{product.zip_path.name}: {product.name} is not on a map grid (no map info in "
                                 f"{chosen[0]}.hdr): it is still in radar geometry; {_SNAP_STEPS}")
        for band, src in zip(chosen[1:], sources[1:], strict=True):
            if (src.width, src.height, src.transform, src.crs) != (first.width, first.height, first.transform, first.crs):
                raise SarFormatError(f"{product.zip_path.name}: band {band} is not on {chosen[0]}'s grid")
        profile = staging_profile(len(chosen), width=first.width, height=first.height, crs=first.crs,
                                  transform=first.transform)
        with rasterio.open(destination, "w", **profile) as dst:
            for row in range(0, first.height, rows_per_block):
                window = Window(0, row, first.width, min(rows_per_block, first.height - row))
                for index, (band, src) in enumerate(zip(chosen, sources, strict=True), start=1):
                    data = src.read(1, window=window).astype(np.float32)
                    nodata = product.bands[band][1]
                    if nodata is not None:
                        data[data == nodata] = np.nan
                    dst.write(data, index, window=window)
            for index, band in enumerate(chosen, start=1):
                dst.set_band_description(index, band)
    finally:
        for src in sources:
            src.close()
    return destination


def dimap_size(path: Path | str) -> tuple[int, int]:
    """A zipped BEAM-DIMAP product's width and height (its co-pol band's ENVI header)."""
    product = open_dimap(path)
    with rasterio.open(product.vsi(_choose(product)[0])) as src:
        return src.width, src.height
