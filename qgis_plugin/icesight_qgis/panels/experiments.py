"""Experiments panel: train a model, search its hyper-parameters or find out what each of its
components is worth (ablation study) on a training dataset version of the feature store (a model
can also be trained on simulated patches). Each is a backend job run in a task, its stages shown as
the backend reports them, with cancel. The results come back as charts painted with QPainter
(training curves, the search's trials, the ablation's changes; see :mod:`.experiment_charts`) and
tables; the model trained, or the best one a search found, can be used for classification at once.

A training dataset can be made here too, from a feature group version (a ``create_training_dataset``
job), for when none exists yet.

:func:`list_catalogue` and :func:`run_job` are Qt-free and run in the tasks' threads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from qgis.core import QgsApplication
from qgis.gui import QgsCollapsibleGroupBox
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from icesight_contract import (
    MAX_EPOCHS,
    MAX_K_FOLDS,
    WEAK_SEPARATION_ROC_AUC,
    AblationComponent,
    ContractError,
    CreateTrainingDatasetParams,
    CreateTrainingDatasetResult,
    FeatureGroupRef,
    FloatRange,
    HyperParameters,
    JobKind,
    ModelArchitecture,
    RunAblationParams,
    RunAblationResult,
    SearchHyperparametersParams,
    SearchHyperparametersResult,
    SearchSpace,
    SimulatedPatchSet,
    TrainingDatasetRef,
    TrainModelParams,
    TrainModelResult,
    TrialResult,
    ablation_components,
)

from .. import settings
from ..client import BackendClient, BackendError
from ..tasks import CANCELLED, JobTask
from ..workflow import ProgressFn
from .base import Panel, narrow_combo, narrow_form, plain_label
from .experiment_charts import AblationChart, TrainingCurveChart, TrialChart

TRAIN, SEARCH, ABLATE = JobKind.TRAIN_MODEL, JobKind.SEARCH_HYPERPARAMETERS, JobKind.RUN_ABLATION
CREATE_DATASET = JobKind.CREATE_TRAINING_DATASET
SOURCE_DATASET, SOURCE_SIMULATED = "dataset", "simulated"
#: The trial table's columns; the table opens sorted by validation log loss, best first.
TRIAL_COLUMN, LOSS_COLUMN, ACCURACY_COLUMN, STATE_COLUMN, EPOCHS_COLUMN, PARAMETERS_COLUMN = range(6)
#: Longest name the contract accepts for a training dataset.
MAX_NAME_CHARS = 64
#: The job parameters of each experiment, whose defaults the panel starts from.
PARAMS_BY_KIND = {TRAIN: TrainModelParams, SEARCH: SearchHyperparametersParams, ABLATE: RunAblationParams}
#: Narrowest a range's spin box gets (its two spin boxes sit side by side).
RANGE_SPIN_MIN_PX = 60
#: Largest early-stopping patience the panel's spin box offers; the contract says what it accepts.
MAX_PATIENCE_OFFERED = 1000


def contract_default(params_class: type, name: str) -> Any:
    """The default the contract gives the field ``name`` of a job's parameters."""
    for item in fields(params_class):
        if item.name == name:
            return item.default_factory() if item.default is MISSING else item.default
    raise KeyError(f"{params_class.__name__} has no field {name}")


def words_for(field_path: str, words: dict[str, str]) -> str | None:
    """The panel's name for the parameter at ``field_path`` (``space.batch_size[1]``): the
    longest dotted prefix that has one (list indices left out)."""
    parts = re.sub(r"\[\d+\]", "", field_path).split(".")
    for end in range(len(parts), 0, -1):
        name = words.get(".".join(parts[:end]))
        if name is not None:
            return name
    return None


def parse_whole_numbers(text: str, field_name: str, problem: str) -> list[int]:
    """Whole numbers separated by commas or spaces (``"32, 64"``); raises ContractError(``field_name``,
    ``problem``) for anything else."""
    tokens = [token for token in re.split(r"[,\s]+", text.strip()) if token]
    if not all(re.fullmatch(r"[+-]?\d+", token) for token in tokens):
        raise ContractError(field_name, problem)
    return [int(token) for token in tokens]


# ---------------------------------------------------------------------------------------------
# The feature store's training datasets and feature groups, and jobs run to their end (Qt-free)


@dataclass
class DatasetVersion:
    """One version of a training dataset, as ``GET /training-datasets/{name}`` describes it."""

    name: str
    version: int
    k_folds: int | None = None
    feature_group: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)  # part -> {"ships": n, "icebergs": n, "clutter": n}

    @classmethod
    def of(cls, meta: dict) -> DatasetVersion:
        return cls(meta["name"], int(meta["version"]), meta.get("k_folds"), meta.get("feature_group") or {},
                   meta.get("counts") or {})

    @property
    def key(self) -> str:
        return f"{self.name}:{self.version}"

    def part_sizes(self) -> dict[str, int]:
        """Labelled patches per part (train, validation, test, or fold_0 ... and test)."""
        return {part: sum(int(n) for n in classes.values()) for part, classes in self.counts.items()}


@dataclass
class GroupVersion:
    """One version of a feature group, as ``GET /feature-groups/{group}`` describes it."""

    group: str
    version: int
    n_rows: int = 0
    n_labelled: int = 0

    @classmethod
    def of(cls, meta: dict) -> GroupVersion:
        return cls(meta["group"], int(meta["version"]), int(meta.get("n_rows") or 0), int(meta.get("n_labelled") or 0))

    @property
    def key(self) -> str:
        return f"{self.group}:{self.version}"


@dataclass
class Catalogue:
    datasets: list[DatasetVersion]
    groups: list[GroupVersion]


def list_catalogue(client: BackendClient) -> Catalogue:
    """Every version of every training dataset and feature group, by name, newest version first."""
    datasets = [DatasetVersion.of(meta) for entry in client.training_datasets()
                for meta in client.training_dataset_versions(entry["name"])]
    groups = [GroupVersion.of(meta) for entry in client.feature_groups()
              for meta in client.feature_group_versions(entry["group"])]
    datasets.sort(key=lambda d: (d.name, -d.version))
    groups.sort(key=lambda g: (g.group, -g.version))
    return Catalogue(datasets, groups)


@dataclass
class JobOutcome:
    job_id: str
    kind: JobKind
    result: Any  # TrainModelResult, SearchHyperparametersResult, RunAblationResult or CreateTrainingDatasetResult

    @property
    def model_id(self) -> str | None:
        """The model the job registered (a training run; a search that registers its best)."""
        return getattr(self.result, "model_id", None)


def in_words(exc: BackendError, words: dict[str, str]) -> BackendError:
    """A refusal that names a parameter (``params.n_trials``) said with the name the panel gives
    it ("number of trials: must be ...") instead of the parameter's path."""
    if not exc.field:
        return exc
    name = words_for(exc.field.removeprefix("params."), words)
    if name is None:
        return exc
    text = str(exc)
    message = text if text.lower().startswith(name.lower()) else f"{name}: {text}"
    return BackendError(message, exc.code, None, exc.status_code)


def run_job(client: BackendClient, kind: JobKind, params: Any, words: dict[str, str], on_progress: ProgressFn,
            is_cancelled: Callable[[], bool]) -> JobOutcome:
    """Submit a job and follow it to its end, passing on the backend's progress and stage messages;
    the job is cancelled on the backend when ``is_cancelled()`` turns true."""
    try:
        status = client.submit(kind, params)
        final = client.wait(status.id, on_progress=lambda s: on_progress(s.progress, s.message),
                            is_cancelled=is_cancelled)
    except BackendError as exc:
        raise in_words(exc, words) from None
    return JobOutcome(status.id, kind, final.typed_result())


# ---------------------------------------------------------------------------------------------
# The panel


class _TrialItem(QTableWidgetItem):
    """A trial table cell that sorts by its number (``Qt.UserRole``); trials without one (pruned,
    failed) sort after every trial with one."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(Qt.UserRole), other.data(Qt.UserRole)
        if mine is None or theirs is None:
            return mine is not None and theirs is None
        return mine < theirs


class ExperimentsPanel(Panel):
    task_attributes = ("task", "list_task")

    #: A job registered a new model (its id): the model lists should learn of it.
    model_registered = pyqtSignal(str)
    #: The analyst asked to classify with this model (its id).
    use_model = pyqtSignal(str)

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent)
        self.catalogue: Catalogue | None = None
        self.datasets: dict[str, DatasetVersion] = {}
        self.groups: dict[str, GroupVersion] = {}
        self.task: JobTask | None = None  # the running job: an experiment or a new training dataset
        self.running_kind: JobKind | None = None
        self.list_task: JobTask | None = None
        self.outcome: JobOutcome | None = None  # the last experiment's
        self.job_id: str | None = None  # the running job's, once submitted
        self.stage_messages: list[str] = []  # the running job's stages, as the backend reported them
        self.stale = True  # the lists need reading (at first show, after a new connection)
        self._pending_dataset: str | None = None  # select this dataset once listed
        self._name_edited = False
        self._patience_edited = False  # else the patience follows the chosen experiment's default
        self._epochs_edited = False  # likewise the epochs

        layout = QVBoxLayout(self)
        layout.addWidget(self._data_box())
        layout.addWidget(self._new_dataset_box())
        layout.addWidget(self._experiment_box())
        layout.addWidget(self._results_box())
        layout.addStretch(1)
        self._on_source_changed()
        self._on_kind_changed()
        self._on_dataset_changed()
        self._set_running(False)

    # -- layout -----------------------------------------------------------------------------------

    def _data_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Training data"))
        form = narrow_form(parent=box)
        self.source_combo = narrow_combo(QComboBox())
        self.source_combo.addItem(self.tr("A training dataset"), SOURCE_DATASET)
        self.source_combo.addItem(self.tr("Simulated patches (training only)"), SOURCE_SIMULATED)
        self.source_combo.currentIndexChanged.connect(lambda _i: self._on_source_changed())
        form.addRow(self.tr("Train on"), self.source_combo)

        self.dataset_widget = QWidget()
        dataset_form = narrow_form(parent=self.dataset_widget)
        dataset_form.setContentsMargins(0, 0, 0, 0)
        self.dataset_combo = narrow_combo(QComboBox())
        self.dataset_combo.setToolTip(self.tr("Training dataset and version: a seeded split of a feature group version"))
        self.dataset_combo.currentIndexChanged.connect(lambda _i: self._on_dataset_changed())
        self.refresh_button = QToolButton()  # an icon: the combo keeps the room in a narrow dock
        self.refresh_button.setIcon(QgsApplication.getThemeIcon("mActionRefresh.svg"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Refresh: list the backend's training datasets and feature groups "
                                               "again"))
        self.refresh_button.clicked.connect(lambda: self.refresh())
        row = QHBoxLayout()
        row.addWidget(self.dataset_combo, 1)
        row.addWidget(self.refresh_button)
        dataset_form.addRow(self.tr("Training dataset"), row)
        self.fold_widget = QWidget()
        fold_row = QHBoxLayout(self.fold_widget)
        fold_row.setContentsMargins(0, 0, 0, 0)
        self.fold_spin = QSpinBox()
        self.fold_spin.setToolTip(self.tr("The fold that validates; the other folds train"))
        fold_row.addWidget(QLabel(self.tr("Validation fold")))
        fold_row.addWidget(self.fold_spin, 1)
        dataset_form.addRow(self.fold_widget)
        self.dataset_details = plain_label()
        dataset_form.addRow(self.dataset_details)

        self.simulated_widget = QWidget()
        simulated_form = narrow_form(parent=self.simulated_widget)
        simulated_form.setContentsMargins(0, 0, 0, 0)
        self.patches_spin = QSpinBox()
        self.patches_spin.setRange(20, 50000)
        self.patches_spin.setSingleStep(100)
        # The contract's budget: smaller half-randomised sets train too few steps to learn reliably.
        self.patches_spin.setValue(contract_default(SimulatedPatchSet, "n_patches"))
        self.patches_spin.setToolTip(self.tr("Labelled patches drawn from the scene simulator's ship, iceberg and "
                                             "clutter models"))
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 1_000_000)
        simulated_form.addRow(self.tr("Simulated patches"), self.patches_spin)
        simulated_form.addRow(self.tr("Seed"), self.seed_spin)
        form.addRow(self.dataset_widget)
        form.addRow(self.simulated_widget)
        return box

    def _new_dataset_box(self) -> QgsCollapsibleGroupBox:
        self.create_box = QgsCollapsibleGroupBox(self.tr("New training dataset"))
        self.create_box.setSaveCollapsedState(False)
        form = narrow_form(parent=self.create_box)
        self.group_combo = narrow_combo(QComboBox())
        self.group_combo.setToolTip(self.tr("The feature group version to split into training and validation parts"))
        self.group_combo.currentIndexChanged.connect(lambda _i: self._on_group_changed())
        form.addRow(self.tr("Feature group version"), self.group_combo)
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip(self.tr("Lower-case letters, digits and _, starting with a letter; a name that "
                                          "exists gets a new version"))
        self.name_edit.textEdited.connect(lambda _text: setattr(self, "_name_edited", True))
        form.addRow(self.tr("Name"), self.name_edit)
        self.validation_spin = QDoubleSpinBox()
        self.validation_spin.setRange(0.05, 0.5)
        self.validation_spin.setSingleStep(0.05)
        self.validation_spin.setValue(contract_default(CreateTrainingDatasetParams, "validation_fraction"))
        self.test_spin = QDoubleSpinBox()
        self.test_spin.setRange(0.0, 0.5)
        self.test_spin.setSingleStep(0.05)
        self.test_spin.setValue(contract_default(CreateTrainingDatasetParams, "test_fraction"))
        self.test_spin.setToolTip(self.tr("Share held out first, to score the models trained on the dataset"))
        self.folds_spin = QSpinBox()
        self.folds_spin.setRange(0, MAX_K_FOLDS)  # 0: none; 1 is refused with the contract's words
        self.folds_spin.setValue(contract_default(CreateTrainingDatasetParams, "k_folds") or 0)
        self.folds_spin.setSpecialValueText(self.tr("none"))
        self.folds_spin.setToolTip(self.tr(
            "none: one training and one validation part. Otherwise what is not held out is split into this many "
            "folds; each fold validates once while the others train (cross-validation), the fold being chosen "
            "under Training data"))
        self.folds_spin.valueChanged.connect(lambda _n: self._on_folds_changed())
        form.addRow(self.tr("Folds (cross-validation)"), self.folds_spin)
        form.addRow(self.tr("Validation share"), self.validation_spin)
        form.addRow(self.tr("Held-out test share"), self.test_spin)
        self.create_button = QPushButton(self.tr("Make training dataset"))
        self.create_button.clicked.connect(lambda: self.create_dataset())
        form.addRow(self.create_button)
        self.create_box.setCollapsed(True)
        return self.create_box

    def _experiment_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Experiment"))
        form = narrow_form(parent=box)
        self.kind_combo = narrow_combo(QComboBox())
        self.kind_combo.addItem(self.tr("Train a model"), TRAIN)
        self.kind_combo.addItem(self.tr("Search hyper-parameters"), SEARCH)
        self.kind_combo.addItem(self.tr("Ablation study"), ABLATE)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._on_kind_changed())
        form.addRow(self.tr("Run"), self.kind_combo)
        self.architecture_combo = narrow_combo(QComboBox())
        self.architecture_combo.addItem(self.tr("LeNet (small, quick)"), ModelArchitecture.LENET)
        self.architecture_combo.addItem(self.tr("Reference CNN (larger)"), ModelArchitecture.REFERENCE_CNN)
        self.architecture_combo.currentIndexChanged.connect(lambda _i: self._fill_components())
        form.addRow(self.tr("Architecture"), self.architecture_combo)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, MAX_EPOCHS)
        self.epochs_spin.setValue(contract_default(TrainModelParams, "epochs"))
        # The epochs follow the chosen experiment's default until the analyst sets them.
        self.epochs_spin.valueChanged.connect(lambda _n: setattr(self, "_epochs_edited", True))
        self.epochs_label = QLabel(self.tr("Epochs"))
        form.addRow(self.epochs_label, self.epochs_spin)
        self.learning_rate_spin = QDoubleSpinBox()
        self.learning_rate_spin.setDecimals(5)
        self.learning_rate_spin.setRange(0.00001, 1.0)
        self.learning_rate_spin.setSingleStep(0.0001)
        self.learning_rate_spin.setValue(contract_default(HyperParameters, "learning_rate"))
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(2, 4096)
        self.batch_spin.setValue(contract_default(HyperParameters, "batch_size"))
        form.addRow(self.tr("Learning rate"), self.learning_rate_spin)
        form.addRow(self.tr("Batch size"), self.batch_spin)
        self.patience_spin = QSpinBox()
        self.patience_spin.setRange(0, MAX_PATIENCE_OFFERED)
        self.patience_spin.setSuffix(self.tr(" epochs"))
        self.patience_spin.setToolTip(self.tr(
            "Early stopping: training ends when the validation log loss has not improved for this many epochs; "
            "the best epoch's weights are kept"))
        self.patience_spin.valueChanged.connect(lambda _n: setattr(self, "_patience_edited", True))
        form.addRow(self.tr("Early-stopping patience"), self.patience_spin)

        self.search_widget = QWidget()
        search_form = narrow_form(parent=self.search_widget)
        search_form.setContentsMargins(0, 0, 0, 0)
        self.trials_spin = QSpinBox()
        self.trials_spin.setRange(1, 500)
        self.trials_spin.setValue(contract_default(SearchHyperparametersParams, "n_trials"))
        self.parallel_spin = QSpinBox()
        self.parallel_spin.setRange(0, 1024)
        self.parallel_spin.setSpecialValueText(self.tr("automatic"))
        self.parallel_spin.setToolTip(self.tr("Trials trained at the same time on the backend's Dask workers; "
                                              "automatic: as many as the workers have threads"))
        search_form.addRow(self.tr("Trials"), self.trials_spin)
        search_form.addRow(self.tr("Trials at once"), self.parallel_spin)
        self.pruning_check = QCheckBox(self.tr("Prune poor trials"))
        self.pruning_check.setToolTip(self.tr("Stop a trial early when it does worse than the median of the trials "
                                              "before it at the same epoch"))
        self.pruning_check.setChecked(contract_default(SearchHyperparametersParams, "pruning"))
        search_form.addRow(self.pruning_check)
        search_form.addRow(self._search_space_box())
        search_form.addRow(plain_label(self.tr(
            "Each trial draws a learning rate, batch size, dropout, kernel size and filter widths from the search "
            "space. The best trial's model is registered.")))
        form.addRow(self.search_widget)

        self.ablation_widget = QWidget()
        ablation_form = narrow_form(parent=self.ablation_widget)
        ablation_form.setContentsMargins(0, 0, 0, 0)
        self.components_list = QListWidget()
        self.components_list.setMaximumHeight(150)
        self.components_list.setToolTip(self.tr("Each ticked component is left out of one model trained like the "
                                                "full one"))
        self.repeats_spin = QSpinBox()
        self.repeats_spin.setRange(1, 10)
        self.repeats_spin.setToolTip(self.tr("Each configuration is trained with this many seeds; a change smaller "
                                             "than their spread is noise"))
        ablation_form.addRow(self.tr("Leave out, one at a time"), self.components_list)
        ablation_form.addRow(self.tr("Seeds per configuration"), self.repeats_spin)
        form.addRow(self.ablation_widget)
        self._fill_components()

        self.run_hint = plain_label()
        form.addRow(self.run_hint)
        self.run_button = QPushButton(self.tr("Run"))
        self.run_button.clicked.connect(lambda: self.run_experiment())
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel_job)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.cancel_button)
        form.addRow(buttons)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        form.addRow(self.progress)
        self.status_label = plain_label()
        form.addRow(self.status_label)
        return box

    def _search_space_box(self) -> QgsCollapsibleGroupBox:
        """What a search draws from; it opens with the contract's search space."""
        box = QgsCollapsibleGroupBox(self.tr("Search space"))
        box.setSaveCollapsedState(False)
        form = narrow_form(parent=box)
        self.lr_low_spin, self.lr_high_spin = self._range_spins(decimals=5, step=0.0001)
        self.lr_low_spin.setToolTip(self.tr("Learning rates are drawn on a log scale between these two"))
        form.addRow(self.tr("Learning rate range"), self._range_row(self.lr_low_spin, self.lr_high_spin))
        self.dropout_low_spin, self.dropout_high_spin = self._range_spins(decimals=2, step=0.05)
        form.addRow(self.tr("Dropout range"), self._range_row(self.dropout_low_spin, self.dropout_high_spin))
        self.batch_sizes_edit = QLineEdit()
        self.batch_sizes_edit.setToolTip(self.tr("Batch sizes to choose from, separated by commas"))
        form.addRow(self.tr("Batch sizes"), self.batch_sizes_edit)
        self.kernel_sizes_edit = QLineEdit()
        self.kernel_sizes_edit.setToolTip(self.tr("Convolution kernel sizes to choose from (odd numbers), separated by "
                                                  "commas"))
        form.addRow(self.tr("Kernel sizes"), self.kernel_sizes_edit)
        self.pool_sizes_edit = QLineEdit()
        self.pool_sizes_edit.setToolTip(self.tr("Max-pooling sizes to choose from, separated by commas"))
        form.addRow(self.tr("Pool sizes"), self.pool_sizes_edit)
        self.filters_edit = QLineEdit()
        self.filters_edit.setPlaceholderText(self.tr("half, normal and double width"))
        self.filters_edit.setToolTip(self.tr(
            "Filter counts of the convolution blocks, one number per block; alternatives separated by ';' "
            "(e.g. 16 32 48; 32 64 96). Empty: the architecture's filters at half, normal and double width"))
        form.addRow(self.tr("Filter widths"), self.filters_edit)
        self.space_default_button = QPushButton(self.tr("Defaults"))
        self.space_default_button.setToolTip(self.tr("Put the default search space back"))
        self.space_default_button.clicked.connect(lambda: self.set_search_space(SearchSpace()))
        form.addRow(self.space_default_button)
        self.set_search_space(SearchSpace())
        box.setCollapsed(True)
        return box

    @staticmethod
    def _range_spins(decimals: int, step: float) -> tuple[QDoubleSpinBox, QDoubleSpinBox]:
        spins = []
        for _ in range(2):
            spin = QDoubleSpinBox()
            spin.setDecimals(decimals)
            spin.setRange(0.0, 1.0)
            spin.setSingleStep(step)
            spin.setMinimumWidth(RANGE_SPIN_MIN_PX)  # side by side, they share a narrow dock's width
            spins.append(spin)
        return spins[0], spins[1]

    def _range_row(self, low: QDoubleSpinBox, high: QDoubleSpinBox) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(low, 1)
        row.addWidget(QLabel(self.tr("to")))
        row.addWidget(high, 1)
        return row

    def set_search_space(self, space: SearchSpace) -> None:
        """Show ``space`` in the search space's fields."""
        self._space_log_lr = space.learning_rate.log
        self._space_log_dropout = space.dropout.log
        self.lr_low_spin.setValue(space.learning_rate.low)
        self.lr_high_spin.setValue(space.learning_rate.high)
        self.dropout_low_spin.setValue(space.dropout.low)
        self.dropout_high_spin.setValue(space.dropout.high)
        self.batch_sizes_edit.setText(", ".join(str(n) for n in space.batch_size))
        self.kernel_sizes_edit.setText(", ".join(str(n) for n in space.kernel_size))
        self.pool_sizes_edit.setText(", ".join(str(n) for n in space.pool_size))
        self.filters_edit.setText("; ".join(" ".join(str(n) for n in widths) for widths in space.filters or []))

    def search_space(self) -> SearchSpace:
        """The search space as the analyst set it; raises ContractError (field under ``space``)."""
        whole = self.tr("write whole numbers separated by commas, e.g. 32, 64")
        try:
            ranges = {}
            for name, low, high, log in (
                    ("learning_rate", self.lr_low_spin, self.lr_high_spin, self._space_log_lr),
                    ("dropout", self.dropout_low_spin, self.dropout_high_spin, self._space_log_dropout)):
                try:
                    ranges[name] = FloatRange(low.value(), high.value(), log=log)
                except ContractError as exc:
                    raise exc.under(name) from None
            choices = {name: parse_whole_numbers(edit.text(), name, whole) for name, edit in (
                ("batch_size", self.batch_sizes_edit), ("kernel_size", self.kernel_sizes_edit),
                ("pool_size", self.pool_sizes_edit))}
            text = self.filters_edit.text().strip()
            filters = None
            if text:
                filters = [parse_whole_numbers(part, "filters", self.tr(
                    "write one filter count per convolution block, alternatives separated by ';' "
                    "(e.g. 16 32 48; 32 64 96)")) for part in text.split(";") if part.strip()]
            return SearchSpace(filters=filters, **ranges, **choices)
        except ContractError as exc:
            raise exc.under("space") from None

    def _results_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Results"))
        layout = QVBoxLayout(box)
        self.summary_label = plain_label(self.tr("Run an experiment to see its results here."))
        layout.addWidget(self.summary_label)

        self.curve_chart = TrainingCurveChart()
        self.train_view = self._view(self.curve_chart)

        self.trial_chart = TrialChart()
        self.trial_table = _table([self.tr("Trial"), self.tr("Val. log loss"), self.tr("Accuracy"), self.tr("State"),
                                   self.tr("Epochs"), self.tr("Parameters")])
        self.trial_table.horizontalHeader().setSectionResizeMode(PARAMETERS_COLUMN, QHeaderView.ResizeToContents)
        self.trial_table.horizontalHeader().setStretchLastSection(True)
        self.trial_table.setSortingEnabled(True)
        self.search_view = self._view(self.trial_chart, self.trial_table)

        self.ablation_chart = AblationChart()
        self.ablation_table = _table([self.tr("Left out"), self.tr("Log loss"), self.tr("Change"), self.tr("Accuracy"),
                                      self.tr("Change")])
        self.ablation_view = self._view(self.ablation_chart, plain_label(self.tr(
            "Right of 0 (blue): the model is worse without the component, so the component helps; left of 0 "
            "(orange): the model does better without it.")), self.ablation_table)

        for view in (self.train_view, self.search_view, self.ablation_view):
            layout.addWidget(view)
            view.hide()
        self.use_button = QPushButton(self.tr("Use for classification"))
        self.use_button.setToolTip(self.tr("Classify, explain and map scenes with this model (see the Models page)"))
        self.use_button.clicked.connect(lambda: self.use_model_for_classification())
        self.use_button.setEnabled(False)
        layout.addWidget(self.use_button)
        return box

    @staticmethod
    def _view(*widgets: QWidget) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget)
        return view

    # -- words --------------------------------------------------------------------------------------

    def field_words(self) -> dict[str, str]:
        """The parameters as the panel names them, for the backend's refusals."""
        return {
            "training_dataset": self.tr("training dataset"), "feature_group": self.tr("feature group"),
            "name": self.tr("name of the training dataset"), "epochs": self.tr("epochs"),
            "learning_rate": self.tr("learning rate"), "batch_size": self.tr("batch size"),
            "n_trials": self.tr("number of trials"), "max_parallel": self.tr("trials at once"),
            "components": self.tr("components to leave out"), "repeats": self.tr("seeds per configuration"),
            "validation_fraction": self.tr("validation share"), "test_fraction": self.tr("held-out test share"),
            "simulated": self.tr("simulated patches"), "kernel_size": self.tr("network geometry"),
            "pool_size": self.tr("network geometry"), "hyperparameters": self.tr("hyper-parameters"),
            "patience": self.tr("early-stopping patience"), "k_folds": self.tr("number of folds"),
            "space": self.tr("search space"), "space.learning_rate": self.tr("learning-rate range"),
            "space.dropout": self.tr("dropout range"), "space.batch_size": self.tr("batch sizes"),
            "space.kernel_size": self.tr("kernel sizes"), "space.pool_size": self.tr("pool sizes"),
            "space.filters": self.tr("filter widths"),
        }

    def component_names(self) -> dict[str, str]:
        names = {
            "none": self.tr("nothing (full model)"), AblationComponent.BAND_2.value: self.tr("cross-pol band (HV)"),
            AblationComponent.THIRD_CHANNEL.value: self.tr("derived third channel"),
            AblationComponent.INC_ANGLE.value: self.tr("incidence angle input"),
            AblationComponent.DENSE.value: self.tr("dense layers"),
        }
        for component in AblationComponent:
            if component.conv_block is not None:
                names[component.value] = self.tr("convolution block {n}").format(n=component.conv_block + 1)
        return names

    def _what(self, kind: JobKind | None) -> str:
        return {TRAIN: self.tr("Training"), SEARCH: self.tr("The hyper-parameter search"),
                ABLATE: self.tr("The ablation study"), CREATE_DATASET: self.tr("Making the training dataset"),
                }.get(kind, self.tr("The job"))

    def _contract_message(self, exc: ContractError) -> str:
        name = words_for(exc.field, self.field_words()) if exc.field else None
        return f"{name}: {exc.problem}" if name else exc.problem

    def _say(self, message: str, level: str = "info") -> None:
        self.status_label.setText(message)
        self.tell(message, level)

    # -- what the analyst chose ---------------------------------------------------------------------

    def _on_source_changed(self) -> None:
        simulated = self.source_combo.currentData() == SOURCE_SIMULATED
        self.dataset_widget.setVisible(not simulated)
        self.simulated_widget.setVisible(simulated)
        self._update_run_state()

    def _on_kind_changed(self) -> None:
        kind = self.kind_combo.currentData()
        self.search_widget.setVisible(kind == SEARCH)
        self.ablation_widget.setVisible(kind == ABLATE)
        self.epochs_label.setText(self.tr("Epochs") if kind == TRAIN else self.tr("Epochs per trial"))
        drawn = kind == SEARCH
        for spin in (self.learning_rate_spin, self.batch_spin):
            spin.setEnabled(not drawn)
            spin.setToolTip(self.tr("The search draws this for each trial (see Search space)") if drawn else "")
        # Each experiment starts from the contract's patience and epochs (per trial for a search).
        for spin, name, edited in ((self.patience_spin, "patience", self._patience_edited),
                                   (self.epochs_spin, "epochs", self._epochs_edited)):
            if not edited:
                spin.blockSignals(True)
                spin.setValue(contract_default(PARAMS_BY_KIND[kind], name))
                spin.blockSignals(False)
        self._update_run_state()

    def _on_folds_changed(self) -> None:
        # k folds replace the one validation part
        self.validation_spin.setEnabled(self.folds_spin.value() == 0)

    def _fill_components(self) -> None:
        """The components the chosen architecture has (the reference CNN has a fourth block); the
        analyst's ticks are kept."""
        ticked = {self.components_list.item(i).data(Qt.UserRole): self.components_list.item(i).checkState()
                  for i in range(self.components_list.count())}
        names = self.component_names()
        self.components_list.clear()
        for component in ablation_components(self.architecture_combo.currentData()):
            item = QListWidgetItem(names[component.value])
            item.setData(Qt.UserRole, component.value)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(ticked.get(component.value, Qt.Checked))
            self.components_list.addItem(item)

    def set_components(self, components: list[str]) -> None:
        """Tick exactly ``components`` (their contract names: band_2, inc_angle, ...)."""
        for i in range(self.components_list.count()):
            item = self.components_list.item(i)
            item.setCheckState(Qt.Checked if item.data(Qt.UserRole) in components else Qt.Unchecked)

    def chosen_components(self) -> list[AblationComponent]:
        return [AblationComponent(self.components_list.item(i).data(Qt.UserRole))
                for i in range(self.components_list.count())
                if self.components_list.item(i).checkState() == Qt.Checked]

    def selected_dataset(self) -> DatasetVersion | None:
        return self.datasets.get(self.dataset_combo.currentData())

    def select_dataset(self, name: str, version: int) -> bool:
        index = self.dataset_combo.findData(f"{name}:{version}")
        if index >= 0:
            self.dataset_combo.setCurrentIndex(index)
        return index >= 0

    def dataset_ref(self) -> TrainingDatasetRef:
        dataset = self.selected_dataset()
        if dataset is None:
            raise ContractError("training_dataset", self.tr(
                "choose one (Refresh lists them), or make one from a feature group version"))
        return TrainingDatasetRef(dataset.name, dataset.version, self.fold_spin.value() if dataset.k_folds else None)

    def experiment_params(self) -> tuple[JobKind, Any]:
        """The chosen job and its parameters; raises ContractError naming what to fix."""
        kind = self.kind_combo.currentData()
        architecture = self.architecture_combo.currentData()
        epochs = self.epochs_spin.value()
        simulated = self.source_combo.currentData() == SOURCE_SIMULATED
        patience = self.patience_spin.value()
        if kind == TRAIN:
            source = ({"simulated": SimulatedPatchSet(n_patches=self.patches_spin.value(), seed=self.seed_spin.value())}
                      if simulated else {"training_dataset": self.dataset_ref()})
            return kind, TrainModelParams(architecture=architecture, epochs=epochs, patience=patience,
                                          learning_rate=self.learning_rate_spin.value(),
                                          batch_size=self.batch_spin.value(), **source)
        if simulated:
            raise ContractError("training_dataset", self.tr("searches and ablation studies run on a training dataset"))
        if kind == SEARCH:
            parallel = self.parallel_spin.value()
            return kind, SearchHyperparametersParams(training_dataset=self.dataset_ref(), architecture=architecture,
                                                     n_trials=self.trials_spin.value(), epochs=epochs,
                                                     patience=patience, space=self.search_space(),
                                                     pruning=self.pruning_check.isChecked(),
                                                     max_parallel=parallel or None)
        components = self.chosen_components()
        if not components:
            raise ContractError("components", self.tr("tick at least one"))
        hyper = HyperParameters(learning_rate=self.learning_rate_spin.value(), batch_size=self.batch_spin.value())
        return kind, RunAblationParams(training_dataset=self.dataset_ref(), architecture=architecture,
                                       hyperparameters=hyper, components=components, epochs=epochs,
                                       patience=patience, repeats=self.repeats_spin.value())

    def _update_run_state(self) -> None:
        if not hasattr(self, "run_button"):
            return  # still being built
        kind = self.kind_combo.currentData()
        simulated = self.source_combo.currentData() == SOURCE_SIMULATED
        hint = ""
        if kind != TRAIN and simulated:
            hint = self.tr("Searches and ablation studies run on a training dataset: choose one under Training data.")
        elif not simulated and self.selected_dataset() is None:
            hint = self.tr("Choose a training dataset (Refresh lists them), make one from a feature group version, "
                           "or train on simulated patches.")
        self.run_hint.setText(hint)
        self.run_hint.setVisible(bool(hint))
        self.run_button.setEnabled(self.task is None and not hint)

    # -- the feature store's lists ------------------------------------------------------------------

    def showEvent(self, event):  # noqa: N802 - Qt API
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def mark_stale(self) -> None:
        """The backend may have changed (a new connection): list again now if shown, else when shown."""
        self.stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> JobTask | None:
        """List the training datasets and feature groups in a task; a listing under way is not doubled."""
        if self.list_task is not None:
            return self.list_task
        self.stale = False
        client = settings.make_client()
        task = JobTask(self.tr("IceSight: list training datasets and feature groups"),
                       lambda on_progress, is_cancelled: list_catalogue(client), self._on_listed, client)
        self.list_task = task
        self.refresh_button.setEnabled(False)
        self.dataset_details.setText(self.tr("Reading the feature store..."))
        return self.run_task(task)

    def _on_listed(self, catalogue: Catalogue | None, error: str | None) -> None:
        self.list_task = None
        self.refresh_button.setEnabled(True)
        if catalogue is None:
            self.stale = True
            self.dataset_details.setText("")
            self._say(self.tr("The training datasets could not be listed: {error}").format(error=error), "error")
            return
        self.catalogue = catalogue
        chosen = self._pending_dataset or self.dataset_combo.currentData()
        self._pending_dataset = None
        self.datasets = {d.key: d for d in catalogue.datasets}
        self.dataset_combo.blockSignals(True)
        self.dataset_combo.clear()
        for dataset in catalogue.datasets:
            self.dataset_combo.addItem(f"{dataset.name} v{dataset.version}", dataset.key)
        index = self.dataset_combo.findData(chosen)
        self.dataset_combo.setCurrentIndex(index if index >= 0 else (0 if catalogue.datasets else -1))
        self.dataset_combo.blockSignals(False)
        self._on_dataset_changed()

        chosen_group = self.group_combo.currentData()
        self.groups = {g.key: g for g in catalogue.groups}
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        for group in catalogue.groups:
            self.group_combo.addItem(self.tr("{group} v{version} ({n} labelled)").format(
                group=group.group, version=group.version, n=group.n_labelled), group.key)
        index = self.group_combo.findData(chosen_group)
        self.group_combo.setCurrentIndex(index if index >= 0 else (0 if catalogue.groups else -1))
        self.group_combo.blockSignals(False)
        self._on_group_changed()
        self.create_button.setEnabled(self.task is None and bool(catalogue.groups))

        if not catalogue.datasets:
            self.create_box.setCollapsed(False)
            if catalogue.groups:
                self.status_label.setText(self.tr("There is no training dataset yet: make one from a feature group "
                                                  "version below, or train on simulated patches."))
            else:
                self.status_label.setText(self.tr(
                    "There is no training dataset and no feature group yet: send reviewed targets (Review page) or add "
                    "labelled targets with the Processing algorithm to make a feature group, or train on simulated "
                    "patches."))

    def _on_dataset_changed(self) -> None:
        dataset = self.selected_dataset()
        if dataset is None:
            self.fold_widget.hide()
            self.dataset_details.setText(self.tr("No training dataset listed.") if self.catalogue is not None else "")
        else:
            self.fold_widget.setVisible(bool(dataset.k_folds))
            if dataset.k_folds:
                self.fold_spin.setRange(0, dataset.k_folds - 1)
            group = dataset.feature_group
            parts = ", ".join(f"{part} {n}" for part, n in dataset.part_sizes().items())
            self.dataset_details.setText(self.tr("From feature group {group} v{version}; patches per part: {parts}.").format(
                group=group.get("group", "?"), version=group.get("version", "?"), parts=parts))
        self._update_run_state()

    def _on_group_changed(self) -> None:
        group = self.groups.get(self.group_combo.currentData())
        if group is not None and not self._name_edited:
            self.name_edit.setText(f"{group.group}_v{group.version}"[:MAX_NAME_CHARS])

    # -- jobs -----------------------------------------------------------------------------------------

    def _set_running(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        self.create_button.setEnabled(not running and bool(self.groups))
        self._update_run_state()

    def _start(self, task: JobTask, kind: JobKind, message: str) -> JobTask:
        self.task = task
        self.running_kind = kind
        self.job_id = None
        self.stage_messages = []
        self.progress.setValue(0)
        task.progressChanged.connect(self.show_progress)
        task.message_changed.connect(self._on_stage)
        task.job_submitted.connect(self._on_submitted)
        self._set_running(True)
        self.status_label.setText(message)
        return self.run_task(task)

    def _on_stage(self, message: str) -> None:
        self.stage_messages.append(message)
        self.status_label.setText(message)

    def _on_submitted(self, job_id: str) -> None:
        self.job_id = job_id

    def _finish(self, error: str | None) -> bool:
        """The job ended: say how if it did not succeed; True when it did."""
        what = self._what(self.running_kind)
        self.task = None
        self._set_running(False)
        self.progress.setValue(0 if error else 100)
        if error == CANCELLED:
            self._say((self.tr("{what} was cancelled; the backend stopped job {job}.").format(what=what, job=self.job_id)
                       if self.job_id else self.tr("{what} was cancelled.").format(what=what)), "warning")
            return False
        if error:
            self._say(self.tr("{what} failed: {error}").format(what=what, error=error), "error")
            return False
        return True

    def cancel_job(self) -> None:
        """Cancel the running job (the backend stops it too)."""
        if self.task is not None:
            self.status_label.setText(self.tr("Cancelling..."))
            self.task.cancel()

    def _job_task(self, kind: JobKind, params: Any, on_done, description: str) -> JobTask:
        client = settings.make_client()
        words = self.field_words()
        return JobTask(description, lambda on_progress, is_cancelled: run_job(
            client, kind, params, words, on_progress, is_cancelled), on_done, client)

    def run_experiment(self) -> JobTask | None:
        """Train, search or ablate as chosen, as a backend job in a task."""
        if self.task is not None:
            self._say(self.tr("IceSight is still working on a job; wait for it or cancel it."), "warning")
            return None
        try:
            kind, params = self.experiment_params()
        except ContractError as exc:
            self._say(self._contract_message(exc), "warning")
            return None
        source = (self.tr("{n} simulated patches").format(n=params.simulated.n_patches)
                  if getattr(params, "simulated", None) is not None else
                  f"{params.training_dataset.name} v{params.training_dataset.version}")
        description = {
            TRAIN: self.tr("Training a model on {source}..."),
            SEARCH: self.tr("Searching hyper-parameters on {source}..."),
            ABLATE: self.tr("Running an ablation study on {source}..."),
        }[kind].format(source=source)
        task = self._job_task(kind, params, self._on_experiment_done, f"IceSight: {description.rstrip('.')}")
        return self._start(task, kind, description)

    def _on_experiment_done(self, outcome: JobOutcome | None, error: str | None) -> None:
        if not self._finish(error):
            return
        self.outcome = outcome
        self.show_outcome(outcome)
        if outcome.model_id:
            self.model_registered.emit(outcome.model_id)

    def create_dataset(self) -> JobTask | None:
        """Make a training dataset of the chosen feature group version (a task)."""
        if self.task is not None:
            self._say(self.tr("IceSight is still working on a job; wait for it or cancel it."), "warning")
            return None
        group = self.groups.get(self.group_combo.currentData())
        if group is None:
            self._say(self.tr("Choose a feature group version first (Refresh lists them)."), "warning")
            return None
        try:
            params = CreateTrainingDatasetParams(
                name=self.name_edit.text().strip(), feature_group=FeatureGroupRef(group.group, group.version),
                validation_fraction=self.validation_spin.value(), test_fraction=self.test_spin.value(),
                k_folds=self.folds_spin.value() or None,
                description=f"made in QGIS from feature group {group.group} v{group.version}")
        except ContractError as exc:
            self._say(self._contract_message(exc), "warning")
            return None
        message = self.tr("Making training dataset {name} from {group} v{version}...").format(
            name=params.name, group=group.group, version=group.version)
        task = self._job_task(CREATE_DATASET, params, self._on_dataset_made, f"IceSight: {message.rstrip('.')}")
        return self._start(task, CREATE_DATASET, message)

    def _on_dataset_made(self, outcome: JobOutcome | None, error: str | None) -> None:
        if not self._finish(error):
            return
        result: CreateTrainingDatasetResult = outcome.result
        parts = ", ".join(f"{part} {counts.ships + counts.icebergs + counts.clutter}"
                          for part, counts in result.counts.items())
        self._say(self.tr("Training dataset {name} v{version} made from {group} v{group_version}; patches per "
                          "part: {parts}.").format(name=result.name, version=result.version,
                                                   group=result.feature_group.group,
                                                   group_version=result.feature_group.version, parts=parts), "success")
        self._pending_dataset = f"{result.name}:{result.version}"
        self.source_combo.setCurrentIndex(self.source_combo.findData(SOURCE_DATASET))
        self.refresh()

    # -- results ------------------------------------------------------------------------------------

    def show_outcome(self, outcome: JobOutcome) -> None:
        result = outcome.result
        if isinstance(result, TrainModelResult):
            self.show_training(result)
        elif isinstance(result, SearchHyperparametersResult):
            self.show_search(result)
        elif isinstance(result, RunAblationResult):
            self.show_ablation(result)
        self.use_button.setEnabled(bool(outcome.model_id))

    def _show_view(self, view: QWidget) -> None:
        for other in (self.train_view, self.search_view, self.ablation_view):
            other.setVisible(other is view)

    def show_training(self, result: TrainModelResult) -> None:
        self.curve_chart.set_history(result.history, result.best_epoch)
        metrics = result.metrics
        text = self.tr("Model {model}: {epochs} epoch(s), the weights of epoch {best} kept; validation log loss "
                       "{loss:.3f}, accuracy {accuracy:.1%}.").format(
            model=result.model_id, epochs=result.epochs_run, best=result.best_epoch, loss=metrics.val_log_loss,
            accuracy=metrics.val_accuracy)
        if result.test_metrics is not None:
            test = result.test_metrics
            text += " " + self.tr("Held-out test part ({n} patches): log loss {loss:.3f}, accuracy {accuracy:.1%}.").format(
                n=test.n, loss=test.log_loss, accuracy=test.accuracy)
        if metrics.val_roc_auc < WEAK_SEPARATION_ROC_AUC:
            text += " " + self.tr("Warning: validation ROC AUC {auc:.2f}, so this model separates ships from icebergs "
                                  "only weakly. Train on more patches or for more epochs before using it.").format(
                auc=metrics.val_roc_auc)
        self.summary_label.setText(text)
        self._show_view(self.train_view)

    def show_search(self, result: SearchHyperparametersResult) -> None:
        self.trial_chart.set_trials(result.trials, result.best_trial)
        self._fill_trials(result.trials, result.best_trial)
        text = self.tr("{complete} complete, {pruned} pruned and {failed} failed of {n} trial(s), {parallel} at a time. "
                       "Best: trial {best}, validation log loss {loss:.3f}, accuracy {accuracy:.1%}.").format(
            complete=result.n_complete, pruned=result.n_pruned, failed=result.n_failed, n=len(result.trials),
            parallel=result.parallel, best=result.best_trial, loss=result.best_val_log_loss,
            accuracy=result.best_val_accuracy)
        text += " " + (self.tr("Its model is registered as {model}.").format(model=result.model_id)
                       if result.model_id else self.tr("Its model was not registered."))
        self.summary_label.setText(text)
        self._show_view(self.search_view)

    def _fill_trials(self, trials: list[TrialResult], best_trial: int | None) -> None:
        states = {"complete": self.tr("complete"), "pruned": self.tr("pruned"), "failed": self.tr("failed"),
                  "cancelled": self.tr("cancelled")}
        table = self.trial_table
        table.setSortingEnabled(False)
        table.setRowCount(len(trials))
        for row, trial in enumerate(trials):
            cells = [
                (str(trial.number), trial.number),
                (_number(trial.val_log_loss, "{:.4f}"), trial.val_log_loss),
                (_number(trial.val_accuracy, "{:.1%}"), trial.val_accuracy),
                (states.get(trial.state, trial.state), trial.state),
                (str(trial.epochs_run), trial.epochs_run),
                (parameters_text(trial.params), None),
            ]
            tip = trial.message or parameters_text(trial.params)
            for column, (text, value) in enumerate(cells):
                item = _TrialItem(text)
                item.setData(Qt.UserRole, value)
                item.setToolTip(tip)
                if trial.number == best_trial:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(row, column, item)
        table.setSortingEnabled(True)
        table.sortItems(LOSS_COLUMN, Qt.AscendingOrder)

    def trial_row(self, number: int) -> int | None:
        for row in range(self.trial_table.rowCount()):
            if self.trial_table.item(row, TRIAL_COLUMN).data(Qt.UserRole) == number:
                return row
        return None

    def show_ablation(self, result: RunAblationResult) -> None:
        names = self.component_names()
        self.ablation_chart.set_rows(result.rows, names)
        table = self.ablation_table
        table.setRowCount(len(result.rows))
        for row, ablation in enumerate(result.rows):
            full = ablation.component == "none"
            spread = (f" \u00b1{ablation.delta_log_loss_std:.3f}" if ablation.repeats > 1 and not full else "")
            cells = [names.get(ablation.component, ablation.component), f"{ablation.val_log_loss:.3f}",
                     "" if full else f"{ablation.delta_log_loss:+.3f}{spread}", f"{ablation.val_accuracy:.1%}",
                     "" if full else f"{ablation.delta_accuracy:+.1%}"]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, ablation.component)
                item.setToolTip(self.tr("{n} parameters, {epochs} epoch(s), {repeats} seed(s)").format(
                    n=ablation.n_parameters, epochs=ablation.epochs_run, repeats=ablation.repeats))
                table.setItem(row, column, item)
        full = next((r for r in result.rows if r.component == "none"), None)
        helps = [r for r in result.rows if r.component != "none" and r.delta_log_loss > 0]
        text = self.tr("{n} component(s) left out one at a time, {parallel} trial(s) at a time.").format(
            n=len(result.rows) - (1 if full else 0), parallel=result.parallel)
        if full is not None:
            text += " " + self.tr("Full model: validation log loss {loss:.3f}, accuracy {accuracy:.1%}.").format(
                loss=full.val_log_loss, accuracy=full.val_accuracy)
        if helps:
            most = max(helps, key=lambda r: r.delta_log_loss)
            text += " " + self.tr("Without {component} the model does worst.").format(component=names.get(
                most.component, most.component))
        self.summary_label.setText(text)
        self._show_view(self.ablation_view)

    def use_model_for_classification(self) -> str | None:
        """Classification, explanation and scene maps use the model trained (or found best) from now on."""
        model_id = self.outcome.model_id if self.outcome is not None else None
        if not model_id:
            self._say(self.tr("This result has no model to use."), "warning")
            return None
        self.use_model.emit(model_id)
        self._say(self.tr("Classification, explanation and scene maps now use model {model}.").format(model=model_id),
                  "success")
        return model_id


def parameters_text(params: dict) -> str:
    """A trial's hyper-parameters in one short line."""
    parts = []
    if params.get("learning_rate") is not None:
        parts.append(f"lr {params['learning_rate']:.1e}")
    if params.get("batch_size") is not None:
        parts.append(f"batch {params['batch_size']}")
    if params.get("dropout") is not None:
        parts.append(f"dropout {params['dropout']:.2f}")
    if params.get("kernel_size") is not None:
        parts.append(f"kernel {params['kernel_size']}")
    if params.get("pool_size") not in (None, 2):
        parts.append(f"pool {params['pool_size']}")
    if params.get("filters"):
        parts.append("filters " + "-".join(str(f) for f in params["filters"]))
    return ", ".join(parts)


def _number(value: float | None, pattern: str) -> str:
    return pattern.format(value) if value is not None and math.isfinite(value) else "-"


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    table.setMaximumHeight(200)
    return table
