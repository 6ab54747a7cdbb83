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
from rasterio.crs import CRS
from scipy import ndimage

from icesight_backend.sar.readers.safe import (
    _target_crs,
    geocode,
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
    centre = grid[len(grid) // 2]
    crs = _target_crs(centre[3], centre[2])
    scaled = grid.copy()
    scaled[:, :2] /= decimation
    gcps = ground_control_points(scaled, crs)
    radar = tmp_path / "radar.tif"
    with rasterio.open(radar, "w", driver="GTiff", width=width, height=height, count=1, dtype="float32",
                       nodata=float("nan")) as dst:
        dst.write(data, 1)
        dst.gcps = (gcps, crs)
    return radar, interior, crs


def node_errors_m(geocoded: Path, nodes: np.ndarray, crs: CRS) -> np.ndarray:
    """For each node, how far from its map position the spot planted at it lies (the nearest spot)."""
    with rasterio.open(geocoded) as src:
        image, transform = src.read(1), src.transform
    labels, count = ndimage.label(np.nan_to_num(image) > 50.0)
    centres = np.array(ndimage.center_of_mass(np.nan_to_num(image), labels, range(1, count + 1)))
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
