"""ESA SNAP's own format, BEAM-DIMAP, zipped: a calibrated, terrain-corrected scene as SNAP saves it.

A BEAM-DIMAP product is ``<name>.dim``, an XML header, beside ``<name>.data/``, which holds each band
that is written (not a virtual band, an expression SNAP evaluates on the fly) as an ENVI raster:
``<band>.img`` with its header ``<band>.hdr``. A map-projected product's ENVI headers carry its grid
(``map info``, ``coordinate system string``); SNAP's default map projection is WGS84 longitude and
latitude. The ``.dim`` names each band's no-data value (``NO_DATA_VALUE``, 0 for SNAP's sigma0).

Here the sigma0 pair (``Sigma0_HH`` and ``Sigma0_HV``, or ``Sigma0_VV`` and ``Sigma0_VH``; linear or
``_db``) and the incidence angle, where one is written, are stacked into one GeoTIFF with their band
names as descriptions and NaN where the product has no data: a scene file as :mod:`.geotiff` reads
it. Without an incidence band, the swath of the original product, whose annotation the .dim keeps,
gives it (:mod:`.snap`). Products still in radar geometry (no map grid: not terrain-corrected) are refused,
with what to do.
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

from icesight_contract.scene_files import CROSS_POL

from . import SarFormatError, checkpoint, staging_profile
from .snap import SnapMetadata, snap_metadata

#: Band names of the sigma0 pair (SNAP's calibration names them so), linear or in dB.
_SIGMA0 = re.compile(r"^Sigma0_(?P<pol>HH|HV|VV|VH)(?P<db>_db)?$", re.IGNORECASE)
#: Incidence angle bands SNAP writes, the ellipsoid's first (the one a GRD product's annotation gives).
INCIDENCE_BANDS = ("incidenceAngleFromEllipsoid", "incident_angle", "localIncidenceAngle",
                   "projectedLocalIncidenceAngle")
#: What SNAP does to a product for this reader to take it.
_SNAP_STEPS = ("calibrate it to sigma0 (Radar > Radiometric > Calibrate) and terrain-correct it (Radar > Geometric "
               "> Terrain Correction), or export it as GeoTIFF")


@dataclass(frozen=True)
class DimapBand:
    """A written band of a zipped BEAM-DIMAP product: its image (its name as GDAL reads it, and its
    size in bytes as stored), its ENVI header's entry in the zip (None when missing), its no-data
    value (None when the .dim names none) and whether the .dim declares it scaled
    (``SCALING_FACTOR``/``SCALING_OFFSET`` other than 1/0, or ``LOG10_SCALED``)."""

    image: str
    image_bytes: int
    header: zipfile.ZipInfo | None = None
    nodata: float | None = None
    scaled: bool = False


@dataclass(frozen=True)
class DimapProduct:
    """A zipped BEAM-DIMAP product's written bands, by name, and what its abstracted metadata says."""

    zip_path: Path
    name: str  # the .dim's name, without the extension
    bands: dict[str, DimapBand]
    metadata: SnapMetadata = SnapMetadata()

    def vsi(self, member: str) -> str:
        """GDAL's path to a member of the zip (braced: the zip's name need not end in .zip)."""
        return f"/vsizip/{{{self.zip_path}}}/{member}"


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """A zip's files by their names with forward slashes (some Windows tools write backslashes),
    leaving out what macOS's archiver adds (``__MACOSX/``, ``._`` resource forks) and folders."""
    members = {}
    for info in archive.infolist():
        name = info.filename.replace("\\", "/")
        leaf = PurePosixPath(name).name
        if info.is_dir() or name.startswith("__MACOSX/") or leaf.startswith("._"):
            continue
        members[name] = info
    return members


def is_dimap_zip(path: Path | str) -> bool:
    """Whether a zip holds a BEAM-DIMAP header (``.dim``)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(n.lower().endswith(".dim") for n in _members(archive))
    except (zipfile.BadZipFile, OSError):
        return False


def _number(info: ET.Element, tag: str, default: float, where: str) -> float:
    text = (info.findtext(tag) or "").strip()
    try:
        return float(text) if text else default
    except ValueError:
        raise SarFormatError(f"{where}: {tag} {text!r} is not a number") from None


def open_dimap(path: Path | str) -> DimapProduct:
    """Read a zipped BEAM-DIMAP product's header and find its written bands: through the .dim's
    ``Data_Access`` file references (as SNAP does, so a renamed .dim still finds its folder), else
    as ``<name>.data/<band>.img`` beside it. Bands the .dim declares virtual are left out."""
    path = Path(path)
    with zipfile.ZipFile(path) as archive:
        members = _members(archive)
        headers = [n for n in members if n.lower().endswith(".dim")]
        if len(headers) != 1:
            raise SarFormatError(f"{path.name}: holds {len(headers)} BEAM-DIMAP headers (.dim); zip one product, its "
                                 ".dim and its .data folder")
        header = PurePosixPath(headers[0])
        try:
            root = ET.fromstring(archive.read(members[headers[0]]))
        except (ET.ParseError, LookupError, ValueError) as exc:  # LookupError: an encoding Python does not know
            raise SarFormatError(f"{path.name}: {header.name} is not readable XML ({exc})") from None
    lowered = {n.lower(): n for n in members}

    files = {}  # band index -> image member, from the .dim's references (to the band's .hdr)
    for data_file in root.iter("Data_File"):
        reference = data_file.find("DATA_FILE_PATH")
        href = reference.get("href", "").replace("\\", "/") if reference is not None else ""
        image = lowered.get((header.parent / PurePosixPath(href).with_suffix(".img")).as_posix().lower()) if href else None
        if image is not None:
            files[(data_file.findtext("BAND_INDEX") or "").strip()] = image
    data_dir = header.with_suffix(".data")
    beside = {PurePosixPath(n).stem: n for n in members
              if PurePosixPath(n).parent == data_dir and n.lower().endswith(".img")}
    where = f"{path.name}: {header.name}"
    bands: dict[str, DimapBand] = {}
    for info in root.iter("Spectral_Band_Info"):
        band = (info.findtext("BAND_NAME") or "").strip()
        if (info.findtext("VIRTUAL_BAND") or "").strip().lower() == "true":
            continue  # an expression; an image of its name is stale
        image = files.get((info.findtext("BAND_INDEX") or "").strip()) or beside.get(band)
        if not band or image is None:
            continue
        used = (info.findtext("NO_DATA_VALUE_USED") or "").strip().lower() == "true"
        nodata = _number(info, "NO_DATA_VALUE", 0.0, f"{where}, band {band}") if used else None
        scaled = (_number(info, "SCALING_FACTOR", 1.0, where) != 1.0 or _number(info, "SCALING_OFFSET", 0.0, where) != 0.0
                  or (info.findtext("LOG10_SCALED") or "").strip().lower() == "true")
        bands[band] = _band(members, lowered, image, nodata, scaled)
    if not root.findall(".//Spectral_Band_Info"):  # a header without band information: the images beside it
        bands = {band: _band(members, lowered, image) for band, image in beside.items()}
    if not bands:
        raise SarFormatError(f"{path.name}: has no band images for {header.name} (no {data_dir.name}/ folder beside it, "
                             "or none its file references name); zip the product's .dim and its .data folder together")
    return DimapProduct(path, header.stem, bands, snap_metadata(root))


def _band(members: dict[str, zipfile.ZipInfo], lowered: dict[str, str], image: str, nodata: float | None = None,
          scaled: bool = False) -> DimapBand:
    header = lowered.get(image[: -len(".img")].lower() + ".hdr")
    return DimapBand(image, members[image].file_size, members[header] if header else None, nodata, scaled)


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


def _map_crs(src, product: DimapProduct, band: str):
    """The band's map CRS. GDAL reads what SNAP writes for WGS84 and UTM; SNAP writes some CRSs
    (polar stereographic among them) in a form GDAL cannot parse, which it reads as a local CRS:
    those are recovered from the EPSG code the header's ``coordinate system string`` ends with."""
    from rasterio.crs import CRS

    if src.crs is not None and (src.crs.is_geographic or src.crs.is_projected):
        return src.crs
    header = product.bands[band].header
    text = ""
    if header is not None:
        with zipfile.ZipFile(product.zip_path) as archive:
            text = archive.read(header).decode("latin-1")
    wkt = re.search(r"coordinate system string\s*=\s*\{(.*)\}", text, re.DOTALL)
    codes = re.findall(r'AUTHORITY\[\s*"EPSG"\s*,\s*"?(\d+)"?\s*\]', wkt.group(1)) if wkt else []
    if codes:
        try:
            return CRS.from_epsg(int(codes[-1]))  # the outermost object's code comes last
        except Exception:  # noqa: BLE001 - an unknown code: said below
            pass
    raise SarFormatError(f"{product.zip_path.name}: {product.name}'s map CRS cannot be read from {band}.hdr (no EPSG "
                         "code GDAL knows): terrain-correct it onto WGS84 or a UTM zone in SNAP, or export it as GeoTIFF")


def dimap_to_geotiff(product: DimapProduct | Path | str, destination: Path, rows_per_block: int = 1024) -> Path:
    """Stack a zipped BEAM-DIMAP product's sigma0 pair and incidence angle into a GeoTIFF at
    ``destination`` (float32, NaN the no-data, band names as descriptions); without an incidence
    band, the pair alone (the product's swath may give the incidence: :attr:`DimapProduct.metadata`)."""
    if not isinstance(product, DimapProduct):
        product = open_dimap(product)
    chosen = [band for band in _choose(product) if band is not None]
    sources = []
    try:
        for band in chosen:
            if product.bands[band].scaled:
                raise SarFormatError(f"{product.zip_path.name}: band {band} is stored scaled (SCALING_FACTOR, "
                                     "SCALING_OFFSET or LOG10_SCALED in the .dim); write it as float32 in SNAP "
                                     "(Raster > Data Conversion > Convert Datatype) or export it as GeoTIFF")
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", NotGeoreferencedWarning)  # radar geometry: refused below
                    src = rasterio.open(product.vsi(product.bands[band].image))
            except RasterioIOError as exc:
                raise SarFormatError(f"{product.zip_path.name}: band {band} cannot be read ({exc})") from None
            sources.append(src)
            expected = src.width * src.height * np.dtype(src.dtypes[0]).itemsize
            if product.bands[band].image_bytes < expected:
                raise SarFormatError(f"{product.zip_path.name}: band {band}'s image holds "
                                     f"{product.bands[band].image_bytes} bytes, not the {expected} its header "
                                     "declares: the product was not written or copied whole")
            if src.dtypes[0] != "float32" or src.scales[0] != 1.0 or src.offsets[0] != 0.0:
                raise SarFormatError(f"{product.zip_path.name}: band {band} is {src.dtypes[0]} (scale {src.scales[0]:g}, "
                                     f"offset {src.offsets[0]:g}), not float32 sigma0; write it as float32 in SNAP "
                                     "(Raster > Data Conversion > Convert Datatype) or export it as GeoTIFF")
        first = sources[0]
        if first.transform.is_identity:
            raise SarFormatError(f"{product.zip_path.name}: {product.name} is not on a map grid (no map info in "
                                 f"{chosen[0]}.hdr): it is still in radar geometry; {_SNAP_STEPS}")
        crs = _map_crs(first, product, chosen[0])
        for band, src in zip(chosen[1:], sources[1:], strict=True):
            if (src.width, src.height, src.transform) != (first.width, first.height, first.transform):
                raise SarFormatError(f"{product.zip_path.name}: band {band} is not on {chosen[0]}'s grid")
        profile = staging_profile(len(chosen), width=first.width, height=first.height, crs=crs,
                                  transform=first.transform)
        with rasterio.open(destination, "w", **profile) as dst:
            for row in range(0, first.height, rows_per_block):
                checkpoint()
                window = Window(0, row, first.width, min(rows_per_block, first.height - row))
                for index, (band, src) in enumerate(zip(chosen, sources, strict=True), start=1):
                    data = src.read(1, window=window).astype(np.float32)
                    nodata = product.bands[band].nodata
                    if nodata is not None:
                        data[data == nodata] = np.nan
                    dst.write(data, index, window=window)
            for index, band in enumerate(chosen, start=1):
                dst.set_band_description(index, band)
    except BaseException:
        Path(destination).unlink(missing_ok=True)
        raise
    finally:
        for src in sources:
            src.close()
    return destination


def dimap_size(path: Path | str) -> tuple[int, int]:
    """A zipped BEAM-DIMAP product's width and height (its co-pol band's ENVI header)."""
    product = open_dimap(path)
    with rasterio.open(product.vsi(product.bands[_choose(product)[0]].image)) as src:
        return src.width, src.height
