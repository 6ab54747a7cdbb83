"""Dense iceberg-probability maps: the CNN evaluated fully convolutionally equals the CNN on each
window (exactly for LeNet, within a measured bound for the zero-padded reference CNN), the map is
written on the scene's grid with nodata off the swath, and bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
import torch
from scipy import ndimage

from icesight_backend.learning.data import (
    Normalisation,
    PatchArrays,
    arrays_from_simulation,
    stack_channels,
)
from icesight_backend.learning.dense import (
    PROBABILITY_BAND,
    WINDOW_HALF_PX,
    DenseGrid,
    DenseMapCancelled,
    PixelSizeMismatch,
    SceneBandMismatch,
    check_pixel_size,
    fully_convolutional,
    output_stride,
    probability_map,
)
from icesight_backend.learning.models import ModelSpec, build_model
from icesight_backend.learning.training import (
    LoadedModel,
    ModelInputMismatch,
    TrainingConfig,
    classify_arrays,
    train_model,
)
from icesight_backend.sar.io import write_cog, write_simulated_scene_cog
from icesight_backend.sar.scene import scene_layout
from icesight_backend.sar.simulation import simulate_patches
from icesight_contract import PATCH_SIZE_PX, ModelArchitecture, SimulateSceneParams

SCENE_PX = 512


def _randomised(spec: ModelSpec, seed: int, calibration_windows: np.ndarray) -> torch.nn.Module:
    """A network with random weights and non-trivial batch-norm statistics, its last layer scaled
    so that the logits of ``calibration_windows`` have mean 0 and standard deviation 2 (default
    initialisation gives logits near 0, where any tolerance is met)."""
    torch.manual_seed(seed)
    network = build_model(spec)
    with torch.no_grad():
        for module in network.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.2)
        network.eval()
        inc = torch.linspace(-1.0, 1.0, len(calibration_windows))
        logits = network(torch.from_numpy(calibration_windows), inc)
        scale = 2.0 / float(logits.std())
        last = network.head[-1]
        last.weight.mul_(scale)
        last.bias.sub_(float(logits.mean())).mul_(scale)
    return network


def _loaded(network: torch.nn.Module, spec: ModelSpec, normalisation: Normalisation) -> LoadedModel:
    return LoadedModel.build(spec.architecture, spec, network.state_dict(), normalisation,
                             {"bands": ["band_1", "band_2"], "channels": ["band_1", "band_2", "band_avg"],
                              "patch_size_px": PATCH_SIZE_PX, "inc_angle": spec.use_inc_angle})


def _window_logits(network, image: np.ndarray, inc_map: np.ndarray, stride: int) -> np.ndarray:
    """The network on each window with top-left (stride i, stride j), one window at a time."""
    rows, cols = inc_map.shape
    crops = np.stack([image[:, stride * i : stride * i + PATCH_SIZE_PX, stride * j : stride * j + PATCH_SIZE_PX]
                      for i in range(rows) for j in range(cols)])
    with torch.no_grad():
        logits = network(torch.from_numpy(crops), torch.from_numpy(inc_map.reshape(-1)))
    return logits.numpy().reshape(rows, cols)


def _dense_logits(network, image: np.ndarray, inc_map: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return fully_convolutional(network)(torch.from_numpy(image)[None], torch.from_numpy(inc_map)[None])[0].numpy()


def _image_and_incidence(stride: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A random 200 x 200 px normalised image and a varying incidence at the window grid."""
    rng = np.random.default_rng(seed)
    image = rng.standard_normal((3, 200, 200)).astype(np.float32)
    cells = (200 - PATCH_SIZE_PX) // stride + 1
    ramp = np.linspace(-1.5, 1.5, cells, dtype=np.float32)
    inc_map = (ramp[None, :] + 0.3 * rng.standard_normal((cells, cells))).astype(np.float32)
    return image, inc_map


def _random_windows(n: int = 32, seed: int = 99) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, 3, PATCH_SIZE_PX, PATCH_SIZE_PX)).astype(np.float32)


def _scene_normalisation(bands: np.ndarray) -> Normalisation:
    valid = np.isfinite(bands[0]) & np.isfinite(bands[1])
    channels = stack_channels(bands[0][valid][None], bands[1][valid][None])[0]
    return Normalisation([float(c.mean()) for c in channels], [float(c.std()) for c in channels],
                         float(np.nanmean(bands[2])), float(np.nanstd(bands[2])), float(np.nanmedian(bands[2])))


def _scene_windows(bands: np.ndarray, normalisation: Normalisation, n: int = 48) -> np.ndarray:
    """Normalised 75 x 75 windows cut from the valid part of the scene."""
    rng = np.random.default_rng(7)
    windows = []
    while len(windows) < n:
        r, c = (int(v) for v in rng.integers(0, SCENE_PX - PATCH_SIZE_PX, size=2))
        crop = bands[:2, r : r + PATCH_SIZE_PX, c : c + PATCH_SIZE_PX]
        if np.isfinite(crop).all():
            windows.append(stack_channels(crop[0][None], crop[1][None])[0])
    arrays = PatchArrays([str(i) for i in range(n)], np.stack(windows), np.full(n, 30.0, np.float32))
    return normalisation.apply(arrays)[0]


@pytest.fixture(scope="module")
def scene_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("dense") / "scene.tif"
    params = SimulateSceneParams(width_px=SCENE_PX, height_px=SCENE_PX, n_ships=6, n_icebergs=6, seed=5)
    return write_simulated_scene_cog(scene_layout(params), path)


@pytest.fixture(scope="module")
def scene(scene_path) -> dict:
    with rasterio.open(scene_path) as src:
        bands = src.read()
    normalisation = _scene_normalisation(bands)
    return {"bands": bands, "crs": src.crs, "transform": src.transform, "normalisation": normalisation,
            "windows": _scene_windows(bands, normalisation)}


@pytest.fixture(scope="module")
def random_lenet(scene) -> LoadedModel:
    """Random weights calibrated to give a varied map on the scene (a briefly trained LeNet gives
    probabilities within a few hundredths of 0.5 everywhere, too flat to test a map with)."""
    spec = ModelSpec(ModelArchitecture.LENET)
    return _loaded(_randomised(spec, seed=11, calibration_windows=scene["windows"]), spec, scene["normalisation"])


@pytest.fixture(scope="module")
def lenet_map(scene_path, random_lenet, tmp_path_factory):
    out = tmp_path_factory.mktemp("dense_out") / "probability.tif"
    # 200 px chunks (a multiple of the stride 8) leave ragged last chunks: seams are exercised.
    result = probability_map(scene_path, random_lenet, out, chunk_px=200, tags={"model_id": "m-test"})
    with rasterio.open(out) as src:
        return result, src.read(1), src.profile, src.tags(), src.descriptions


@pytest.fixture(scope="module")
def trained_lenet() -> LoadedModel:
    return train_model(arrays_from_simulation(simulate_patches(160, seed=31)), TrainingConfig(epochs=1, seed=2)).loaded()


def test_output_stride_is_the_product_of_the_pools():
    assert output_stride(ModelSpec(ModelArchitecture.LENET)) == 8
    assert output_stride(ModelSpec(ModelArchitecture.REFERENCE_CNN)) == 16
    assert output_stride(ModelSpec(ModelArchitecture.LENET, pool_size=3, conv_blocks=[0, 2])) == 9


@pytest.mark.parametrize(
    "spec",
    [
        ModelSpec(ModelArchitecture.LENET),
        ModelSpec(ModelArchitecture.LENET, kernel_size=3, pool_size=3, conv_blocks=[0, 2], use_inc_angle=False),
        ModelSpec(ModelArchitecture.LENET, dense=False),
    ],
    ids=["lenet", "lenet-k3-pool3-blocks-0-2-no-incidence", "lenet-no-dense-layers"],
)
def test_lenet_fully_convolutional_logits_are_the_window_logits(spec):
    network = _randomised(spec, seed=3, calibration_windows=_random_windows())
    stride = output_stride(spec)
    image, inc_map = _image_and_incidence(stride)
    per_window = _window_logits(network, image, inc_map, stride)
    dense = _dense_logits(network, image, inc_map)
    assert dense.shape == per_window.shape == inc_map.shape
    assert per_window.std() > 0.5  # logits spread out: the tolerance below is a real test
    np.testing.assert_allclose(dense, per_window, atol=1e-4, rtol=0)


def test_trained_lenet_fully_convolutional_logits_are_the_window_logits(trained_lenet):
    network = trained_lenet.network
    image, inc_map = _image_and_incidence(8, seed=1)
    np.testing.assert_allclose(_dense_logits(network, image, inc_map), _window_logits(network, image, inc_map, 8),
                               atol=1e-4, rtol=0)
    assert network.training is False  # the conversion copies; the model is left as it was


def test_reference_cnn_differs_from_windows_only_through_zero_padding(scene):
    """The reference CNN's 'same' convolutions pad each window with zeros; evaluated densely, the
    window's border sees the real neighbours instead. The dense logits are exactly those of each
    window given its real surroundings (the 15 px its padded convolutions reach); against the
    window alone they differ. Measured here, random weights with logits spread to standard
    deviation 2, on simulated sea and ice: max |dp| 0.61, mean 0.19 (an untrained network reacts
    strongly to the zero border). A reference CNN trained 3 epochs on 400 simulated patches, on a
    simulated 512 px scene: max |dp| 0.11, mean 0.009, 99th percentile 0.09 over 745 windows."""
    spec = ModelSpec(ModelArchitecture.REFERENCE_CNN)
    network = _randomised(spec, seed=4, calibration_windows=scene["windows"])
    bands = scene["bands"][:, 100:300, 200:400]
    crop = PatchArrays(["crop"], stack_channels(bands[0][None], bands[1][None]), np.array([30.0], np.float32))
    image = scene["normalisation"].apply(crop)[0][0]
    _, inc_map = _image_and_incidence(16)
    dense = _dense_logits(network, image, inc_map)

    context = fully_convolutional(network).context_px
    assert context == 16  # 3 x 3 'same' convolutions at strides 1, 2, 4, 8 reach 15 px
    side, cells = PATCH_SIZE_PX + 2 * context, 4  # a window's 4 x 4 final feature cells
    with torch.no_grad():
        for i, j in [(1, 1), (1, 6), (3, 4), (6, 2), (6, 6)]:
            surrounded = image[:, 16 * i - context : 16 * i - context + side, 16 * j - context : 16 * j - context + side]
            features = network.features(torch.from_numpy(surrounded)[None])[:, :, 1 : 1 + cells, 1 : 1 + cells]
            flat = torch.cat([features.flatten(1), torch.tensor([[inc_map[i, j]]])], dim=1)
            assert float(network.head(flat)) == pytest.approx(float(dense[i, j]), abs=1e-4)

    per_window = _window_logits(network, image, inc_map, 16)
    assert per_window.std() > 0.5
    difference = np.abs(torch.sigmoid(torch.from_numpy(dense)).numpy() - torch.sigmoid(torch.from_numpy(per_window)).numpy())
    assert difference.max() > 1e-3  # not exact: the padding really differs
    assert difference.max() < 0.7
    assert difference.mean() < 0.25


def test_probability_map_is_written_on_the_scene_grid(lenet_map, scene):
    result, probability, profile, tags, descriptions = lenet_map
    assert (result.width_px, result.height_px, result.stride_px) == (SCENE_PX, SCENE_PX, 8)
    assert (profile["width"], profile["height"], profile["count"]) == (SCENE_PX, SCENE_PX, 1)
    assert profile["crs"] == scene["crs"]
    assert profile["transform"] == scene["transform"]
    assert profile["dtype"] == "float32" and np.isnan(profile["nodata"])
    assert descriptions == (PROBABILITY_BAND,)
    assert tags["model_id"] == "m-test" and tags["stride_px"] == "8"
    no_data = ~(np.isfinite(scene["bands"][0]) & np.isfinite(scene["bands"][1]))
    assert no_data.any()  # the simulated swath edge
    np.testing.assert_array_equal(np.isnan(probability), no_data)
    inside = probability[~no_data]
    assert ((inside >= 0) & (inside <= 1)).all()
    assert inside.std() > 0.1  # a map, not a constant


def _classify_centred(model: LoadedModel, bands: np.ndarray, centres: list[tuple[int, int]]) -> np.ndarray:
    """classify_arrays (no test-time augmentation) on the 75 x 75 crop centred at each pixel."""
    half = WINDOW_HALF_PX
    crops = np.stack([bands[:, r - half : r + half + 1, c - half : c + half + 1] for r, c in centres])
    arrays = PatchArrays([str(i) for i in range(len(centres))], stack_channels(crops[:, 0], crops[:, 1]),
                         crops[:, 2, half, half].astype(np.float32))
    return classify_arrays(model, arrays, tta=False)


def _window_has_data(bands: np.ndarray, row: int, col: int) -> bool:
    half = WINDOW_HALF_PX
    return (half <= row < SCENE_PX - half and half <= col < SCENE_PX - half
            and bool(np.isfinite(bands[:2, row - half : row + half + 1, col - half : col + half + 1]).all()))


def test_map_equals_patch_classification_at_the_window_centres(lenet_map, scene, random_lenet):
    probability = lenet_map[1]
    centres = DenseGrid(8).centre_px(np.arange(SCENE_PX // 8 + 6))
    full = [(int(r), int(c)) for r in centres for c in centres if _window_has_data(scene["bands"], r, c)]
    sample = [full[i] for i in np.random.default_rng(0).choice(len(full), 300, replace=False)]
    expected = _classify_centred(random_lenet, scene["bands"], sample)
    assert expected.std() > 0.1
    np.testing.assert_allclose([probability[r, c] for r, c in sample], expected, atol=1e-5, rtol=0)


def test_map_between_centres_interpolates_the_neighbouring_windows(lenet_map, scene, random_lenet):
    probability = lenet_map[1]
    grid = DenseGrid(8)
    rng = np.random.default_rng(1)
    for _ in range(20):
        row, col = (int(v) for v in rng.integers(100, SCENE_PX - 100, size=2))
        position = grid.position(np.array([row, col]))
        lower = np.floor(position).astype(int)
        weight = position - lower
        corners = [(int(grid.centre_px(lower[0] + dr)), int(grid.centre_px(lower[1] + dc))) for dr in (0, 1) for dc in (0, 1)]
        assert all(_window_has_data(scene["bands"], r, c) for r, c in corners)
        p = _classify_centred(random_lenet, scene["bands"], corners)
        expected = ((1 - weight[0]) * ((1 - weight[1]) * p[0] + weight[1] * p[1])
                    + weight[0] * ((1 - weight[1]) * p[2] + weight[1] * p[3]))
        assert probability[row, col] == pytest.approx(expected, abs=1e-5)


def _interpolated_from_full_windows(bands: np.ndarray, stride: int, context_px: int = 0) -> np.ndarray:
    """Pixels whose value comes only from windows that lie wholly inside the swath, with their
    padding context (elsewhere a window sees its chunk's median clutter, which depends on the
    chunking)."""
    valid = np.isfinite(bands[0]) & np.isfinite(bands[1])
    reach = WINDOW_HALF_PX + stride + context_px
    return ndimage.binary_erosion(valid, np.ones((2 * reach + 1, 2 * reach + 1), bool), border_value=0)


def test_chunk_size_does_not_change_the_map(scene_path, scene, random_lenet, lenet_map, tmp_path):
    probability_map(scene_path, random_lenet, tmp_path / "one_chunk.tif", chunk_px=SCENE_PX)
    inside = _interpolated_from_full_windows(scene["bands"], 8)
    with rasterio.open(tmp_path / "one_chunk.tif") as src:
        np.testing.assert_allclose(src.read(1)[inside], lenet_map[1][inside], atol=1e-6)


def test_reference_cnn_map_has_no_seams_between_chunks(scene_path, scene, tmp_path):
    spec = ModelSpec(ModelArchitecture.REFERENCE_CNN)
    model = _loaded(_randomised(spec, seed=5, calibration_windows=scene["windows"]), spec, scene["normalisation"])
    maps = []
    for chunk_px in (256, SCENE_PX):
        result = probability_map(scene_path, model, tmp_path / f"reference_{chunk_px}.tif", chunk_px=chunk_px)
        assert result.stride_px == 16
        with rasterio.open(result.path) as src:
            maps.append(src.read(1))
    inside = _interpolated_from_full_windows(scene["bands"], 16, context_px=16)
    assert maps[1][inside].std() > 0.05
    np.testing.assert_allclose(maps[0][inside], maps[1][inside], atol=1e-5)


def test_progress_reaches_one(scene_path, random_lenet, tmp_path):
    seen: list[float] = []
    result = probability_map(scene_path, random_lenet, tmp_path / "p.tif", chunk_px=256,
                             progress=lambda fraction, message: seen.append(fraction))
    assert result.n_chunks == 4
    assert sorted(seen) == [0.25, 0.5, 0.75, 1.0]


def test_cancelling_raises_and_leaves_no_file(scene_path, random_lenet, tmp_path):
    calls = []

    def stop_after_two() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(DenseMapCancelled):
        probability_map(scene_path, random_lenet, tmp_path / "cancelled.tif", chunk_px=128, should_stop=stop_after_two)
    assert list(tmp_path.iterdir()) == []


def test_scene_with_wrong_band_count_is_refused(tmp_path, random_lenet, scene):
    one_band = write_cog(tmp_path / "hh_only.tif", (256, 256), scene["crs"], scene["transform"], ("HH_sigma0_db",),
                         [(0, np.full((256, 256), -20.0, np.float32))])
    with pytest.raises(SceneBandMismatch, match="1 band"):
        probability_map(one_band, random_lenet, tmp_path / "out.tif")
    # A fourth band is the noise floor only when it says so.
    bands = [np.full((256, 256), v, np.float32) for v in (-15.0, -25.0, 35.0, -26.0)]
    unknown = write_cog(tmp_path / "four.tif", (256, 256), scene["crs"], scene["transform"],
                        ("HH_sigma0_db", "HV_sigma0_db", "incidence_angle_deg", "wind_speed"), [(0, *bands)])
    with pytest.raises(SceneBandMismatch, match="4 band"):
        probability_map(unknown, random_lenet, tmp_path / "out.tif")
    assert issubclass(SceneBandMismatch, ValueError)
    assert not (tmp_path / "out.tif").exists()


def test_model_expecting_other_channels_is_refused(scene_path, random_lenet, tmp_path):
    other = LoadedModel(random_lenet.architecture, random_lenet.network, random_lenet.normalisation,
                        random_lenet.input_spec | {"channels": ["band_1", "band_2", "band_ratio"]})
    with pytest.raises(ModelInputMismatch, match="band_ratio"):
        probability_map(scene_path, other, tmp_path / "out.tif")
    fewer = LoadedModel(random_lenet.architecture, random_lenet.network, random_lenet.normalisation.select([0, 1]),
                        random_lenet.input_spec)
    with pytest.raises(ValueError, match="normalisation for 2 channels"):
        probability_map(scene_path, fewer, tmp_path / "out.tif")
    assert not (tmp_path / "out.tif").exists()


def test_pixel_size_mismatch_is_refused(scene_path, random_lenet, tmp_path):
    with pytest.raises(PixelSizeMismatch, match="the scene has 10 m pixels, model M1 was trained on 40 m patches"):
        check_pixel_size(10.0, 40.0, model_name="model M1")
    with pytest.raises(ValueError, match="resample the scene to 40 m or use a model trained on 10 m data"):
        check_pixel_size(10.0, 40.0)
    check_pixel_size(40.0, 40.0)
    check_pixel_size(45.0, 40.0)  # within the 25 % tolerance
    check_pixel_size(10.0, None)  # unknown: no check
    with pytest.raises(PixelSizeMismatch, match="the scene has 40 m pixels"):  # the simulated EW scene
        probability_map(scene_path, random_lenet, tmp_path / "out.tif", model_pixel_size_m=10.0)
    assert not (tmp_path / "out.tif").exists()
