"""Sentinel-1 GRD products in SAFE layout (a ``.SAFE`` folder or its ``.zip``), calibrated and geocoded.

Per polarisation the product has a measurement GeoTIFF of digital numbers, a product annotation
(mode, start time, pixel spacing, geolocation grid with latitude, longitude and incidence angle
per line/pixel) and a calibration annotation (sigmaNought LUT vectors). Calibration follows the
Sentinel-1 product specification: ``sigma0 = DN^2 / A^2`` with ``A`` the sigmaNought LUT
interpolated bilinearly over lines and pixels. Geocoding uses the geolocation grid as ground
control points and warps to a projected CRS (polar stereographic north above 60 degrees N,
south below 60 degrees S, UTM otherwise) at the product's pixel spacing, in row blocks.
"""

from __future__ import annotations

import re
import tempfile
import warnings
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from rasterio.control import GroundControlPoint
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.errors import NotGeoreferencedWarning
from rasterio.shutil import copy as rio_copy
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window
from scipy.interpolate import RegularGridInterpolator

from . import SarFormatError

_MEASUREMENT = re.compile(r"s1[abcd]-(?P<swath>[a-z0-9]+)-grd-(?P<pol>hh|hv|vv|vh)-.*\.tiff?$", re.IGNORECASE)


@dataclass
class SafeBand:
    polarisation: str
    measurement: str  # path rasterio can open (plain or zip://)
    annotation: ET.Element
    calibration: ET.Element


@dataclass
class SafeProduct:
    name: str
    mode: str
    start_time: str
    pixel_spacing_m: float
    bands: dict[str, SafeBand]  # by polarisation

    @property
    def polarisations(self) -> tuple[str, str]:
        pols = set(self.bands)
        for co, cross in (("HH", "HV"), ("VV", "VH")):
            if {co, cross} <= pols:
                return co, cross
        raise SarFormatError(f"{self.name}: needs a dual-pol product (HH+HV or VV+VH), found {sorted(pols)}")


class _Files:
    """Uniform access to a SAFE folder or zip: list names, read XML, open TIFFs."""

    def __init__(self, path: Path):
        self.path = path
        if path.is_dir():
            self.names = [str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()]
            self.zip = None
        else:
            try:
                self.zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise SarFormatError(f"{path.name}: neither a .SAFE folder nor a readable zip ({exc})") from None
            self.names = [n for n in self.zip.namelist() if not n.endswith("/")]

    def xml(self, name: str) -> ET.Element:
        try:
            data = self.zip.read(name) if self.zip else (self.path / name).read_bytes()
            return ET.fromstring(data)
        except (ET.ParseError, KeyError, OSError) as exc:
            raise SarFormatError(f"{self.path.name}: annotation {name} is not readable XML ({exc})") from None

    def raster_path(self, name: str) -> str:
        # GDAL's braces syntax opens a zip whatever its file name ends with (uploads have no .zip).
        return f"/vsizip/{{{self.path.resolve()}}}/{name}" if self.zip else str(self.path / name)


def open_safe(path: Path | str) -> SafeProduct:
    path = Path(path)
    if not path.exists():
        raise SarFormatError(f"{path}: no such file or folder")
    files = _Files(path)
    bands: dict[str, SafeBand] = {}
    for name in files.names:
        if "/measurement/" not in f"/{name}":
            continue
        match = _MEASUREMENT.search(Path(name).name)
        if not match:
            continue
        stem = Path(name).stem
        annotation = [n for n in files.names if n.endswith(f"annotation/{stem}.xml")]
        calibration = [n for n in files.names if n.endswith(f"annotation/calibration/calibration-{stem}.xml")]
        if not annotation or not calibration:
            missing = "annotation" if not annotation else "calibration annotation"
            raise SarFormatError(f"{path.name}: the {missing} for {Path(name).name} is missing; the product is incomplete")
        pol = match["pol"].upper()
        bands[pol] = SafeBand(pol, files.raster_path(name), files.xml(annotation[0]), files.xml(calibration[0]))
    if not bands:
        raise SarFormatError(f"{path.name}: no GRD measurement TIFF under measurement/: not a Sentinel-1 GRD SAFE product")
    first = next(iter(bands.values())).annotation
    try:
        mode = first.findtext("adsHeader/mode")
        start = first.findtext("adsHeader/startTime")
        spacing = float(first.findtext("imageAnnotation/imageInformation/rangePixelSpacing"))
    except (TypeError, ValueError):
        raise SarFormatError(f"{path.name}: the product annotation lacks mode, start time or pixel spacing") from None
    product = SafeProduct(path.name, mode or "", start or "", spacing, bands)
    product.polarisations  # noqa: B018 - validates dual polarisation
    return product


def _floats(text: str | None) -> np.ndarray:
    return np.asarray([float(v) for v in (text or "").split()], dtype=np.float64)


def sigma_nought_lut(calibration: ET.Element) -> RegularGridInterpolator:
    """Bilinear interpolator of the sigmaNought LUT over (line, pixel)."""
    vectors = calibration.findall("calibrationVectorList/calibrationVector")
    if not vectors:
        raise SarFormatError("calibration annotation has no calibrationVector")
    lines = np.asarray([int(v.findtext("line")) for v in vectors], dtype=np.float64)
    pixels = _floats(vectors[0].findtext("pixel"))
    values = np.stack([_floats(v.findtext("sigmaNought")) for v in vectors])
    if values.shape != (len(lines), len(pixels)):
        raise SarFormatError("calibration vectors do not share one pixel grid; this GRD layout is not supported")
    return RegularGridInterpolator((lines, pixels), values, bounds_error=False, fill_value=None)


def geolocation_grid(annotation: ET.Element) -> np.ndarray:
    """The product annotation's geolocation grid: one row (line, pixel, longitude, latitude,
    incidence angle) per node."""
    points = annotation.findall("geolocationGrid/geolocationGridPointList/geolocationGridPoint")
    if len(points) < 4:
        raise SarFormatError("product annotation has no geolocation grid")
    rows = [(float(p.findtext("line")), float(p.findtext("pixel")), float(p.findtext("longitude")),
             float(p.findtext("latitude")), float(p.findtext("incidenceAngle"))) for p in points]
    return np.asarray(rows)


def incidence_interpolator(grid: np.ndarray) -> RegularGridInterpolator:
    """Bilinear interpolator of the incidence angle over (line, pixel) from a regular geolocation grid."""
    grid_lines, grid_pixels = np.unique(grid[:, 0]), np.unique(grid[:, 1])
    if len(grid_lines) * len(grid_pixels) != len(grid):
        raise SarFormatError("the geolocation grid is not regular in lines and pixels")
    order = np.lexsort((grid[:, 1], grid[:, 0]))
    return RegularGridInterpolator(
        (grid_lines, grid_pixels), grid[order, 4].reshape(len(grid_lines), len(grid_pixels)),
        bounds_error=False, fill_value=None,
    )


def calibrated_block(band: SafeBand, lut: RegularGridInterpolator, window: Window) -> np.ndarray:
    """Linear sigma0 of one block of the measurement (NaN where DN is 0: no data)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # GRD measurements carry GCPs only
        src = rasterio.open(band.measurement)
    with src:
        dn = src.read(1, window=window).astype(np.float64)
    lines = np.arange(window.row_off, window.row_off + window.height, dtype=np.float64)
    pixels = np.arange(window.col_off, window.col_off + window.width, dtype=np.float64)
    grid_l, grid_p = np.meshgrid(lines, pixels, indexing="ij")
    a = lut(np.stack([grid_l.ravel(), grid_p.ravel()], axis=1)).reshape(dn.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma0 = dn**2 / a**2
    return np.where(dn > 0, sigma0, np.nan)


def _target_crs(lat: float, lon: float) -> CRS:
    if lat >= 60:
        return CRS.from_epsg(3413)
    if lat <= -60:
        return CRS.from_epsg(3031)
    zone = int((lon + 180) // 6) + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def safe_to_cog(product: SafeProduct, destination: Path, rows_per_block: int = 1024) -> Path:
    """Calibrate both bands, add incidence, geocode with the geolocation grid, write a COG."""
    co, cross = product.polarisations
    bands = [product.bands[co], product.bands[cross]]
    grid = geolocation_grid(bands[0].annotation)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(bands[0].measurement) as src:
            height, width = src.height, src.width
    try:
        incidence = incidence_interpolator(grid)
    except SarFormatError as exc:
        raise SarFormatError(f"{product.name}: {exc}") from None
    gcps = [GroundControlPoint(row=r, col=c, x=lon, y=lat) for r, c, lon, lat, _ in grid]
    luts = [sigma_nought_lut(b.calibration) for b in bands]
    destination = Path(destination)
    with tempfile.TemporaryDirectory(dir=destination.parent) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        radar = Path(tmp) / "radar.tif"
        profile = {"driver": "GTiff", "width": width, "height": height, "count": 3, "dtype": "float32",
                   "nodata": float("nan"), "tiled": True, "blockxsize": 512, "blockysize": 512, "BIGTIFF": "IF_SAFER"}
        with rasterio.open(radar, "w", **profile) as dst:
            dst.gcps = (gcps, CRS.from_epsg(4326))
            for row in range(0, height, rows_per_block):
                window = Window(0, row, width, min(rows_per_block, height - row))
                co_lin, cross_lin = (calibrated_block(b, lut, window) for b, lut in zip(bands, luts, strict=True))
                lines = np.arange(row, row + window.height, dtype=np.float64)
                gl, gp = np.meshgrid(lines, np.arange(width, dtype=np.float64), indexing="ij")
                inc = incidence(np.stack([gl.ravel(), gp.ravel()], axis=1)).reshape(co_lin.shape)
                with np.errstate(divide="ignore", invalid="ignore"):
                    co_db, cross_db = 10 * np.log10(co_lin), 10 * np.log10(cross_lin)
                invalid = ~np.isfinite(co_db) | ~np.isfinite(cross_db)
                for index, data in enumerate((co_db, cross_db, inc), start=1):
                    dst.write(np.where(invalid, np.nan, data).astype(np.float32), index, window=window)
        centre = grid[len(grid) // 2]
        crs = _target_crs(centre[3], centre[2])
        geocoded = Path(tmp) / "geocoded.tif"
        # GDAL's suggested output grid keeps the product's ground pixel spacing. (An explicit
        # transform on a GCP-referenced source gives an empty warp with rasterio 1.4 here.)
        with rasterio.open(radar) as src, WarpedVRT(
            src, crs=crs, resampling=Resampling.bilinear, src_nodata=float("nan"), nodata=float("nan")
        ) as vrt:
            out_w, out_h, transform = vrt.width, vrt.height, vrt.transform
            out_profile = profile | {"width": out_w, "height": out_h, "crs": crs, "transform": transform}
            with rasterio.open(geocoded, "w", **out_profile) as dst:
                for row in range(0, out_h, rows_per_block):
                    window = Window(0, row, out_w, min(rows_per_block, out_h - row))
                    dst.write(vrt.read(window=window), window=window)
                for index, name in enumerate((f"{co}_sigma0_db", f"{cross}_sigma0_db", "incidence_angle_deg"), start=1):
                    dst.set_band_description(index, name)
                mode = product.mode if product.mode in ("EW", "IW") else ""
                dst.update_tags(
                    units="sigma0 dB (bands 1-2), degrees (band 3)", pixel_size_m=str(product.pixel_spacing_m),
                    source=product.name, acquired=product.start_time, **({"mode": mode} if mode else {}),
                )
        rio_copy(geocoded, destination, driver="COG", compress="DEFLATE", predictor=3, BIGTIFF="IF_SAFER")
    return destination
