"""What SNAP keeps of a product in the files it writes (its abstracted metadata, in a BEAM-DIMAP
product's .dim or in a private tag of its GeoTIFFs): the product's name, and the swath from which
the incidence over the scene follows when no incidence band was saved."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio

from icesight_backend.sar.readers import SarFormatError
from icesight_backend.sar.readers.dimap import dimap_to_geotiff, open_dimap
from icesight_backend.sar.readers.geotiff import inspect_scene, normalise_to_cog, reproject_scene
from icesight_backend.sar.readers.snap import DIMAP_TIFF_TAG, tiff_snap_metadata, tiff_tag_bytes

PRODUCT = "S1A_EW_GRDM_1SDH_20210403T122536_20210403T122628_037286_046484_8152"


@pytest.fixture
def pair(linear_bands):
    """HH and HV (linear sigma0) with SNAP's no-data (0) down the left edge, no incidence band."""
    hh, hv, _ = (band.copy() for band in linear_bands)
    for band in (hh, hv):
        band[:, :20] = 0.0
    return {"Sigma0_HH": hh, "Sigma0_HV": hv}


def test_the_swath_a_dimap_product_keeps_gives_the_incidence_over_the_scene(tmp_path, pair, write_dimap,
                                                                          ew_swath_metadata):
    # SNAP's terrain correction saves no incidence band by default; the .dim's abstracted metadata keeps
    # the swath's corners and its incidence at near and far range, and the incidence follows from them.
    product = open_dimap(write_dimap(tmp_path / "p.zip", pair, metadata=ew_swath_metadata(PRODUCT)))
    assert product.metadata.product == PRODUCT and product.metadata.swath is not None
    stacked = dimap_to_geotiff(product, tmp_path / "stacked.tif")
    scene_file = reproject_scene(stacked, tmp_path / "map.tif")  # SNAP's degrees: onto polar stereographic
    with pytest.raises(SarFormatError, match="no incidence angle"):
        inspect_scene(scene_file)
    scene = inspect_scene(scene_file, swath=product.metadata.swath)
    assert scene.inc_band is None and scene.swath is product.metadata.swath
    with rasterio.open(normalise_to_cog(scene, tmp_path / "scene.tif")) as cog:
        co, incidence, transform, crs = cog.read(1), cog.read(3), cog.transform, cog.crs
    assert np.array_equal(np.isnan(incidence), np.isnan(co))  # where the scene has data, and only there
    rows, cols = np.nonzero(np.isfinite(incidence))
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(*(transform * (cols + 0.5, rows + 0.5)))
    np.testing.assert_allclose(incidence[rows, cols], product.metadata.swath.incidence_deg(lon, lat), atol=1e-4)
    # The grid lies 58.6-60 km inside the near edge, looking west: 23.66-23.77 degrees, as the angle
    # between the ground's normal and the line to a satellite 693 km above a sphere (solved apart from
    # the reader) puts it, rising westwards (towards far range).
    assert 23.64 < np.nanmin(incidence) < np.nanmax(incidence) < 23.79
    west, east = np.nanmean(incidence[:, : incidence.shape[1] // 3]), np.nanmean(incidence[:, -incidence.shape[1] // 3:])
    assert west > east
    # A constant the analyst gives is taken over the swath.
    assert inspect_scene(scene_file, inc_angle_deg=30.0, swath=product.metadata.swath).swath is None


@pytest.mark.parametrize("changes", [
    {"incidence_near": 99999.0},  # SNAP's "no value"
    {"first_far_lat": 99999.0},
    {"last_near_long": None},  # a corner missing
    {"incidence_far": 58.0},  # angles spanning a wider swath than the corners: a product cut after
    {"incidence_near": 47.0, "incidence_far": 18.9},  # near above far
    {"incidence_far": "unknown"},
    {"last_near_lat": 95.0},
    {"last_near_lat": None, "last_near_long": None, "first_near_lat": None, "first_near_long": None},
])
def test_a_swath_the_metadata_does_not_describe_whole_gives_no_incidence(tmp_path, pair, write_dimap,
                                                                         ew_swath_metadata, changes):
    metadata = {name: value for name, value in (ew_swath_metadata(PRODUCT) | changes).items() if value is not None}
    product = open_dimap(write_dimap(tmp_path / "p.zip", pair, metadata=metadata))
    assert product.metadata.swath is None and product.metadata.product == PRODUCT


@pytest.mark.parametrize("big_endian", [False, True])
def test_a_snap_geotiff_carries_its_product_and_swath(tmp_path, pair, write_snap_tif, write_tif, ew_swath_metadata,
                                                      big_endian):
    path = write_snap_tif(tmp_path / "export.tif", list(pair.values()), ew_swath_metadata(PRODUCT), big_endian=big_endian)
    metadata = tiff_snap_metadata(path)
    assert metadata.product == PRODUCT and metadata.swath is not None
    assert metadata.swath.incidence_near_deg == 18.9 and metadata.swath.incidence_far_deg == 47.0
    with rasterio.open(path) as src:  # the image itself is as GDAL wrote it
        np.testing.assert_array_equal(src.read(1), pair["Sigma0_HH"].astype(np.float32))
    # Files SNAP did not write, and files that are not TIFFs or are cut short, hold none.
    assert tiff_snap_metadata(write_tif(tmp_path / "plain.tif", list(pair.values()))) is None
    (tmp_path / "notes.txt").write_text("not a tiff")
    assert tiff_snap_metadata(tmp_path / "notes.txt") is None
    (tmp_path / "cut.tif").write_bytes(path.read_bytes()[:4096])
    assert tiff_tag_bytes(tmp_path / "cut.tif", DIMAP_TIFF_TAG) is None
    broken = write_snap_tif(tmp_path / "broken.tif", list(pair.values()), {"PRODUCT": "<unclosed"})
    assert tiff_snap_metadata(broken) is None  # not XML: nothing taken from it
    # A BigTIFF's directory is read too.
    with rasterio.open(tmp_path / "big.tif", "w", driver="GTiff", width=8, height=8, count=1, dtype="float32",
                       crs="EPSG:3413", transform=rasterio.transform.from_origin(0, 80, 10, 10), BIGTIFF="YES",
                       compress="deflate") as dst:
        dst.write(np.ones((1, 8, 8), np.float32))
    assert tiff_tag_bytes(tmp_path / "big.tif", 259) == (8).to_bytes(2, "little")  # Compression: DEFLATE
