"""Training, evaluation and inference of the ship/iceberg CNNs.

:func:`fit` is written once and used for a single run, for every trial of a hyper-parameter search
and for every ablation trial. It knows nothing of HTTP, jobs or Optuna: progress, cancellation and
per-epoch reporting (where a search prunes a bad trial) come in as callables.
"""

from __future__ import annotations

import functools
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
from icesight_contract.experiments import DEFAULT_TRAIN_EPOCHS, DEFAULT_TRAIN_PATIENCE, MIN_PATCHES_PER_STEP

from .data import CHANNELS, Normalisation, PatchArrays, stratified_split
from .data_parallel import Replica, launch
from .models import ModelSpec, build_model, inference_network
from .outputs import (
    CLUTTER,
    ICEBERG,
    SHIP,
    ClassLoss,
    binary_metrics,
    class_metrics,
    classes_of,
    n_outputs_for,
    reliability,
    served_classes,
    sigmoid,
    split_outputs,
)

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


#: Share of the epochs trained on the nominal patches alone when a set is partly domain-randomised.
#: With the default half-randomised set a LeNet stays near ROC AUC 0.6 for its first 10-14 epochs
#: when it starts on everything; started on the nominal half for 5 of 20 epochs it scored 1.6
#: points higher on the other simulator family on average over four seeds, and its worst seed 4
#: points higher (docs/simulator.md). At the default 40 epochs the warm-up is 10.
WARM_UP_FRACTION = 0.25


def has_warm_up(warm_up: np.ndarray | None) -> bool:
    """Whether a set's warm-up mark is a curriculum: it marks some of the patches but not all."""
    return warm_up is not None and 0 < int(warm_up.sum()) < len(warm_up)


def epoch_order(n: int, warm_up: np.ndarray | None, warm: bool, generator: torch.Generator) -> torch.Tensor:
    """The order of one epoch's training patches: a random permutation of all ``n``, or, in a warm-up
    epoch (``warm``) of a set that marks a strict subset of its patches as ``warm_up``, of those only.
    A curriculum: a partly randomised simulated set first teaches the class physics on the nominal
    patches, where no nuisance hides it, then on everything."""
    if warm and has_warm_up(warm_up):
        chosen = torch.from_numpy(np.flatnonzero(warm_up))
        return chosen[torch.randperm(len(chosen), generator=generator)]
    return torch.randperm(n, generator=generator)


@dataclass
class TrainingConfig:
    architecture: ModelArchitecture = ModelArchitecture.LENET
    epochs: int = DEFAULT_TRAIN_EPOCHS
    batch_size: int = 32
    learning_rate: float = 1e-3
    validation_fraction: float = 0.2
    seed: int = 0
    patience: int = DEFAULT_TRAIN_PATIENCE
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
    #: Data-parallel ranks, one Dask worker each, sharing every batch (1: train in this process; see :func:`fit`).
    data_parallel: int = 1
    #: The share of the epochs that train on the set's warm-up patches only, when it marks some (see
    #: :func:`epoch_order`).
    warm_up_fraction: float = WARM_UP_FRACTION

    @property
    def warm_up_epochs(self) -> int:
        """Epochs on the warm-up patches alone; at least the last epoch trains on everything."""
        return min(round(self.warm_up_fraction * self.epochs), self.epochs - 1)

    def warm_up_epochs_on(self, warm_up: np.ndarray | None) -> int:
        """Warm-up epochs of a run on a set with this warm-up mark: none unless it is a curriculum."""
        return self.warm_up_epochs if has_warm_up(warm_up) else 0

    @classmethod
    def of(cls, architecture: ModelArchitecture, hyper: HyperParameters, **kwargs) -> TrainingConfig:
        return cls(architecture=architecture, batch_size=hyper.batch_size, learning_rate=hyper.learning_rate,
                   dropout=hyper.dropout, kernel_size=hyper.kernel_size, pool_size=hyper.pool_size,
                   filters=list(hyper.filters) if hyper.filters else None, **kwargs)

    def hyperparameters(self) -> HyperParameters:
        return HyperParameters(self.learning_rate, self.batch_size, self.dropout, self.kernel_size, self.pool_size,
                               list(self.filters) if self.filters else None)

    def spec(self, n_channels: int, n_outputs: int = 1) -> ModelSpec:
        return ModelSpec.of(self.architecture, self.hyperparameters(), n_channels=n_channels, n_outputs=n_outputs,
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
    data_parallel: list[dict] | None = None  # each rank's worker, device and final-weights digest (see fit)

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
        """The network as TorchScript (inputs: normalised image batch, normalised incidence; output the
        iceberg logit (N,), or (N, 2) iceberg and target logits for a model with a clutter output, see
        :mod:`.outputs`) for serving without this code; normalisation statistics travel in the model record."""
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
    """A registered model ready to serve. ``network`` is the trained network (attributions take their
    gradients through it); ``classifier`` the same function rewritten for inference (batch norm
    folded, dropout gone: about half the work), which classification runs."""

    architecture: ModelArchitecture
    network: nn.Module
    normalisation: Normalisation
    input_spec: dict
    @functools.cached_property
    def classifier(self) -> nn.Module:
        """Built on first use: jobs that only explain or map never pay for it."""
        return inference_network(self.network).to(memory_format=CHANNELS_LAST)

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


DIHEDRAL = [(k, flip) for flip in (False, True) for k in range(4)]


@torch.no_grad()
def view_logits(
    network: nn.Module, images: np.ndarray, inc: np.ndarray, device: torch.device, batch_size: int = 256,
) -> np.ndarray:
    """The network's outputs for each patch in each of its 8 flips and 90-degree rotations: (n, 8) for
    a one-output network, (n, 8, 2) for one with a target output (see :mod:`.outputs`)."""
    network.eval()
    out = []
    step = max(1, batch_size // len(DIHEDRAL))  # the 8 views of ``step`` patches go through as one batch
    for start in range(0, len(images), step):
        x = torch.from_numpy(images[start : start + step]).to(device)
        a = torch.from_numpy(inc[start : start + step]).to(device)
        views = torch.cat([torch.rot90(x.flip(3) if flip else x, k, dims=(2, 3)) for k, flip in DIHEDRAL])
        logits = network(views.contiguous(memory_format=CHANNELS_LAST), a.repeat(len(DIHEDRAL)))
        out.append(logits.reshape(len(DIHEDRAL), len(x), -1).transpose(0, 1).squeeze(-1).cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, len(DIHEDRAL)), dtype=np.float32)


@dataclass
class Served:
    """Served probabilities of a patch set: P(iceberg | target) and, for models with a target output,
    P(clutter); per patch (n,) or per test-time view (n, 8)."""

    iceberg: np.ndarray
    clutter: np.ndarray | None = None

    def mean_over_views(self) -> Served:
        return Served(self.iceberg.mean(axis=1), None if self.clutter is None else self.clutter.mean(axis=1))

    def classes(self) -> np.ndarray:
        """Class index per patch (:class:`icesight_contract.ClassName` order)."""
        return served_classes(self.iceberg, self.clutter)


def predict_views(
    network: nn.Module, images: np.ndarray, inc: np.ndarray, device: torch.device, batch_size: int = 256,
) -> Served:
    """Probabilities of each patch in each of its 8 flips and 90-degree rotations, (n, 8) each."""
    return Served(*split_outputs(view_logits(network, images, inc, device, batch_size)))


#: Bounds of the calibration temperature. Below 1 it sharpens an underconfident model; the floor of
#: 0.5 keeps a perfectly separated validation part from driving it to saturation (probabilities of
#: exactly 0 or 1, whose gradients, and so attributions, vanish).
TEMPERATURE_RANGE = (0.5, 10.0)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Temperature scaling (Guo et al. 2017): the T that minimises the log loss of the served
    probability, the mean over the test-time views of sigmoid(logit / T), on 0/1 ``labels``
    (one output's logits, (n, 8))."""
    from scipy.optimize import minimize_scalar

    y = labels.astype(np.float64)[:, None]
    z = logits.astype(np.float64)

    def loss(log_t: float) -> float:
        p = np.clip(sigmoid(z / np.exp(log_t)).mean(axis=1, keepdims=True), 1e-7, 1 - 1e-7)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    low, high = np.log(TEMPERATURE_RANGE[0]), np.log(TEMPERATURE_RANGE[1])
    return float(np.exp(minimize_scalar(loss, bounds=(low, high), method="bounded", options={"xatol": 1e-3}).x))


def calibrate(network: nn.Module, x_val: np.ndarray, a_val: np.ndarray, labels: np.ndarray, device: torch.device) -> dict:
    """Fit a temperature per output on the validation part and fold it into the network's last layer
    (that output's weights and bias divided by T), so every use of the weights (classification,
    dense maps, attributions, the TorchScript export) serves calibrated probabilities. The iceberg
    output is fitted on the target patches, the target output (if any) on all of them. Returns the
    temperatures and the served (8-view) log loss, ECE and reliability of P(iceberg | target)
    before and after."""
    logits = view_logits(network, x_val, a_val, device)
    targets = labels != CLUTTER
    if logits.ndim == 2:
        fits = [(logits[targets], labels[targets])]
    else:
        fits = [(logits[targets, :, 0], labels[targets]), (-logits[:, :, 1], (~targets).astype(np.float64))]
    temperatures = [fit_temperature(z, y) for z, y in fits]
    last = [m for m in network.modules() if isinstance(m, nn.Linear)][-1]
    with torch.no_grad():
        for row, temperature in enumerate(temperatures):
            last.weight[row] /= temperature
            last.bias[row] /= temperature
    iceberg_logits, iceberg_labels = fits[0]
    before, after = sigmoid(iceberg_logits).mean(axis=1), sigmoid(iceberg_logits / temperatures[0]).mean(axis=1)
    m_before, m_after = binary_metrics(iceberg_labels, before), binary_metrics(iceberg_labels, after)
    result = {"temperature": round(temperatures[0], 4),
              "val_log_loss_before": m_before["log_loss"], "val_log_loss_after": m_after["log_loss"],
              "val_ece_before": m_before["ece"], "val_ece_after": m_after["ece"],
              "reliability_before": reliability(iceberg_labels, before),
              "reliability_after": reliability(iceberg_labels, after)}
    if len(temperatures) > 1:
        result["target_temperature"] = round(temperatures[1], 4)
    return result


@torch.no_grad()
def predict_probabilities(
    network: nn.Module, images: np.ndarray, inc: np.ndarray, device: torch.device, batch_size: int = 256,
    tta: bool = False,
) -> Served:
    """Served probabilities per patch. With ``tta`` the mean over the 8 flips and 90-degree rotations
    of each patch (test-time augmentation: the class does not depend on the orientation)."""
    if tta:
        return predict_views(network, images, inc, device, batch_size).mean_over_views()
    network.eval()
    out = []
    for start in range(0, len(images), batch_size):
        x = torch.from_numpy(images[start : start + batch_size]).to(device).contiguous(memory_format=CHANNELS_LAST)
        a = torch.from_numpy(inc[start : start + batch_size]).to(device)
        out.append(network(x, a).cpu().numpy())
    return Served(*split_outputs(np.concatenate(out) if out else np.zeros(0, dtype=np.float32)))


def _check_trainable(part: PatchArrays, what: str) -> None:
    if part.labels is None:
        raise ValueError(f"the {what} set is unlabelled: training needs a label (is_iceberg or label) on every patch")
    missing = [name for name, index in (("ships", SHIP), ("icebergs", ICEBERG)) if not np.any(part.labels == index)]
    if missing:
        raise ValueError(f"the {what} set has no {' and no '.join(missing)}; training needs ships and icebergs in it")


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
    client=None,
    replica: Replica | None = None,
) -> TrainedModel | None:
    """Train on ``train_part`` with early stopping on the log loss of ``val_part``.

    The normalisation statistics come from the training part only (``normalisation`` passes the
    ones a training dataset stored for it). The weights of the epoch with the lowest validation
    log loss are kept. When the set marks warm-up patches (:func:`epoch_order`), the first
    ``config.warm_up_epochs`` train on those alone and neither count towards early stopping, lower
    the learning rate nor are kept. ``on_epoch(epoch, validation_metrics)`` is called after every epoch
    on the whole set (not after warm-up epochs) and may raise to end the run (a search prunes bad
    trials that way).

    With ``config.data_parallel`` N > 1 this loop runs as N DistributedDataParallel ranks, one on
    each of N workers of the Dask cluster of ``client`` (default: the cluster of the Dask task
    this runs in, else the process's default client; see :mod:`.data_parallel`), and the model of
    rank 0 is returned, with each rank's report in ``data_parallel``. Each step splits
    ``batch_size`` patches over the ranks. ``on_epoch`` then runs on rank 0's worker (it must
    pickle), ``progress`` and ``should_stop`` here. ``replica`` is set for those ranks only;
    ranks other than 0 return None.
    """
    _check_trainable(train_part, "training")
    _check_trainable(val_part, "validation")
    if train_part.channels != val_part.channels:
        raise ValueError(f"training channels {train_part.channels} differ from validation channels {val_part.channels}")
    progress = progress or (lambda fraction, message: None)
    should_stop = should_stop or (lambda: False)
    started = time.perf_counter()

    normalisation = normalisation or Normalisation.fit(train_part)
    if len(normalisation.channel_mean_db) != len(train_part.channels):
        raise ValueError(
            f"normalisation has {len(normalisation.channel_mean_db)} channels, the patches {len(train_part.channels)}"
        )
    if replica is None and config.data_parallel > 1:
        if config.batch_size < MIN_PATCHES_PER_STEP * config.data_parallel:
            raise ValueError(f"batch_size {config.batch_size} split over {config.data_parallel} workers leaves fewer "
                             f"than {MIN_PATCHES_PER_STEP} patches a worker per step")
        ranks_kwargs = {"config": config, "normalisation": normalisation, "on_epoch": on_epoch}
        trained, ranks = launch(client, config.data_parallel, fit, (train_part, val_part), ranks_kwargs, progress,
                                should_stop, TrainingCancelled)
        trained.data_parallel = ranks
        return trained
    replica = replica or Replica()
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    augmenting = replica.augmentation_generator(generator)
    device = pick_device()
    x_train, a_train = normalisation.apply(train_part)
    x_val, a_val = normalisation.apply(val_part)
    y_train = torch.from_numpy(train_part.labels.astype(np.float32))

    spec = config.spec(len(train_part.channels), n_outputs_for(train_part.labels))
    network = build_model(spec).to(device, memory_format=CHANNELS_LAST)
    model = replica.wrap(network)  # what the training steps run through; ``network`` is validated
    optimiser = torch.optim.Adam(network.parameters(), lr=config.learning_rate)
    # Halve the learning rate when the validation loss stalls (a third of the early-stopping
    # patience), down to 1/32 of the start: later epochs refine instead of bouncing around.
    schedule = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimiser, mode="min", factor=0.5, patience=max(1, config.patience // 3), min_lr=config.learning_rate / 32
    )
    loss_fn = ClassLoss()
    x_train_t, a_train_t = torch.from_numpy(x_train), torch.from_numpy(a_train)

    best_loss, best_state, best_epoch, stale = float("inf"), None, 0, 0
    history: list[EpochMetrics] = []
    epochs_run = 0
    step = config.batch_size // replica.world_size  # patches a rank per step
    warm_up_epochs = config.warm_up_epochs_on(train_part.warm_up)
    for epoch in range(1, config.epochs + 1):
        model.train()
        # A warm-up epoch trains on part of the set, so the validation loss, which covers all of it,
        # says nothing yet about stopping, the learning rate or which epoch's weights to keep: on a
        # half-randomised set it rises while the model learns the nominal half. Those decisions
        # start with the first epoch on the whole set.
        warming = epoch <= warm_up_epochs
        order = replica.shard(epoch_order(len(x_train_t), train_part.warm_up, warming, generator))
        running, seen = 0.0, 0
        for start in range(0, len(order), step):
            if replica.any(should_stop()):
                raise TrainingCancelled()
            batch = order[start : start + step]
            if len(batch) < MIN_PATCHES_PER_STEP:
                continue  # batch norm needs two samples
            x = _augment(x_train_t[batch], augmenting).to(device).contiguous(memory_format=CHANNELS_LAST)
            a, y = a_train_t[batch].to(device), y_train[batch].to(device)
            optimiser.zero_grad()
            loss = loss_fn(model(x, a), y)
            loss.backward()
            optimiser.step()
            running += float(loss.detach()) * len(batch)
            seen += len(batch)
        running, seen = replica.epoch_totals(running, seen)
        epochs_run = epoch
        if not replica.is_main:  # rank 0 validates and decides for all
            val_loss, stop = replica.decide()
            if not warming:
                schedule.step(val_loss)
            if stop:
                break
            continue
        val_served = predict_probabilities(network, x_val, a_val, device)
        val_metrics = class_metrics(val_part.labels, val_served.iceberg, val_served.clutter)
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
        if not warming:
            schedule.step(val_metrics["selection_loss"])
            if val_metrics["selection_loss"] < best_loss - 1e-4:
                best_loss, best_epoch, stale = val_metrics["selection_loss"], epoch, 0
                best_state = {k: v.detach().cpu().clone() for k, v in network.state_dict().items()}
            else:
                stale += 1
        if on_epoch is not None and not warming:
            on_epoch(epoch, val_metrics)
        stop = stale >= config.patience
        replica.decide(val_metrics["selection_loss"], stop)
        if stop:
            break

    replica.finish(network)
    if not replica.is_main:
        return None
    network.load_state_dict(best_state)
    calibration = calibrate(network, x_val, a_val, val_part.labels, device) if config.calibrate else None
    best_state = {k: v.detach().cpu().clone() for k, v in network.state_dict().items()}
    final_served = predict_probabilities(network, x_val, a_val, device)
    metrics = model_metrics(class_metrics(val_part.labels, final_served.iceberg, final_served.clutter),
                            spec.n_outputs, n_train=len(train_part), n_validation=len(val_part))
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


def model_metrics(metrics: dict, n_outputs: int, n_train: int, n_validation: int) -> ModelMetrics:
    """The registry's record of validation metrics (see :func:`.outputs.class_metrics`)."""
    return ModelMetrics(
        val_log_loss=metrics["log_loss"], val_accuracy=metrics["accuracy"], val_roc_auc=metrics["roc_auc"],
        val_ece=metrics["ece"], n_train=n_train, n_validation=n_validation, confusion=metrics["confusion"],
        classes=classes_of(n_outputs), val_clutter_auc=metrics.get("clutter_auc"),
        val_class_accuracy=metrics.get("class_accuracy"), val_class_log_loss=metrics.get("class_log_loss"),
        class_confusion=metrics.get("class_confusion"),
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


def classify_served(model: LoadedModel, arrays: PatchArrays, tta: bool = True) -> Served:
    """Served probabilities for each patch (test-time augmented unless ``tta`` is False); refuses input
    the model was not trained for."""
    check_model_input(model, arrays)
    device = pick_device()
    images, inc = model.normalisation.apply(arrays)
    return predict_probabilities(model.classifier.to(device), images, inc, device, tta=tta)


def classify_arrays(model: LoadedModel, arrays: PatchArrays, tta: bool = True) -> np.ndarray:
    """P(iceberg | target) for each patch (see :func:`classify_served`)."""
    return classify_served(model, arrays, tta).iceberg


def classify_views(model: LoadedModel, arrays: PatchArrays) -> Served:
    """Probabilities of each patch in each of its 8 test-time views, (n, 8) each: their mean is what
    :func:`classify_served` serves, their spread says how sure the model is of it."""
    check_model_input(model, arrays)
    device = pick_device()
    images, inc = model.normalisation.apply(arrays)
    return predict_views(model.classifier.to(device), images, inc, device)
