"""Patches cut on the backend from a scene COG: geometry, CRS round trips, edge padding."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Transformer

from icesight_backend.sar.io import write_scene_cog
from icesight_backend.sar.patches import cut_patches_from_scene
from icesight_backend.sar.scene import simulate_scene
from icesight_contract import SimulateSceneParams


@pytest.fixture(scope="module")
def scene_and_cog(tmp_path_factory):
    scene = simulate_scene(SimulateSceneParams(width_px=400, height_px=300, n_ships=5, n_icebergs=5, seed=31))
    path = write_scene_cog(scene, tmp_path_factory.mktemp("scene") / "scene.tif", tags={"scene_id": "S"})
    return scene, path


def test_patch_is_centred_on_its_target_and_its_footprint_contains_it(scene_and_cog):
    scene, path = scene_and_cog
    target = scene.targets[0]
    cut = cut_patches_from_scene(path, [("t0", target.x, target.y)], "EPSG:3413", "S")
    (patch,) = cut.patches
    assert (patch.row, patch.col) == (target.row, target.col)
    assert (patch.x, patch.y) == pytest.approx((target.x, target.y))
    band = np.asarray(patch.band_1).reshape(75, 75)
    expected = scene.hh_db[target.row - 37 : target.row + 38, target.col - 37 : target.col + 38]
    if not patch.padded:
        np.testing.assert_allclose(band, expected, atol=1e-3)
    # Footprint: 75 pixels of 40 m around the centre contain the target.
    half_m = 37.5 * scene.pixel_size_m
    assert abs(target.x - patch.x) < half_m and abs(target.y - patch.y) < half_m
    assert patch.inc_angle == pytest.approx(float(scene.inc_angle_deg[target.row, target.col]), abs=1e-4)


def test_points_in_lon_lat_round_trip_to_the_same_pixel(scene_and_cog):
    scene, path = scene_and_cog
    target = scene.targets[1]
    lon, lat = Transformer.from_crs(3413, 4326, always_xy=True).transform(target.x, target.y)
    cut = cut_patches_from_scene(path, [("geo", lon, lat)], "EPSG:4326", "S")
    assert (cut.patches[0].row, cut.patches[0].col) == (target.row, target.col)


def test_edge_points_are_padded_and_off_scene_points_reported(scene_and_cog):
    scene, path = scene_and_cog
    edge_x, edge_y = scene.transform * (398.5, 150.5)
    off_x, off_y = scene.transform * (450.5, 150.5)
    cut = cut_patches_from_scene(path, [("edge", edge_x, edge_y), ("off", off_x, off_y)], "EPSG:3413", "S")
    assert [p.id for p in cut.patches] == ["edge"]
    assert cut.patches[0].padded and np.isfinite(cut.patches[0].band_1).all()
    assert cut.skipped == {"off": "outside the scene"}


@pytest.mark.parametrize(("row", "col"), [(150, 398), (20, 30), (270, 385), (18, 382)])  # over half with data
def test_the_scene_part_of_an_edge_patch_is_the_scene_and_the_rest_its_own_median(scene_and_cog, row, col):
    scene, path = scene_and_cog
    x, y = scene.transform * (col + 0.5, row + 0.5)
    (patch,) = cut_patches_from_scene(path, [("edge", x, y)], "EPSG:3413", "S").patches
    band = np.asarray(patch.band_1).reshape(75, 75)
    top, left = row - 37, col - 37
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + 75, scene.hh_db.shape[0]), min(left + 75, scene.hh_db.shape[1])
    inside = band[r0 - top : r1 - top, c0 - left : c1 - left]
    scene_part = scene.hh_db[r0:r1, c0:c1]
    has_data = np.isfinite(scene_part)
    np.testing.assert_allclose(inside[has_data], scene_part[has_data], atol=1e-3)  # placed at the right offset
    filled = np.ones_like(band, dtype=bool)  # off the scene, or off the swath inside it
    filled[r0 - top : r1 - top, c0 - left : c1 - left] = ~has_data
    assert patch.padded and np.allclose(band[filled], np.median(scene_part[has_data]), atol=1e-3)
