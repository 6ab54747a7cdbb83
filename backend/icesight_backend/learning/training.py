"""Training, evaluation and inference of the ship/iceberg CNNs.

:func:`fit` is written once and used for a single run, for every trial of a hyper-parameter search
and for every ablation trial. It knows nothing of HTTP, jobs or Optuna: progress, cancellation and
per-epoch reporting (where a search prunes a bad trial) come in as callables.
"""

from __future__ import annotations

import io
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from icesight_contract import (
    BAND_NAMES,
    PATCH_SIZE_PX,
    EpochMetrics,
    HyperParameters,
    ModelArchitecture,
    ModelMetrics,
)

from .data import CHANNELS, Normalisation, PatchArrays, stratified_split
from .models import ModelSpec, build_model

#: Images and convolution weights are kept channels-last (NHWC): oneDNN on CPUs and cuDNN on GPUs
#: run these convolutions faster in that layout (about 25 % for the LeNet-like model on a 2-core CPU).
CHANNELS_LAST = torch.channels_last

ProgressFn = Callable[[float, str], None]
StopFn = Callable[[], bool]
EpochFn = Callable[[int, dict], None]


class TrainingCancelled(Exception):
    """Raised inside training when the caller asked to stop."""


class ModelInputMismatch(ValueError):
    """Input does not match what a model was trained on (bands, patch size, normalisation)."""


@dataclass
class TrainingConfig:
    architecture: ModelArchitecture = ModelArchitecture.LENET
    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 1e-3
    validation_fraction: float = 0.2
    seed: int = 0
    patience: int = 6
    dropout: float = 0.2
    kernel_size: int | None = None
    pool_size: int = 2
    filters: list[int] | None = None
    # Components, for ablation: the incidence input, the convolution blocks kept, the dense layers.
    use_inc_angle: bool = True
    conv_blocks: list[int] | None = None
    dense: bool = True
    #: Fit a temperature on the validation part and fold it into the weights (see :func:`calibrate`).
    calibrate: bool = True

    @classmethod
    def of(cls, architecture: ModelArchitecture, hyper: HyperParameters, **kwargs) -> TrainingConfig:
        return cls(architecture=architecture, batch_size=hyper.batch_size, learning_rate=hyper.learning_rate,
                   dropout=hyper.dropout, kernel_size=hyper.kernel_size, pool_size=hyper.pool_size,
                   filters=list(hyper.filters) if hyper.filters else None, **kwargs)

    def hyperparameters(self) -> HyperParameters:
        return HyperParameters(self.learning_rate, self.batch_size, self.dropout, self.kernel_size, self.pool_size,
                               list(self.filters) if self.filters else None)

    def spec(self, n_channels: int) -> ModelSpec:
        return ModelSpec.of(self.architecture, self.hyperparameters(), n_channels=n_channels,
                            use_inc_angle=self.use_inc_angle, conv_blocks=self.conv_blocks, dense=self.dense)


@dataclass
class TrainedModel:
    """Weights and everything needed to use them safely later (the registry's record)."""

    architecture: ModelArchitecture
    state_dict: dict
    normalisation: Normalisation
    metrics: ModelMetrics
    history: list[EpochMetrics] = field(default_factory=list)
    best_epoch: int = 0
    epochs_run: int = 0
    device: str = "cpu"
    train_seconds: float = 0.0
    spec: ModelSpec | None = None
    channels: tuple[str, ...] = CHANNELS
    pixel_size_m: float | None = None  # pixel spacing of the training patches, when known
    calibration: dict | None = None  # temperature scaling, folded into the weights (see calibrate)

    def trained_at(self, pixel_size_m: float | None) -> TrainedModel:
        """Record the pixel spacing of the training patches (scene-scale jobs refuse other spacings)."""
        self.pixel_size_m = None if pixel_size_m is None else float(pixel_size_m)
        return self

    def model_spec(self) -> ModelSpec:
        return self.spec or ModelSpec(self.architecture)

    def input_spec(self) -> dict:
        return {"bands": list(BAND_NAMES), "channels": list(self.channels), "patch_size_px": PATCH_SIZE_PX,
                "inc_angle": self.model_spec().use_inc_angle, "pixel_size_m": self.pixel_size_m}

    def loaded(self) -> LoadedModel:
        """The model ready for inference, without a round trip through ``to_bytes``."""
        return LoadedModel.build(self.architecture, self.model_spec(), self.state_dict, self.normalisation, self.input_spec())

    def torchscript_bytes(self) -> bytes:
        """The network as TorchScript (inputs: normalised image batch, normalised incidence) for serving
        without this code; normalisation statistics travel in the model record."""
        network = build_model(self.model_spec())
        network.load_state_dict(self.state_dict)
        network.eval()
        example = (torch.zeros(2, len(self.channels), PATCH_SIZE_PX, PATCH_SIZE_PX), torch.zeros(2))
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            # TorchScript is deprecated in favour of torch.export, but it is what serving stacks
            # (TorchServe, libtorch, older Tritons) load today.
            warnings.simplefilter("ignore", DeprecationWarning)
            torch.jit.save(torch.jit.trace(network, example), buffer)
        return buffer.getvalue()

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        torch.save(
            {
                "architecture": self.architecture.value,
                "spec": self.model_spec().to_dict(),
                "state_dict": self.state_dict,
                "normalisation": self.normalisation.to_dict(),
                "input_spec": self.input_spec(),
            },
            buffer,
        )
        return buffer.getvalue()


@dataclass
class LoadedModel:
    architecture: ModelArchitecture
    network: nn.Module
    normalisation: Normalisation
    input_spec: dict

    @classmethod
    def build(cls, architecture: ModelArchitecture, spec: ModelSpec, state_dict: dict, normalisation: Normalisation,
              input_spec: dict) -> LoadedModel:
        network = build_model(spec)
        network.load_state_dict(state_dict)
        network.to(memory_format=CHANNELS_LAST)
        network.eval()
        return cls(architecture, network, normalisation, input_spec)

    @classmethod
    def from_bytes(cls, blob: bytes) -> LoadedModel:
        payload = torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
        architecture = ModelArchitecture(payload["architecture"])
        spec = ModelSpec.from_dict(payload["spec"]) if "spec" in payload else ModelSpec(architecture)
        return cls.build(architecture, spec, payload["state_dict"], Normalisation(**payload["normalisation"]), payload["input_spec"])


def pick_device() -> torch.device:
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def _augment(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random flips, 90-degree rotations and, for half the batches, a small affine warp (per patch
    rotation within 15 degrees, scale 0.9-1.1, shift within 3 pixels): a target's class depends
    on neither its orientation nor its exact position in the patch."""
    if torch.rand(1, generator=generator).item() < 0.5:
        images = images.flip(3)
    if torch.rand(1, generator=generator).item() < 0.5:
        images = images.flip(2)
    k = int(torch.randint(0, 4, (1,), generator=generator).item())
    images = torch.rot90(images, k, dims=(2, 3)) if k else images
    if torch.rand(1, generator=generator).item() < 0.5:
        images = small_affine(images, generator)
    return images


def small_affine(images: torch.Tensor, generator: torch.Generator, max_deg: float = 15.0,
                 max_scale: float = 0.1, max_shift_px: float = 3.0) -> torch.Tensor:
    """Per-patch random rotation, scale and shift; borders are filled by reflection (clutter, not zeros)."""
    n, _, height, width = images.shape
    angle = (torch.rand(n, generator=generator) * 2 - 1) * np.deg2rad(max_deg)
    scale = 1 + (torch.rand(n, generator=generator) * 2 - 1) * max_scale
    shift = (torch.rand(n, 2, generator=generator) * 2 - 1) * max_shift_px * 2 / torch.tensor([width, height])
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = torch.nn.functional.affine_grid(theta.to(images.dtype), list(images.shape), align_corners=False)
    return torch.nn.functional.grid_sample(images, grid.to(images.device), mode="bilinear",
                                           padding_mode="reflection", align_corners=False)


def binary_metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict:
    """Log loss, accuracy, ROC AUC, expected calibration error (10 equal-width bins) and the
    confusion matrix (rows truth ship/iceberg)."""
    p = np.clip(probabilities.astype(np.float64), 1e-7, 1 - 1e-7)
    y = labels.astype(np.float64)
    log_loss = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    predicted = (p >= 0.5).astype(int)
    accuracy = float(np.mean(predicted == y))
    # ROC AUC by the rank-sum (Mann-Whitney) identity; ties get average ranks.
    from scipy.stats import rankdata

    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if n_pos and n_neg:
        ranks = rankdata(p)
        auc = float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
    else:
        auc = float("nan")
    confusion = [[int(np.sum((y == t) & (predicted == q))) for q in (0, 1)] for t in (0, 1)]
    return {
        "log_loss": log_loss, "accuracy": accuracy, "roc_auc": auc, "ece": expected_calibration_error(y, p),
        "confusion": confusion,
    }


def expected_calibration_error(labels: np.ndarray, probabilities: np.ndarray, n_bins: int = 10) -> float:
    """Mean |observed iceberg rate - predicted probability| over probability bins, weighted by count."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.digitize(probabilities, edges[1:-1]), 0, n_bins - 1)
    error = 0.0
    for b in range(n_bins):
        members = index == b
        if members.any():
            error += members.mean() * abs(labels[members].mean() - probabilities[members].mean())
    return float(error)


DIHEDRAL = [(k, flip) for flip in (False, True) for k in range(4)]


@torch.no_grad()
def view_logits(
    network: nn.Module, images: np.ndarray, inc: np.ndarray, device: torch.device, batch_size: int = 256,
) -> np.ndarray:
    """The network's logit for each patch in each of its 8 flips and 90-degree rotations, (n, 8)."""
    network.eval()
    out = []
    step = max(1, batch_size // len(DIHEDRAL))  # the 8 views of ``step`` patches go through as one batch
    for start in range(0, len(images), step):
        x = torch.from_numpy(images[start : start + step]).to(device)
        a = torch.from_numpy(inc[start : start + step]).to(device)
        views = torch.cat([torch.rot90(x.flip(3) if flip else x, k, dims=(2, 3)) for k, flip in DIHEDRAL])
        logits = network(views.contiguous(memory_format=CHANNELS_LAST), a.repeat(len(DIHEDRAL)))
        out.append(logits.view(len(DIHEDRAL), len(x)).T.cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, len(DIHEDRAL)), dtype=np.float32)


def predict_views(
    network: nn.Module, images: np.ndarray, inc: np.ndarray, device: torch.device, batch_size: int = 256,
) -> np.ndarray:
    """Iceberg probability of each patch in each of its 8 flips and 90-degree rotations, (n, 8)."""
    return _sigmoid(view_logits(network, images, inc, device, batch_size))


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -60.0, 60.0)))


#: Bounds of the calibration temperature. Below 1 it sharpens an underconfident model; the floor of
#: 0.5 keeps a perfectly separated validation part from driving it to saturation (probabilities of
#: exactly 0 or 1, whose gradients, and so attributions, vanish).
TEMPERATURE_RANGE = (0.5, 10.0)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Temperature scaling (Guo et al. 2017): the T that minimises the log loss of the served
    probability, the mean over the test-time views of sigmoid(logit / T), on ``labels``."""
    from scipy.optimize import minimize_scalar

    y = labels.astype(np.float64)[:, None]
    z = logits.astype(np.float64)

    def loss(log_t: float) -> float:
        p = np.clip(_sigmoid(z / np.exp(log_t)).mean(axis=1, keepdims=True), 1e-7, 1 - 1e-7)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    low, high = np.log(TEMPERATURE_RANGE[0]), np.log(TEMPERATURE_RANGE[1])
    return float(np.exp(minimize_scalar(loss, bounds=(low, high), method="bounded", options={"xatol": 1e-3}).x))


def reliability(labels: np.ndarray, probabilities: np.ndarray, n_bins: int = 10) -> list[dict]:
    """Per probability bin: patches, mean predicted probability and observed iceberg rate."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.digitize(probabilities, edges[1:-1]), 0, n_bins - 1)
    return [{"low": float(edges[b]), "high": float(edges[b + 1]), "n": int((index == b).sum()),
             "predicted": float(probabilities[index == b].mean()) if (index == b).any() else None,
             "observed": float(labels[index == b].mean()) if (index == b).any() else None} for b in range(n_bins)]


def calibrate(network: nn.Module, x_val: np.ndarray, a_val: np.ndarray, labels: np.ndarray, device: torch.device) -> dict:
    """Fit the temperature on the validation part and fold it into the network's last layer (its
    weights and bias divided by T), so every use of the weights (classification, dense maps,
    attributions, the TorchScript export) serves calibrated probabilities. Returns the temperature
    and the served (8-view) log loss, ECE and reliability before and after."""
    logits = view_logits(network, x_val, a_val, device)
    temperature = fit_temperature(logits, labels)
    before, after = _sigmoid(logits).mean(axis=1), _sigmoid(logits / temperature).mean(axis=1)
    last = [m for m in network.modules() if isinstance(m, nn.Linear)][-1]
    with torch.no_grad():
        last.weight /= temperature
        last.bias /= temperature
    m_before, m_after = binary_metrics(labels, before), binary_metrics(labels, after)
    return {"temperature": round(temperature, 4),
            "val_log_loss_before": m_before["log_loss"], "val_log_loss_after": m_after["log_loss"],
            "val_ece_before": m_before["ece"], "val_ece_after": m_after["ece"],
            "reliability_before": reliability(labels, before), "reliability_after": reliability(labels, after)}


@torch.no_grad()
def predict_probabilities(
    network: nn.Module, images: np.ndarray, inc: np.ndarray, device: torch.device, batch_size: int = 256,
    tta: bool = False,
) -> np.ndarray:
    """Iceberg probabilities. With ``tta`` the mean over the 8 flips and 90-degree rotations of each
    patch (test-time augmentation: the class does not depend on the orientation)."""
    if tta:
        return predict_views(network, images, inc, device, batch_size).mean(axis=1)
    network.eval()
    out = []
    for start in range(0, len(images), batch_size):
        x = torch.from_numpy(images[start : start + batch_size]).to(device).contiguous(memory_format=CHANNELS_LAST)
        a = torch.from_numpy(inc[start : start + batch_size]).to(device)
        out.append(torch.sigmoid(network(x, a)).cpu().numpy())
    return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)


def _check_trainable(part: PatchArrays, what: str) -> None:
    if part.labels is None:
        raise ValueError(f"the {what} set is unlabelled: training needs is_iceberg on every patch")
    if len(np.unique(part.labels)) < 2:
        raise ValueError(f"the {what} set holds one class only; training needs ships and icebergs in it")


def train_model(
    arrays: PatchArrays,
    config: TrainingConfig,
    progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> TrainedModel:
    """Train with a stratified, seeded validation split of ``arrays`` (see :func:`fit`)."""
    _check_trainable(arrays, "given")
    train_index, val_index = stratified_split(arrays.labels, config.validation_fraction, config.seed)
    return fit(arrays.subset(train_index), arrays.subset(val_index), config, progress=progress, should_stop=should_stop)


def fit(
    train_part: PatchArrays,
    val_part: PatchArrays,
    config: TrainingConfig,
    normalisation: Normalisation | None = None,
    progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    on_epoch: EpochFn | None = None,
) -> TrainedModel:
    """Train on ``train_part`` with early stopping on the log loss of ``val_part``.

    The normalisation statistics come from the training part only (``normalisation`` passes the
    ones a training dataset stored for it). The weights of the epoch with the lowest validation
    log loss are kept. ``on_epoch(epoch, validation_metrics)`` is called after every epoch and may
    raise to end the run (a search prunes bad trials that way).
    """
    _check_trainable(train_part, "training")
    _check_trainable(val_part, "validation")
    if train_part.channels != val_part.channels:
        raise ValueError(f"training channels {train_part.channels} differ from validation channels {val_part.channels}")
    progress = progress or (lambda fraction, message: None)
    should_stop = should_stop or (lambda: False)
    started = time.perf_counter()

    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    device = pick_device()
    normalisation = normalisation or Normalisation.fit(train_part)
    if len(normalisation.channel_mean_db) != len(train_part.channels):
        raise ValueError(
            f"normalisation has {len(normalisation.channel_mean_db)} channels, the patches {len(train_part.channels)}"
        )
    x_train, a_train = normalisation.apply(train_part)
    x_val, a_val = normalisation.apply(val_part)
    y_train = torch.from_numpy(train_part.labels.astype(np.float32))

    spec = config.spec(len(train_part.channels))
    network = build_model(spec).to(device, memory_format=CHANNELS_LAST)
    optimiser = torch.optim.Adam(network.parameters(), lr=config.learning_rate)
    # Halve the learning rate when the validation loss stalls (a third of the early-stopping
    # patience), down to 1/32 of the start: later epochs refine instead of bouncing around.
    schedule = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimiser, mode="min", factor=0.5, patience=max(1, config.patience // 3), min_lr=config.learning_rate / 32
    )
    loss_fn = nn.BCEWithLogitsLoss()
    x_train_t, a_train_t = torch.from_numpy(x_train), torch.from_numpy(a_train)

    best_loss, best_state, best_epoch, stale = float("inf"), None, 0, 0
    history: list[EpochMetrics] = []
    epochs_run = 0
    for epoch in range(1, config.epochs + 1):
        network.train()
        order = torch.randperm(len(x_train_t), generator=generator)
        running, seen = 0.0, 0
        for start in range(0, len(order), config.batch_size):
            if should_stop():
                raise TrainingCancelled()
            batch = order[start : start + config.batch_size]
            if len(batch) < 2:
                continue  # batch norm needs two samples
            x = _augment(x_train_t[batch], generator).to(device).contiguous(memory_format=CHANNELS_LAST)
            a, y = a_train_t[batch].to(device), y_train[batch].to(device)
            optimiser.zero_grad()
            loss = loss_fn(network(x, a), y)
            loss.backward()
            optimiser.step()
            running += float(loss.detach()) * len(batch)
            seen += len(batch)
        epochs_run = epoch
        val_metrics = binary_metrics(val_part.labels, predict_probabilities(network, x_val, a_val, device))
        if not np.isfinite(running):
            raise FloatingPointError(
                f"training diverged at epoch {epoch} (loss is not finite); lower the learning rate "
                f"({config.learning_rate:g})"
            )
        history.append(
            EpochMetrics(epoch, running / max(seen, 1), val_metrics["log_loss"], val_metrics["accuracy"],
                         val_metrics["roc_auc"], val_metrics["ece"])
        )
        progress(
            epoch / config.epochs,
            f"epoch {epoch}/{config.epochs}: val log loss {val_metrics['log_loss']:.3f}, "
            f"accuracy {val_metrics['accuracy']:.3f}",
        )
        schedule.step(val_metrics["log_loss"])
        if val_metrics["log_loss"] < best_loss - 1e-4:
            best_loss, best_epoch, stale = val_metrics["log_loss"], epoch, 0
            best_state = {k: v.detach().cpu().clone() for k, v in network.state_dict().items()}
        else:
            stale += 1
        if on_epoch is not None:
            on_epoch(epoch, val_metrics)
        if stale >= config.patience:
            break

    network.load_state_dict(best_state)
    calibration = calibrate(network, x_val, a_val, val_part.labels, device) if config.calibrate else None
    best_state = {k: v.detach().cpu().clone() for k, v in network.state_dict().items()}
    final = binary_metrics(val_part.labels, predict_probabilities(network, x_val, a_val, device))
    metrics = ModelMetrics(
        val_log_loss=final["log_loss"],
        val_accuracy=final["accuracy"],
        val_roc_auc=final["roc_auc"],
        val_ece=final["ece"],
        n_train=len(train_part),
        n_validation=len(val_part),
        confusion=final["confusion"],
    )
    return TrainedModel(
        architecture=config.architecture,
        state_dict=best_state,
        normalisation=normalisation,
        metrics=metrics,
        history=history,
        best_epoch=best_epoch,
        epochs_run=epochs_run,
        device=str(device),
        train_seconds=time.perf_counter() - started,
        spec=spec,
        channels=train_part.channels,
        calibration=calibration,
    )


def check_model_input(model: LoadedModel, arrays: PatchArrays) -> None:
    """Refuse input the model was not trained for (patch size, channels, bands, normalisation)."""
    expected = model.input_spec.get("patch_size_px")
    channels = list(model.input_spec.get("channels", CHANNELS))
    if arrays.images.shape[1:] != (len(channels), expected, expected):
        raise ModelInputMismatch(
            f"model expects {len(channels)} x {expected} x {expected} patches, got {tuple(arrays.images.shape[1:])}"
        )
    if list(arrays.channels) != channels:
        raise ModelInputMismatch(f"model was trained on channels {channels}, the patches have {list(arrays.channels)}")
    if list(model.input_spec.get("bands", [])) != list(BAND_NAMES):
        raise ModelInputMismatch(f"model was trained on bands {model.input_spec.get('bands')}, not {list(BAND_NAMES)}")
    if len(model.normalisation.channel_mean_db) != len(channels):
        raise ModelInputMismatch(
            f"model record has normalisation for {len(model.normalisation.channel_mean_db)} channels, "
            f"its network takes {len(channels)}: the record is inconsistent; retrain or re-register the model"
        )


def classify_arrays(model: LoadedModel, arrays: PatchArrays, tta: bool = True) -> np.ndarray:
    """Iceberg probability for each patch (test-time augmented unless ``tta`` is False); refuses input
    the model was not trained for."""
    check_model_input(model, arrays)
    device = pick_device()
    images, inc = model.normalisation.apply(arrays)
    return predict_probabilities(model.network.to(device), images, inc, device, tta=tta)


def classify_views(model: LoadedModel, arrays: PatchArrays) -> np.ndarray:
    """Iceberg probability of each patch in each of its 8 test-time views, (n, 8): their mean is what
    :func:`classify_arrays` serves, their spread says how sure the model is of it."""
    check_model_input(model, arrays)
    device = pick_device()
    images, inc = model.normalisation.apply(arrays)
    return predict_views(model.network.to(device), images, inc, device)
