"""Learning types of the contract: architectures and their geometry, feature groups, training
datasets, hyper-parameters, search spaces, and the results of searches and ablation studies.

Standard library only. The job parameters that use these types live in the family modules (:mod:`.features`, :mod:`.experiments`).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any

from .codec import ContractError, shown
from .constants import PATCH_SIZE_PX


class ModelArchitecture(str, enum.Enum):
    LENET = "lenet"
    REFERENCE_CNN = "reference_cnn"


class ThirdChannel(str, enum.Enum):
    """The derived third input channel of a feature group (the reference uses the mean)."""

    BAND_AVG = "band_avg"  # (HH + HV) / 2 in dB
    BAND_DIFF = "band_diff"  # HH - HV in dB (the co/cross-pol ratio)
    BAND_MAG = "band_mag"  # sqrt(HH^2 + HV^2) of the dB values


class ValidationMode(str, enum.Enum):
    STRICT = "STRICT"  # any failing rule rejects the insert; nothing is written
    WARNING = "WARNING"  # sound rows are written, failing rules are reported with the version


#: Convolution blocks per architecture, their default filters and kernel size.
ARCHITECTURE_FILTERS: dict[ModelArchitecture, tuple[int, ...]] = {
    ModelArchitecture.LENET: (16, 32, 48),
    ModelArchitecture.REFERENCE_CNN: (64, 128, 128, 64),
}
ARCHITECTURE_KERNEL: dict[ModelArchitecture, int] = {ModelArchitecture.LENET: 5, ModelArchitecture.REFERENCE_CNN: 3}


def block_kernels(architecture: ModelArchitecture, kernel_size: int) -> list[int]:
    """Kernel size of each convolution block. LeNet's last block uses at most 3 x 3, as LeNet-5's
    small final feature maps need."""
    n = len(ARCHITECTURE_FILTERS[architecture])
    if architecture is ModelArchitecture.LENET:
        return [kernel_size] * (n - 1) + [min(kernel_size, 3)]
    return [kernel_size] * n


def feature_map_side(
    architecture: ModelArchitecture, kernel_size: int, pool_size: int, kept_blocks: list[int] | None = None
) -> int:
    """Side in pixels of the last feature map of a 75 x 75 patch (0: the patch is used up).

    LeNet convolutions are 'valid' (the map shrinks by kernel - 1); the reference's are 'same'.
    Each block ends with a max-pool of ``pool_size``. ``kept_blocks`` (0-based) leaves blocks out.
    """
    side = PATCH_SIZE_PX
    kernels = block_kernels(architecture, kernel_size)
    for index, kernel in enumerate(kernels):
        if kept_blocks is not None and index not in kept_blocks:
            continue
        if architecture is ModelArchitecture.LENET:
            side -= kernel - 1
        if side < 1:
            return 0
        side //= pool_size
        if side < 1:
            return 0
    return side


def check_geometry(architecture: ModelArchitecture, kernel_size: int, pool_size: int, field_name: str) -> None:
    if kernel_size < 1 or kernel_size % 2 == 0 or kernel_size > 11:
        raise ContractError(field_name, f"kernel size must be odd and between 1 and 11, got {kernel_size}")
    if not 1 <= pool_size <= 4:
        raise ContractError(field_name, f"pool size must be between 1 and 4, got {pool_size}")
    if feature_map_side(architecture, kernel_size, pool_size) < 1:
        raise ContractError(
            field_name,
            f"kernel size {kernel_size} with pool size {pool_size} leaves no pixels of a {PATCH_SIZE_PX} x "
            f"{PATCH_SIZE_PX} patch after the {len(ARCHITECTURE_FILTERS[architecture])} blocks of "
            f"{architecture.value}; use a smaller kernel or pool",
        )


def _check_filters(architecture: ModelArchitecture, filters: list[int], field_name: str) -> None:
    expected = len(ARCHITECTURE_FILTERS[architecture])
    if len(filters) != expected:
        raise ContractError(
            field_name, f"{architecture.value} has {expected} convolution blocks; give {expected} filter counts, got {len(filters)}"
        )
    for i, value in enumerate(filters):
        if not 1 <= value <= 512:
            raise ContractError(f"{field_name}[{i}]", f"must be between 1 and 512 filters, got {value}")


@dataclass
class HyperParameters:
    """What a training run can vary. ``kernel_size``/``filters`` None: the architecture's defaults."""

    learning_rate: float = 1e-3
    batch_size: int = 32
    dropout: float = 0.2
    kernel_size: int | None = None
    pool_size: int = 2
    filters: list[int] | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.learning_rate <= 1.0:
            raise ContractError("learning_rate", f"must be in (0, 1], got {self.learning_rate:g}")
        if not 2 <= self.batch_size <= 4096:
            raise ContractError("batch_size", f"must be between 2 and 4096, got {self.batch_size}")
        if not 0.0 <= self.dropout < 1.0:
            raise ContractError("dropout", f"must be in [0, 1), got {self.dropout:g}")

    def check_for(self, architecture: ModelArchitecture, prefix: str = "") -> None:
        """Raise when these values cannot build ``architecture`` (field names under ``prefix``)."""
        given = self.kernel_size is not None  # 0 is a value to check, not "the default"
        kernel = self.kernel_size if given else ARCHITECTURE_KERNEL[architecture]
        check_geometry(architecture, kernel, self.pool_size, f"{prefix}kernel_size" if given else f"{prefix}pool_size")
        if self.filters is not None:
            _check_filters(architecture, self.filters, f"{prefix}filters")


# ---------------------------------------------------------------------------------------------
# Feature groups and training datasets

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def check_name(value: str, field_name: str, what: str) -> None:
    if not isinstance(value, str) or not NAME_PATTERN.fullmatch(value):
        raise ContractError(
            field_name, f"{what} name {shown(value)} must be 1-64 "
                        "lower-case letters, digits and '_', starting with a letter"
        )


@dataclass
class FeatureGroupRef:
    """A feature group version; ``version`` None means the newest."""

    group: str
    version: int | None = None

    def __post_init__(self) -> None:
        check_name(self.group, "group", "feature group")
        if self.version is not None and self.version < 1:
            raise ContractError("version", f"versions start at 1, got {self.version}")


@dataclass
class TrainingDatasetRef:
    """A training dataset version (newest when ``version`` is None) and, for a k-fold dataset, the
    fold whose part is the validation set (0-based; default 0)."""

    name: str
    version: int | None = None
    fold: int | None = None

    def __post_init__(self) -> None:
        check_name(self.name, "name", "training dataset")
        if self.version is not None and self.version < 1:
            raise ContractError("version", f"versions start at 1, got {self.version}")
        if self.fold is not None and self.fold < 0:
            raise ContractError("fold", f"folds are numbered from 0, got {self.fold}")


@dataclass
class RuleFailure:
    """One validation rule that failed at insert: which column, how many rows, a few of their ids."""

    rule: str
    column: str
    failing: int
    examples: list[str] = field(default_factory=list)


@dataclass
class ValidationReport:
    mode: ValidationMode
    n_records: int
    n_written: int
    rules: list[RuleFailure] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Search and ablation


@dataclass
class FloatRange:
    low: float
    high: float
    log: bool = False

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ContractError("low", f"low {self.low:g} is above high {self.high:g}")
        if self.log and self.low <= 0:
            raise ContractError("low", f"a log-scaled range needs low > 0, got {self.low:g}")


def _default_learning_rate() -> FloatRange:
    return FloatRange(3e-4, 3e-3, log=True)


def _default_dropout() -> FloatRange:
    return FloatRange(0.0, 0.5)


@dataclass
class SearchSpace:
    """The hyper-parameters a search draws. Lists are the choices; ``filters`` None: the
    architecture's filters at half, full and double width (capped at 512)."""

    learning_rate: FloatRange = field(default_factory=_default_learning_rate)
    dropout: FloatRange = field(default_factory=_default_dropout)
    kernel_size: list[int] = field(default_factory=lambda: [3, 5])
    pool_size: list[int] = field(default_factory=lambda: [2])
    filters: list[list[int]] | None = None
    batch_size: list[int] = field(default_factory=lambda: [32, 64])

    def __post_init__(self) -> None:
        if not 0.0 < self.learning_rate.low or self.learning_rate.high > 1.0:
            raise ContractError(
                "learning_rate", f"must lie in (0, 1], got [{self.learning_rate.low:g}, {self.learning_rate.high:g}]"
            )
        if self.dropout.low < 0.0 or self.dropout.high >= 1.0:
            raise ContractError("dropout", f"must lie in [0, 1), got [{self.dropout.low:g}, {self.dropout.high:g}]")
        for name in ("kernel_size", "pool_size", "batch_size"):
            choices = getattr(self, name)
            if not choices:
                raise ContractError(name, "give at least one choice")
            if len(set(choices)) != len(choices):
                raise ContractError(name, f"choices repeat: {choices}")
        for i, batch in enumerate(self.batch_size):
            if not 2 <= batch <= 4096:
                raise ContractError(f"batch_size[{i}]", f"must be between 2 and 4096, got {batch}")
        if self.filters is not None and not self.filters:
            raise ContractError("filters", "give at least one filter list, or leave it out for the defaults")

    def filter_choices(self, architecture: ModelArchitecture) -> list[list[int]]:
        if self.filters is not None:
            return [list(f) for f in self.filters]
        base = ARCHITECTURE_FILTERS[architecture]
        return [[max(1, min(512, round(f * scale))) for f in base] for scale in (0.5, 1.0, 2.0)]

    def check_for(self, architecture: ModelArchitecture) -> None:
        """Every choice must build the architecture: the search never draws an impossible model."""
        for i, kernel in enumerate(self.kernel_size):
            for pool in self.pool_size:
                try:
                    check_geometry(architecture, kernel, pool, f"kernel_size[{i}]")
                except ContractError as exc:
                    raise ContractError(
                        exc.field, f"{exc.problem} (with pool_size {pool}); every combination of the choices must fit"
                    ) from None
        for i, filters in enumerate(self.filter_choices(architecture)):
            _check_filters(architecture, filters, f"filters[{i}]")


class AblationComponent(str, enum.Enum):
    """What an ablation trial leaves out."""

    BAND_2 = "band_2"  # the cross-pol channel
    THIRD_CHANNEL = "third_channel"  # the derived channel (band_avg, band_diff or band_mag)
    INC_ANGLE = "inc_angle"  # the incidence angle input
    CONV_BLOCK_1 = "conv_block_1"
    CONV_BLOCK_2 = "conv_block_2"
    CONV_BLOCK_3 = "conv_block_3"
    CONV_BLOCK_4 = "conv_block_4"  # reference CNN only
    DENSE = "dense"  # the hidden dense layers (the head becomes one linear layer)

    @property
    def conv_block(self) -> int | None:
        """0-based block index for CONV_BLOCK_n, else None."""
        return int(self.value.rsplit("_", 1)[1]) - 1 if self.value.startswith("conv_block_") else None


def ablation_components(architecture: ModelArchitecture) -> list[AblationComponent]:
    n_blocks = len(ARCHITECTURE_FILTERS[architecture])
    return [c for c in AblationComponent if c.conv_block is None or c.conv_block < n_blocks]


@dataclass
class HeldOutMetrics:
    """A model scored on a training dataset's held-out test part, as classification serves it
    (test-time augmentation)."""

    log_loss: float
    accuracy: float
    roc_auc: float
    ece: float
    n: int
    confusion: list[list[int]] = field(default_factory=list)  # rows truth ship/iceberg, cols predicted
    # The figures above are the ship/iceberg decision on the target patches; with clutter in the
    # test part and a model that has a clutter output, the 3-class figures follow (see ModelMetrics).
    clutter_auc: float | None = None
    class_accuracy: float | None = None
    class_log_loss: float | None = None
    class_confusion: list[list[int]] | None = None  # rows truth ship/iceberg/clutter, cols predicted


@dataclass
class TrialResult:
    number: int
    state: str  # complete, pruned, failed, cancelled
    params: dict[str, Any] = field(default_factory=dict)
    val_log_loss: float | None = None
    val_accuracy: float | None = None
    val_roc_auc: float | None = None
    epochs_run: int = 0
    seconds: float = 0.0
    worker: str = ""
    message: str = ""


@dataclass
class AblationRow:
    """One left-out component (``none``: the full model): validation metrics averaged over the
    repeats (seeds), and the change against the full model trained with the same seeds (positive
    ``delta_log_loss``: the model is worse without the component). The ``_std`` fields are the
    spread over the repeats; a delta within about two of them is not a finding."""

    component: str
    val_log_loss: float
    val_accuracy: float
    val_roc_auc: float
    delta_log_loss: float
    delta_accuracy: float
    n_parameters: int
    epochs_run: int
    seconds: float
    worker: str = ""
    repeats: int = 1
    val_log_loss_std: float = 0.0
    delta_log_loss_std: float = 0.0
