"""Geocoding a measurement in radar geometry with the geolocation grid of a real Sentinel-1 IW GRDH
product (``data/sentinel1_annotation``, about 250 x 170 km): every node of the grid lands where the
annotation says, which GDAL's default polynomial fit to the grid does not achieve."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from rasterio.control import GroundControlPoint
from rasterio.crs import CRS
from scipy import ndimage

from icesight_backend.sar.readers.geocoding import SwathEdges, geocode, middle_crs
from icesight_backend.sar.readers.safe import (
    annotation_gcps,
    geolocation_grid,
    ground_control_points,
    read_annotation,
)

_spec = importlib.util.spec_from_file_location("real_annotations", Path(__file__).with_name("test_realism_annotations.py"))
_real = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_real)
GRDH = _real.GRD  # the 2021 IW GRDH product's annotations
#: The product's 10 m samples taken 10 at a time: a 1,686 x 2,594 px measurement of 100 m pixels
#: over the product's own footprint.
DECIMATION = 10
PIXEL_M = 10.0 * DECIMATION


def radar_scene(tmp_path: Path, decimation: int = DECIMATION, lon_shift: float = 0.0) -> tuple[Path, np.ndarray, CRS]:
    """A measurement of the product's samples taken ``decimation`` at a time, holding a bright
    3 x 3 px spot at every interior node of the real grid (moved ``lon_shift`` degrees east), its
    ground control points the grid's nodes as the SAFE reader sets them; the nodes, and the CRS the
    SAFE reader would choose. (``bench/bench_geocoding.py`` uses it too.)"""
    grid = geolocation_grid(read_annotation(next(GRDH.glob("s1a-iw-grd-vh-*.xml.gz"))))
    grid[:, 2] = (grid[:, 2] + lon_shift + 180.0) % 360.0 - 180.0
    height, width = int(grid[:, 0].max() // decimation) + 1, int(grid[:, 1].max() // decimation) + 1
    data = np.zeros((height, width), dtype=np.float32)
    interior = grid[(grid[:, 0] > 0) & (grid[:, 0] < grid[:, 0].max()) & (grid[:, 1] > 0) & (grid[:, 1] < grid[:, 1].max())]
    for line, pixel, *_ in interior:
        row, col = int(round(line / decimation)), int(round(pixel / decimation))
        data[row - 1 : row + 2, col - 1 : col + 2] = 100.0
    scaled = grid.copy()
    scaled[:, :2] /= decimation
    crs = middle_crs(annotation_gcps(scaled), CRS.from_epsg(4326), width, height)
    gcps = ground_control_points(scaled, crs)
    radar = tmp_path / "radar.tif"
    with rasterio.open(radar, "w", driver="GTiff", width=width, height=height, count=1, dtype="float32",
                       nodata=float("nan")) as dst:
        dst.write(data, 1)
        dst.gcps = (gcps, crs)
    return radar, interior, crs


def node_errors_m(geocoded: Path, nodes: np.ndarray, crs: CRS, threshold: float = 50.0) -> np.ndarray:
    """For each node, how far from its map position the spot planted at it lies (the nearest spot:
    the connected pixels of band 1 above ``threshold``)."""
    with rasterio.open(geocoded) as src:
        image, transform = src.read(1), src.transform
    above = np.nan_to_num(image, nan=-np.inf) - threshold
    labels, count = ndimage.label(above > 0)
    centres = np.array(ndimage.center_of_mass(np.where(labels > 0, above, 0.0), labels, range(1, count + 1)))
    xs, ys = transform * (centres[:, 1] + 0.5, centres[:, 0] + 0.5)
    node_x, node_y = Transformer.from_crs(4326, crs, always_xy=True).transform(nodes[:, 2], nodes[:, 3])
    return np.array([np.min(np.hypot(np.asarray(xs) - x, np.asarray(ys) - y)) for x, y in zip(node_x, node_y, strict=True)])


@pytest.mark.parametrize("lon_shift", [0.0, 146.5])
def test_every_node_of_a_real_grid_lands_where_the_annotation_says(tmp_path, lon_shift):
    """Where the product lies, and moved east across the antimeridian (178.7 E to 178.5 W), where
    ground control points in longitude and latitude put the nodes 13 km off at the median."""
    radar, nodes, crs = radar_scene(tmp_path, lon_shift=lon_shift)
    assert (np.ptp(nodes[:, 2]) > 300.0) == (lon_shift != 0.0)  # the longitudes wrap
    profile = {"driver": "GTiff", "count": 1, "dtype": "float32", "nodata": float("nan"), "tiled": True,
               "blockxsize": 256, "blockysize": 256}
    geocode(radar, crs, tmp_path / "tps.tif", profile, PIXEL_M, rows_per_block=512)
    errors = node_errors_m(tmp_path / "tps.tif", nodes, crs)
    assert len(nodes) == 152
    # Within a 100 m pixel everywhere (the spots are planted at whole pixels, up to half a pixel
    # from their node's line and pixel).
    assert np.median(errors) < 50.0 and errors.max() < 100.0
    # GDAL's default for ground control points, a polynomial fitted to them all, misses by kilometres.
    geocode(radar, crs, tmp_path / "polynomial.tif", profile, PIXEL_M, rows_per_block=512, method="GCP_POLYNOMIAL")
    polynomial = node_errors_m(tmp_path / "polynomial.tif", nodes, crs)
    assert np.median(polynomial) > 100.0 and polynomial.max() > 1000.0


def test_a_calibrated_scene_in_radar_geometry_with_ground_control_points_is_geocoded_on_ingest(api, tmp_path):
    """A GeoTIFF of calibrated sigma0 with no geotransform but the product's tie points as GCPs in
    longitude and latitude (as a calibrated GRD product exported without terrain correction comes):
    ingest warps it onto the map with the spline, every node's spot within a pixel, the samples it
    marks as no data (0) left out, and the flight track's bearing tagged for the ghost search."""
    import io

    from icesight_backend.sar.readers.geocoding import gcp_line_bearing_deg

    decimation = 20  # 200 m pixels: 843 x 1,297 px
    grid = geolocation_grid(read_annotation(next(GRDH.glob("s1a-iw-grd-vh-*.xml.gz"))))
    radar, nodes, crs = radar_scene(tmp_path, decimation)
    with rasterio.open(radar) as src:
        spots = src.read(1) > 0
        height, width = src.shape
    rng = np.random.default_rng(5)
    vv = np.where(spots, 10.0, 0.02 * rng.gamma(4.4, 1 / 4.4, (height, width))).astype(np.float32)
    vh = (0.15 * vv).astype(np.float32)
    incidence = np.broadcast_to(np.linspace(30.0, 46.0, width, dtype=np.float32), (height, width))
    vv[:, :6] = vh[:, :6] = 0.0  # no data at the near edge, as the product marks it
    gcps = [GroundControlPoint(row=line / decimation + 0.5, col=pixel / decimation + 0.5, x=lon, y=lat)
            for line, pixel, lon, lat, _ in grid]
    scene = tmp_path / "calibrated_radar_geometry.tif"
    with rasterio.open(scene, "w", driver="GTiff", width=width, height=height, count=3, dtype="float32", nodata=0.0) as dst:
        dst.write(np.stack([vv, vh, incidence]))
        dst.gcps = (gcps, CRS.from_epsg(4326))
        for band, name in enumerate(("Sigma0_VV", "Sigma0_VH", "incidence_angle"), start=1):
            dst.set_band_description(band, name)
    upload = api.post("/uploads", data=scene.read_bytes())
    assert upload.status_code == 201
    final = api.wait(api.submit("ingest_scene", {"upload_id": upload.json()["upload_id"], "scene_id": "gcp-iw"})["id"])
    assert final["state"] == "succeeded", final["error"]
    assert final["result"]["crs"] == crs.to_string()  # UTM 36S, chosen for the scene's centre
    with rasterio.open(io.BytesIO(api.get("/scenes/gcp-iw/scene.tif").content)) as catalog:
        co_db = catalog.read(1)
        assert abs(catalog.transform.a) == pytest.approx(200.0, rel=0.05)
        bearing = float(catalog.tags()["azimuth_bearing_deg"])
        cog = tmp_path / "catalog.tif"
        cog.write_bytes(api.get("/scenes/gcp-iw/scene.tif").content)
    errors = node_errors_m(cog, nodes, crs, threshold=0.0)  # spots at +10 dB, the sea at -17 dB
    assert np.median(errors) < 100.0 and errors.max() < 200.0  # within a 200 m pixel
    assert bearing == pytest.approx(gcp_line_bearing_deg(ground_control_points(grid, crs)), abs=0.5)
    finite = co_db[np.isfinite(co_db)]
    # The no-data edge did not come in as -inf, nor blend into the sea: bilinear weights of valid
    # samples alone cannot go below the dimmest of them (with the edge's zeros blended: -42 dB).
    assert finite.min() >= 10 * np.log10(vv[vv > 0].min()) - 0.01


def test_a_gcp_scene_across_the_antimeridian_is_put_on_the_map_of_its_middle(tmp_path):
    """Its longitudes' mean lies on the far side of the Earth; the control point nearest its middle
    picks the CRS. A bearing tag it already carries is replaced by its own lines' direction, and a
    map grid too large is refused before anything is warped."""
    from icesight_backend.sar.readers import SarFormatError
    from icesight_backend.sar.readers.geocoding import gcp_line_bearing_deg
    from icesight_backend.sar.readers.geotiff import geocode_gcp_scene

    decimation, shift = 20, 146.5
    grid = geolocation_grid(read_annotation(next(GRDH.glob("s1a-iw-grd-vh-*.xml.gz"))))
    grid[:, 2] = (grid[:, 2] + shift + 180.0) % 360.0 - 180.0
    radar, nodes, crs = radar_scene(tmp_path, decimation, lon_shift=shift)
    assert crs.to_epsg() in (32701, 32760)  # UTM at 180 degrees
    with rasterio.open(radar) as src:
        data = src.read(1)
    scene = tmp_path / "across.tif"
    with rasterio.open(scene, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1,
                       dtype="float32") as dst:
        dst.write(data, 1)
        dst.gcps = ([GroundControlPoint(row=line / decimation + 0.5, col=pixel / decimation + 0.5, x=lon, y=lat)
                     for line, pixel, lon, lat, _ in grid], CRS.from_epsg(4326))
        dst.update_tags(azimuth_bearing_deg="5.0")
    out = geocode_gcp_scene(scene, tmp_path / "geocoded.tif")
    with rasterio.open(out) as src:
        assert src.crs == crs
        assert float(src.tags()["azimuth_bearing_deg"]) == pytest.approx(gcp_line_bearing_deg(ground_control_points(grid, crs)), abs=0.5)
    errors = node_errors_m(out, nodes, crs)
    assert np.median(errors) < 100.0 and errors.max() < 200.0  # within a 200 m pixel

    def refuse(width, height):
        raise SarFormatError(f"{width} x {height} px is more than this service takes")

    with pytest.raises(SarFormatError, match="more than this service takes"):
        geocode_gcp_scene(scene, tmp_path / "refused.tif", refuse)
    assert not (tmp_path / "refused.tif").exists() and not list(tmp_path.glob("*.vrt"))


def test_a_complex_scene_with_ground_control_points_is_refused_by_name(tmp_path):
    from icesight_backend.sar.readers import SarFormatError
    from icesight_backend.sar.readers.geotiff import geocode_gcp_scene

    radar, _, _ = radar_scene(tmp_path, 40)
    with rasterio.open(radar) as src:
        data, (gcps, gcps_crs) = src.read(1), src.gcps
    slc = tmp_path / "slc.tif"
    with rasterio.open(slc, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1,
                       dtype="complex64") as dst:
        dst.write(data.astype(np.complex64), 1)
        dst.gcps = (gcps, gcps_crs)
    with pytest.raises(SarFormatError, match="complex bands .*real-valued sigma0"):
        geocode_gcp_scene(slc, tmp_path / "out.tif")
    assert not (tmp_path / "out.tif").exists()


@pytest.mark.parametrize("annotation, tolerance_deg", [
    (next(GRDH.glob("s1a-iw-grd-vh-*.xml.gz")), 0.06),  # IW GRDH, three sub-swaths on ground range: 0.045 measured
    (GRDH.parent / "s1a-ew1-slc-hv-20210403t122536-20210403t122628-037286-046484-006.xml.gz", 0.15),  # EW1: 0.114
    (GRDH.parent / "s1b-iw1-slc-vh-20210401t052624-20210401t052649-026269-032297-001.xml.gz", 0.2),  # IW1: 0.164
])
def test_the_incidence_over_a_real_swath_follows_from_its_edges(annotation, tolerance_deg):
    # The swath's corners and its incidence at near and far range (the corner nodes of the grid, as a
    # SNAP product keeps the original product's) give the incidence over the ground: at every node of a
    # real geolocation grid, within a tenth of a degree or so of the annotation's. An incidence
    # interpolated linearly across the swath is 0.4-0.7 degree off on the same grids.
    grid = geolocation_grid(read_annotation(annotation))
    lines, pixels = grid[:, 0], grid[:, 1]
    swath = SwathEdges.of_grid(grid)
    assert abs(swath.width_ratio() - 1.0) < 0.03
    errors = swath.incidence_deg(grid[:, 2], grid[:, 3]) - grid[:, 4]
    assert np.abs(errors).max() < tolerance_deg, np.abs(errors).max()
    near, far = swath.incidence_near_deg, swath.incidence_far_deg  # the means of each edge's corner nodes
    linear = near + (pixels - pixels.min()) / np.ptp(pixels) * (far - near)
    assert np.abs(linear - grid[:, 4]).max() > 1.5 * tolerance_deg  # the geometry is what the test measures
    assert SwathEdges.of_grid(grid[(lines != lines.max()) | (pixels != pixels.max())]) is None  # a corner missing
