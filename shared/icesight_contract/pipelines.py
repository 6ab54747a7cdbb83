"""Pipeline job kinds: one submission that runs several stages, each reused when its inputs have
not changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .codec import ContractError, Seed
from .common import AcquisitionMode
from .experiments import SearchHyperparametersParams
from .features import BuildFeatureGroupParams, CreateTrainingDatasetParams
from .inference import AttributionMethod
from .learning import (
    FeatureGroupRef,
    HeldOutMetrics,
    HyperParameters,
    ModelArchitecture,
    SearchSpace,
    TrainingDatasetRef,
    check_name,
)
from .targets import LAND_SETTINGS, DetectTargetsParams

#: The stages of ``chart_scene``, in order.
CHART_STAGES = ("ingest", "detect", "classify", "explain", "export")
#: The stages of ``train_pipeline``, in order.
TRAIN_STAGES = ("features", "dataset", "search", "evaluate", "register")


@dataclass
class ChartSceneParams:
    """Chart a scene in one job: ingest (an upload; skipped for a catalog scene) -> CFAR detection
    -> classification of every detection -> explanations of the ``explain_n`` least certain calls
    -> export (GeoJSON in lon/lat and GeoPackage). Every stage's output is kept under a key made
    from the content hash of its inputs and its settings; a later run with the same inputs reuses it
    instead of computing it again."""

    scene_id: str | None = None
    upload_id: str | None = None
    mode: AcquisitionMode | None = None
    acquired: str | None = None
    model_id: str | None = None
    pfa: float = DetectTargetsParams.pfa
    sea_ice_aware: bool = DetectTargetsParams.sea_ice_aware
    #: Where land is, as for ``detect_targets`` (:data:`~.targets.LAND_SETTINGS`).
    land_mask: bool = DetectTargetsParams.land_mask
    land_polygons: dict[str, Any] | None = None
    land_buffer_m: float = DetectTargetsParams.land_buffer_m
    explain_n: int = 5
    explain_method: AttributionMethod = AttributionMethod.INTEGRATED_GRADIENTS

    def __post_init__(self) -> None:
        if (self.scene_id is None) == (self.upload_id is None):
            raise ContractError("scene_id", "give exactly one of 'scene_id' (a catalog scene) or 'upload_id' (a new upload)")
        self.detection_request("")  # the detector's own rules judge pfa, sea_ice_aware and the land settings
        if not 0 <= self.explain_n <= 200:
            raise ContractError("explain_n", f"must be between 0 and 200, got {self.explain_n}")

    def detection_request(self, scene_id: str) -> DetectTargetsParams:
        """The detection stage's request: the detector's defaults with this chart's ``pfa``,
        ``sea_ice_aware`` and land settings. The sea-ice test's ``ice_pfa`` is never looser than ``pfa``."""
        return DetectTargetsParams(scene_id=scene_id, pfa=self.pfa, sea_ice_aware=self.sea_ice_aware,
                                   ice_pfa=min(DetectTargetsParams.ice_pfa, self.pfa),
                                   **{name: getattr(self, name) for name in LAND_SETTINGS})


@dataclass
class StageRun:
    name: str
    state: str  # "ran", "reused" or "skipped"
    seconds: float
    key: str = ""  # content key of the stage's inputs and settings
    summary: str = ""


@dataclass
class ChartSceneResult:
    scene_id: str
    model_id: str
    n_detections: int
    n_ships: int
    n_icebergs: int
    n_explained: int
    stages: list[StageRun] = field(default_factory=list)
    seconds: float = 0.0
    n_clutter: int = 0  # detections the model sends back as clutter


@dataclass
class TrainPipelineParams:
    """Train and publish a model in one job: features (a new feature group version built from
    ``features``; skipped when ``feature_group`` names an existing version) -> dataset (a stratified,
    seeded train/validation split with a held-out test part, versioned as ``dataset_name``) ->
    search (an Optuna search on the workers, small by default) -> evaluate (the best trial's model
    on the held-out test part, as classification serves it) -> register (the model enters the
    registry only when every gate holds: ``min_test_accuracy``, ``min_test_roc_auc``,
    ``max_test_log_loss`` on the test part; otherwise the result says which metric missed and by
    how much). Every stage is reused when its inputs and settings have not changed."""

    dataset_name: str
    features: BuildFeatureGroupParams | None = None
    feature_group: FeatureGroupRef | None = None
    validation_fraction: float = 0.2
    test_fraction: float = 0.2
    split_seed: Seed = 0
    architecture: ModelArchitecture = ModelArchitecture.LENET
    n_trials: int = 4
    epochs: int = 8
    patience: int = 4
    space: SearchSpace = field(default_factory=SearchSpace)
    pruning: bool = True
    max_parallel: int | None = None
    seed: Seed = 0
    min_test_accuracy: float | None = 0.8
    min_test_roc_auc: float | None = None
    max_test_log_loss: float | None = None
    set_production: bool = False  # a model that passes the gate becomes the production model

    def __post_init__(self) -> None:
        check_name(self.dataset_name, "dataset_name", "training dataset")
        if (self.features is None) == (self.feature_group is None):
            raise ContractError(
                "features", "give exactly one of 'features' (build a feature group version) or 'feature_group' (an existing one)"
            )
        if not 0.05 <= self.test_fraction <= 0.5:
            raise ContractError("test_fraction", f"must be between 0.05 and 0.5 (evaluate needs a test part), got {self.test_fraction:g}")
        for name in ("min_test_accuracy", "min_test_roc_auc"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise ContractError(name, f"must be between 0 and 1, got {value:g}")
        if self.max_test_log_loss is not None and not self.max_test_log_loss > 0.0:
            raise ContractError("max_test_log_loss", f"must be above 0, got {self.max_test_log_loss:g}")
        if self.min_test_accuracy is None and self.min_test_roc_auc is None and self.max_test_log_loss is None:
            raise ContractError("min_test_accuracy", "give at least one gate: min_test_accuracy, min_test_roc_auc or max_test_log_loss")
        # The split and the search are checked as the jobs they become would check them.
        self.dataset_params(FeatureGroupRef(self.group))
        self.search_params(TrainingDatasetRef(self.dataset_name))

    @property
    def group(self) -> str:
        """The feature group the pipeline trains from."""
        return self.features.group if self.features is not None else self.feature_group.group

    def dataset_params(self, feature_group: FeatureGroupRef) -> CreateTrainingDatasetParams:
        return CreateTrainingDatasetParams(
            name=self.dataset_name, feature_group=feature_group, validation_fraction=self.validation_fraction,
            test_fraction=self.test_fraction, seed=self.split_seed, description="train_pipeline",
        )

    def search_params(self, training_dataset: TrainingDatasetRef) -> SearchHyperparametersParams:
        return SearchHyperparametersParams(
            training_dataset=training_dataset, architecture=self.architecture, n_trials=self.n_trials, epochs=self.epochs,
            patience=self.patience, space=self.space, pruning=self.pruning, max_parallel=self.max_parallel,
            register_best=True, seed=self.seed,
        )

    def gates(self) -> dict[str, tuple[str, float]]:
        """The gates asked for: test metric -> ("min" or "max", threshold)."""
        asked = {"accuracy": ("min", self.min_test_accuracy), "roc_auc": ("min", self.min_test_roc_auc),
                 "log_loss": ("max", self.max_test_log_loss)}
        return {metric: (bound, value) for metric, (bound, value) in asked.items() if value is not None}


@dataclass
class GateCheck:
    """One gate on the held-out test part: ``margin`` is how far the value lies on the good side of
    the threshold (negative: missed by that much)."""

    metric: str  # accuracy, roc_auc or log_loss
    bound: str  # "min" or "max"
    threshold: float
    value: float
    passed: bool
    margin: float


@dataclass
class TrainPipelineResult:
    feature_group: FeatureGroupRef
    training_dataset: TrainingDatasetRef
    model_id: str  # the best trial's model; in the registry only when ``registered``
    registered: bool
    gate_passed: bool
    gate: list[GateCheck]
    gate_message: str
    test_metrics: HeldOutMetrics
    best_params: HyperParameters
    best_val_log_loss: float
    production: bool = False
    stages: list[StageRun] = field(default_factory=list)
    seconds: float = 0.0
