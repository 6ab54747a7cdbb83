"""The simulator's physics: what a SAR analyst would check first."""

from __future__ import annotations

import numpy as np
import pytest

from icesight_backend.sar.scene import simulate_scene
from icesight_backend.sar.simulation import MODES, background, sea_sigma0_db, simulate_patches
from icesight_contract import AcquisitionMode, ClassName, SimulateSceneParams


def test_sea_clutter_falls_with_incidence_and_rises_with_wind():
    hh_20, _ = sea_sigma0_db(20.0, 7.0)
    hh_45, _ = sea_sigma0_db(45.0, 7.0)
    hh_45_windy, hv_45_windy = sea_sigma0_db(45.0, 14.0)
    assert hh_20 - hh_45 > 8.0
    assert hh_45_windy > hh_45 + 3.0
    assert hv_45_windy < hh_45_windy


def test_clutter_is_speckled_and_k_like():
    rng = np.random.default_rng(0)
    geometry = MODES[AcquisitionMode.EW]
    inc = np.full((256, 256), 35.0)
    hh, hv = background(rng, inc, 7.0, geometry)
    # Intensity of K-distributed clutter: normalised variance above the Gamma(L) speckle alone.
    normalised_variance = hh.var() / hh.mean() ** 2
    assert normalised_variance > 1.0 / geometry.looks
    assert 10 * np.log10(np.median(hv)) < 10 * np.log10(np.median(hh)) - 3


def test_patches_are_reproducible_and_classes_overlap_but_differ():
    a = simulate_patches(200, seed=5)
    b = simulate_patches(200, seed=5)
    np.testing.assert_array_equal(a.band_1_db, b.band_1_db)
    assert a.band_1_db.shape == (200, 75, 75)
    centre = np.s_[:, 30:45, 30:45]
    peak_hh = a.band_1_db[centre].max(axis=(1, 2))
    ratio = a.band_2_db[centre].max(axis=(1, 2)) - peak_hh
    ships, bergs = a.is_iceberg == 0, a.is_iceberg == 1
    # Ships: brighter co-pol peaks; icebergs: higher cross-/co-pol ratio ...
    assert np.median(peak_hh[ships]) > np.median(peak_hh[bergs]) + 3
    assert np.median(ratio[bergs]) > np.median(ratio[ships]) + 2
    # ... but not separable by one threshold: some ships are dimmer than the median iceberg.
    assert np.mean(peak_hh[ships] < np.median(peak_hh[bergs])) > 0.03


def test_scene_truth_matches_the_image():
    params = SimulateSceneParams(width_px=400, height_px=300, n_ships=4, n_icebergs=4, seed=1)
    scene = simulate_scene(params)
    assert scene.hh_db.shape == (300, 400)
    assert len(scene.targets) == 8
    assert {t.target.kind for t in scene.targets} == {ClassName.SHIP, ClassName.ICEBERG}
    assert np.isnan(scene.hh_db[:, 0]).all()  # nodata wedge at near range
    for placed in scene.targets:
        window = scene.hh_db[placed.row - 3 : placed.row + 4, placed.col - 3 : placed.col + 4]
        surroundings = np.nanmedian(scene.hh_db[max(placed.row - 40, 0) : placed.row + 40, max(placed.col - 40, 0) : placed.col + 40])
        assert np.nanmax(window) > surroundings + 3, placed
        x, y = scene.transform * (placed.col + 0.5, placed.row + 0.5)
        assert (x, y) == pytest.approx((placed.x, placed.y))


@pytest.mark.parametrize("mode", list(AcquisitionMode))
def test_incidence_spans_the_mode(mode):
    scene = simulate_scene(SimulateSceneParams(mode=mode, width_px=256, height_px=128, n_ships=0, n_icebergs=0, seed=3))
    geometry = MODES[mode]
    inc = scene.inc_angle_deg[np.isfinite(scene.inc_angle_deg)]
    assert geometry.inc_near_deg <= inc.min() < inc.max() <= geometry.inc_far_deg
    assert np.all(np.diff(scene.inc_angle_deg[5, 20:]) > 0)  # rises across range


def test_block_by_block_scene_equals_the_scene_made_at_once(tmp_path):
    import rasterio

    from icesight_backend.sar.io import write_simulated_scene_cog
    from icesight_backend.sar.scene import scene_layout

    params = SimulateSceneParams(width_px=300, height_px=1100, n_ships=6, n_icebergs=6, seed=13)
    whole = simulate_scene(params)
    layout = scene_layout(params)
    path = write_simulated_scene_cog(layout, tmp_path / "scene.tif")
    with rasterio.open(path) as src:
        np.testing.assert_array_equal(src.read(1), whole.hh_db)  # targets crossing block borders included
        np.testing.assert_array_equal(src.read(2), whole.hv_db)
    assert [(t.row, t.col) for t in layout.targets] == [(t.row, t.col) for t in whole.targets]
