"""Attributions of the served iceberg probability (real torch and Captum, no mocks): they find the band
that carries the class, they depend on the trained weights, they turn with the patch when the 8-view
average is explained, Integrated Gradients and DeepLIFT add up to the change of probability, and bad
arguments are refused by name."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from icesight_backend.learning.attribution import (
    CHANNEL_FROM_BANDS_DB,
    PATCH_CENTRE_PX,
    AttributionMethod,
    PatchAttributions,
    ServedProbability,
    clutter_baseline_db,
    explain,
)
from icesight_backend.learning.data import THIRD_CHANNELS, PatchArrays, stack_channels, third_channel
from icesight_backend.learning.models import build_model
from icesight_backend.learning.training import LoadedModel, TrainingConfig, classify_arrays, fit
from icesight_contract import PATCH_SIZE_PX

CLUTTER_HH_DB, CLUTTER_HV_DB, SPECKLE_DB = -22.0, -28.0, 1.5
TARGET_DB, BLOB_SIGMA_PX = 12.0, 2.5
#: Iceberg-only HV excess at the target: clearly learnable in a few epochs, not a step function.
ICEBERG_HV_DB = 4.0


def hv_only_patches(n: int, seed: int) -> PatchArrays:
    """Half ships, half icebergs. HH: the same clutter and the same bright target at (near) the centre for
    both classes, so HH carries no class signal although it shows the target. HV: the same clutter, plus
    a compact bright blob on icebergs only. Incidence 25-45 degrees at random (no class signal)."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[:PATCH_SIZE_PX, :PATCH_SIZE_PX]
    labels = (np.arange(n) % 2).astype(np.float32)
    rng.shuffle(labels)
    hh = rng.normal(CLUTTER_HH_DB, SPECKLE_DB, (n, PATCH_SIZE_PX, PATCH_SIZE_PX)).astype(np.float32)
    hv = rng.normal(CLUTTER_HV_DB, SPECKLE_DB, (n, PATCH_SIZE_PX, PATCH_SIZE_PX)).astype(np.float32)
    for i in range(n):
        row, col = PATCH_CENTRE_PX + rng.integers(-4, 5, 2)
        blob = np.exp(-((rows - row) ** 2 + (cols - col) ** 2) / (2 * BLOB_SIGMA_PX**2)).astype(np.float32)
        hh[i] += TARGET_DB * blob
        if labels[i]:
            hv[i] += ICEBERG_HV_DB * blob
    inc = rng.uniform(25.0, 45.0, n).astype(np.float32)
    return PatchArrays([f"p{seed}_{i}" for i in range(n)], stack_channels(hh, hv), inc, labels)


@pytest.fixture(scope="module")
def trained():
    torch.manual_seed(0)
    result = fit(hv_only_patches(240, seed=1), hv_only_patches(80, seed=2), TrainingConfig(epochs=4, patience=5, seed=0))
    assert result.metrics.val_accuracy > 0.9, result.metrics  # the HV blob is learnt
    return result


@pytest.fixture(scope="module")
def model(trained) -> LoadedModel:
    return trained.loaded()


@pytest.fixture(scope="module")
def randomised(trained) -> LoadedModel:
    """The same architecture, normalisation and input with freshly initialised weights."""
    torch.manual_seed(12345)
    network = build_model(trained.model_spec())
    return LoadedModel.build(trained.architecture, trained.model_spec(), network.state_dict(), trained.normalisation,
                             trained.input_spec())


@pytest.fixture(scope="module")
def icebergs() -> PatchArrays:
    patches = hv_only_patches(12, seed=3)
    return patches.subset(np.flatnonzero(patches.labels == 1)[:4])


def turned(arrays: PatchArrays) -> PatchArrays:
    """Each patch mirrored left-right, then turned a quarter."""
    images = np.ascontiguousarray(np.rot90(arrays.images[..., ::-1], 1, axes=(2, 3)))
    return PatchArrays(arrays.ids, images, arrays.inc_angle_deg, arrays.labels, arrays.channels)


def turn_maps(maps: np.ndarray) -> np.ndarray:
    return np.rot90(maps[..., ::-1], 1, axes=(1, 2))


def absolute_maps(result: PatchAttributions) -> np.ndarray:
    """|attribution| per patch as one vector: HH and HV pixels, or the single GradCAM map."""
    maps = np.concatenate([result.hh, result.hv], axis=1) if result.traits.per_band else result.total
    return np.abs(maps).reshape(len(result), -1)


def test_the_served_function_is_what_classification_returns(model, icebergs):
    served = ServedProbability(model, tta=True)
    with torch.no_grad():
        probability = served(torch.from_numpy(icebergs.images[:, :2].copy()), torch.from_numpy(icebergs.inc_angle_deg))
    np.testing.assert_allclose(probability.numpy(), classify_arrays(model, icebergs, tta=True), atol=1e-5)


@pytest.mark.parametrize("kind", THIRD_CHANNELS)
def test_derived_channels_match_the_training_data(kind):
    rng = np.random.default_rng(0)
    hh, hv = rng.normal(-20, 3, (2, 75, 75)), rng.normal(-27, 3, (2, 75, 75))
    expected = third_channel(hh, hv, kind)
    got = CHANNEL_FROM_BANDS_DB[kind](torch.from_numpy(hh), torch.from_numpy(hv)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize(
    ("method", "min_hv_share"),
    [
        (AttributionMethod.INTEGRATED_GRADIENTS, 0.6),
        (AttributionMethod.SALIENCY, 0.6),
        (AttributionMethod.GRADIENT_SHAP, 0.6),
        (AttributionMethod.DEEPLIFT, 0.6),
    ],
)
def test_attribution_goes_to_the_band_that_carries_the_class(model, icebergs, method, min_hv_share):
    result = explain(model, icebergs, method, n_steps=32, n_samples=16)
    summaries = result.summaries()
    hv_shares = np.array([s.hv_share for s in summaries])
    print(f"{method.value}: HV shares {np.round(hv_shares, 3)}, probabilities {np.round(result.probability, 3)}")
    assert (hv_shares > min_hv_share).all()
    np.testing.assert_allclose([s.hh_share + s.hv_share for s in summaries], 1.0, atol=1e-6)
    assert (result.probability > 0.5).all()
    if method is not AttributionMethod.SALIENCY:  # signed: the HV blob pushes towards iceberg
        assert (result.hv.sum(axis=(1, 2)) > 0).all()
    # The top region is on the target (within the blob's few pixels of the centre jitter and smoothing).
    for summary in summaries:
        assert abs(summary.top_offset_col_px) <= 7 and abs(summary.top_offset_row_px) <= 7, summary


def test_occlusion_finds_the_hv_blob(model, icebergs):
    result = explain(model, icebergs.subset(np.arange(1)), "occlusion", tta=False, occlusion_window_px=15,
                     occlusion_stride_px=10)
    summary = result.summary(0)
    print(f"occlusion: {summary}")
    assert summary.hv_share > 0.6
    assert abs(summary.top_offset_col_px) <= 10 and abs(summary.top_offset_row_px) <= 10


@pytest.mark.parametrize(
    ("method", "max_mean_rho"),
    [
        # IG multiplies the path-averaged gradient by (x - baseline), which is the same for both models;
        # Adebayo et al. (2018) saw the same residual rank correlation of |IG| after randomisation.
        (AttributionMethod.INTEGRATED_GRADIENTS, 0.75),
        (AttributionMethod.GRADCAM, 0.35),
    ],
)
def test_attributions_depend_on_the_trained_weights(model, randomised, icebergs, method, max_mean_rho):
    """Model-randomisation check (Adebayo et al. 2018): an explanation that survives re-initialising the
    weights explains the input, not the model."""
    trained_maps = explain(model, icebergs, method, n_steps=16)
    random_maps = explain(randomised, icebergs, method, n_steps=16)
    rho = np.array([spearmanr(a, b)[0] for a, b in zip(absolute_maps(trained_maps), absolute_maps(random_maps), strict=True)])
    print(f"{method.value}: Spearman |trained| vs |randomised| {np.round(rho, 3)}, mean {rho.mean():.3f}")
    assert rho.mean() < max_mean_rho
    if method is AttributionMethod.INTEGRATED_GRADIENTS:
        # Signed, the input factor cancels out: the randomised network's directions are unrelated.
        signed = [spearmanr(np.concatenate([a.ravel(), b.ravel()]), np.concatenate([c.ravel(), d.ravel()]))[0]
                  for a, b, c, d in zip(trained_maps.hh, trained_maps.hv, random_maps.hh, random_maps.hv, strict=True)]
        print(f"{method.value}: signed Spearman {np.round(signed, 3)}")
        assert np.abs(np.mean(signed)) < 0.3


@pytest.mark.parametrize(
    "method", [AttributionMethod.INTEGRATED_GRADIENTS, AttributionMethod.SALIENCY, AttributionMethod.GRADCAM]
)
def test_explanations_turn_with_the_patch_under_tta(model, icebergs, method):
    two = icebergs.subset(np.arange(2))
    original = explain(model, two, method, n_steps=16)
    of_turned = explain(model, turned(two), method, n_steps=16)
    scale = np.abs(original.total).max()
    error = np.abs(of_turned.total - turn_maps(original.total)).max() / scale
    np.testing.assert_allclose(of_turned.probability, original.probability, atol=1e-5)
    if original.traits.per_band:
        np.testing.assert_allclose(of_turned.hv, turn_maps(original.hv), atol=1e-4 * scale)
        np.testing.assert_allclose(of_turned.inc_angle, original.inc_angle, atol=1e-4 * max(np.abs(original.inc_angle).max(), 1e-6))
    # A single view has no such symmetry, so the check above is not true by construction.
    single = explain(model, two, method, n_steps=16, tta=False)
    single_turned = explain(model, turned(two), method, n_steps=16, tta=False)
    single_error = np.abs(single_turned.total - turn_maps(single.total)).max() / np.abs(single.total).max()
    print(f"{method.value}: relative error with TTA {error:.1e}, single view {single_error:.2f}")
    assert error < 1e-4
    assert single_error > 100 * error


def test_integrated_gradients_add_up_to_the_change_of_probability(model, icebergs):
    two = icebergs.subset(np.arange(2))
    result = explain(model, two, AttributionMethod.INTEGRATED_GRADIENTS, n_steps=50)
    served = ServedProbability(model, tta=True)
    with torch.no_grad():
        reference = served(torch.from_numpy(clutter_baseline_db(two.images[:, :2])),
                           torch.full((2,), served.inc_mean_deg)).numpy()
    change = result.probability - reference
    total = result.hh.sum(axis=(1, 2)) + result.hv.sum(axis=(1, 2)) + result.inc_angle
    print(f"change of probability {np.round(change, 4)}, sum of attributions {np.round(total, 4)}, "
          f"delta {result.convergence_delta}")
    assert (np.abs(change) > 0.05).all()  # a real change to account for
    np.testing.assert_allclose(total - change, result.convergence_delta, atol=1e-4)
    assert (np.abs(result.convergence_delta) < 0.02 * np.abs(change) + 1e-3).all()
    summary = result.summary(0)
    assert 0 <= summary.inc_angle_share < 1 and summary.inc_angle == pytest.approx(result.inc_angle[0])


def test_deeplift_of_the_eight_views_adds_up(model, icebergs):
    result = explain(model, icebergs.subset(np.arange(2)), AttributionMethod.DEEPLIFT)
    assert result.convergence_delta is not None
    assert (np.abs(result.convergence_delta) < 1e-4).all()


def test_gradcam_gives_one_map_and_no_band_split(model, icebergs):
    result = explain(model, icebergs.subset(np.arange(1)), "gradcam")
    assert np.isnan(result.hh).all() and np.isnan(result.hv).all() and np.isnan(result.inc_angle).all()
    assert np.isfinite(result.total).all() and result.total.shape == (1, PATCH_SIZE_PX, PATCH_SIZE_PX)
    summary = result.summary(0)
    assert np.isnan(summary.hv_share) and abs(summary.top_offset_col_px) <= 8 and abs(summary.top_offset_row_px) <= 8


def test_unknown_incidence_uses_the_training_fill(model, icebergs):
    one = icebergs.subset(np.arange(1))
    one.inc_angle_deg[:] = np.nan
    result = explain(model, one, "saliency")
    assert not result.inc_angle_known[0] and np.isfinite(result.inc_angle[0])


def test_same_seed_same_gradient_shap(model, icebergs):
    one = icebergs.subset(np.arange(1))
    first = explain(model, one, "gradient_shap", n_samples=4, seed=7)
    again = explain(model, one, "gradient_shap", n_samples=4, seed=7)
    other = explain(model, one, "gradient_shap", n_samples=4, seed=8)
    np.testing.assert_array_equal(first.total, again.total)
    assert not np.array_equal(first.total, other.total)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"method": "lime"}, "integrated_gradients"),
        ({"n_steps": 0}, "n_steps"),
        ({"n_steps": 513}, "n_steps"),
        ({"internal_batch_size": 0}, "internal_batch_size"),
        ({"internal_batch_size": 5000}, "internal_batch_size"),
        ({"n_samples": 0}, "n_samples"),
        ({"occlusion_window_px": 0}, "occlusion_window_px"),
        ({"occlusion_window_px": 76}, "occlusion_window_px"),
        ({"occlusion_stride_px": 16}, "occlusion_stride_px"),  # larger than the window
        ({"occlusion_stride_px": 8}, "occlusion_stride_px"),  # 15 px windows every 8 px miss 4 px
        ({"seed": -1}, "seed"),
        ({"n_steps": 2.5}, "n_steps"),
    ],
)
def test_bad_arguments_are_refused_by_name(model, icebergs, kwargs, named):
    kwargs = {"method": "integrated_gradients"} | kwargs
    with pytest.raises(ValueError, match=named):
        explain(model, icebergs, **kwargs)


def test_patches_without_the_source_bands_are_refused(model, icebergs):
    hv_only = icebergs.select_channels(["band_2", "band_avg"])
    with pytest.raises(ValueError, match="band_1"):
        explain(model, hv_only, "saliency")
