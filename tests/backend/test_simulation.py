"""The simulator's physics: what a SAR analyst would check first."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from icesight_backend.sar import simulation
from icesight_backend.sar.scene import simulate_scene
from icesight_backend.sar.simulation import (
    FAMILIES,
    MODES,
    SHIP_BRIGHTNESS_PIVOT_M,
    SHIP_BRIGHTNESS_SLOPE_DB,
    SHIP_BRIGHTNESS_SLOPE_RANGE_DB,
    ClutterParams,
    ImpulseResponse,
    PatchNuisance,
    Target,
    background,
    draw_nuisance,
    integrated_rcs_m2,
    noise_floor_profile_db,
    render_target,
    response_lobes,
    sea_sigma0_db,
    ship_peak_law_db,
    simulate_clutter_patch,
    simulate_patch,
    simulate_patches,
    speckle,
    speckle_correlation_px,
)
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


def test_speckle_is_gamma_and_correlated_like_the_impulse_response():
    """A ground-range product's speckle is white noise seen through the impulse response: at IW's
    2.1 px the intensity correlation is exp(-2 ln 2 d^2 / 2.1^2), 0.73 at one pixel and 0.28 at two
    (the sea beside the OpenSARShip chips: 0.66 VV, 0.60 VH at one pixel). Its one-pixel law stays
    Gamma(L), deep tail included, which the detector's false-alarm rates probe."""
    from scipy import stats

    rng = np.random.default_rng(0)
    looks, width = MODES[AcquisitionMode.IW].looks, MODES[AcquisitionMode.IW].psf_width_px
    field = speckle(rng, (800, 800), looks, speckle_correlation_px(width))

    def lag(d: int) -> float:
        return float(np.mean([np.corrcoef(field[:-d].ravel(), field[d:].ravel())[0, 1],
                              np.corrcoef(field[:, :-d].ravel(), field[:, d:].ravel())[0, 1]]))

    for d in (1, 2):
        assert lag(d) == pytest.approx(np.exp(-2 * np.log(2) * d**2 / width**2), abs=0.04)
    assert field.mean() == pytest.approx(1.0, abs=0.01)
    assert field.var() == pytest.approx(1.0 / looks, rel=0.05)
    tail = stats.gamma.isf(1e-4, looks, scale=1.0 / looks)
    assert (field > tail).mean() == pytest.approx(1e-4, rel=0.4)  # 64 expected; the table reaches 1e-12
    white = speckle(rng, (800, 800), looks)
    assert abs(np.corrcoef(white[:, :-1].ravel(), white[:, 1:].ravel())[0, 1]) < 0.01


def test_noise_floor_and_echo_share_one_speckle():
    """Thermal noise joins the echo's complex field before detection: their sum is Gamma(L) about
    the summed mean, with normalised variance 1/L, not the smoother sum of two independent speckles
    (1/(2L) where echo and noise are equal). The sea's cross-pol, near the floor, shows it: the
    OpenSARShip VH sea measures 0.24 at L = 4.4, two speckles gave 0.13."""
    geometry = MODES[AcquisitionMode.IW]
    inc = np.full((400, 400), 40.0)
    _, hv = background(np.random.default_rng(0), inc, 5.0, geometry,
                       clutter=ClutterParams(texture_nu=1000.0, sea_cross_offset_db=4.0))
    _, hv_mean_db = sea_sigma0_db(40.0, 5.0)
    echo, noise = 10 ** ((hv_mean_db + 4.0) / 10), 10 ** (geometry.nesz_db / 10)
    assert 0.3 < echo / noise < 3.0  # echo and noise comparable: where two speckles would differ most
    assert hv.mean() == pytest.approx(echo + noise, rel=0.03)
    assert hv.var() / hv.mean() ** 2 == pytest.approx(1.0 / geometry.looks, rel=0.1)


def test_gamma_quantile_lookup_is_the_gamma_inverse_cdf_and_clips_beyond_its_table():
    """Speckle and texture map normal scores to Gamma through a table on a uniform grid, looked up
    by arithmetic: between the grid points it must agree with scipy's inverse CDF, and scores past
    the table's ends must take the end values (not wrap or read past the array)."""
    from scipy import stats

    from icesight_backend.sar.simulation import _SPECKLE_Z_LIMIT, _gamma_quantile_table

    for looks in (1.0, 4.4, 10.7):
        table = _gamma_quantile_table(looks, _SPECKLE_Z_LIMIT)
        z = np.random.default_rng(3).uniform(-6.9, 6.9, 20000)
        exact = np.where(z < 0, stats.gamma.ppf(stats.norm.cdf(z), looks, scale=1 / looks),
                         stats.gamma.isf(stats.norm.sf(z), looks, scale=1 / looks))
        np.testing.assert_allclose(table(z), exact, rtol=2e-4)
        ends = table(np.array([-50.0, -_SPECKLE_Z_LIMIT, _SPECKLE_Z_LIMIT, 50.0]))
        assert ends[0] == ends[1] and ends[2] == ends[3]
        top = stats.gamma.isf(stats.norm.sf(_SPECKLE_Z_LIMIT), looks, scale=1 / looks)
        assert ends[2] == pytest.approx(top, rel=1e-9)


def test_patches_are_reproducible_and_classes_overlap_but_differ():
    # 600 patches: the medians of 200 move by about 1 dB from seed to seed (a gap of 3.0 - 6.6 dB).
    a = simulate_patches(600, seed=5)
    b = simulate_patches(600, seed=5)
    np.testing.assert_array_equal(a.band_1_db, b.band_1_db)
    assert a.band_1_db.shape == (600, 75, 75)
    # A 15 x 15 window on each target (randomised patches place it up to 10 px off the centre).
    windows = [np.s_[i, r - 7 : r + 8, c - 7 : c + 8] for i, (r, c) in enumerate(a.centre_px)]
    peak_hh = np.array([a.band_1_db[w].max() for w in windows])
    ratio = np.array([a.band_2_db[w].max() for w in windows]) - peak_hh
    ships, bergs = a.labels == 0, a.labels == 1
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


def test_the_noise_floor_rises_towards_each_sub_swath_edge_and_steps_between_sub_swaths():
    position = np.linspace(0.0, 1.0, 5001)
    offsets = np.array([1.0, -0.5, 0.0, 0.5, -1.0])
    profile = noise_floor_profile_db(position, 5, 4.0, offsets)
    centres = np.round((np.arange(5) + 0.5) / 5 * 5000).astype(int)
    # Lowest at each beam's centre, 4 dB higher at its edges, 0 dB on average over the beam.
    np.testing.assert_allclose(profile[centres], offsets - 4.0 / 3.0, atol=1e-6)
    assert profile[0] == pytest.approx(4.0 * 2 / 3 + offsets[0]) and profile[-1] == pytest.approx(4.0 * 2 / 3 + offsets[-1])
    assert np.mean(profile[:1000]) == pytest.approx(offsets[0], abs=0.01)
    seam = 1000  # between the first and second beam: the floor steps by their offsets
    assert profile[seam - 1] - profile[seam] == pytest.approx(offsets[0] - offsets[1], abs=0.02)
    assert np.array_equal(noise_floor_profile_db(position, 5, 0.0, np.zeros(5)), np.zeros_like(position))


def test_open_water_cross_pol_in_a_scene_follows_its_noise_floor():
    """An EW scene 2,400 px (96 km) wide spans more than a sub-swath: its floor, given as band 4,
    varies by several dB, and the open water's HV (wind-driven sea well under the floor) follows it."""
    params = SimulateSceneParams(width_px=2400, height_px=256, n_ships=0, n_icebergs=0, seed=4, noise_rise_db=6.0)
    scene = simulate_scene(params)
    assert np.all(np.isnan(scene.nesz_db) == np.isnan(scene.hv_db))
    cols = slice(200, 2400)
    floor = scene.nesz_db[0, cols]
    assert np.ptp(floor) > 4.0
    water = np.where(scene.ice_mask, np.nan, 10 ** (scene.hv_db / 10))[:, cols]
    known = np.sum(np.isfinite(water), axis=0) > 50
    level_db = 10 * np.log10(np.nanmean(water[:, known], axis=0))
    # The water's HV is its echo plus the floor: never below the floor, and within 2 dB of it.
    assert np.all(level_db - floor[known] > -0.5) and np.median(level_db - floor[known]) < 2.0
    assert np.corrcoef(level_db, floor[known])[0, 1] > 0.9
    flat = simulate_scene(SimulateSceneParams(**{**params.__dict__, "noise_rise_db": 0.0}))
    assert np.ptp(flat.nesz_db[0, cols]) == pytest.approx(0.0, abs=1e-5)
    assert np.array_equal(flat.ice_mask, scene.ice_mask)  # the floor's draws leave the layout alone


@pytest.mark.parametrize("texture_law", ["gamma", "lognormal"])
def test_block_by_block_scene_equals_the_scene_made_at_once(tmp_path, texture_law):
    import rasterio

    from icesight_backend.sar.io import write_simulated_scene_cog
    from icesight_backend.sar.scene import scene_layout

    params = SimulateSceneParams(width_px=300, height_px=1100, n_ships=6, n_icebergs=6, seed=13)
    clutter = ClutterParams(texture_law=texture_law)
    whole = simulate_scene(params, clutter=clutter)
    layout = scene_layout(params, clutter)
    path = write_simulated_scene_cog(layout, tmp_path / "scene.tif")
    with rasterio.open(path) as src:
        np.testing.assert_array_equal(src.read(1), whole.hh_db)  # targets crossing block borders included
        np.testing.assert_array_equal(src.read(2), whole.hv_db)
        np.testing.assert_array_equal(src.read(4), whole.nesz_db)
        assert src.descriptions[3] == "HV_nesz_db"
    assert [(t.row, t.col) for t in layout.targets] == [(t.row, t.col) for t in whole.targets]


def test_coarse_ice_texture_in_an_iw_scene_does_not_depend_on_the_block_size():
    """IW ice textured over 400 m is a filter 40 px wide: each block's texture noise must reach 4
    sigmas beyond its rows, or the texture near a block border differs from the scene made at once
    (by 0.9 - 1.6 dB with a 20 px reach). Speckle is averaged away (1,000 looks, about 0.15 dB)."""
    params = SimulateSceneParams(mode=AcquisitionMode.IW, width_px=300, height_px=600, n_ships=1, n_icebergs=1, seed=4)
    clutter = ClutterParams(ice_corr_m=400.0, looks=1000.0)
    blocks = simulate_scene(params, block_rows=128, clutter=clutter)
    whole = simulate_scene(params, block_rows=600, clutter=clutter)
    ice = blocks.ice_mask & np.isfinite(blocks.hh_db)
    difference = np.abs(blocks.hh_db - whole.hh_db)
    for border in (384, 512):
        rows = slice(border - 3, border + 3)
        assert ice[rows].mean() > 0.3  # the border runs through the ice
        assert difference[rows][ice[rows]].mean() < 0.3


@pytest.mark.parametrize("texture_law", ["gamma", "lognormal"])
def test_the_sea_texture_runs_on_across_block_borders(texture_law):
    """Scenes are made in row blocks; the texture must not restart at a block's first row. With
    speckle averaged away (1,000 looks) neighbouring rows differ as little across a border as inside."""

    params = SimulateSceneParams(width_px=600, height_px=512, n_ships=1, n_icebergs=1, seed=3)
    db = simulate_scene(params, block_rows=256, clutter=ClutterParams(texture_law=texture_law, looks=1000.0)).hh_db

    def step(row: int) -> float:
        difference = db[row + 1] - db[row]
        return float(np.mean(difference[np.isfinite(difference)] ** 2))

    inside = np.mean([step(row) for row in (100, 150, 200, 300, 350, 400)])
    assert step(255) < 2 * inside  # a texture that restarts at row 256 differs about 5x more


def test_a_scene_can_have_other_ice_and_the_same_layout():
    """Robustness benches give scenes non-nominal clutter: the ice changes, nothing else does."""

    params = SimulateSceneParams(width_px=400, height_px=600, n_ships=3, n_icebergs=3, seed=5)
    nominal = simulate_scene(params)
    brighter = simulate_scene(params, clutter=ClutterParams(ice_co_offset_db=4.0, ice_corr_m=400.0))
    ice = nominal.ice_mask & np.isfinite(nominal.hh_db)
    assert 0.2 < ice.mean() < 0.8 and np.array_equal(nominal.ice_mask, brighter.ice_mask)
    assert [(t.row, t.col) for t in brighter.targets] == [(t.row, t.col) for t in nominal.targets]
    far_from_ice = ~ndimage.binary_dilation(nominal.ice_mask, iterations=12) & np.isfinite(nominal.hh_db)
    np.testing.assert_array_equal(brighter.hh_db[far_from_ice], nominal.hh_db[far_from_ice])
    shift = np.median(brighter.hh_db[ice]) - np.median(nominal.hh_db[ice])
    assert shift == pytest.approx(4.0, abs=0.5)

    def lag_correlation(db: np.ndarray, lag: int) -> float:
        inside = ice[:, :-lag] & ice[:, lag:]
        return float(np.corrcoef(db[:, :-lag][inside], db[:, lag:][inside])[0, 1])

    # Texture correlated over 400 m instead of 160 m: neighbours 6 px (240 m) apart still look alike.
    assert lag_correlation(brighter.hh_db, 6) > lag_correlation(nominal.hh_db, 6) + 0.1


# Radar cross-section is conserved across resolution: noise-free renders (speckle looks 1e6) of the
# same target at IW 10 m and EW 40 m must give the same sum of sigma0 x pixel area within this.
RCS_TOLERANCE = 0.05


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("kind", list(ClassName))
def test_radar_cross_section_is_the_same_at_10_m_and_40_m_and_the_coarse_peak_is_lower(kind, family):
    rng = np.random.default_rng(0)
    for length_m in (15.0, 60.0, 150.0, 400.0):
        width_m = length_m / (6.0 if kind is ClassName.SHIP else 1.5)
        target = Target(kind, length_m, width_m, float(rng.uniform(0, 180)), 12.0, -10.0)
        offset = tuple(rng.uniform(-0.5, 0.5, 2))
        rcs, peak = {}, {}
        for mode in (AcquisitionMode.IW, AcquisitionMode.EW):
            geometry = MODES[mode]
            hh, _, _ = render_target(np.random.default_rng(7), target, geometry, offset_px=offset, looks=1e6,
                                     scatterer_looks=1e6, family=family)
            rcs[mode], peak[mode] = integrated_rcs_m2(hh, geometry.pixel_size_m), hh.max()
        assert rcs[AcquisitionMode.EW] == pytest.approx(rcs[AcquisitionMode.IW], rel=RCS_TOLERANCE), length_m
        if kind is ClassName.SHIP:
            # Point scatterers: the same RCS in a 16 times larger cell, spread by the response.
            assert 10 * np.log10(peak[AcquisitionMode.IW] / peak[AcquisitionMode.EW]) > 6.0, length_m
        else:
            assert peak[AcquisitionMode.EW] <= peak[AcquisitionMode.IW] * 1.05, length_m


def test_radar_cross_section_is_recovered_above_clutter_in_a_speckled_patch():
    # The same ship in EW and IW patches (speckle, sea, noise): sum of sigma0 above the clutter
    # times pixel area, averaged over 12 patches, agrees within 15 %. The clutter level is the mean
    # of the patch outside the window: its median lies below the mean of the skewed clutter, a bias
    # that grows with the window's area (16 times larger at 40 m than at 10 m).
    target = Target(ClassName.SHIP, 150.0, 25.0, 30.0, 16.0, -10.0)
    estimates = {}
    for mode in (AcquisitionMode.IW, AcquisitionMode.EW):
        geometry, values = MODES[mode], []
        for seed in range(12):
            co_db, _, _, _, (row, col) = simulate_patch(
                np.random.default_rng(seed), ClassName.SHIP, geometry, inc_angle_deg=35.0, target=target,
                wind_speed_m_s=6.0, allow_sea_ice=False,
            )
            co = 10 ** (co_db / 10)
            around = np.ones(co.shape, dtype=bool)
            around[row - 18 : row + 19, col - 18 : col + 19] = False
            window = co[row - 18 : row + 19, col - 18 : col + 19]
            values.append(integrated_rcs_m2(window, geometry.pixel_size_m, float(np.mean(co[around]))))
        estimates[mode] = np.mean(values)
    assert estimates[AcquisitionMode.EW] == pytest.approx(estimates[AcquisitionMode.IW], rel=0.15)


def test_impulse_response_sums_to_one_and_sidelobes_follow_the_weighting():
    for shape in ("sinc", "gauss"):
        for sidelobe_db in (-30.0, -21.0, -13.3):
            response = ImpulseResponse(2.1, sidelobe_db, shape)
            assert response.kernel().sum() == pytest.approx(1.0)
            assert response.kernel(0.3).sum() == pytest.approx(1.0)
    fine = np.linspace(0, 12, 4801)
    for sidelobe_db in (-40.0, -35.0, -30.0, -21.0, -13.3):
        measured_db, width = response_lobes(fine, ImpulseResponse(2.0, sidelobe_db, "sinc").response(fine))
        assert measured_db == pytest.approx(sidelobe_db, abs=0.5)
        assert width == pytest.approx(2.0, abs=0.02)  # -3 dB width
    with pytest.raises(ValueError, match="shape"):
        ImpulseResponse(2.0, -20.0, "boxcar")


def test_randomised_patches_vary_every_nuisance_but_keep_the_class_physics():
    patches = simulate_patches(300, seed=8, randomise=True)
    assert set(patches.families) == set(FAMILIES)
    offsets = np.abs(patches.centre_px - 37)
    assert offsets.max() >= 8 and offsets.max() <= 10  # targets off-centre by up to 10 px
    sea_co = np.median(patches.band_1_db, axis=(1, 2))
    assert np.percentile(sea_co, 90) - np.percentile(sea_co, 10) > 6.0  # wide clutter levels
    peak_co, ratio = [], []
    for i, (row, col) in enumerate(patches.centre_px):
        window = np.s_[i, row - 4 : row + 5, col - 4 : col + 5]
        peak_co.append(patches.band_1_db[window].max())
        ratio.append(patches.band_2_db[window].max() - patches.band_1_db[window].max())
    peak_co, ratio = np.asarray(peak_co), np.asarray(ratio)
    ships, bergs = patches.labels == 0, patches.labels == 1
    # Dynamic range above the patch's own clutter, and the cross-/co-pol ratio still tell the classes
    # apart on average, with overlap.
    contrast = peak_co - sea_co
    assert np.median(contrast[ships]) > np.median(contrast[bergs]) + 3
    assert np.median(ratio[bergs]) > np.median(ratio[ships]) + 2
    assert np.mean(contrast[ships] < np.median(contrast[bergs])) > 0.03
    # Ice backgrounds equally often for both classes: where a target sits is not a cue.
    in_ice = np.median(patches.band_2_db, axis=(1, 2)) > -21.0
    assert abs(in_ice[ships].mean() - in_ice[bergs].mean()) < 0.12


def test_nominal_and_family_choices_are_validated_and_reproducible():
    a = simulate_patches(30, seed=3, randomise=False, family="B")
    b = simulate_patches(30, seed=3, randomise=False, family="B")
    np.testing.assert_array_equal(a.band_2_db, b.band_2_db)
    assert set(a.families) == {"B"} and np.abs(a.centre_px - 37).max() <= 2
    with pytest.raises(ValueError, match="family"):
        simulate_patches(30, family="C")


def test_a_fixed_nuisance_sets_every_patch_and_excludes_randomising():
    far = simulate_patches(200, seed=4, nuisance=PatchNuisance(family="B", max_offset_px=20))
    assert set(far.families) == {"B"} and np.abs(far.centre_px - 37).max() > 10
    nominal = simulate_patches(200, seed=4)
    dim = simulate_patches(200, seed=4, nuisance=PatchNuisance(brightness_db=-7.0))
    targets = nominal.labels != ClassName.CLUTTER.index
    peaks = [np.median(patches.band_1_db[targets].max(axis=(1, 2))) for patches in (nominal, dim)]
    assert peaks[0] - peaks[1] > 3.0
    for clash in ({"randomise": True}, {"family": "A"}):
        with pytest.raises(ValueError, match="leave randomise and family unset"):
            simulate_patches(10, nuisance=PatchNuisance(), **clash)


def test_a_randomised_share_mixes_nominal_and_randomised_patches():
    nominal = simulate_patches(400, seed=5, randomise=0.0)
    everything = simulate_patches(400, seed=5, randomise=1.0)
    half = simulate_patches(400, seed=5, randomise=0.5)
    np.testing.assert_array_equal(everything.band_1_db, simulate_patches(400, seed=5, randomise=True).band_1_db)
    np.testing.assert_array_equal(nominal.band_1_db, simulate_patches(400, seed=5, randomise=False).band_1_db)
    # Only randomised patches draw the other family or sit more than 2 px off the centre.
    off_nominal = [(f == "B") or np.abs(c - 37).max() > 2 for f, c in zip(half.families, half.centre_px, strict=True)]
    assert set(nominal.families) == {"A"} and np.abs(nominal.centre_px - 37).max() <= 2
    # (a randomised patch is family A within 2 px of the centre about 3 % of the time)
    assert 0.4 < np.mean(off_nominal) < 0.6
    assert np.mean([(f == "B") or np.abs(c - 37).max() > 2
                    for f, c in zip(everything.families, everything.centre_px, strict=True)]) > 0.9
    with pytest.raises(ValueError, match="share between 0 and 1"):
        simulate_patches(10, randomise=1.5)


def test_the_patch_set_default_is_half_randomised_and_randomise_overrides_it():
    from icesight_contract import ContractError, SimulatedPatchSet, from_dict
    from icesight_contract.common import DEFAULT_RANDOMISED_FRACTION

    assert SimulatedPatchSet().randomised_share == DEFAULT_RANDOMISED_FRACTION == 0.5
    assert from_dict(SimulatedPatchSet, {"randomise": False}).randomised_share == 0.0
    assert from_dict(SimulatedPatchSet, {"randomise": True, "randomised_fraction": 0.2}).randomised_share == 1.0
    assert from_dict(SimulatedPatchSet, {"randomised_fraction": 0.2}).randomised_share == 0.2
    with pytest.raises(ContractError) as caught:
        from_dict(SimulatedPatchSet, {"randomised_fraction": 1.2})
    assert caught.value.field == "randomised_fraction"


def test_ship_brightness_rises_with_length_by_the_family_or_patch_slope_through_one_level():
    # Family A rises as the OpenSARShip chips' peaks do; both families keep the level they had at 90 m.
    assert SHIP_BRIGHTNESS_SLOPE_DB["A"] == pytest.approx(17.1)
    assert ship_peak_law_db(90.0, "A") == pytest.approx(11.0 + 11.0 * np.log10(90.0 / 20.0), abs=0.02)
    assert ship_peak_law_db(90.0, "B") == pytest.approx(8.8 + 14.0 * np.log10(90.0 / 20.0), abs=0.01)
    assert ship_peak_law_db(900.0, "A") - ship_peak_law_db(90.0, "A") == pytest.approx(17.1)
    for family in FAMILIES:
        for slope in SHIP_BRIGHTNESS_SLOPE_RANGE_DB:
            assert ship_peak_law_db(SHIP_BRIGHTNESS_PIVOT_M, family, slope) == pytest.approx(ship_peak_law_db(90.0, family))
            assert ship_peak_law_db(40.0, family, slope) == pytest.approx(
                ship_peak_law_db(90.0, family) + slope * np.log10(40.0 / 90.0))
    # Randomised patches draw the slope over the measurement's range; nominal ones keep the family's.
    ew = MODES[AcquisitionMode.EW]
    rng = np.random.default_rng(3)
    slopes = np.array([draw_nuisance(rng, ew, "A").ship_slope_db for _ in range(300)])
    low, high = SHIP_BRIGHTNESS_SLOPE_RANGE_DB
    assert slopes.min() >= low and slopes.max() <= high
    assert slopes.min() < low + 1.0 and slopes.max() > high - 1.0
    assert PatchNuisance().ship_slope_db is None


def test_a_patch_and_a_ghost_take_their_ships_slope_from_the_nuisance(monkeypatch):
    ew = MODES[AcquisitionMode.EW]
    low, high = SHIP_BRIGHTNESS_SLOPE_RANGE_DB
    targets = {}
    for slope in (low, high):
        _, _, _, targets[slope], _ = simulate_patch(np.random.default_rng(11), ClassName.SHIP, ew,
                                                    nuisance=PatchNuisance(ship_slope_db=slope))
    length = targets[low].length_m
    assert targets[high].length_m == length  # the slope takes nothing from the random stream
    assert targets[high].peak_hh_db - targets[low].peak_hh_db == pytest.approx((high - low) * np.log10(length / 90.0))
    # A clutter patch's azimuth ambiguity is the ghost of a ship drawn with the same slope.
    drawn = []
    original = simulation.draw_ship
    monkeypatch.setattr(simulation, "draw_ship", lambda *a, **k: drawn.append(k.get("slope_db")) or original(*a, **k))
    rng = np.random.default_rng(5)
    while not drawn:
        simulate_clutter_patch(rng, ew, nuisance=PatchNuisance(ship_slope_db=high))
    assert drawn == [high]
