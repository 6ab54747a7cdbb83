"""Feature-store job kinds: validated, versioned feature groups and training datasets."""

from __future__ import annotations

from dataclasses import dataclass

from .codec import ContractError, Seed
from .common import PatchRecord, SimulatedPatchSet, check_training_records, label_from_value
from .learning import FeatureGroupRef, ThirdChannel, ValidationMode, ValidationReport, check_name

#: Most folds a training dataset may be split into.
MAX_K_FOLDS = 20


@dataclass
class BuildFeatureGroupParams:
    """Compute, validate and store a new version of a feature group from one patch source:
    inline (analyst-labelled) records, a simulated set, the patches of a ``cut_patches`` job
    (``labels`` adds analyst labels by patch id), or an uploaded Kaggle Statoil/C-CORE JSON file.

    The work is partitioned over the Dask workers (``partition_size`` patches a task).

    ``extend_version`` keeps that version's rows in the new one (same third channel): an analyst's
    corrections are added to what the group already holds, and a row whose id comes again takes
    the new values (a corrected label).
    """

    group: str
    patches: list[PatchRecord] | None = None
    simulated: SimulatedPatchSet | None = None
    patches_job_id: str | None = None
    upload_id: str | None = None
    labels: dict[str, int | str] | None = None  # 0/1 (ship/iceberg) or a class name, by patch id
    third_channel: ThirdChannel = ThirdChannel.BAND_AVG
    validation: ValidationMode = ValidationMode.STRICT
    description: str = ""
    partition_size: int = 256
    extend_version: int | None = None

    def __post_init__(self) -> None:
        check_name(self.group, "group", "feature group")
        sources = [s for s in (self.patches, self.simulated, self.patches_job_id, self.upload_id) if s is not None]
        if len(sources) != 1:
            raise ContractError(
                "patches", "give exactly one source: 'patches', 'simulated', 'patches_job_id' or 'upload_id'"
            )
        if self.patches is not None:
            if not self.patches:
                raise ContractError("patches", "is empty; send at least one patch")
            check_training_records(self.patches, "patches", need_labels=False)
        if self.labels is not None:
            if self.patches_job_id is None:
                raise ContractError("labels", "labels by id go with 'patches_job_id'; inline patches carry is_iceberg")
            for key, value in self.labels.items():
                label_from_value(value, f"labels.{key}")
        if self.extend_version is not None and self.extend_version < 1:
            raise ContractError("extend_version", f"versions count from 1, got {self.extend_version}")
        if not 16 <= self.partition_size <= 10000:
            raise ContractError("partition_size", f"must be between 16 and 10000 patches, got {self.partition_size}")
        if len(self.description) > 2000:
            raise ContractError("description", "at most 2000 characters")


@dataclass
class CreateTrainingDatasetParams:
    """A versioned, stratified and seeded split of a feature group version.

    ``test_fraction`` is held out first. The rest becomes train/validation
    (``validation_fraction``) or, with ``k_folds``, k folds (each fold's complement is its training
    part). Normalisation statistics are computed on each training part only. Unlabelled rows are
    left out and counted.
    """

    name: str
    feature_group: FeatureGroupRef
    validation_fraction: float = 0.2
    test_fraction: float = 0.0
    k_folds: int | None = None
    seed: Seed = 0
    description: str = ""

    def __post_init__(self) -> None:
        check_name(self.name, "name", "training dataset")
        if not 0.05 <= self.validation_fraction <= 0.5:
            raise ContractError("validation_fraction", f"must be between 0.05 and 0.5, got {self.validation_fraction:g}")
        if not 0.0 <= self.test_fraction <= 0.5:
            raise ContractError("test_fraction", f"must be between 0 and 0.5, got {self.test_fraction:g}")
        if self.k_folds is not None and not 2 <= self.k_folds <= MAX_K_FOLDS:
            raise ContractError("k_folds", f"must be between 2 and {MAX_K_FOLDS}, got {self.k_folds}")


@dataclass
class BuildFeatureGroupResult:
    group: str
    version: int
    n_rows: int
    n_labelled: int
    n_ships: int
    n_icebergs: int
    n_inc_angle_missing: int
    third_channel: ThirdChannel
    geo: bool  # rows carry positions: the version is GeoParquet
    validation: ValidationReport
    n_partitions: int = 1
    n_clutter: int = 0


@dataclass
class SplitCounts:
    ships: int
    icebergs: int
    clutter: int = 0


@dataclass
class CreateTrainingDatasetResult:
    name: str
    version: int
    feature_group: FeatureGroupRef
    k_folds: int | None
    counts: dict[str, SplitCounts]  # train, validation, test, or fold_0 ... fold_k-1, test
    n_unlabelled_left_out: int
    n_clutter_left_out: int = 0  # too few clutter patches to split: the dataset is ship/iceberg only
