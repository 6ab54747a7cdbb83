"""What SNAP keeps of a product in the files it writes (its metadata, in a BEAM-DIMAP product's .dim
or in a private tag of its GeoTIFFs): the product's name, and the swath from which the incidence
over the scene follows when no incidence band was saved."""

from __future__ import annotations

import struct

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from scipy.interpolate import griddata

from icesight_backend.sar.readers import SarFormatError
from icesight_backend.sar.readers.dimap import dimap_to_geotiff, open_dimap
from icesight_backend.sar.readers.geocoding import SwathEdges
from icesight_backend.sar.readers.geotiff import inspect_scene, normalise_to_cog, reproject_scene
from icesight_backend.sar.readers.snap import DIMAP_TIFF_TAG, tiff_snap_metadata, tiff_tag_bytes

PRODUCT = "S1A_IW_GRDH_1SDV_20210119T031653_20210119T031718_036201_043ED0_8255"
LON, LAT = 33.6, -18.15  # near the middle of the real grid (conftest.REAL_GRID_MIDDLE)


@pytest.fixture
def pair(linear_bands):
    """VV and VH (linear sigma0) with SNAP's no-data (0) down the left edge, no incidence band."""
    vv, vh, _ = (band.copy() for band in linear_bands)
    for band in (vv, vh):
        band[:, :20] = 0.0
    return {"Sigma0_VV": vv, "Sigma0_VH": vh}


def test_the_original_products_grid_gives_the_incidence_over_a_terrain_corrected_scene(
        tmp_path, pair, write_dimap, real_geolocation_grid, terrain_corrected_metadata):
    # SNAP's terrain correction saves no incidence band by default. The .dim keeps the original product's
    # annotation, whose geolocation grid gives the swath, and so the incidence at every pixel.
    metadata = terrain_corrected_metadata(PRODUCT, pair["Sigma0_VV"].shape)
    product = open_dimap(write_dimap(tmp_path / "p.zip", pair, lon=LON, lat=LAT, metadata=metadata,
                                     grid=real_geolocation_grid))
    assert product.metadata.product == PRODUCT and product.metadata.swath == SwathEdges.of_grid(real_geolocation_grid)
    scene_file = reproject_scene(dimap_to_geotiff(product, tmp_path / "stacked.tif"), tmp_path / "map.tif")
    with pytest.raises(SarFormatError, match="no incidence angle"):
        inspect_scene(scene_file)
    scene = inspect_scene(scene_file, swath=product.metadata.swath)
    assert scene.inc_band is None and scene.swath is product.metadata.swath
    with rasterio.open(normalise_to_cog(scene, tmp_path / "scene.tif")) as cog:
        co, incidence, transform, crs = cog.read(1), cog.read(3), cog.transform, cog.crs
    assert np.array_equal(np.isnan(incidence), np.isnan(co))  # where the scene has data, and only there
    rows, cols = np.nonzero(np.isfinite(incidence))
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(*(transform * (cols + 0.5, rows + 0.5)))
    # The annotation's own incidence, interpolated linearly between its nodes (independently of the swath).
    expected = griddata(real_geolocation_grid[:, 2:4], real_geolocation_grid[:, 4], (lon, lat), method="linear")
    assert np.abs(incidence[rows, cols] - expected).max() < 0.05
    # A constant the analyst gives is taken over the swath.
    assert inspect_scene(scene_file, inc_angle_deg=30.0, swath=product.metadata.swath).swath is None


def test_a_terrain_corrected_products_corners_are_not_taken_for_its_swath(tmp_path, pair, write_dimap,
                                                                         real_geolocation_grid,
                                                                         terrain_corrected_metadata):
    # Terrain correction sets the abstracted corners to its map raster's: the west and east edges of a
    # north-up map are not the swath's near and far range, so without the original grid there is no swath.
    metadata = terrain_corrected_metadata(PRODUCT, pair["Sigma0_VV"].shape)
    product = open_dimap(write_dimap(tmp_path / "tc.zip", pair, lon=LON, lat=LAT, metadata=metadata))
    assert product.metadata.product == PRODUCT and product.metadata.swath is None
    # Still in radar geometry, the abstracted corners are the swath's (here the real grid's corner nodes).
    swath = SwathEdges.of_grid(real_geolocation_grid)
    radar = {"PRODUCT": PRODUCT, "is_terrain_corrected": 0, "map_projection": "",
             "incidence_near": swath.incidence_near_deg, "incidence_far": swath.incidence_far_deg}
    for line, index in (("first", 0), ("last", 1)):
        for edge, corners in (("near", swath.near), ("far", swath.far)):
            radar |= {f"{line}_{edge}_long": corners[index][0], f"{line}_{edge}_lat": corners[index][1]}
    in_radar_geometry = open_dimap(write_dimap(tmp_path / "radar.zip", pair, metadata=radar)).metadata.swath
    assert in_radar_geometry == swath
    nodes = real_geolocation_grid
    assert np.abs(in_radar_geometry.incidence_deg(nodes[:, 2], nodes[:, 3]) - nodes[:, 4]).max() < 0.06
    assert open_dimap(write_dimap(tmp_path / "flagged.zip", pair, metadata=radar | {"map_projection": "UTM Zone 36 / "
                                                                                     "World Geodetic System 1984"})
                      ).metadata.swath is None


@pytest.mark.parametrize("damage", [
    "near_above_far",  # incidence decreasing towards far range: not a Sentinel-1 grid
    "no_corner",  # a corner node missing
    "not_a_number",  # every node's incidence unreadable
    "slc",  # an SLC sub-swath's annotation (slant range, one sub-swath)
    "moved",  # the far corners pulled in: corners and angles disagree on the swath's width
])
def test_a_grid_that_does_not_describe_a_whole_swath_gives_none(tmp_path, pair, write_dimap, real_geolocation_grid,
                                                                terrain_corrected_metadata, damage):
    grid = real_geolocation_grid.copy()
    lines, pixels = grid[:, 0], grid[:, 1]
    far = pixels == pixels.max()
    if damage == "near_above_far":
        grid[:, 4] = grid[::-1, 4]
    elif damage == "no_corner":
        grid = grid[~((lines == lines.max()) & far)]
    elif damage == "not_a_number":
        grid[:, 4] = np.nan
    elif damage == "moved":
        near = pixels == pixels.min()
        grid[far, 2:4] = grid[near, 2:4] + 0.5 * (grid[far, 2:4] - grid[near, 2:4])
    metadata = terrain_corrected_metadata(PRODUCT, pair["Sigma0_VV"].shape)
    path = write_dimap(tmp_path / "p.zip", pair, lon=LON, lat=LAT, metadata=metadata, grid=grid)
    if damage == "slc":
        import zipfile

        with zipfile.ZipFile(path) as source, zipfile.ZipFile(tmp_path / "slc.zip", "w") as out:
            for member in source.namelist():
                data = source.read(member)
                out.writestr(member, data.replace(b"-grd-", b"-slc-") if member.endswith(".dim") else data)
        path = tmp_path / "slc.zip"
    assert open_dimap(path).metadata.swath is None


@pytest.mark.parametrize("big_endian", [False, True])
def test_a_snap_geotiff_carries_its_product_and_swath(tmp_path, pair, write_snap_tif, write_tif, real_geolocation_grid,
                                                      terrain_corrected_metadata, big_endian):
    metadata = terrain_corrected_metadata(PRODUCT, pair["Sigma0_VV"].shape)
    path = write_snap_tif(tmp_path / "export.tif", list(pair.values()), metadata, real_geolocation_grid,
                          big_endian=big_endian, lon=LON, lat=LAT)
    found = tiff_snap_metadata(path)
    assert found.product == PRODUCT and found.swath == SwathEdges.of_grid(real_geolocation_grid)
    with rasterio.open(path) as src:  # the image itself is as GDAL wrote it
        np.testing.assert_array_equal(src.read(1), pair["Sigma0_VV"].astype(np.float32))
    # Files SNAP did not write, and files that are not TIFFs or are cut short, hold none.
    assert tiff_snap_metadata(write_tif(tmp_path / "plain.tif", list(pair.values()))) is None
    (tmp_path / "notes.txt").write_text("not a tiff")
    assert tiff_snap_metadata(tmp_path / "notes.txt") is None
    (tmp_path / "cut.tif").write_bytes(path.read_bytes()[:4096])
    assert tiff_tag_bytes(tmp_path / "cut.tif", DIMAP_TIFF_TAG) is None
    broken = write_snap_tif(tmp_path / "broken.tif", list(pair.values()), {"PRODUCT": "<unclosed"})
    assert tiff_snap_metadata(broken) is None  # not XML: nothing taken from it
    foreign = bytearray(path.read_bytes())
    declaration = foreign.find(b'encoding="ISO-8859-1"')
    foreign[declaration:declaration + 21] = b'encoding="x-mac-foo1"'  # an encoding Python does not know
    (tmp_path / "foreign.tif").write_bytes(bytes(foreign))
    assert tiff_snap_metadata(tmp_path / "foreign.tif") is None


def test_the_tiff_directory_reader_reads_bigtiff_and_refuses_what_is_not_a_directory(tmp_path):
    with rasterio.open(tmp_path / "big.tif", "w", driver="GTiff", width=8, height=8, count=1, dtype="float32",
                       crs="EPSG:3413", transform=rasterio.transform.from_origin(0, 80, 10, 20), BIGTIFF="YES",
                       compress="deflate") as dst:
        dst.write(np.ones((1, 8, 8), np.float32))
    assert tiff_tag_bytes(tmp_path / "big.tif", 259) == (8).to_bytes(2, "little")  # Compression (inline): DEFLATE
    scale = tiff_tag_bytes(tmp_path / "big.tif", 33550)  # ModelPixelScale: three doubles, stored apart
    assert struct.unpack("<3d", scale) == (10.0, 20.0, 0.0)
    # A BigTIFF whose directory claims more entries than the file holds (or than memory could).
    for entries in (2**33, 2**62, 2**64 - 1):
        (tmp_path / "lying.tif").write_bytes(b"II" + struct.pack("<HHHQ", 43, 8, 0, 16) + struct.pack("<Q", entries)
                                             + b"\0" * 32)
        assert tiff_tag_bytes(tmp_path / "lying.tif", DIMAP_TIFF_TAG) is None
