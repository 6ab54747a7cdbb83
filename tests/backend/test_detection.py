"""CFAR detection: the K-distribution threshold, chunked = whole-scene result, recall on a scene."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import ndimage, special

from icesight_backend.sar.clutter import ClutterParams, _window_order_statistics, cell_means_db
from icesight_backend.sar.detection import (
    CO_BIT,
    EXTENDED_CO_BIT,
    MERGE_DISTANCE_PX,
    OCCUPANCY_BLOCK_PX,
    CfarParams,
    Detection,
    DetectionParamsError,
    _components,
    _scene_objects,
    _sized_components,
    cfar_bits,
    cfar_block,
    cfar_mask,
    cross_over_noise_db,
    detect,
    drop_azimuth_ambiguities,
    feret_length_px,
    k_threshold_table,
    label_detections,
    nearest_match,
    scan_scene,
    score_against_truth,
    truth_reach_px,
)
from icesight_backend.sar.scene import simulate_scene
from icesight_contract import SimulateSceneParams


def test_k_threshold_reaches_the_gamma_limit_and_grows_for_spiky_seas():
    looks, pfa = 10.7, 1e-6
    table = k_threshold_table(looks, pfa)
    assert np.all(np.diff(table) < 0)  # spikier (lower shape) -> higher threshold
    gamma_only = special.gammainccinv(looks, pfa) / looks
    assert table[-1] == pytest.approx(gamma_only, rel=0.05)
    # Monte Carlo check of one entry: the K quantile really leaves pfa above it.
    rng = np.random.default_rng(0)
    nu, n = 2.0, 4_000_000
    grid = np.geomspace(0.3, 200.0, 96)
    threshold = np.interp(np.log(nu), np.log(grid), k_threshold_table(looks, 1e-3))
    samples = rng.gamma(nu, 1 / nu, n) * rng.gamma(looks, 1 / looks, n)
    assert np.mean(samples > threshold) == pytest.approx(1e-3, rel=0.15)


def test_false_alarm_rate_on_pure_clutter_matches_pfa():
    rng = np.random.default_rng(1)
    looks, nu, pfa = 10.7, 4.0, 1e-4
    intensity = 0.01 * rng.gamma(nu, 1 / nu, (1500, 1500)) * rng.gamma(looks, 1 / looks, (1500, 1500))
    mask = cfar_block(10 * np.log10(intensity), CfarParams(pixel_size_m=40.0, pfa=pfa, looks=looks))
    rate = mask[40:-40, 40:-40].mean()
    assert 0.5 * pfa < rate < 2.0 * pfa


@pytest.mark.parametrize("chunk_px", [256, 233])
def test_chunked_detection_equals_whole_scene_detection(chunk_px):
    scene = simulate_scene(SimulateSceneParams(width_px=700, height_px=600, n_ships=8, n_icebergs=8, seed=4))
    params = CfarParams(pixel_size_m=40.0)
    # A 600 m iceberg, too large for the pixel CFAR's guard window, across a chunk border.
    rows, cols = np.mgrid[0:600, 0:700]
    berg = np.hypot(rows - 240, cols - 250) < 7.5
    co = np.where(berg, scene.hh_db + 15.0, scene.hh_db)
    whole = cfar_bits(co, None, params)
    chunked = cfar_mask(co, params, chunk_px=chunk_px).compute()
    assert (whole & CO_BIT).sum() > 0 and ((whole[berg] & EXTENDED_CO_BIT) != 0).mean() > 0.8
    np.testing.assert_array_equal(chunked, whole)  # the halo makes chunk borders invisible, odd chunks too


@pytest.mark.parametrize("with_noise", [False, True])
def test_one_pass_scan_gives_the_mask_cell_means_and_target_windows_of_separate_passes(with_noise):
    scene = simulate_scene(SimulateSceneParams(width_px=700, height_px=600, n_ships=8, n_icebergs=8, seed=4))
    params = CfarParams(pixel_size_m=40.0)
    cell_px = ClutterParams(pixel_size_m=40.0).cell_px
    noise = scene.nesz_db if with_noise else None
    scan = scan_scene(scene.hh_db, scene.hv_db, params, chunk_px=256, cell_px=cell_px, noise_db=noise)
    # With the noise band the cross-pol CFAR runs on the cross-pol over its floor.
    judged = cross_over_noise_db(scene.hv_db, scene.nesz_db) if with_noise else scene.hv_db
    np.testing.assert_array_equal(scan.mask, cfar_mask(scene.hh_db, params, 256, judged).compute())
    np.testing.assert_array_equal(scan.co_cells_db, cell_means_db(scene.hh_db, cell_px, 256))
    np.testing.assert_array_equal(scan.cross_cells_db, cell_means_db(scene.hv_db, cell_px, 256))
    if with_noise:
        np.testing.assert_array_equal(scan.noise_cells_db, cell_means_db(scene.nesz_db, cell_px, 256))
    else:
        assert scan.noise_cells_db is None
    assert scan.windows  # targets across chunk borders included
    for (r0, r1, c0, c1), (co, cross, noise_window) in scan.windows.items():
        np.testing.assert_array_equal(co, scene.hh_db[r0:r1, c0:c1])
        np.testing.assert_array_equal(cross, scene.hv_db[r0:r1, c0:c1])
        if with_noise:
            np.testing.assert_array_equal(noise_window, scene.nesz_db[r0:r1, c0:c1])
        else:
            assert noise_window is None
    measured = label_detections(scan.mask, scene.hh_db, scene.hv_db, params, windows=scan.windows, noise_db=noise)
    assert len(scan.windows) == len(measured)  # every target's window came from the scan
    assert measured == label_detections(scan.mask, scene.hh_db, scene.hv_db, params, noise_db=noise)


def test_window_order_statistics_are_the_rank_filters():
    cells = np.random.default_rng(2).standard_normal((90, 70)).round(1)  # with ties
    q25, median, q75 = _window_order_statistics(cells, 7, (25.0, 50.0, 75.0))
    np.testing.assert_array_equal(q25, ndimage.percentile_filter(cells, 25, size=7, mode="nearest"))
    np.testing.assert_array_equal(median, ndimage.median_filter(cells, size=7, mode="nearest"))
    np.testing.assert_array_equal(q75, ndimage.percentile_filter(cells, 75, size=7, mode="nearest"))


def test_detects_the_simulated_targets_with_few_false_alarms():
    scene = simulate_scene(SimulateSceneParams(width_px=1024, height_px=1024, n_ships=15, n_icebergs=15, seed=8))
    detections = detect(scene.hh_db, scene.hv_db, CfarParams(pixel_size_m=40.0), chunk_px=512)
    open_water = ~scene.ice_mask & np.isfinite(scene.hh_db)
    score = score_against_truth(
        detections, [(t.row, t.col, t.target.length_m) for t in scene.targets], 40.0, open_water
    )
    assert score.n_truth_detectable >= 10
    assert score.recall >= 0.9
    assert score.false_alarms_per_1000_km2 < 5.0
    for d in detections:
        assert d.area_px >= 2 and d.mean_cross_db < d.mean_co_db


def test_azimuth_ghost_of_a_bright_ship_is_dropped():
    ship = Detection(500, 300, 20, 200.0, 25.0, 15.0, 5.0, 500, 300)
    ghost = Detection(625, 301, 3, 80.0, 2.0, -2.0, -15.0, 625, 301)  # 5 km along azimuth, 23 dB dimmer
    berg = Detection(625, 400, 3, 80.0, 2.0, -2.0, -10.0, 625, 400)  # same row offset, other range
    kept = drop_azimuth_ambiguities([ship, ghost, berg], CfarParams(pixel_size_m=40.0))
    assert kept == [ship, berg]


@pytest.mark.parametrize("bearing", [30.0, 168.0, 300.0])
def test_ghosts_are_looked_for_along_the_scenes_azimuth_direction(bearing):
    """In a geocoded scene azimuth runs obliquely to the map grid: a ghost lies 5 km along it."""
    along = (-math.cos(math.radians(bearing)), math.sin(math.radians(bearing)))  # (row, col) per pixel
    ship = Detection(500, 500, 20, 200.0, 25.0, 15.0, 5.0, 500, 500)
    ghost = Detection(500 + 125 * along[0], 500 + 125 * along[1], 3, 80.0, 2.0, -2.0, -15.0, 0, 0)
    on_the_rows = Detection(625, 500, 3, 80.0, 2.0, -2.0, -10.0, 625, 500)  # 5 km along the rows: a target
    oblique = CfarParams(pixel_size_m=40.0, azimuth_bearing_deg=bearing)
    assert drop_azimuth_ambiguities([ship, ghost, on_the_rows], oblique) == [ship, on_the_rows]
    assert drop_azimuth_ambiguities([ship, ghost, on_the_rows], CfarParams(pixel_size_m=40.0)) == [ship, ghost]
    with pytest.raises(DetectionParamsError, match="azimuth_bearing_deg"):
        CfarParams(pixel_size_m=40.0, azimuth_bearing_deg=360.0)


def test_a_scenes_azimuth_bearing_comes_from_its_tag_or_the_rows():
    from icesight_backend.jobs.targets import scene_azimuth_bearing

    assert scene_azimuth_bearing({"azimuth_bearing_deg": "168.000"}) == 168.0
    assert scene_azimuth_bearing({"azimuth_bearing_deg": "-12"}) == 348.0
    for tags in ({}, {"azimuth_bearing_deg": "north"}, {"azimuth_bearing_deg": "nan"}, {"azimuth_bearing_deg": "inf"}):
        assert scene_azimuth_bearing(tags) == 0.0


def test_a_detection_finds_the_target_nearest_relative_to_its_reach():
    """A 400 m ship reaches 4 + 5 px at 40 m, a 40 m berg 4.5 px. A detection is the target's it is
    nearest to relative to those reaches, and a false alarm beyond all of them."""
    reach = truth_reach_px([400.0, 40.0], 40.0)
    assert reach.tolist() == [9.0, 4.5]
    rows, cols = np.array([100.0, 100.0]), np.array([100.0, 110.0])
    assert nearest_match(100.0, 108.0, rows, cols, reach) == 1  # 8 px from the ship (0.89), 2 from the berg (0.44)
    assert nearest_match(100.0, 104.5, rows, cols, reach) == 0  # 0.5 of the ship's reach, 1.2 of the berg's
    assert nearest_match(100.0, 92.0, rows, cols, reach) == 0
    assert nearest_match(120.0, 100.0, rows, cols, reach) is None  # 2.2 of the ship's reach
    assert nearest_match(100.0, 100.0, np.empty(0), np.empty(0), np.empty(0)) is None
    # score_against_truth counts by the same reach: the 8 px detection finds both, the 20 px one neither.
    found = score_against_truth([Detection(row=100.0, col=108.0, area_px=3, length_m=80.0, peak_co_db=0.0,
                                           mean_co_db=0.0, mean_cross_db=-10.0, peak_row=100, peak_col=108)],
                                [(100, 100, 400.0), (100, 110, 400.0)], 40.0, np.ones((200, 200), dtype=bool))
    assert found.recall == 1.0 and found.false_alarms_open_water == 0


def test_an_objects_length_is_its_longest_extent_not_its_bounding_boxs_diagonal():
    line = np.zeros((30, 30), dtype=bool)
    line[5, 3:13] = True  # 10 px along a row
    assert feret_length_px(line) == pytest.approx(np.hypot(10, 1))
    assert feret_length_px(np.eye(12, dtype=bool)) == pytest.approx(12 * np.sqrt(2))  # along the diagonal
    rows, cols = np.mgrid[0:40, 0:40]
    disc = np.hypot(rows - 20, cols - 20) < 7.5  # 15 px across: its box's diagonal says 21
    assert 15.0 <= feret_length_px(disc) <= 16.5
    single = np.zeros((5, 5), dtype=bool)
    single[2, 2] = True
    assert feret_length_px(single) == pytest.approx(np.sqrt(2))


def test_a_scenes_objects_labelled_region_by_region_are_those_of_the_whole_mask():
    """The labelling that keeps a full scene's memory down finds the same objects, in the same order,
    as labelling the whole mask: at the scene's top edge, across block borders, with a gap to join at a border, with two
    objects one gap too far apart on either side of a border, with pixels joined across the corner of
    two blocks, and with long objects over many blocks, one whose box holds another's pixel."""
    block = OCCUPANCY_BLOCK_PX
    present = np.zeros((7 * block + 13, 9 * block + 5), dtype=bool)
    present[[130, 400, 440], [60, 500, 300]] = True  # scattered false pixels
    present[1, 50] = present[0, 100] = True  # at the top edge: numbered by where their closed blobs start
    present[block - 2 : block + 2, 3 * block - 1 : 3 * block + 1] = True  # a target on a four-block corner
    present[2 * block + 10, 5 * block - 1] = present[2 * block + 10, 5 * block + MERGE_DISTANCE_PX] = True  # a gap to join
    present[4 * block - 1, 40] = present[4 * block + MERGE_DISTANCE_PX + 1, 40] = True  # one pixel too far apart
    present[6 * block, 10 : 4 * block] = True  # a long object (a ship's wake on the mask)
    present[5 * block - 1, 7 * block - 1] = present[5 * block + 1, 7 * block + 1] = True  # joined across a corner
    diagonal = np.arange(4 * block)  # one object over four diagonal blocks; its box holds another block's pixel
    present[diagonal, 5 * block + diagonal] = True
    present[block // 2, 8 * block + block // 2] = True
    params = CfarParams(pixel_size_m=2.0, min_area_px=1)  # the long object stays under max_length_m
    whole = [(window, own, length) for _, window, own, length
             in _sized_components(_components(present, MERGE_DISTANCE_PX), params)]
    by_region = _scene_objects(present, MERGE_DISTANCE_PX, params)
    assert len(by_region) == len(whole) >= 10
    for (window, own, length), (expected_window, expected_own, expected_length) in zip(by_region, whole, strict=True):
        assert window == expected_window and length == expected_length
        np.testing.assert_array_equal(own, expected_own)
    assert _scene_objects(np.zeros((50, 50), dtype=bool), MERGE_DISTANCE_PX, params) == []
    dense = np.zeros((3 * block, 3 * block), dtype=bool)  # one region over the whole scene
    dense[::7, ::5] = True
    assert [w for w, _, _ in _scene_objects(dense, MERGE_DISTANCE_PX, params)] == \
        [w for _, w, _, _ in _sized_components(_components(dense, MERGE_DISTANCE_PX), params)]


def test_the_scan_holds_no_more_chunks_at_once_than_it_is_given_threads(monkeypatch):
    """A detection job scans on its task's share of the worker's cores: with ``threads`` the scan
    runs (and holds in memory) at most that many chunks at a time, and finds the same mask."""
    import threading
    import time

    import icesight_backend.sar.detection as detection

    scan_block, lock, active, most = detection._scan_block, threading.Lock(), [0], [0]

    def counted(*args, **kwargs):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.05)  # long enough for the pool's other threads to start their chunks
        try:
            return scan_block(*args, **kwargs)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(detection, "_scan_block", counted)
    scene = simulate_scene(SimulateSceneParams(width_px=700, height_px=600, n_ships=8, n_icebergs=8, seed=4))
    params = CfarParams(pixel_size_m=40.0)
    masks = {}
    for threads in (1, 3):
        most[0] = 0
        masks[threads] = scan_scene(scene.hh_db, scene.hv_db, params, chunk_px=128, threads=threads).mask
        assert most[0] <= threads
        assert most[0] == threads  # the pool used them all (25 chunks)
    np.testing.assert_array_equal(masks[1], masks[3])
