"""Shared fixtures: a real backend process on 127.0.0.1 with its embedded Dask LocalCluster."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import requests  # noqa: E402

from icesight_backend.launcher import BackendProcess  # noqa: E402
from icesight_contract import API_PREFIX, PATCH_PIXELS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class Api:
    """Tiny test client over requests: the raw HTTP is what these tests check."""

    def __init__(self, backend: BackendProcess):
        self.backend = backend
        self.url = backend.url + API_PREFIX
        self.headers = {"Authorization": f"Bearer {backend.token}"}

    def get(self, path: str, **kw):
        return requests.get(self.url + path, headers=kw.pop("headers", self.headers), timeout=60, **kw)

    def post(self, path: str, **kw):
        return requests.post(self.url + path, headers=kw.pop("headers", self.headers), timeout=120, **kw)

    def submit(self, kind: str, params: dict) -> dict:
        response = self.post("/jobs", json={"kind": kind, "params": params})
        assert response.status_code == 202, response.text
        return response.json()

    def wait(self, job_id: str, timeout_s: float = 300.0, until=lambda s: s["state"] in ("succeeded", "failed", "cancelled")) -> dict:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            status = self.get(f"/jobs/{job_id}").json()
            if until(status):
                return status
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} still {status['state']} after {timeout_s} s: {status}")


@pytest.fixture(scope="session")
def backend(tmp_path_factory):
    root = tmp_path_factory.mktemp("backend")
    with BackendProcess(root / "data", root / "config", extra_args=["--threads-per-worker", "2", "--max-body-mb", "20"]) as process:
        yield process


@pytest.fixture(scope="session")
def api(backend) -> Api:
    return Api(backend)


@pytest.fixture(scope="session")
def trained_model(api) -> dict:
    """A small model trained on the cluster; enough to exercise classification end to end."""
    # Nominal patches: at this tiny budget a half-randomised set (the default) leaves a model near
    # 0.5 everywhere, and the tests need one whose answers move with its input.
    status = api.submit("train_model", {"epochs": 2, "simulated": {"n_patches": 160, "seed": 3, "randomise": False}})
    final = api.wait(status["id"])
    assert final["state"] == "succeeded", final
    return final["result"]


def make_patch(patch_id: str, rng: np.random.Generator | None = None, **overrides) -> dict:
    """A valid patch record: sea clutter in dB with a bright spot in the middle."""
    rng = rng or np.random.default_rng(0)
    band_1 = rng.normal(-20, 1.5, (75, 75))
    band_2 = rng.normal(-28, 1.5, (75, 75))
    band_1[35:40, 35:40] += 20
    band_2[35:40, 35:40] += 12
    record = {
        "id": patch_id,
        "band_1": [round(float(v), 3) for v in band_1.ravel()],
        "band_2": [round(float(v), 3) for v in band_2.ravel()],
        "inc_angle": 38.5,
    }
    assert len(record["band_1"]) == PATCH_PIXELS
    record.update(overrides)
    return record


@pytest.fixture
def patch_record():
    """Factory of valid patch records (see :func:`make_patch`)."""
    return make_patch


def _write_tif(path, bands, crs="EPSG:32633", descriptions=None, transform=None):
    """A plain (not cloud-optimised) GeoTIFF as users bring them; UTM 33N, 10 m pixels by default."""
    import rasterio
    from affine import Affine

    height, width = bands[0].shape
    profile = {"driver": "GTiff", "height": height, "width": width, "count": len(bands), "dtype": "float32"}
    if crs:
        profile["crs"] = crs
    profile["transform"] = transform if transform is not None else Affine(10.0, 0, 500000.0, 0, -10.0, 7800000.0)
    with rasterio.open(path, "w", **profile) as dst:
        for i, band in enumerate(bands, start=1):
            dst.write(band.astype(np.float32), i)
            if descriptions:
                dst.set_band_description(i, descriptions[i - 1])
    return path


@pytest.fixture
def write_tif():
    return _write_tif


@pytest.fixture
def linear_bands():
    """Speckled VV, VH (linear sigma0, IW-like) and an incidence ramp, 300 x 400 px."""
    rng = np.random.default_rng(0)
    vv = 0.02 * rng.gamma(4.4, 1 / 4.4, (300, 400))
    vh = 0.003 * rng.gamma(4.4, 1 / 4.4, (300, 400))
    inc = np.broadcast_to(np.linspace(30, 45, 400), (300, 400)).copy()
    return vv, vh, inc


#: SNAP's ENVI header of a band of a terrain-corrected product.
_SNAP_ENVI_HEADER = """ENVI
description = {{Sentinel-1 EW Level-1 GRD Product - Unit: {unit}}}
samples = {width}
lines = {height}
bands = 1
header offset = 0
file type = ENVI Standard
data type = 4
interleave = bsq
byte order = 1
band names = {{ {band} }}
data gain values = {{1.0}}
data offset values = {{0.0}}
{map_info}"""
#: SNAP's default map: WGS84 degrees.
_SNAP_GEOGRAPHIC = """map info = {{Geographic Lat/Lon, 1.0, 1.0, {x}, {y}, {step}, {step}, WGS84, units=Degrees}}
coordinate system string = {{GEOGCS["WGS84(DD)", DATUM["WGS84", SPHEROID["WGS84", 6378137.0, 298.257223563]], \
PRIMEM["Greenwich", 0.0], UNIT["degree", 0.017453292519943295], AXIS["Geodetic longitude", EAST], \
AXIS["Geodetic latitude", NORTH]]}}
"""
#: Polar stereographic north (EPSG:3413) as SNAP writes it (GeoTools' WKT, axes GDAL cannot parse).
SNAP_POLAR_WKT = (
    'PROJCS["WGS 84 / NSIDC Sea Ice Polar Stereographic North", GEOGCS["WGS 84", DATUM["World Geodetic System 1984", '
    'SPHEROID["WGS 84", 6378137.0, 298.257223563, AUTHORITY["EPSG","7030"]], AUTHORITY["EPSG","6326"]], '
    'PRIMEM["Greenwich", 0.0, AUTHORITY["EPSG","8901"]], UNIT["degree", 0.017453292519943295], '
    'AXIS["Geodetic longitude", EAST], AXIS["Geodetic latitude", NORTH], AUTHORITY["EPSG","4326"]], '
    'PROJECTION["Polar Stereographic (variant B)", AUTHORITY["EPSG","9829"]], PARAMETER["central_meridian", -45.0], '
    'PARAMETER["Standard_Parallel_1", 70.0], PARAMETER["false_easting", 0.0], PARAMETER["false_northing", 0.0], '
    'UNIT["m", 1.0], AXIS["Easting", "South along 45 deg East"], AXIS["Northing", "South along 135 deg East"], '
    'AUTHORITY["EPSG","3413"]]'
)
_SNAP_PROJECTED = """map info = {{Polar Stereographic, 1.0, 1.0, {x}, {y}, {step}, {step}}}
coordinate system string = {{{wkt}}}
"""
_DIMAP_BAND = """    <Spectral_Band_Info>
      <BAND_INDEX>{index}</BAND_INDEX>
      <BAND_NAME>{band}</BAND_NAME>
      <DATA_TYPE>float32</DATA_TYPE>
      <PHYSICAL_UNIT>{unit}</PHYSICAL_UNIT>
      <SCALING_FACTOR>{scaling}</SCALING_FACTOR>
      <SCALING_OFFSET>0.0</SCALING_OFFSET>
      <LOG10_SCALED>false</LOG10_SCALED>
      <NO_DATA_VALUE_USED>{nodata_used}</NO_DATA_VALUE_USED>
      <NO_DATA_VALUE>{nodata}</NO_DATA_VALUE>
{extra}    </Spectral_Band_Info>
"""


def _write_dimap(path, bands: dict, lon: float = -51.5, lat: float = 69.0, step: float | None = 10.0 / 111319.49,
                 virtual: tuple[str, ...] = ("Sigma0_HH_db",), nodata: float | None = 0.0, polar: tuple | None = None,
                 dim_stem: str | None = None, scaling: dict | None = None, metadata: dict | None = None,
                 grid: np.ndarray | None = None):
    """A zipped BEAM-DIMAP product as SNAP saves one: ``<dim_stem>.dim`` (the zip's stem unless
    renamed) whose file references point into ``<stem>.data/``, which holds each band of ``bands``
    (name: 2-D array) as a big-endian ENVI raster and a tie-point grid of incidence angles. The map
    is SNAP's default, WGS84 degrees of ``step`` from the north-west corner ``lon``, ``lat``;
    ``polar`` (x, y, metres) puts it on polar stereographic north as SNAP writes it instead;
    ``step`` None leaves it in radar geometry (no map). ``virtual`` bands are listed in the .dim only
    (expressions); ``nodata`` is every band's no-data value (None: none used); ``scaling`` gives
    bands a SCALING_FACTOR; ``metadata`` and ``grid`` are its metadata (:func:`_dimap_metadata`)."""
    import zipfile

    stem = Path(path).stem
    infos, files = [], []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (band, values) in enumerate(bands.items()):
            unit = "degrees" if "ngle" in band else "intensity"
            height, width = values.shape
            if polar is not None:
                map_info = _SNAP_PROJECTED.format(x=polar[0], y=polar[1], step=polar[2], wkt=SNAP_POLAR_WKT)
            else:
                map_info = _SNAP_GEOGRAPHIC.format(x=lon, y=lat, step=step) if step else ""
            header = _SNAP_ENVI_HEADER.format(unit=unit, width=width, height=height, band=band, map_info=map_info)
            archive.writestr(f"{stem}.data/{band}.hdr", header)
            archive.writestr(f"{stem}.data/{band}.img", np.asarray(values, dtype=">f4").tobytes())
            infos.append(_DIMAP_BAND.format(index=index, band=band, unit=unit, extra="",
                                            scaling=(scaling or {}).get(band, 1.0), nodata_used=str(nodata is not None).lower(),
                                            nodata=0.0 if nodata is None else nodata))
            files.append(f'    <Data_File>\n      <DATA_FILE_PATH href="{stem}.data/{band}.hdr" />\n'
                         f"      <BAND_INDEX>{index}</BAND_INDEX>\n    </Data_File>\n")
        for offset, band in enumerate(virtual, start=len(bands)):
            infos.append(_DIMAP_BAND.format(index=offset, band=band, unit="dB", scaling=1.0, nodata_used="false", nodata=0.0,
                                            extra=("      <VIRTUAL_BAND>true</VIRTUAL_BAND>\n"
                                                   "      <EXPRESSION>log10(Sigma0_HH)*10</EXPRESSION>\n")))
        first = next(iter(bands.values()))
        archive.writestr(f"{stem}.data/tie_point_grids/incident_angle.hdr", _SNAP_ENVI_HEADER.format(
            unit="deg", width=21, height=21, band="incident_angle", map_info=""))
        archive.writestr(f"{stem}.data/tie_point_grids/incident_angle.img", np.full((21, 21), 30.0, ">f4").tobytes())
        archive.writestr(f"{stem}.data/vector_data/pins.csv", "org.esa.snap.Pin\tName:String\n")
        name = dim_stem or stem
        archive.writestr(f"{name}.dim", '<?xml version="1.0" encoding="ISO-8859-1"?>\n<Dimap_Document name="'
                         f'{name}.dim">\n  <DATASET_NAME>{stem}</DATASET_NAME>\n  <Raster_Dimensions>\n'
                         f"    <NCOLS>{first.shape[1]}</NCOLS>\n    <NROWS>{first.shape[0]}</NROWS>\n"
                         f"    <NBANDS>{len(bands)}</NBANDS>\n  </Raster_Dimensions>\n  <Data_Access>\n"
                         "    <DATA_FILE_FORMAT>ENVI</DATA_FILE_FORMAT>\n" + "".join(files) + "  </Data_Access>\n"
                         "  <Image_Interpretation>\n" + "".join(infos) + "  </Image_Interpretation>\n"
                         + _dimap_metadata(metadata or {}, grid) + "</Dimap_Document>\n")
    return path


def _dimap_metadata(metadata: dict, grid: np.ndarray | None = None) -> str:
    """A .dim's metadata as SNAP writes it: ``metadata`` (name: value) as its abstracted metadata and
    ``grid`` (rows of line, pixel, longitude, latitude, incidence) as the geolocation grid of the
    Sentinel-1 GRD annotation it keeps under ``Original_Product_Metadata``."""
    def attribute(name, value):
        kind = "ascii" if isinstance(value, str) else "float64"
        return f'<MDATTR name="{name}" type="{kind}" mode="rw">{value}</MDATTR>'

    original = ""
    if grid is not None:
        points = "".join('<MDElem name="geolocationGridPoint">'
                         + attribute("azimuthTime", "2021-01-19T03:16:53.000000")
                         + "".join(attribute(name, value) for name, value in zip(
                             ("line", "pixel", "longitude", "latitude", "incidenceAngle"), row, strict=True))
                         + attribute("elevationAngle", 30.0) + "</MDElem>\n" for row in grid)
        original = ('<MDElem name="Original_Product_Metadata"><MDElem name="annotation">'
                    '<MDElem name="s1a-iw-grd-vv-20210119t031653-20210119t031718-036201-043ed0-001.xml">'
                    '<MDElem name="product"><MDElem name="geolocationGrid"><MDElem name="geolocationGridPointList">'
                    f'{attribute("count", str(len(grid)))}\n{points}</MDElem></MDElem></MDElem></MDElem></MDElem>'
                    "</MDElem>\n")
    attributes = "".join(f"        {attribute(name, value)}\n" for name, value in metadata.items())
    return ('  <Dataset_Sources>\n    <MDElem name="metadata">\n      <MDElem name="Abstracted_Metadata">\n'
            f"{attributes}      </MDElem>\n{original}    </MDElem>\n  </Dataset_Sources>\n") if metadata or original else ""


@pytest.fixture
def write_dimap():
    return _write_dimap


#: The geolocation grid of a real IW GRDH product (S1A, 19 January 2021, VH; ``data/sentinel1_annotation``),
#: and a point near its middle: a SNAP product's original annotation in the tests.
_REAL_GRID_ANNOTATION = (Path(__file__).resolve().parents[1] / "data" / "sentinel1_annotation"
                         / "S1A_IW_GRDH_1SDV_20210119T031653_20210119T031718_036201_043ED0_8255"
                         / "s1a-iw-grd-vh-20210119t031653-20210119t031718-036201-043ed0-002.xml.gz")
REAL_GRID_MIDDLE = (33.6, -18.15)  # longitude, latitude


def _real_geolocation_grid() -> np.ndarray:
    from icesight_backend.sar.readers.safe import geolocation_grid, read_annotation

    return geolocation_grid(read_annotation(_REAL_GRID_ANNOTATION))


@pytest.fixture
def real_geolocation_grid():
    """Rows of line, pixel, longitude, latitude, incidence of a real IW GRDH product's geolocation grid."""
    return _real_geolocation_grid()


def _terrain_corrected_metadata(product: str, shape: tuple[int, int], lon: float = REAL_GRID_MIDDLE[0],
                                lat: float = REAL_GRID_MIDDLE[1], step: float = 10.0 / 111319.49, **overrides) -> dict:
    """SNAP's abstracted metadata of a product terrain-corrected onto WGS84 degrees of ``step`` from the
    north-west corner ``lon``, ``lat``, ``shape`` (rows, columns) pixels: its corners are its map
    raster's (what ``RangeDopplerGeocodingOp`` writes), its incidence at near and far range the real
    grid's, made from ``product``."""
    rows, cols = shape
    west, east, north, south = lon, lon + (cols - 1) * step, lat, lat - (rows - 1) * step
    metadata = {"PRODUCT": product, "is_terrain_corrected": 1, "map_projection": "WGS84(DD)",
                "incidence_near": 30.27, "incidence_far": 45.99}
    for line, y in (("first", north), ("last", south)):
        for edge, x in (("near", west), ("far", east)):
            metadata |= {f"{line}_{edge}_lat": y, f"{line}_{edge}_long": x}
    return metadata | overrides


@pytest.fixture
def terrain_corrected_metadata():
    return _terrain_corrected_metadata


def _write_snap_tif(path, bands, metadata: dict, grid: np.ndarray | None = None, big_endian: bool = False,
                    descriptions=None, crs="EPSG:4326", transform=None, lon: float = -51.5, lat: float = 69.0):
    """A GeoTIFF as SNAP's writer leaves one: the product's DIMAP header, with ``metadata`` and ``grid``
    as its metadata (:func:`_dimap_metadata`), in the private TIFF tag 65000 (which GDAL neither reads
    nor writes: the tag is added to the file's directory afterwards); big-endian as SNAP writes, if
    asked. SNAP's default map, WGS84 degrees of 10 m of latitude from ``lon``, ``lat``, unless ``crs``
    and ``transform`` say."""
    import struct

    import rasterio
    from affine import Affine

    height, width = bands[0].shape
    degrees = 10.0 / 111319.49
    profile = {"driver": "GTiff", "height": height, "width": width, "count": len(bands), "dtype": "float32", "crs": crs,
               "transform": transform or Affine(degrees, 0, lon, 0, -degrees, lat),
               **({"ENDIANNESS": "BIG"} if big_endian else {})}
    with rasterio.open(path, "w", **profile) as dst:
        for i, band in enumerate(bands, start=1):
            dst.write(band.astype(np.float32), i)
            if descriptions:
                dst.set_band_description(i, descriptions[i - 1])
    header = ('<?xml version="1.0" encoding="ISO-8859-1"?>\n<Dimap_Document name="product.dim">\n'
              + _dimap_metadata(metadata, grid) + "</Dimap_Document>\n").encode("latin-1") + b"\0"
    data = bytearray(Path(path).read_bytes())
    order = "<" if data[:2] == b"II" else ">"
    (first,) = struct.unpack(order + "I", data[4:8])
    (count,) = struct.unpack(order + "H", data[first:first + 2])
    entries = [bytes(data[first + 2 + 12 * i:first + 14 + 12 * i]) for i in range(count)]
    following = bytes(data[first + 2 + 12 * count:first + 6 + 12 * count])
    offset = len(data)
    data += header + b"\0" * (len(header) % 2)
    entries.append(struct.pack(order + "HHII", 65000, 2, len(header), offset))  # ASCII
    entries.sort(key=lambda entry: struct.unpack(order + "H", entry[:2])[0])
    directory = len(data)
    data += struct.pack(order + "H", len(entries)) + b"".join(entries) + following
    data[4:8] = struct.pack(order + "I", directory)
    Path(path).write_bytes(bytes(data))
    return path


@pytest.fixture
def write_snap_tif():
    return _write_snap_tif
