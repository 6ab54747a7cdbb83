"""Training and inference as plain functions (no server): learning happens, normalisation comes
from the training part only, and a model refuses input it was not trained for."""

from __future__ import annotations

import numpy as np
import pytest

from icesight_backend.learning.data import (
    Normalisation,
    PatchArrays,
    arrays_from_simulation,
    stratified_split,
)
from icesight_backend.learning.training import (
    LoadedModel,
    ModelInputMismatch,
    TrainingCancelled,
    TrainingConfig,
    binary_metrics,
    classify_arrays,
    train_model,
)
from icesight_backend.sar.simulation import simulate_patches
from icesight_contract import AcquisitionMode


@pytest.fixture(scope="module")
def arrays() -> PatchArrays:
    # IW 10 m pixels resolve the targets, so 400 patches and 6 epochs show learning; at EW 40 m a
    # ship's peak is spread over the cell (radar cross-section conserved) and the task needs more data.
    return arrays_from_simulation(simulate_patches(400, AcquisitionMode.IW, seed=21))


def test_training_learns_and_round_trips_through_bytes(arrays):
    trained = train_model(arrays, TrainingConfig(epochs=6, seed=1))
    assert trained.metrics.n_train + trained.metrics.n_validation == 400
    assert trained.metrics.val_accuracy > 0.7  # chance is about 0.5
    assert trained.metrics.val_roc_auc > 0.75
    loaded = LoadedModel.from_bytes(trained.to_bytes())
    probabilities = classify_arrays(loaded, arrays.subset(np.arange(50)))
    assert probabilities.shape == (50,)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()


def test_normalisation_uses_the_training_part_only(arrays):
    train_index, val_index = stratified_split(arrays.labels, 0.25, seed=0)
    assert not set(train_index) & set(val_index)
    assert abs(arrays.labels[val_index].mean() - arrays.labels.mean()) < 0.05  # stratified
    shifted = arrays.subset(np.arange(len(arrays)))
    shifted.images[val_index] += 30.0  # a change confined to validation must not move the statistics
    assert Normalisation.fit(shifted.subset(train_index)) == Normalisation.fit(arrays.subset(train_index))


def test_missing_incidence_is_imputed_not_learned(arrays):
    normalisation = Normalisation.fit(arrays)
    some = arrays.subset(np.arange(4))
    some.inc_angle_deg[:] = np.nan
    _, inc = normalisation.apply(some)
    expected = (normalisation.inc_fill_deg - normalisation.inc_mean_deg) / normalisation.inc_std_deg
    np.testing.assert_allclose(inc, expected, rtol=1e-5, atol=1e-5)  # float32 arithmetic


def test_model_refuses_wrong_patch_size(arrays):
    trained = train_model(arrays.subset(np.arange(60)), TrainingConfig(epochs=1))
    loaded = LoadedModel.from_bytes(trained.to_bytes())
    small = PatchArrays(["a"], np.zeros((1, 3, 64, 64), np.float32), np.array([30.0], np.float32))
    with pytest.raises(ModelInputMismatch, match="75 x 75"):
        classify_arrays(loaded, small)


def test_training_stops_when_asked(arrays):
    with pytest.raises(TrainingCancelled):
        train_model(arrays, TrainingConfig(epochs=50), should_stop=lambda: True)


def test_binary_metrics_on_known_values():
    labels = np.array([0, 0, 1, 1])
    metrics = binary_metrics(labels, np.array([0.1, 0.6, 0.4, 0.9]))
    assert metrics["accuracy"] == 0.5
    assert metrics["roc_auc"] == pytest.approx(0.75)
    assert metrics["confusion"] == [[1, 1], [1, 1]]
    assert metrics["log_loss"] == pytest.approx(-np.mean(np.log([0.9, 0.4, 0.4, 0.9])))


def test_expected_calibration_error_on_known_values():
    from icesight_backend.learning.outputs import expected_calibration_error

    labels = np.array([0, 0, 1, 1, 1, 0, 1, 0])
    calibrated = np.array([0.05, 0.05, 0.95, 0.95, 0.95, 0.05, 0.95, 0.05])
    assert expected_calibration_error(labels, calibrated) == pytest.approx(0.05)
    overconfident = np.where(labels == 1, 0.99, 0.01)
    overconfident[0] = 0.99  # one confident mistake
    assert expected_calibration_error(labels, overconfident) > 0.1


def test_torchscript_export_gives_the_same_probabilities(arrays):
    import io

    import torch

    trained = train_model(arrays.subset(np.arange(80)), TrainingConfig(epochs=1))
    scripted = torch.jit.load(io.BytesIO(trained.torchscript_bytes()))
    loaded = LoadedModel.from_bytes(trained.to_bytes())
    some = arrays.subset(np.arange(80, 96))
    images, inc = loaded.normalisation.apply(some)
    with torch.no_grad():
        from_script = torch.sigmoid(scripted(torch.from_numpy(images), torch.from_numpy(inc))).numpy()
    np.testing.assert_allclose(from_script, classify_arrays(loaded, some, tta=False), atol=1e-5)


def test_test_time_augmentation_is_orientation_invariant(arrays):
    """TTA averages the 8 flips and quarter turns, so a rotated or mirrored patch gets the same
    probability; without it the network alone generally does not."""
    trained = train_model(arrays.subset(np.arange(80)), TrainingConfig(epochs=1))
    loaded = LoadedModel.from_bytes(trained.to_bytes())
    some = arrays.subset(np.arange(80, 96))
    turned = PatchArrays(some.ids, np.ascontiguousarray(np.rot90(some.images, 1, axes=(2, 3))[..., ::-1]),
                         some.inc_angle_deg, some.labels)
    np.testing.assert_allclose(classify_arrays(loaded, some), classify_arrays(loaded, turned), atol=1e-5)
    assert np.abs(classify_arrays(loaded, some, tta=False) - classify_arrays(loaded, turned, tta=False)).max() > 1e-4


def test_small_affine_keeps_shape_moves_little_and_is_reproducible():
    import torch

    from icesight_backend.learning.training import small_affine

    images = torch.zeros(4, 3, 75, 75)
    images[:, :, 36:39, 36:39] = 10.0  # a bright target in the middle
    a = small_affine(images, torch.Generator().manual_seed(1))
    b = small_affine(images, torch.Generator().manual_seed(1))
    assert a.shape == images.shape and torch.equal(a, b)
    assert not torch.equal(a, images)
    for patch in a[:, 0]:
        row, col = divmod(int(patch.argmax()), 75)
        assert abs(row - 37) <= 5 and abs(col - 37) <= 5  # shift within 3 px plus rotation/scale about the centre
        assert patch.max() > 2.0  # the target survives the warp


def test_models_registered_before_model_specs_existed_still_load(arrays):
    """Weights saved without a ``spec`` (the first registry format) load as the architecture's default."""
    import io

    import torch

    trained = train_model(arrays.subset(np.arange(80)), TrainingConfig(epochs=1))
    payload = torch.load(io.BytesIO(trained.to_bytes()), weights_only=True)
    payload.pop("spec")
    payload["input_spec"].pop("inc_angle")
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    old = LoadedModel.from_bytes(buffer.getvalue())
    some = arrays.subset(np.arange(80, 96))
    np.testing.assert_allclose(classify_arrays(old, some), classify_arrays(LoadedModel.from_bytes(trained.to_bytes()), some), atol=1e-6)


def test_models_saved_with_a_kernel_size_of_zero_load_with_the_architectures_kernel(arrays):
    """A kernel size of 0 was once taken for "not given" at training and stored as 0 in the spec."""
    import io

    import torch

    trained = train_model(arrays.subset(np.arange(80)), TrainingConfig(epochs=1))
    payload = torch.load(io.BytesIO(trained.to_bytes()), weights_only=True)
    assert payload["spec"]["kernel_size"] is None
    payload["spec"]["kernel_size"] = 0
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    old = LoadedModel.from_bytes(buffer.getvalue())
    some = arrays.subset(np.arange(80, 96))
    np.testing.assert_allclose(classify_arrays(old, some), classify_arrays(LoadedModel.from_bytes(trained.to_bytes()), some), atol=1e-6)


def test_temperature_scaling_recovers_a_known_overconfidence():
    from icesight_backend.learning.training import fit_temperature

    rng = np.random.default_rng(4)
    true_logits = rng.normal(0, 2, (4000, 1)) + rng.normal(0, 0.3, (4000, 8))  # 8 views of each patch
    labels = (rng.random(4000) < 1 / (1 + np.exp(-true_logits.mean(axis=1)))).astype(np.float32)
    assert fit_temperature(3.0 * true_logits, labels) == pytest.approx(3.0, rel=0.15)  # three times too sure
    assert fit_temperature(true_logits, labels) == pytest.approx(1.0, rel=0.15)


def test_the_calibration_is_folded_into_the_saved_weights(arrays):
    config = TrainingConfig(epochs=4, seed=3)
    trained = train_model(arrays, config)
    calibration = trained.calibration
    assert 0.5 <= calibration["temperature"] <= 10
    assert calibration["val_log_loss_after"] <= calibration["val_log_loss_before"] + 1e-6
    assert sum(b["n"] for b in calibration["reliability_after"]) == trained.metrics.n_validation
    # What the saved model serves on the validation part is the calibrated probability.
    _, val_index = stratified_split(arrays.labels, config.validation_fraction, config.seed)
    served = classify_arrays(LoadedModel.from_bytes(trained.to_bytes()), arrays.subset(val_index))
    assert binary_metrics(arrays.labels[val_index], served)["log_loss"] == pytest.approx(calibration["val_log_loss_after"], abs=1e-4)
    uncalibrated = train_model(arrays, TrainingConfig(epochs=4, seed=3, calibrate=False))
    assert uncalibrated.calibration is None


@pytest.mark.parametrize("architecture", ["lenet", "reference_cnn"])
@pytest.mark.parametrize("n_outputs", [1, 2])
def test_the_inference_network_computes_the_trained_function_with_fewer_layers(architecture, n_outputs):
    import torch
    from torch import nn

    from icesight_backend.learning.models import ModelArchitecture, ModelSpec, build_model, inference_network

    torch.manual_seed(3)
    network = build_model(ModelSpec(ModelArchitecture(architecture), n_outputs=n_outputs))
    for module in network.modules():  # batch-norm statistics far from the identity, as after training
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-2, 2)
            module.running_var.uniform_(0.2, 3)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.5, 0.5)
    network.eval()
    fast = inference_network(network)
    kinds = {type(m) for m in fast.modules()}
    assert nn.BatchNorm2d not in kinds and nn.Dropout not in kinds
    x, angle = torch.randn(6, 3, 75, 75), torch.randn(6)
    with torch.no_grad():
        expected, got = network(x, angle), fast(x, angle)
    assert got.shape == expected.shape
    assert torch.allclose(got, expected, atol=1e-4, rtol=1e-4), (got - expected).abs().max()
    assert network.training is False and any(isinstance(m, nn.Dropout) for m in network.modules())  # untouched


def test_a_partly_randomised_set_starts_training_on_its_nominal_patches():
    import torch

    from icesight_backend.learning.data import PatchArrays, arrays_from_simulation
    from icesight_backend.learning.training import TrainingConfig, epoch_order
    from icesight_backend.sar.simulation import simulate_patches
    from icesight_contract import AcquisitionMode

    half = simulate_patches(40, AcquisitionMode.EW, seed=5, randomise=0.5)
    arrays = arrays_from_simulation(half)
    assert arrays.warm_up is not None and np.array_equal(arrays.warm_up, ~half.randomised)
    assert 0 < arrays.warm_up.sum() < 40
    # Subsets and joined parts keep the mark with their patches.
    index = np.array([3, 1, 30])
    assert np.array_equal(arrays.subset(index).warm_up, arrays.warm_up[index])
    joined = PatchArrays.concatenate([arrays.subset(np.arange(20)), arrays.subset(np.arange(20, 40))])
    assert np.array_equal(joined.warm_up, arrays.warm_up)

    generator = torch.Generator().manual_seed(0)
    warm = epoch_order(40, arrays.warm_up, True, generator)
    assert sorted(warm.tolist()) == np.flatnonzero(arrays.warm_up).tolist()  # the nominal patches, each once
    assert sorted(epoch_order(40, arrays.warm_up, False, generator).tolist()) == list(range(40))
    # Nothing or everything marked: every epoch sees every patch.
    for mark in (None, np.zeros(40, bool), np.ones(40, bool)):
        assert sorted(epoch_order(40, mark, True, generator).tolist()) == list(range(40))
    assert TrainingConfig(epochs=20).warm_up_epochs == 5 and TrainingConfig(epochs=2).warm_up_epochs == 0


def test_warm_up_epochs_neither_stop_training_nor_choose_the_weights():
    """A warm-up epoch sees only the nominal half, so the validation loss over the whole set may
    rise meanwhile; early stopping, the learning-rate schedule and model selection wait for it."""
    from icesight_backend.learning.data import arrays_from_simulation
    from icesight_backend.learning.training import TrainingConfig, fit, train_model
    from icesight_backend.sar.simulation import simulate_patches
    from icesight_contract import AcquisitionMode

    arrays = arrays_from_simulation(simulate_patches(160, AcquisitionMode.EW, seed=5, randomise=0.5))
    config = TrainingConfig(epochs=9, patience=1, warm_up_fraction=0.5, seed=0, calibrate=False)
    assert config.warm_up_epochs == 4
    trained = train_model(arrays, config)
    assert trained.epochs_run >= 6 and len(trained.history) == trained.epochs_run
    assert trained.best_epoch > config.warm_up_epochs
    # A search's pruner hears of the epochs on the whole set only.
    reported: list[int] = []
    train_index, val_index = stratified_split(arrays.labels, config.validation_fraction, config.seed)
    fit(arrays.subset(train_index), arrays.subset(val_index), TrainingConfig(epochs=6, warm_up_fraction=0.5, calibrate=False),
        on_epoch=lambda epoch, metrics: reported.append(epoch))
    assert reported == [4, 5, 6]
    # Every epoch but the last may be warm-up; never all of them.
    assert TrainingConfig(epochs=4, warm_up_fraction=1.0).warm_up_epochs == 3
