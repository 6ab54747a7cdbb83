"""Calibrated sigma0 scenes as GeoTIFF/COG (any CRS, dB or linear), checked and normalised.

A scene in geographic coordinates, or on a map whose metres at the scene are not the ground's, is
reprojected first (:func:`reproject_scene`); one georeferenced by ground control points alone is
geocoded (:func:`geocode_gcp_scene`).

What a scene file must be: at least two bands, co-pol and cross-pol sigma0 (dB or linear power,
detected from the values or declared), a CRS and a geotransform; the incidence angle as a band
(found by its description, or a third band of plausible angles), from the swath the product's
metadata describes (:class:`~.geocoding.SwathEdges`, :mod:`.snap`), or given as a constant. A band
described ``<cross>_nesz_db`` (the cross-pol noise floor in dB, as the product's own scenes carry
it) is kept. Normalisation writes the product's own layout
(see :mod:`sar.readers`): a COG with co-pol dB, cross-pol dB, incidence (degrees) and the noise
floor if any as float32 bands, NaN outside the data, processed in row blocks so a full scene never
sits in memory.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from pyproj import CRS, Transformer
from rasterio.errors import NotGeoreferencedWarning, RasterioIOError
from rasterio.windows import Window

from icesight_contract.constants import INC_ANGLE_MAX_DEG, INC_ANGLE_MIN_DEG
from icesight_contract.scene_files import (
    CROSS_POL,
    INCIDENCE_PERCENTILES,
    MAP_SCALE_TOLERANCE,
    NESZ_BAND_SUFFIX,
    POLARISATION,
    SIGMA0_FILL,
    incidence_band,
    level_db,
    plausible_incidence,
    sigma0_pair,
    sigma0_units,
)

from . import (
    SarFormatError,
    checkpoint,
    copy_to_cog,
    noise_band,
    scene_band_names,
    scene_units,
    staging_profile,
)
from .geocoding import SwathEdges


@dataclass
class SceneRaster:
    path: Path
    width: int
    height: int
    crs_wkt: str
    crs_authid: str
    transform: tuple[float, ...]
    pixel_size_m: float
    co_band: int
    cross_band: int
    inc_band: int | None
    inc_angle_deg: float | None
    units: str  # "dB" or "linear"
    polarisations: tuple[str, str]
    noise_band: int | None = None  # the cross-pol noise floor (NESZ), dB
    swath: SwathEdges | None = None  # gives the incidence where neither a band nor a constant does

    def footprint_lonlat(self) -> dict:
        """The raster's outline as a GeoJSON polygon in EPSG:4326 (edges densified), cut into a
        multipolygon where it crosses the antimeridian (:func:`cut_at_antimeridian`)."""
        from affine import Affine

        affine = Affine(*self.transform[:6])
        edge = np.linspace(0, 1, 21)
        cols = np.concatenate([edge * self.width, np.full(21, self.width), (1 - edge) * self.width, np.zeros(21)])
        rows = np.concatenate([np.zeros(21), edge * self.height, np.full(21, self.height), (1 - edge) * self.height])
        xs, ys = affine * (cols, rows)
        lons, lats = Transformer.from_crs(CRS.from_wkt(self.crs_wkt), "EPSG:4326", always_xy=True).transform(xs, ys)
        ring = [[float(lon), float(lat)] for lon, lat in zip(lons, lats, strict=True)]
        return cut_at_antimeridian([*ring, ring[0]])


def cut_at_antimeridian(ring: list[list[float]]) -> dict:
    """A closed ring of longitudes and latitudes as a GeoJSON Polygon or, where it crosses the
    antimeridian (a step of more than 180 degrees of longitude between neighbours), as the
    MultiPolygon of its parts on either side, as RFC 7946 (section 3.1.9) asks. A ring that goes
    round a pole (a polar scene holding it) is closed through the pole. GDAL's own cutting misses
    rings projected from a polar stereographic grid."""
    from shapely.affinity import translate
    from shapely.geometry import MultiPolygon, Polygon, box, mapping
    from shapely.ops import unary_union

    lons = np.array([p[0] for p in ring], dtype=np.float64)
    lats = np.array([p[1] for p in ring], dtype=np.float64)
    if np.all(np.abs(np.diff(lons)) <= 180.0):
        return {"type": "Polygon", "coordinates": [ring]}
    unwrapped = np.unwrap(lons, period=360.0)  # continuous across 180
    coords = list(zip(unwrapped, lats, strict=True))
    if abs(unwrapped[-1] - unwrapped[0]) > 180.0:  # once round: the ring holds a pole
        pole = 90.0 if np.mean(lats) > 0 else -90.0
        coords += [(unwrapped[-1], pole), (unwrapped[0], pole)]
    around = Polygon(coords)
    if not around.is_valid:
        around = around.buffer(0)
    pieces = []
    for turn in range(int(np.floor((unwrapped.min() + 180.0) / 360.0)), int(np.floor((unwrapped.max() + 180.0) / 360.0)) + 1):
        piece = around.intersection(box(360.0 * turn - 180.0, -90.0, 360.0 * turn + 180.0, 90.0))
        pieces.append(translate(piece, xoff=-360.0 * turn))
    joined = unary_union(pieces)
    polygons = [p for p in getattr(joined, "geoms", [joined]) if isinstance(p, Polygon) and not p.is_empty]
    geometry = mapping(polygons[0] if len(polygons) == 1 else MultiPolygon(polygons))
    return json.loads(json.dumps(geometry))  # lists, not tuples


def _open(path: Path):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            return rasterio.open(path)
    except RasterioIOError as exc:
        raise SarFormatError(f"{path.name}: not a readable GeoTIFF (corrupt, truncated or not a raster): {exc}") from None


class _BandSamples:
    """Each band of an open scene file sampled once (:func:`_sample_grid`): a file without overviews
    (SNAP's GeoTIFFs have none) is read whole for each sample, and checking a scene asks for a band's
    sample up to three times (which band is the co-pol, its units, the noise band's coverage)."""

    def __init__(self, src):
        self.src = src
        self._grids: dict[int, np.ndarray] = {}

    def grid(self, band: int) -> np.ndarray:
        if band not in self._grids:
            self._grids[band] = _sample_grid(self.src, band)
        return self._grids[band]

    def values(self, band: int) -> np.ndarray:
        return _finite(self.grid(band))


def _sample_grid(src, band: int, size: int = 512) -> np.ndarray:
    """The band read at most ``size`` pixels a side, NaN where it has no data."""
    scale = max(src.width, src.height) / size
    shape = (max(1, int(src.height / max(scale, 1))), max(1, int(src.width / max(scale, 1))))
    try:
        data = src.read(band, out_shape=shape, masked=True).astype(np.float64)
    except RasterioIOError as exc:
        raise SarFormatError(f"{Path(src.name).name}: band {band} cannot be read (corrupt data): {exc}") from None
    return data.filled(np.nan) if np.ma.isMaskedArray(data) else data


def _finite(grid: np.ndarray) -> np.ndarray:
    """The valid values of a sampled band."""
    return grid[np.isfinite(grid)]


#: The most of the cross-pol's pixels a noise band may leave without a value: the cross-pol is not
#: judged where the floor is unknown, so a band with gaps would blind the cross-pol CFAR there.
NOISE_GAP_MAX = 0.01


def _units(values: np.ndarray, name: str, band: int, declared: str) -> str:
    negative, positive, median, _ = _sigma0_counts(values)
    if negative + positive == 0:
        raise SarFormatError(f"{name}: band {band} holds no valid pixel")
    units, problem = sigma0_units(negative, positive, median, declared)
    if problem:
        raise SarFormatError(f"{name}: band {band} {problem}")
    return units


def geocode_gcp_scene(path: Path | str, destination: Path,
                      check_size: Callable[[int, int], None] | None = None) -> Path | None:
    """A scene georeferenced by ground control points alone (radar geometry: a calibrated product
    exported without terrain correction, its tie points as GCPs) warped onto the map grid
    :func:`~.geocoding.middle_crs` picks for it, through a thin-plate spline
    (:func:`~.geocoding.geocode`), into ``destination``, band names and tags kept; None for any
    other file (with a geotransform, or with neither: :func:`inspect_scene` says what is wrong).

    Its lines are taken to run along the flight track, as a radar-geometry product's do: the scene is
    tagged with the track's bearing on the map (:data:`~..ambiguity.AZIMUTH_BEARING_TAG`), which the
    detector's ghost search follows. ``check_size(width, height)`` sees the map grid's size before
    anything is warped (a turned scene's grid holds more pixels than the scene)."""
    from rasterio.shutil import copy as rio_copy

    from ..ambiguity import AZIMUTH_BEARING_TAG
    from .geocoding import gcp_line_bearing_deg, gcp_pixel_spacing_m, geocode, middle_crs, projected_gcps

    path = Path(path)
    with _open(path) as src:
        gcps, gcps_crs = src.gcps
        if src.crs is not None or not gcps or gcps_crs is None:
            return None
        if len(gcps) < 3:
            raise SarFormatError(f"{path.name}: has {len(gcps)} ground control point(s) and no geotransform; "
                                 "geocoding needs at least 3 (a product's tie-point grid), or geocode the scene first")
        width, height, count, nodata = src.width, src.height, src.count, src.nodata
        descriptions, tags = src.descriptions, src.tags()
        if any(np.dtype(dtype).kind == "c" for dtype in src.dtypes):
            raise SarFormatError(f"{path.name}: has complex bands ({', '.join(sorted(set(src.dtypes)))}); give "
                                 "calibrated real-valued sigma0 (e.g. float32), not single-look complex data")
    crs = middle_crs(gcps, gcps_crs, width, height)
    on_map = projected_gcps(gcps, gcps_crs, crs)
    if not all(np.isfinite([g.x for g in on_map] + [g.y for g in on_map])):
        raise SarFormatError(f"{path.name}: its ground control points cannot be projected to {crs.to_string()}")
    # The source as it is, its points in map coordinates (a VRT: nothing is copied).
    vrt = destination.with_suffix(".vrt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        rio_copy(path, vrt, driver="VRT")
        with rasterio.open(vrt, "r+") as points:
            points.gcps = (on_map, crs)
    try:
        geocode(vrt, crs, destination, staging_profile(count), gcp_pixel_spacing_m(on_map), src_nodata=nodata,
                check_size=check_size)
    finally:
        vrt.unlink()
    _name_bands(destination, descriptions, tags | {AZIMUTH_BEARING_TAG: f"{gcp_line_bearing_deg(on_map):.3f}"})
    return destination


def reproject_scene(path: Path | str, destination: Path,
                    check_size: Callable[[int, int], None] | None = None) -> Path | None:
    """A scene whose map metres are not the ground's, warped onto the grid
    :func:`~.geocoding.target_crs` picks at its middle (polar stereographic or UTM) into
    ``destination``, band names and tags kept; None for a scene whose grid is fine as it is.

    That is a scene in geographic coordinates (SNAP's default map projection, WGS84 longitude and
    latitude) or on a projected grid whose scale at its middle, along its rows or its columns,
    departs from the ground's by more than :data:`~icesight_contract.scene_files.MAP_SCALE_TOLERANCE` (Web Mercator at
    high latitude; an equal-area grid far from its centre). The new pixels are
    square and as large as the longer side of the scene's middle pixel on the ground: a grid of equal
    degrees (SNAP's, at 70 degrees N about 10 m north-south by 3.4 m east-west) holds no finer detail
    than its coarser side. A track bearing the scene is tagged with is turned onto the new map.
    ``check_size(width, height)`` sees the new grid's size before anything is warped."""
    from ..ambiguity import AZIMUTH_BEARING_TAG, tagged_azimuth_bearing
    from .geocoding import (
        PLAUSIBLE_MAP_SCALE,
        ground_pixel,
        map_scales,
        reproject,
        rotated_bearing_deg,
        target_crs,
    )

    path = Path(path)
    with _open(path) as src:
        if src.crs is None or src.transform.is_identity:
            return None  # geocode_gcp_scene's or inspect_scene's
        crs, transform, width, height = src.crs, src.transform, src.width, src.height
        count, nodata, descriptions, tags = src.count, src.nodata, src.descriptions, src.tags()
    try:
        lon, lat, along_row, along_col = ground_pixel(crs, transform, width, height)
    except ValueError as exc:
        raise SarFormatError(f"{path.name}: {exc}; assign the right CRS (gdal_edit.py -a_srs EPSG:XXXX, or in QGIS)") from None
    if not np.all(np.isfinite([lon, lat, along_row, along_col])) or min(along_row, along_col) <= 0:
        raise SarFormatError(f"{path.name}: the middle of its grid does not fall on the Earth in its CRS "
                             f"({crs.to_string()}); check the CRS and the geotransform")
    if not crs.is_geographic:
        scales = map_scales(crs, transform, along_row, along_col)
        if not PLAUSIBLE_MAP_SCALE[0] <= np.sqrt(scales[0] * scales[1]) <= PLAUSIBLE_MAP_SCALE[1]:
            raise SarFormatError(f"{path.name}: at the middle of its grid a metre of its CRS ({crs.to_string()}) is "
                                 f"{' by '.join(f'{1.0 / scale:.3g}' for scale in scales)} m on the ground, which no "
                                 "map of the sea gives; check the CRS and the geotransform")
        if all(abs(scale - 1.0) <= MAP_SCALE_TOLERANCE for scale in scales):
            return None
    onto = target_crs(lat, lon)
    reproject(path, onto, destination, staging_profile(count), round(max(along_row, along_col), 2),
              src_nodata=nodata, check_size=check_size)
    bearing = tagged_azimuth_bearing(tags)
    if bearing is not None:
        tags = tags | {AZIMUTH_BEARING_TAG: f"{rotated_bearing_deg(bearing, crs, transform, width, height, onto):.3f}"}
    _name_bands(destination, descriptions, tags)
    return destination


def _name_bands(path: Path, descriptions, tags: dict) -> None:
    """Give a warped scene its source's band descriptions and tags."""
    with rasterio.open(path, "r+") as dst:
        for band, name in enumerate(descriptions, start=1):
            if name:
                dst.set_band_description(band, name)
        dst.update_tags(**tags)


def sigma0_bands(samples: _BandSamples, descriptions: list[str], co_band: int | None, cross_band: int | None,
                 name: str) -> tuple[int, int]:
    """The co- and cross-pol bands of a scene file (see :func:`inspect_scene`): those given, else
    the rule the plugin shares (:func:`icesight_contract.scene_files.sigma0_pair`)."""
    if co_band is not None or cross_band is not None:
        co_band, cross_band = co_band or (2 if cross_band == 1 else 1), cross_band or (2 if co_band != 2 else 1)
        described = descriptions[co_band - 1] if co_band <= len(descriptions) else ""
        named = None if described.lower().endswith(NESZ_BAND_SUFFIX) else POLARISATION.search(described)
        cross_named = named.group(1).upper() if named and named.group(1).upper() in CROSS_POL.values() else None
        if cross_named:
            raise SarFormatError(f"{name}: band {co_band} is described as {cross_named}, a cross-pol channel, but is "
                                 "given as co_band; give the co-pol (HH or VV) band as co_band")
        return co_band, cross_band
    return sigma0_pair(descriptions[:samples.src.count], lambda band: level_db(*_sigma0_counts(samples.values(band))))


def _sigma0_counts(values: np.ndarray) -> tuple[int, int, float, float]:
    """What the contract's units rules ask of a sigma0 band's sampled values, its fill left out: how many
    are negative, how many positive, their median and the positive ones' median (NaN where none is)."""
    values = values[values != SIGMA0_FILL]
    positive = values[values > 0]
    return (int(np.count_nonzero(values < 0)), int(positive.size), float(np.median(values)) if values.size else np.nan,
            float(np.median(positive)) if positive.size else np.nan)


def _plausible_incidence(samples: _BandSamples, band: int) -> bool:
    """Whether a band's values look like the incidence angles of a side-looking radar
    (:func:`~icesight_contract.scene_files.plausible_incidence`)."""
    values = samples.values(band)
    return bool(values.size) and plausible_incidence(*np.percentile(values, INCIDENCE_PERCENTILES))


def inspect_scene(
    path: Path | str,
    co_band: int | None = None,
    cross_band: int | None = None,
    inc_band: int | None = None,
    inc_angle_deg: float | None = None,
    units: str = "auto",
    polarisations: tuple[str, str] | None = None,
    swath: SwathEdges | None = None,
) -> SceneRaster:
    """Check a scene file and describe how to read it; raises :class:`SarFormatError` naming the problem.

    Without ``co_band`` and ``cross_band`` the sigma0 pair is the one the band descriptions name, in
    whatever order (SNAP writes VH before VV), else bands 1 and 2, the co-pol the brighter
    (:data:`~icesight_contract.scene_files.SWAPPED_PAIR_DB`). A co_band described as a cross-pol channel is refused. The channels
    are those the pair's descriptions name, else ``polarisations`` (a Sentinel-1 product name's,
    :func:`~.product_name`), else HH and HV. The incidence is ``inc_band`` or ``inc_angle_deg`` where
    given, else the band described as it or a third band of plausible angles, else what ``swath``
    (the scene's swath, as its product's metadata describes it) gives."""
    path = Path(path)
    if not path.is_file():
        raise SarFormatError(f"{path}: no such file")
    with _open(path) as src:
        name = path.name
        if src.count < 2:
            raise SarFormatError(
                f"{name}: has {src.count} band(s); a scene needs co-pol and cross-pol sigma0 (e.g. HH and HV), "
                "plus optionally the incidence angle"
            )
        for band in (co_band, cross_band, inc_band):
            if band is not None and not 1 <= band <= src.count:
                raise SarFormatError(f"{name}: band {band} does not exist (the file has {src.count})")
        if src.crs is None:
            raise SarFormatError(
                f"{name}: has no CRS; assign the right one (gdal_edit.py -a_srs EPSG:XXXX, or in QGIS) and try again"
            )
        if src.transform.is_identity:
            raise SarFormatError(f"{name}: has no geotransform; georeference (or geocode) the scene first")
        descriptions = [d or "" for d in src.descriptions]
        samples = _BandSamples(src)
        co_band, cross_band = sigma0_bands(samples, descriptions, co_band, cross_band, name)
        if inc_band is None and inc_angle_deg is None:
            inc_band = incidence_band(descriptions, (co_band, cross_band), lambda band: _plausible_incidence(samples, band))
        if inc_band is None and inc_angle_deg is None and swath is None:
            raise SarFormatError(
                f"{name}: no incidence angle: add it as a band described 'incidence_angle' or pass a constant "
                "inc_angle_deg for the scene"
            )
        if inc_angle_deg is not None and not INC_ANGLE_MIN_DEG <= inc_angle_deg <= INC_ANGLE_MAX_DEG:
            raise SarFormatError(f"{name}: inc_angle_deg {inc_angle_deg:g} is outside "
                                 f"{INC_ANGLE_MIN_DEG:g}-{INC_ANGLE_MAX_DEG:g} degrees")
        co_units = _units(samples.values(co_band), name, co_band, units)
        cross_units = _units(samples.values(cross_band), name, cross_band, units)  # judged on its own, then compared
        if co_units != cross_units:
            raise SarFormatError(f"{name}: co-pol is {co_units} but cross-pol is {cross_units}; bands must share units")
        pols = [m.group(1).upper() for d in (descriptions[co_band - 1], descriptions[cross_band - 1]) if (m := POLARISATION.search(d))]
        polarisations = (pols[0], pols[1]) if len(pols) == 2 else (polarisations or ("HH", "HV"))
        noise = noise_band(descriptions, exclude=(co_band, cross_band, inc_band))
        if noise is not None:
            described = POLARISATION.search(descriptions[noise - 1].rsplit("_", 2)[0])
            if described and described.group(1).upper() != polarisations[1]:
                raise SarFormatError(
                    f"{name}: band {noise} is described as the {described.group(1).upper()} noise floor; the clutter "
                    f"classes need the cross-pol ({polarisations[1]}) floor: describe it "
                    f"'{polarisations[1]}{NESZ_BAND_SUFFIX}' or remove its description"
                )
            noise_grid, cross_grid = samples.grid(noise), samples.grid(cross_band)
            _units(_finite(noise_grid), name, noise, "dB")
            cross_valid = np.isfinite(cross_grid)
            gaps = float((cross_valid & ~np.isfinite(noise_grid)).sum() / max(cross_valid.sum(), 1))
            if gaps > NOISE_GAP_MAX:
                raise SarFormatError(
                    f"{name}: band {noise} ({descriptions[noise - 1]}) has no value over {100 * gaps:.0f} % of the "
                    f"{polarisations[1]} pixels; the noise floor must cover the swath, as the cross-pol is not judged "
                    "where it is unknown: fill its gaps, or remove its description and the detector estimates one "
                    "floor for the scene"
                )
        if src.crs.is_geographic:
            raise SarFormatError(
                f"{name}: is in geographic coordinates ({src.crs.to_string()}); windows are set in metres, so "
                "reproject it to a projected CRS (polar stereographic or UTM) first (ingest_scene does: reproject_scene)"
            )
        pixel = abs(src.transform.a) * (src.crs.linear_units_factor[1] if src.crs.linear_units_factor else 1.0)
        return SceneRaster(
            path=path,
            width=src.width,
            height=src.height,
            crs_wkt=src.crs.to_wkt(),
            crs_authid=src.crs.to_string(),
            transform=tuple(src.transform)[:6],
            pixel_size_m=float(pixel),
            co_band=co_band,
            cross_band=cross_band,
            inc_band=inc_band,
            inc_angle_deg=inc_angle_deg,
            units=co_units,
            polarisations=polarisations,
            noise_band=noise,
            swath=swath if inc_band is None and inc_angle_deg is None else None,
        )


def normalise_to_cog(scene: SceneRaster, destination: Path, tags: dict[str, str] | None = None, rows_per_block: int = 1024) -> Path:
    """Write the scene in the product's layout (co dB, cross dB, incidence deg, noise floor dB if
    any; float32 COG)."""
    destination = Path(destination)
    with _open(scene.path) as src, tempfile.TemporaryDirectory(dir=destination.parent) as tmp:
        staging = Path(tmp) / "staging.tif"
        profile = staging_profile(4 if scene.noise_band else 3, width=src.width, height=src.height, crs=src.crs,
                                  transform=src.transform)
        swath = scene.swath.incidence_over(src.crs, src.transform, src.width, src.height) if scene.swath else None
        with rasterio.open(staging, "w", **profile) as dst:
            for row in range(0, src.height, rows_per_block):
                checkpoint()
                window = Window(0, row, src.width, min(rows_per_block, src.height - row))
                bands = []
                for band in (scene.co_band, scene.cross_band) + ((scene.noise_band,) if scene.noise_band else ()):
                    data = src.read(band, window=window, masked=True).astype(np.float64).filled(np.nan)
                    if band != scene.noise_band:
                        data[data == SIGMA0_FILL] = np.nan  # no data, in either units
                    if scene.units == "linear" and band != scene.noise_band:
                        with np.errstate(divide="ignore", invalid="ignore"):
                            data = np.where(data > 0, 10.0 * np.log10(data), np.nan)
                    bands.append(data)
                if scene.inc_band:
                    inc = src.read(scene.inc_band, window=window, masked=True).astype(np.float64).filled(np.nan)
                elif swath is not None:
                    inc = swath.block(window)
                else:
                    inc = np.full_like(bands[0], scene.inc_angle_deg)
                invalid = ~np.isfinite(bands[0]) | ~np.isfinite(bands[1])
                for index, data in enumerate((*bands[:2], inc, *bands[2:]), start=1):
                    dst.write(np.where(invalid, np.nan, data).astype(np.float32), index, window=window)
            co, cross = scene.polarisations
            for index, name in enumerate(scene_band_names(co, cross, scene.noise_band is not None), start=1):
                dst.set_band_description(index, name)
            dst.update_tags(units=scene_units(scene.noise_band is not None), pixel_size_m=str(scene.pixel_size_m),
                            **(tags or {}))
        copy_to_cog(staging, destination)
    return destination
