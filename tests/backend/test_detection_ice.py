"""Sea ice: the clutter-class mask, and detection that keeps icebergs in ice without ice false alarms.

The scenes here are built in the test from a few physical facts, not with the project's
simulator, so that the detector is judged on clutter it was not tuned on: open water is
K-distributed HH with HV at the noise floor; sea ice is brighter HH with a log-normal texture
correlated over ~100 m (floes, ridges) and HV well above the floor; icebergs are small blobs with
a high cross-/co-pol ratio, ships bright compact hulls.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage, stats

from icesight_backend.sar.clutter import ClutterParams, ClutterParamsError, clutter_map
from icesight_backend.sar.detection import (
    CfarParams,
    Detection,
    DetectionParamsError,
    cross_over_noise_db,
    detect,
    join_extended_detections,
    passes_background_test,
    score_against_truth,
)
from icesight_contract import DETECTOR_SETTINGS, ContractError, DetectTargetsParams

LOOKS = 10.7
PIXEL_M = 40.0


def _linear(db: float) -> float:
    return 10.0 ** (db / 10.0)


def _scene(rng, shape, ice, ice_texture_sigma=0.8, ice_cross_db=-20.0, ice_corr_px=3.0, noise_floor_db=-25.0):
    """HH and HV sigma0 in dB: open water where ``ice`` is false, sea ice where it is true; the HV
    noise floor is ``noise_floor_db``, one level or one per column."""
    speckle = lambda: rng.gamma(LOOKS, 1.0 / LOOKS, shape)  # noqa: E731
    water_hh = _linear(-15.0) * rng.gamma(10.0, 0.1, shape) * speckle()
    noise_floor = _linear(np.asarray(noise_floor_db, dtype=float))
    water_hv = noise_floor * speckle()
    field = ndimage.gaussian_filter(rng.standard_normal(shape), ice_corr_px)
    field /= field.std()
    texture = np.exp(ice_texture_sigma * field - ice_texture_sigma**2 / 2)  # log-normal, mean 1
    ice_hh = _linear(-11.0) * texture * speckle()
    ice_hv = (_linear(ice_cross_db) * (0.3 + 0.7 * texture) + noise_floor) * speckle()
    hh = np.where(ice, ice_hh, water_hh)
    hv = np.where(ice, ice_hv, water_hv)
    return 10 * np.log10(hh), 10 * np.log10(hv)


def _plant(hh_db, hv_db, rng, row, col, peak_db, cross_ratio_db, size_px):
    """Add a target of ``size_px`` x ``size_px`` pixels (speckled) to the scene, in place."""
    window = (slice(row, row + size_px), slice(col, col + size_px))
    power = _linear(peak_db) * rng.gamma(LOOKS, 1.0 / LOOKS, (size_px, size_px))
    hh_db[window] = 10 * np.log10(10 ** (hh_db[window] / 10) + power)
    hv_db[window] = 10 * np.log10(10 ** (hv_db[window] / 10) + power * _linear(cross_ratio_db))


def _score(hh_db, hv_db, truth, noise_db=None, **overrides):
    """Default detection (with ``overrides``, and the noise band ``noise_db``) against planted
    targets at ``truth`` (row, col): which were found (within 4 px), the detections near none of
    them, and every detection."""
    detections = detect(hh_db, hv_db, CfarParams(pixel_size_m=PIXEL_M, **overrides), chunk_px=512, noise_db=noise_db)
    found, false_alarms = np.zeros(len(truth), dtype=bool), []
    for d in detections:
        near = np.hypot(truth[:, 0] - d.row, truth[:, 1] - d.col) <= 4.0
        found |= near
        if not near.any():
            false_alarms.append(d)
    return found, false_alarms, detections


def test_clutter_mask_finds_a_known_ice_edge():
    rng = np.random.default_rng(3)
    shape = (640, 960)
    ice = np.zeros(shape, dtype=bool)
    ice[:, 480:] = True  # the ice edge: column 480 (19.2 km into the scene)
    hh_db, hv_db = _scene(rng, shape, ice)
    clutter = clutter_map(hh_db, hv_db, ClutterParams(pixel_size_m=PIXEL_M), chunk_px=256)
    mask = clutter.pixels(slice(0, shape[0]), slice(0, shape[1]))
    # Away from the edge (more than 1.5 km) every pixel has the right class.
    assert not mask[:, : 480 - 40].any()
    assert mask[:, 480 + 40 :].all()
    # The edge itself lies within two cells (640 m) of the truth on every row.
    first_ice_col = np.argmax(mask, axis=1)
    assert np.all(np.abs(first_ice_col - 480) <= 2 * clutter.cell_px)


@pytest.mark.parametrize(
    ("signature", "is_ice"),
    [("cross-pol only", True), ("texture, faint cross-pol", True), ("texture, cross-pol at the floor", False)],
)
def test_sea_ice_is_depolarising_clutter_or_textured_clutter_over_the_floor(signature, is_ice):
    """Smooth but depolarising ice (HV well above the floor, no texture) is ice; so is textured ice
    that depolarises only faintly (HV about 2.5 dB over the floor). Clutter textured at the 2 km
    scale whose HV lies at the noise floor (a calm, spiky sea; gusts and slicks) is open water,
    told by the scene's noise band."""
    rng = np.random.default_rng(5)
    shape = (512, 512)
    ice = np.zeros(shape, dtype=bool)
    ice[:, 256:] = True
    ice_cross_db = {"cross-pol only": -20.0, "texture, faint cross-pol": -26.0, "texture, cross-pol at the floor": -40.0}
    texture_sigma = 0.05 if signature == "cross-pol only" else 0.8
    hh_db, hv_db = _scene(rng, shape, ice, ice_cross_db=ice_cross_db[signature], ice_texture_sigma=texture_sigma)
    noise_db = np.full(shape, -25.0)  # _scene's floor
    whole = (slice(0, shape[0]), slice(0, shape[1]))
    clutter = clutter_map(hh_db, hv_db, ClutterParams(pixel_size_m=PIXEL_M), chunk_px=256, noise_db=noise_db)
    mask = clutter.pixels(*whole)
    assert mask[:, :210].mean() < 0.02
    textured = np.median(clutter.texture_db[:, 300 // clutter.cell_px :]) >= 1.5
    assert bool(textured) == (signature != "cross-pol only")
    if is_ice:
        assert mask[:, 300:].mean() > 0.98
    else:
        assert mask[:, 300:].mean() < 0.02
        # Without the cross-pol condition on texture it would have been taken for ice; without the
        # noise band there is no floor to trust (it may lie on ice), and texture alone marks ice.
        lax = ClutterParams(pixel_size_m=PIXEL_M, texture_cross_excess_db=0.0)
        assert clutter_map(hh_db, hv_db, lax, chunk_px=256, noise_db=noise_db).pixels(*whole)[:, 300:].mean() > 0.98
        no_band = clutter_map(hh_db, hv_db, ClutterParams(pixel_size_m=PIXEL_M), chunk_px=256)
        assert no_band.pixels(*whole)[:, 300:].mean() > 0.98


@pytest.mark.parametrize("with_noise_band", [False, True])
def test_a_scene_inside_the_pack_is_sea_ice(with_noise_band):
    """No open water at all: the scene's low HV percentile lies on ice, so the floor must not be
    lifted onto it (with the band), and texture must still mark ice (without it)."""
    rng = np.random.default_rng(5)
    shape = (512, 512)
    hh_db, hv_db = _scene(rng, shape, np.ones(shape, dtype=bool))
    noise_db = np.full(shape, -25.0) if with_noise_band else None
    clutter = clutter_map(hh_db, hv_db, ClutterParams(pixel_size_m=PIXEL_M), chunk_px=256, noise_db=noise_db)
    assert clutter.pixels(slice(0, shape[0]), slice(0, shape[1])).mean() > 0.98
    if with_noise_band:  # the floor stays within floor_lift_max_db of the noise
        assert np.nanmax(clutter.cross_floor_db) <= -25.0 + 3.0 + 0.01


def test_a_noise_floor_that_changes_across_range_is_not_taken_for_ice_when_the_scene_carries_it():
    """Two sub-swaths whose noise floor rises 6 dB from centre to edge, the second 2 dB above the
    first: open water's HV follows the floor, up to 8 dB above its lowest level. Ice (cross-pol
    signature only) sits in the quiet centre of the second sub-swath."""
    rng = np.random.default_rng(17)
    shape = (384, 1024)
    across = 2.0 * ((np.arange(shape[1]) % 512) / 511.0) - 1.0
    floor_db = -28.0 + 6.0 * across**2 + 2.0 * (np.arange(shape[1]) >= 512)
    ice = np.zeros(shape, dtype=bool)
    ice[:, 700:830] = True
    hh_db, hv_db = _scene(rng, shape, ice, ice_texture_sigma=0.05, noise_floor_db=floor_db)
    noise_db = np.broadcast_to(floor_db, shape)
    params = ClutterParams(pixel_size_m=PIXEL_M)
    whole = (slice(0, shape[0]), slice(0, shape[1]))
    water, inner_ice = ~ice, np.zeros(shape, dtype=bool)
    water[:, 660:870] = False  # within 1.6 km of the ice edge (window texture, buffer cells) aside
    inner_ice[:, 716:814] = True
    one_floor = clutter_map(hh_db, hv_db, params, chunk_px=256).pixels(*whole)
    assert one_floor[water].mean() > 0.3  # the noisy sub-swath edges pass for ice
    shaped = clutter_map(hh_db, hv_db, params, chunk_px=256, noise_db=noise_db)
    mask = shaped.pixels(*whole)
    assert mask[water].mean() < 0.02
    assert mask[inner_ice].mean() > 0.98
    # The floor follows the noise: 8 dB apart between the quietest and the noisiest cells.
    assert np.ptp(shaped.cross_floor_db) == pytest.approx(8.0, abs=1.0)
    # Detection takes the same noise band: no false alarm along the noisy edges, none in the ice.
    detections = detect(hh_db, hv_db, CfarParams(pixel_size_m=PIXEL_M), chunk_px=512, noise_db=noise_db)
    assert not detections


def test_icebergs_beside_a_sub_swath_seam_are_found_when_the_scene_carries_its_noise_floor():
    """Two sub-swaths whose cross-pol noise floors differ by 5 dB; icebergs 7 and 14 px from the
    seam on its quiet side, hidden in HH by a bright sea, 8 dB over the quiet floor in HV. Their
    CFAR ring and 2 km background reach over the seam into the noisier floor. Judged on the
    cross-pol over the noise band, the seam is gone."""
    rng = np.random.default_rng(1)
    shape = (1024, 1024)
    floor_db = np.where(np.arange(shape[1]) < 512, -28.0, -23.0)
    hh_db = 10 * np.log10(_linear(-8.0) * rng.gamma(4.0, 0.25, shape) * rng.gamma(LOOKS, 1.0 / LOOKS, shape))
    hv_db = 10 * np.log10(_linear(floor_db) * rng.gamma(LOOKS, 1.0 / LOOKS, shape))
    bergs = [(r, 498 + 6 * (i % 2)) for i, r in enumerate(range(60, 1000, 80))]  # 14 and 7 px from the seam
    for r, c in bergs:
        _plant(hh_db, hv_db, rng, r, c, peak_db=float(rng.uniform(-22.0, -19.0)), cross_ratio_db=0.0, size_px=2)
    truth = np.array(bergs, dtype=float) + 0.5
    found_flat, _, _ = _score(hh_db, hv_db, truth)
    found, false_alarms, _ = _score(hh_db, hv_db, truth, noise_db=np.broadcast_to(floor_db, shape))
    assert not found_flat[1::2].any()  # the flat floor loses every berg 7 px from the seam
    assert found.all() and false_alarms == []


def test_a_hole_in_the_noise_band_is_skipped_by_the_cross_pol_cfar_not_mixed_into_its_rings():
    """A user's noise band with no value over a strip of the swath: there the cross-pol is not
    judged at all, and icebergs 10 px from the strip's edges are found as far from it."""
    rng = np.random.default_rng(2)
    shape = (1024, 1024)
    hh_db = 10 * np.log10(_linear(-15.0) * rng.gamma(10.0, 0.1, shape) * rng.gamma(LOOKS, 1.0 / LOOKS, shape))
    hv_db = 10 * np.log10(_linear(-25.0) * rng.gamma(LOOKS, 1.0 / LOOKS, shape))
    noise_db = np.full(shape, -25.0)
    noise_db[:, 400:600] = np.nan
    bergs = [(r, c) for r in range(60, 1000, 120) for c in (200, 390, 610, 800)]
    for r, c in bergs:
        _plant(hh_db, hv_db, rng, r, c, peak_db=-10.0, cross_ratio_db=-5.0, size_px=2)
    judged = cross_over_noise_db(hv_db, noise_db)
    assert np.isnan(judged[:, 400:600]).all() and np.isfinite(judged[:, :400]).all()
    found, false_alarms, _ = _score(hh_db, hv_db, np.array(bergs, dtype=float) + 0.5, noise_db=noise_db)
    assert found.all() and false_alarms == []


def test_sea_ice_false_alarms_drop_while_icebergs_in_ice_are_found():
    rng = np.random.default_rng(11)
    shape = (896, 896)
    ice = np.zeros(shape, dtype=bool)
    ice[:, 384:] = True
    hh_db, hv_db = _scene(rng, shape, ice)
    bergs_in_ice = [(r, c) for r in range(60, 860, 100) for c in (470, 620, 770)]  # 24 icebergs in ice
    ships_in_water = [(r, c) for r in range(60, 860, 100) for c in (100, 250)]  # 16 ships in open water
    for r, c in bergs_in_ice:
        # Dim bergs: 80-120 m, peak only 8-12 dB above the ice's mean HH, HV/HH -5 dB (volume scattering).
        _plant(hh_db, hv_db, rng, r, c, peak_db=float(rng.uniform(-3.0, 1.0)), cross_ratio_db=-5.0, size_px=3)
    for r, c in ships_in_water:
        _plant(hh_db, hv_db, rng, r, c, peak_db=float(rng.uniform(3.0, 10.0)), cross_ratio_db=-11.0, size_px=2)
    truth = np.array(bergs_in_ice + ships_in_water, dtype=float) + 1.0

    def score(**overrides):
        found, false_alarms, detections = _score(hh_db, hv_db, truth, **overrides)
        return found, sum(bool(ice[int(d.row), int(d.col)]) for d in false_alarms), detections

    old_found, old_false_in_ice, _ = score(cross_pol_cfar=False, sea_ice_aware=False)
    new_found, new_false_in_ice, detections = score()
    n_bergs = len(bergs_in_ice)
    # The scene is hard for the co-pol-only detector: ice texture raises many false alarms.
    assert old_false_in_ice >= 15
    # Sea-ice aware: (almost) none, with the icebergs in ice still found and every ship.
    assert new_false_in_ice <= 1
    assert new_found[:n_bergs].mean() >= 0.9
    assert new_found[n_bergs:].all()
    # Detections say where they were found.
    for d in detections:
        assert d.in_sea_ice == bool(ice[int(d.row), int(d.col)]) or abs(d.col - 384) < 40
        assert np.isfinite(d.background_co_db) and np.isfinite(d.background_cross_db)
    in_ice = [d for d in detections if d.in_sea_ice]
    assert in_ice and all(d.background_co_db > -14.0 for d in in_ice)  # the ice's own level, not water's


def test_sea_spikes_of_a_non_k_sea_drop_while_ships_in_open_water_are_found():
    """Open water spikier than the CFAR's K model (log-normal texture): its spikes clear the 800 m
    ring in HH alone. Ships show in HV too; a bright ship whose HV is lost is still kept."""
    rng = np.random.default_rng(1)
    shape = (1024, 1024)
    field = ndimage.gaussian_filter(rng.standard_normal(shape), 1.0)
    field /= field.std()
    texture = np.exp(0.5 * field - 0.125)  # log-normal, mean 1
    hh_db = 10 * np.log10(_linear(-15.0) * texture * rng.gamma(LOOKS, 1.0 / LOOKS, shape))
    hv_db = 10 * np.log10(_linear(-25.0) * rng.gamma(LOOKS, 1.0 / LOOKS, shape))  # the noise floor
    ships = [(r, c) for r in range(60, 1000, 120) for c in (150, 450)]
    dark_in_hv = [(r, 750) for r in range(60, 1000, 120)]
    for r, c in ships:
        _plant(hh_db, hv_db, rng, r, c, peak_db=float(rng.uniform(-5.0, 5.0)), cross_ratio_db=-11.0, size_px=2)
    for r, c in dark_in_hv:
        _plant(hh_db, hv_db, rng, r, c, peak_db=float(rng.uniform(0.0, 6.0)), cross_ratio_db=-40.0, size_px=2)
    truth = np.array(ships + dark_in_hv, dtype=float) + 0.5

    found_before, false_before, _ = _score(hh_db, hv_db, truth, co_only_background_test=False)
    assert len(false_before) >= 4 and all(d.channels == "co" and not d.in_sea_ice for d in false_before)
    found, false_alarms, detections = _score(hh_db, hv_db, truth)
    assert false_alarms == [] and found.all() and found_before.all()
    assert {d.channels for d in detections} == {"co", "co+cross"}  # the HV-dark ships kept on HH alone


def _correlated_speckle(rng, shape, looks=10, sigma_px=0.7):
    """Multi-look speckle (mean 1) correlated over about a pixel, as a ground-range product's is."""
    total = np.zeros(shape)
    for _ in range(looks):
        field = (ndimage.gaussian_filter(rng.standard_normal(shape), sigma_px)
                 + 1j * ndimage.gaussian_filter(rng.standard_normal(shape), sigma_px))
        total += np.abs(field) ** 2
    return total / total.mean()


def test_cross_pol_only_clusters_of_a_spiky_sea_drop_while_icebergs_hidden_in_co_pol_are_found():
    """A calm sea of spiky texture (K order 1.5) whose cross-pol is half noise floor, half sea:
    its spikes clear the cross-pol CFAR at its own pfa. Icebergs over it (HH hidden by a bright
    sea, HV/HH -5 dB) spread over several pixels; the smallest HV-only clusters that do not clear
    their 2 km background's K threshold at ice_pfa are dropped, and the larger ones that do not
    stand out from the ring just around them."""
    rng = np.random.default_rng(3)
    shape = (2048, 2048)  # 6,700 km^2 at 40 m
    field = ndimage.gaussian_filter(rng.standard_normal(shape), 0.75)
    texture = stats.gamma.ppf(stats.norm.cdf(field / field.std()), 1.5, scale=1 / 1.5)
    hh_db = 10 * np.log10(_linear(-12.0) * texture * _correlated_speckle(rng, shape))
    hv_db = 10 * np.log10((_linear(-25.0) + _linear(-25.0) * texture) * _correlated_speckle(rng, shape))
    bergs = [(r, c) for r in range(100, 2000, 200) for c in (300, 1000, 1700)]
    for r, c in bergs:
        _plant(hh_db, hv_db, rng, r, c, peak_db=float(rng.uniform(-9.0, -5.0)), cross_ratio_db=-5.0, size_px=3)
    truth = np.array(bergs, dtype=float) + 1.0

    noise_db = np.full(shape, -25.0)  # the scene carries its noise floor, as products do
    found_before, false_before, _ = _score(hh_db, hv_db, truth, noise_db, cross_only_background_test=False)
    found, false_alarms, _ = _score(hh_db, hv_db, truth, noise_db)
    min_area = CfarParams(pixel_size_m=PIXEL_M).min_area_px
    kept = {(d.peak_row, d.peak_col) for d in false_alarms}
    dropped = [d for d in false_before if (d.peak_row, d.peak_col) not in kept]
    assert len(false_before) >= 5 and len(dropped) >= 2
    assert all(d.channels == "cross"
               and (d.k_margin_db < 0.0 if d.area_px <= min_area else d.local_cross_cfar_margin_db < 0.0) for d in dropped)
    # What stays is flagged in both bands (a spike of this sea shows in both), larger than the
    # smallest cluster, or clears its background.
    assert all(d.channels == "co+cross" or d.area_px > min_area or d.k_margin_db >= 0.0 for d in false_alarms)
    assert (found >= found_before).all() and found.mean() >= 0.9


def _targets_in_ice(ice_offset_db, peaks_db, cross_ratio_db, size_px):
    """A scene whose right part (from column 384) is sea ice ``ice_offset_db`` brighter than
    :func:`_scene`'s, with 24 targets planted in the ice (peak HH drawn from ``peaks_db``). Returns
    the scorer: detector overrides -> (which targets were found, the false alarms in ice)."""
    rng = np.random.default_rng(11)
    shape = (896, 896)
    ice = np.zeros(shape, dtype=bool)
    ice[:, 384:] = True
    hh_db, hv_db = _scene(rng, shape, ice)
    hh_db[ice] += ice_offset_db
    hv_db[ice] += ice_offset_db
    targets = [(r, c) for r in range(60, 860, 100) for c in (470, 620, 770)]
    for r, c in targets:
        _plant(hh_db, hv_db, rng, r, c, peak_db=float(rng.uniform(*peaks_db)), cross_ratio_db=cross_ratio_db,
               size_px=size_px)
    truth = np.array(targets, dtype=float) + (size_px - 1) / 2

    def score(**overrides):
        found, false_alarms, _ = _score(hh_db, hv_db, truth, **overrides)
        return found, [d for d in false_alarms if d.in_sea_ice]

    return score


def test_small_icebergs_in_bright_deformed_ice_come_back_without_the_ice_false_alarms():
    """Ice 4 dB brighter (deformed, multi-year) hides dim icebergs under the K threshold of their
    2 km background. The local test keeps those that are more cross-polarised than the ice and
    stand out from the ring just around them; the ice's own bright spots stay out."""
    # 8-12 dB above the nominal ice's HH: 4-8 dB above this ice.
    score = _targets_in_ice(ice_offset_db=4.0, peaks_db=(-3.0, 1.0), cross_ratio_db=-5.0, size_px=3)
    found_before, false_before = score(local_ice_test=False)
    found, false_alarms = score()
    assert found_before.mean() <= 0.5
    assert found.mean() >= 0.65 and found[found_before].all()
    assert len(false_alarms) == len(false_before) <= 1


def test_ships_in_ice_come_back_through_the_co_pol_local_test_without_the_ice_false_alarms():
    """Ships in ice are no more cross-polarised than the ice (HV/HH -11 dB against the ice's -9 dB),
    so the cross-pol local test, which asks for depolarisation, does not keep them; dim ones
    (9-13 dB above the ice's mean HH) fall short of their 2 km background. A ship's dihedral is
    compact in HH: the co-pol local test keeps those that clear the ring just around them by
    ``ship_in_ice_margin_db``. The log-normal ice's bright floes do not."""
    score = _targets_in_ice(ice_offset_db=0.0, peaks_db=(-2.0, 2.0), cross_ratio_db=-11.0, size_px=2)
    found_before, false_before = score(local_ice_test=False)
    found_without_co, _ = score(ship_in_ice_margin_db=30.0)
    found, false_alarms = score()
    assert found_before.sum() <= 4 and found_without_co.sum() <= 4
    assert found.sum() >= 8 and found[found_before].all()
    assert len(false_alarms) == len(false_before) <= 1


def _judged_in_ice(k_margin_db, local_cross_margin_db, co_contrast_db, cross_contrast_db, local_co_margin_db):
    return Detection(row=10.0, col=10.0, area_px=4, length_m=80.0, peak_co_db=-5.0, mean_co_db=-6.0,
                     mean_cross_db=-12.0, peak_row=10, peak_col=10, in_sea_ice=True,
                     background_co_db=-5.0 - co_contrast_db, background_cross_db=-11.0 - cross_contrast_db,
                     peak_cross_db=-11.0, k_margin_db=k_margin_db, local_cross_margin_db=local_cross_margin_db,
                     local_co_margin_db=local_co_margin_db, channels="co+cross")


NAN = float("nan")


@pytest.mark.parametrize(
    ("k_margin_db", "local_cross_margin_db", "co_contrast_db", "cross_contrast_db", "local_co_margin_db", "kept"),
    [
        (2.5, -5.0, 9.0, 6.0, -5.0, True),  # clears its 2 km background: nothing else asked
        (-1.0, 3.0, 7.0, 9.0, 0.0, True),  # short of it, but depolarising and standing out locally in HV
        (-1.0, 3.0, 9.0, 7.0, 0.0, False),  # less cross-polarised than the ice: a bright texture spot
        (-1.0, 1.0, 7.0, 9.0, 0.0, False),  # depolarising, but its surroundings are as bright
        (-1.0, 1.0, 12.0, 8.0, 5.0, True),  # a ship: less depolarising than ice, standing out locally in HH
        (-1.0, 3.0, 12.0, 8.0, 3.0, False),  # HH over its ring by less than ship_in_ice_margin_db: a floe
        (-3.0, 6.0, 7.0, 9.0, 6.0, False),  # too far under its 2 km background's threshold
        (-1.0, NAN, 7.0, 9.0, NAN, False),  # no ring to judge it on
    ],
)
def test_the_local_ice_test_needs_a_target_standing_out_from_its_surroundings(
    k_margin_db, local_cross_margin_db, co_contrast_db, cross_contrast_db, local_co_margin_db, kept
):
    detection = _judged_in_ice(k_margin_db, local_cross_margin_db, co_contrast_db, cross_contrast_db,
                               local_co_margin_db)
    assert detection.depolarisation_excess_db == pytest.approx(cross_contrast_db - co_contrast_db)
    assert passes_background_test(detection, CfarParams(pixel_size_m=PIXEL_M)) is kept
    # Off, only the 2 km test counts; in open water, a detection both CFARs flagged is not judged.
    assert passes_background_test(detection, CfarParams(pixel_size_m=PIXEL_M, local_ice_test=False)) is (k_margin_db >= 2.0)
    detection.in_sea_ice = False
    assert passes_background_test(detection, CfarParams(pixel_size_m=PIXEL_M))


@pytest.mark.parametrize(
    ("in_sea_ice", "k_margin_db", "area_px", "local_cross_cfar_margin_db", "overrides", "kept"),
    [
        (False, 0.5, 2, 0.0, {}, True),  # open water: clears its 2 km background at ice_pfa, no margin asked
        (False, -0.5, 2, 0.0, {}, False),  # the smallest HV-only cluster short of it: noise-floor speckle
        (False, -0.5, 5, 0.5, {}, True),  # spread over the response's pixels, standing out from its ring: kept
        (False, 3.0, 5, -0.5, {}, False),  # ... not standing out from it: a ridge of ice taken for water runs on
        (False, -0.5, 5, NAN, {}, True),  # no ring to judge it on (swath edge): kept
        (False, NAN, 2, 0.0, {}, True),  # no background to judge it on (swath edge): kept
        (False, -0.5, 2, 0.0, {"cross_only_background_test": False}, True),
        (False, 3.0, 5, -0.5, {"cross_only_background_test": False}, True),
        (True, 1.0, 2, 0.0, {}, False),  # in ice the margin applies, and nothing stands out locally
        (True, 3.0, 5, -0.5, {}, True),  # in ice the ice tests judge it, not the open-water ring test
        (False, -0.5, 5, 0.0, {}, True),  # exactly at the ring's threshold: kept
    ],
)
def test_cross_pol_only_clusters_in_open_water_must_clear_their_background_or_their_ring(
    in_sea_ice, k_margin_db, area_px, local_cross_cfar_margin_db, overrides, kept
):
    detection = Detection(row=10.0, col=10.0, area_px=area_px, length_m=80.0, peak_co_db=-12.0, mean_co_db=-12.0,
                          mean_cross_db=-19.0, peak_row=10, peak_col=10, in_sea_ice=in_sea_ice,
                          background_co_db=-14.0, background_cross_db=-25.0, peak_cross_db=-19.0,
                          k_margin_db=k_margin_db, local_cross_margin_db=0.0, local_co_margin_db=0.0,
                          local_cross_cfar_margin_db=local_cross_cfar_margin_db, channels="cross")
    assert passes_background_test(detection, CfarParams(pixel_size_m=PIXEL_M, **overrides)) is kept
    # What both CFARs flagged in open water is not judged, however it compares with its ring.
    both = dataclasses.replace(detection, channels="co+cross")
    assert passes_background_test(both, CfarParams(pixel_size_m=PIXEL_M, **overrides)) or in_sea_ice


def test_the_co_pol_route_of_the_local_ice_test_needs_the_co_pol_cfar():
    """A target in ice that only the cross-pol CFAR flagged is not kept for standing out in co-pol."""
    detection = _judged_in_ice(-1.0, 1.0, 12.0, 8.0, 5.0)
    assert passes_background_test(detection, CfarParams(pixel_size_m=PIXEL_M))
    detection.channels = "cross"
    assert not passes_background_test(detection, CfarParams(pixel_size_m=PIXEL_M))


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: CfarParams(pixel_size_m=40.0, ice_pfa=1e-3), "ice_pfa"),
        (lambda: CfarParams(pixel_size_m=40.0, ice_margin_db=-1.0), "ice_margin_db"),
        (lambda: CfarParams(pixel_size_m=40.0, ship_in_ice_margin_db=float("nan")), "ship_in_ice_margin_db"),
        (lambda: CfarParams(pixel_size_m=40.0, ship_in_ice_margin_db=-1.0), "ship_in_ice_margin_db"),
        (lambda: CfarParams(pixel_size_m=40.0, discrimination_window_m=300.0), "discrimination_window_m"),
        (lambda: CfarParams(pixel_size_m=40.0, pfa=0.5), "pfa"),
        (lambda: CfarParams(pixel_size_m=40.0, clutter=ClutterParams(pixel_size_m=10.0)), "clutter"),
        (lambda: CfarParams(pixel_size_m=40.0, extended_box_m=0.0), "extended_box_m"),
        (lambda: CfarParams(pixel_size_m=40.0, extended_box_m=500.0), "extended_box_m"),
        (lambda: CfarParams(pixel_size_m=40.0, extended_guard_m=900.0), "extended_guard_m"),
        (lambda: CfarParams(pixel_size_m=40.0, extended_background_m=1100.0), "extended_guard_m"),
        (lambda: CfarParams(pixel_size_m=40.0, extended_contrast_db=float("nan")), "extended_contrast_db"),
    ],
)
def test_bad_detection_parameters_name_the_field(make, field):
    with pytest.raises(DetectionParamsError, match=field) as error:
        make()
    assert error.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cell_m": 40.0}, "cell_m"),
        ({"window_cells": 4}, "window_cells"),
        ({"texture_threshold_db": 0.0}, "texture_threshold_db"),
        ({"cross_excess_threshold_db": -2.0}, "cross_excess_threshold_db"),
        ({"texture_cross_excess_db": -0.5}, "texture_cross_excess_db"),
        ({"floor_lift_max_db": float("nan")}, "floor_lift_max_db"),
        ({"edge_buffer_cells": -1}, "edge_buffer_cells"),
    ],
)
def test_bad_clutter_parameters_are_refused(kwargs, match):
    with pytest.raises(ClutterParamsError, match=match):
        ClutterParams(pixel_size_m=40.0, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"ice_pfa": 1e-5}, "ice_pfa"),  # above pfa
        ({"ice_margin_db": 30.0}, "ice_margin_db"),
        ({"sea_ice_aware": "yes"}, "sea_ice_aware"),
        ({"cross_pol_cfar": 1}, "cross_pol_cfar"),
        ({"co_only_background_test": "no"}, "co_only_background_test"),
        ({"cross_only_background_test": None}, "cross_only_background_test"),
        ({"local_ice_test": None}, "local_ice_test"),
        ({"extended_target_cfar": "yes"}, "extended_target_cfar"),
        ({"min_area_px": 0}, "min_area_px"),
        ({"guard_window_m": 900.0}, "guard_window_m"),  # wider than the background window
        ({"looks": 0.5}, "looks"),
    ],
)
def test_the_contract_and_the_detector_refuse_the_same_bad_settings(kwargs, field):
    """A ``detect_targets`` request and the backend's detector apply one set of rules: a setting
    the contract lets through never fails later inside the job, and the reverse."""
    with pytest.raises(ContractError) as error:
        DetectTargetsParams(scene_job_id="job", **kwargs)
    assert error.value.field == field
    with pytest.raises(DetectionParamsError) as error:
        CfarParams(pixel_size_m=40.0, **kwargs)
    assert error.value.field == field


def test_the_detector_takes_every_job_setting_with_the_contracts_defaults():
    request = DetectTargetsParams(scene_job_id="job")
    detector = CfarParams(pixel_size_m=40.0)
    assert set(DETECTOR_SETTINGS) <= {f.name for f in dataclasses.fields(request)}
    for name in DETECTOR_SETTINGS:
        assert getattr(detector, name) == getattr(request, name), name
    changed = DetectTargetsParams(scene_job_id="job", pfa=1e-8, ice_pfa=1e-10, min_area_px=3, local_ice_test=False,
                                  extended_target_cfar=False)
    detector = CfarParams(pixel_size_m=40.0, **{name: getattr(changed, name) for name in DETECTOR_SETTINGS})
    assert (detector.pfa, detector.ice_pfa, detector.min_area_px, detector.local_ice_test,
            detector.extended_target_cfar) == (1e-8, 1e-10, 3, False, False)


def test_ridges_of_ice_that_passes_for_open_water_drop_while_every_target_stays(monkeypatch):
    """Level first-year ice can look like open water to the clutter class (HV at the noise floor,
    HH smooth at the 2 km scale), and its pressure ridges, bright in HV, then meet the open-water
    detector. A scene of the independent simulator in ``bench/`` has such ice: HV-only clusters
    larger than ``min_area_px`` there run on into the ring just around them, and are dropped; no
    target is lost. (This scene was one of the two the ring test was designed on.)"""
    spec = importlib.util.spec_from_file_location(
        "independent_simulator", Path(__file__).resolve().parents[2] / "bench" / "independent_simulator.py")
    independent_simulator = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, independent_simulator)  # its dataclasses look themselves up there
    spec.loader.exec_module(independent_simulator)

    scene = independent_simulator.simulate_scene(1)
    noise_db = np.broadcast_to(scene.nesz_db[None, :], scene.hh_db.shape)
    params = CfarParams(pixel_size_m=PIXEL_M)
    after = detect(scene.hh_db, scene.hv_db, params, noise_db=noise_db)
    unjudged = detect(scene.hh_db, scene.hv_db, dataclasses.replace(params, cross_only_background_test=False),
                      noise_db=noise_db)
    # What the ring test drops: the larger HV-only clusters in "open water" short of their ring.
    dropped = [d for d in unjudged if d.channels == "cross" and d.area_px > params.min_area_px
               and not d.in_sea_ice and d.local_cross_cfar_margin_db < 0.0]
    kept = {(d.peak_row, d.peak_col) for d in after}
    assert len(dropped) >= 5 and not any((d.peak_row, d.peak_col) in kept for d in dropped)
    assert all(scene.ice_mask[int(d.row), int(d.col)] for d in dropped)  # it was ice, taken for water
    truth = [(t.row, t.col, t.length_m) for t in scene.targets]
    everywhere = np.ones(scene.hh_db.shape, dtype=bool)
    before = score_against_truth(after + dropped, truth, PIXEL_M, everywhere)
    now = score_against_truth(after, truth, PIXEL_M, everywhere)
    assert now.recall == before.recall
    assert now.false_alarms_open_water == before.false_alarms_open_water - len(dropped)


def _plant_disc(hh_db, hv_db, rng, row, col, hh_mean_db, cross_ratio_db, diameter_px):
    """Add a round object (speckled, ``hh_mean_db`` on average in HH) to the scene, in place; its mask."""
    rows, cols = np.mgrid[0 : hh_db.shape[0], 0 : hh_db.shape[1]]
    disc = np.hypot(rows - row, cols - col) < diameter_px / 2
    power = _linear(hh_mean_db) * rng.gamma(LOOKS, 1.0 / LOOKS, int(disc.sum()))
    hh_db[disc] = 10 * np.log10(10 ** (hh_db[disc] / 10) + power)
    hv_db[disc] = 10 * np.log10(10 ** (hv_db[disc] / 10) + power * _linear(cross_ratio_db))
    return disc


def test_icebergs_too_large_for_the_guard_window_are_found_once_and_bright_floes_are_not():
    """A 600 m iceberg fills the pixel CFAR's 500 m guard window and brightens its ring: the extended
    CFAR finds it, over open water and in sea ice, with its length; a floe of brighter ice as large,
    7 dB above the ice around it, stays clutter, and long ships are found once, by the pixel CFAR."""
    rng = np.random.default_rng(23)
    shape = (1024, 1024)
    ice = np.zeros(shape, dtype=bool)
    ice[:, 512:] = True
    hh_db, hv_db = _scene(rng, shape, ice)
    # Icebergs of 600 m: 12-13 dB above the water's HH (-15 dB) and the ice's (-11 dB), HV/HH -5 dB.
    bergs = [(150, 150, -2.0), (500, 250, -3.0), (850, 150, -2.0), (200, 700, 1.0), (600, 850, 2.0)]
    # Floes as large, 7 dB above the ice in HH and in HV.
    floes = [(420, 650, -4.0), (850, 760, -4.0)]
    for row, col, level in bergs:
        _plant_disc(hh_db, hv_db, rng, row, col, level, -5.0, 15)
    floe_masks = [_plant_disc(hh_db, hv_db, rng, row, col, level, -9.0, 15) for row, col, level in floes]
    # Ships of 300 m, 8 x 2 px, 20 dB above the water: compact for the pixel CFAR.
    ships = [(300, 350), (700, 380)]
    for row, col in ships:
        _plant(hh_db, hv_db, rng, row, col, peak_db=5.0, cross_ratio_db=-11.0, size_px=2)
        _plant(hh_db, hv_db, rng, row + 2, col, peak_db=5.0, cross_ratio_db=-11.0, size_px=2)
        _plant(hh_db, hv_db, rng, row + 4, col, peak_db=5.0, cross_ratio_db=-11.0, size_px=2)
        _plant(hh_db, hv_db, rng, row + 6, col, peak_db=5.0, cross_ratio_db=-11.0, size_px=2)
    berg_truth = np.array([(r, c) for r, c, _ in bergs], dtype=float)

    def near(detections, row, col, reach):
        return [d for d in detections if np.hypot(d.row - row, d.col - col) <= reach]

    without = detect(hh_db, hv_db, CfarParams(pixel_size_m=PIXEL_M, extended_target_cfar=False), chunk_px=512)
    detections = detect(hh_db, hv_db, CfarParams(pixel_size_m=PIXEL_M), chunk_px=512)
    # The pixel CFAR alone misses most of them.
    assert sum(bool(near(without, r, c, 8.0)) for r, c in berg_truth) <= 2
    for row, col in berg_truth:
        found = near(detections, row, col, 8.0)
        assert len(found) == 1, (row, col, found)
        assert 450.0 <= found[0].length_m <= 760.0  # 600 m across
        assert found[0].in_sea_ice == (col >= 512)
    extended = [d for d in detections if d.extended]
    assert len(extended) >= 3
    for mask in floe_masks:
        rows, cols = np.nonzero(mask)
        assert not near(detections, rows.mean(), cols.mean(), 10.0)
    for row, col in ships:
        found = near(detections, row + 4, col + 1, 10.0)
        assert len(found) == 1 and not found[0].extended
        assert 280.0 <= found[0].length_m <= 440.0
    # Elsewhere in the ice the large objects the extended CFAR flags are judged too: it adds at most
    # one detection to those of the pixel CFARs (this textured ice gives those a few).
    planted = [*berg_truth, *((r + 4, c + 1) for r, c in ships)]

    def elsewhere_in_ice(found):
        return sum(d.in_sea_ice and not any(np.hypot(d.row - r, d.col - c) <= 10.0 for r, c in planted) for d in found)

    assert elsewhere_in_ice(detections) <= elsewhere_in_ice(without) + 1


@pytest.mark.parametrize("contrast_db", [6.0, 12.0])
def test_an_extended_detection_must_stand_its_contrast_above_the_background_in_both_channels(contrast_db):
    base = dict(row=10.0, col=10.0, area_px=150, length_m=600.0, peak_co_db=0.0, mean_co_db=-5.0,
                mean_cross_db=-10.0, peak_row=10, peak_col=10, background_co_db=-5.0 - contrast_db,
                background_cross_db=-10.0 - 20.0, peak_cross_db=-5.0, k_margin_db=10.0, channels="co+cross")
    params = CfarParams(pixel_size_m=PIXEL_M)
    # Over open water, co+cross: a pixel-CFAR detection is kept whatever its contrast.
    assert passes_background_test(Detection(**base), params)
    kept = passes_background_test(Detection(**base, extended=True), params)
    assert kept == (contrast_db >= params.extended_contrast_db)
    # Without a background to measure against (a swath edge) it is kept.
    edge = dict(base, background_co_db=float("nan"))
    assert passes_background_test(Detection(**edge, extended=True), params)


def test_an_extended_detection_replaces_the_parts_the_pixel_cfar_saw_only_when_much_longer():
    def at(row, col, length_m, extended):
        return Detection(row=row, col=col, area_px=10, length_m=length_m, peak_co_db=0.0, mean_co_db=0.0,
                         mean_cross_db=0.0, peak_row=int(row), peak_col=int(col), extended=extended)

    params = CfarParams(pixel_size_m=PIXEL_M)
    facets = [at(100.0, 100.0, 120.0, False), at(104.0, 97.0, 80.0, False)]  # two facets of a 500 m berg
    berg = at(101.0, 99.0, 500.0, True)
    ship = at(300.0, 300.0, 320.0, False)  # a long ship, and the extended CFAR's view of it
    ship_extended = at(300.5, 300.0, 400.0, True)
    alone = at(500.0, 500.0, 600.0, True)  # a berg the pixel CFAR missed
    elsewhere = at(700.0, 700.0, 90.0, False)
    joined = join_extended_detections([*facets, ship, elsewhere, berg, ship_extended, alone], params)
    assert {(d.row, d.col) for d in joined} == {(101.0, 99.0), (300.0, 300.0), (500.0, 500.0), (700.0, 700.0)}
