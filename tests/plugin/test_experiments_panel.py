"""The Experiments page inside a headless QGIS against the real backend: a training dataset made
from a feature group version; a training run drawn as its curves and its model chosen for
classification; a search's trials in their table and plot; an ablation study's table and bars;
cancel; the backend's refusals in an analyst's words; and charts that stay readable in the dock's
narrowest width."""

from __future__ import annotations

import html

import pytest
from qgis.core import Qgis, QgsSettings
from qgis.PyQt.QtCore import QRectF, Qt

from icesight_contract import (
    AblationRow,
    EpochMetrics,
    HyperParameters,
    JobKind,
    ModelArchitecture,
    ModelMetrics,
    RunAblationResult,
    SearchHyperparametersResult,
    TrainModelResult,
    TrialResult,
)

#: The dock's narrowest width, less its frame and the page's scroll area.
PANEL_WIDTH_PX = 300 - 20


def _ok(api, kind: str, params: dict) -> dict:
    status = api.wait(api.submit(kind, params)["id"])
    assert status["state"] == "succeeded", status
    return status["result"]


@pytest.fixture(scope="module")
def feature_group(api) -> dict:
    """A small simulated feature group version (ships, icebergs and clutter)."""
    return _ok(api, "build_feature_group", {"group": "experiments_sim", "simulated": {"n_patches": 120, "seed": 5}})


@pytest.fixture(scope="module")
def training_dataset(api, feature_group) -> dict:
    return _ok(api, "create_training_dataset", {
        "name": "experiments_data", "feature_group": {"group": feature_group["group"], "version": feature_group["version"]},
        "seed": 1})


def _listed(plugin, wait_in_qgis):
    """The Experiments panel with the feature store's lists read."""
    panel = plugin.dock.experiments
    assert panel.refresh() is not None
    wait_in_qgis(lambda: panel.list_task is None, timeout_s=60)
    assert panel.catalogue is not None, panel.status_label.text()
    return panel


def _choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def _run(panel, wait_in_qgis, timeout_s: float = 240):
    task = panel.run_experiment()
    assert task is not None, panel.status_label.text()
    assert not panel.run_button.isEnabled() and panel.cancel_button.isEnabled()
    wait_in_qgis(lambda: panel.task is None, timeout_s=timeout_s)
    assert panel.outcome is not None, panel.status_label.text()
    return panel.outcome.result


def _ranks(values) -> list[int]:
    return sorted(range(len(values)), key=lambda i: values[i])


# -- a training dataset ------------------------------------------------------------------------------


def test_a_training_dataset_made_from_a_feature_group_version_is_listed_and_chosen(
        plugin, api, feature_group, wait_in_qgis):
    panel = _listed(plugin, wait_in_qgis)
    _choose(panel.group_combo, f"{feature_group['group']}:{feature_group['version']}")
    panel.name_edit.setText("experiments_made")
    panel.test_spin.setValue(0.2)
    assert panel.create_dataset() is not None
    wait_in_qgis(lambda: panel.task is None and panel.list_task is None, timeout_s=120)

    meta = api.get("/training-datasets/experiments_made").json()["versions"][-1]
    dataset = panel.selected_dataset()
    assert dataset is not None, panel.status_label.text()
    assert (dataset.name, dataset.version) == ("experiments_made", meta["version"])
    assert dataset.feature_group == {"group": feature_group["group"], "version": feature_group["version"]}
    # The held-out test part was asked for; the parts hold every labelled patch of the version.
    assert set(dataset.part_sizes()) == {"train", "validation", "test"}
    assert sum(dataset.part_sizes().values()) == sum(sum(c.values()) for c in meta["counts"].values())
    assert "experiments_made" in panel.status_label.text()
    assert panel.run_button.isEnabled()


# -- train, search, ablate ----------------------------------------------------------------------------


def test_training_draws_one_point_per_epoch_and_its_model_can_be_used_for_classification(
        plugin, api, training_dataset, wait_in_qgis):
    titles = plugin.dock.page_titles()
    assert titles.index("Experiments") == titles.index("Models") + 1
    panel = _listed(plugin, wait_in_qgis)
    assert panel.select_dataset(training_dataset["name"], training_dataset["version"])
    _choose(panel.kind_combo, JobKind.TRAIN_MODEL)
    panel.epochs_spin.setValue(3)
    panel.batch_spin.setValue(16)
    result = _run(panel, wait_in_qgis)

    assert isinstance(result, TrainModelResult)
    assert (result.training_dataset.name, result.training_dataset.version) == (
        training_dataset["name"], training_dataset["version"])
    assert result.epochs_run == len(result.history) == 3
    # The backend's stages came through while it trained.
    assert any("epoch" in message for message in panel.stage_messages), panel.stage_messages

    chart = panel.curve_chart
    losses = [m.val_log_loss for m in result.history]
    for name in chart.SERIES:
        points = chart.series_points(name)
        assert len(points) == 3, name
        assert points[0].x() < points[1].x() < points[2].x()
    # Up the plot the values grow: the pixel rows go down as the losses and accuracies go up.
    assert _ranks(losses) == _ranks([-p.y() for p in chart.series_points("validation")])
    assert _ranks([m.val_accuracy for m in result.history]) == _ranks([-p.y() for p in chart.series_points("accuracy")])
    best = result.history.index(next(m for m in result.history if m.epoch == result.best_epoch))
    assert chart.best_epoch_x() == pytest.approx(chart.series_points("validation")[best].x())
    assert result.model_id in panel.summary_label.text()

    # The new model joins the registry's list of the Models page ...
    models = plugin.dock.models
    wait_in_qgis(lambda: models.task is None, timeout_s=60)
    assert result.model_id in [record["model_id"] for record in models.records]
    assert models.model_combo.findData(result.model_id) >= 0
    # ... and one click makes it the model classification uses.
    assert plugin.dock.analysis.model_id() != result.model_id
    assert panel.use_button.isEnabled()
    panel.use_button.click()
    assert plugin.dock.analysis.model_id() == result.model_id == models.model_id()


def test_a_search_fills_the_trial_table_sorted_by_loss_and_the_trial_plot(plugin, api, training_dataset, wait_in_qgis):
    from icesight_qgis.panels.experiments import LOSS_COLUMN, STATE_COLUMN

    panel = _listed(plugin, wait_in_qgis)
    assert panel.select_dataset(training_dataset["name"], training_dataset["version"])
    _choose(panel.kind_combo, JobKind.SEARCH_HYPERPARAMETERS)
    assert not panel.learning_rate_spin.isEnabled()  # the search draws it
    panel.trials_spin.setValue(2)
    # Three epochs a trial, one trial at a time: the second trial runs alone for seconds after the
    # first one's progress message, so the panel's 0.5 s poll sees it even on a loaded machine (with
    # one epoch a trial the whole search could end between two polls; two parallel trials end
    # together, just before the job does).
    panel.epochs_spin.setValue(3)
    panel.parallel_spin.setValue(1)
    # A search space of the analyst's: the trials draw from it alone.
    panel.lr_low_spin.setValue(0.0005)
    panel.lr_high_spin.setValue(0.0008)
    panel.dropout_low_spin.setValue(0.1)
    panel.dropout_high_spin.setValue(0.15)
    panel.batch_sizes_edit.setText("16")
    panel.kernel_sizes_edit.setText("3")
    panel.filters_edit.setText("8 16 24")
    result = _run(panel, wait_in_qgis)

    assert isinstance(result, SearchHyperparametersResult) and len(result.trials) == 2
    for trial in result.trials:
        params = trial.params
        assert 0.0005 <= params["learning_rate"] <= 0.0008 and 0.1 <= params["dropout"] <= 0.15, params
        assert (params["batch_size"], params["kernel_size"], params["filters"]) == (16, 3, [8, 16, 24]), params
    assert any("trial" in message for message in panel.stage_messages), panel.stage_messages
    table = panel.trial_table
    assert table.rowCount() == 2
    shown = [table.item(row, LOSS_COLUMN).data(Qt.UserRole) for row in range(2)]
    assert shown == sorted(t.val_log_loss for t in result.trials)
    assert panel.trial_row(result.best_trial) == 0 and table.item(0, STATE_COLUMN).font().bold()
    table.sortItems(LOSS_COLUMN, Qt.DescendingOrder)
    assert panel.trial_row(result.best_trial) == 1

    marks = {mark.number: mark for mark in panel.trial_chart.marks()}
    assert set(marks) == {t.number for t in result.trials}
    assert marks[result.best_trial].kind == "best"
    other = next(t for t in result.trials if t.number != result.best_trial)
    assert marks[other.number].kind == "complete"
    # The best trial's loss is the lower one: drawn lower on the plot.
    assert marks[result.best_trial].centre.y() > marks[other.number].centre.y()

    # The best trial's model is registered and can be used.
    assert result.model_id and api.get(f"/models/{result.model_id}").json()["search"]["trial"] == result.best_trial
    assert panel.use_button.isEnabled()
    assert panel.use_model_for_classification() == result.model_id
    assert plugin.dock.analysis.model_id() == result.model_id


def test_an_ablation_study_fills_its_table_and_one_bar_per_component(plugin, training_dataset, wait_in_qgis):
    panel = _listed(plugin, wait_in_qgis)
    assert panel.select_dataset(training_dataset["name"], training_dataset["version"])
    _choose(panel.kind_combo, JobKind.RUN_ABLATION)
    panel.set_components(["band_2", "inc_angle"])
    panel.epochs_spin.setValue(1)
    result = _run(panel, wait_in_qgis)

    assert isinstance(result, RunAblationResult)
    rows = {row.component: row for row in result.rows}
    assert list(rows) == ["none", "band_2", "inc_angle"]
    table = panel.ablation_table
    assert table.rowCount() == 3
    assert "full model" in table.item(0, 0).text() and table.item(0, 2).text() == ""
    for index, component in ((1, "band_2"), (2, "inc_angle")):
        assert table.item(index, 2).text() == f"{rows[component].delta_log_loss:+.3f}"
        assert table.item(index, 1).text() == f"{rows[component].val_log_loss:.3f}"

    chart = panel.ablation_chart
    bars = chart.bars()
    assert [bar.component for bar in bars] == ["band_2", "inc_angle"]
    zero = chart.zero_x()
    for bar in bars:
        assert bar.delta == rows[bar.component].delta_log_loss
        # Worse without it: right of zero; better without it: left of zero.
        if bar.delta > 0:
            assert bar.rect.left() == pytest.approx(zero) and bar.rect.width() > 0
        elif bar.delta < 0:
            assert bar.rect.right() == pytest.approx(zero) and bar.rect.width() > 0
    if all(bar.delta for bar in bars):  # the longer bar for the larger change
        assert _ranks([abs(b.delta) for b in bars]) == _ranks([b.rect.width() for b in bars])
    assert not panel.use_button.isEnabled()  # an ablation study registers no model


# -- cancel and errors ---------------------------------------------------------------------------------


def test_cancel_stops_the_running_job_on_the_backend(plugin, api, wait_in_qgis):
    panel = plugin.dock.experiments
    _choose(panel.source_combo, "simulated")
    _choose(panel.kind_combo, JobKind.TRAIN_MODEL)
    panel.patches_spin.setValue(400)
    panel.epochs_spin.setValue(300)
    assert panel.run_experiment() is not None
    wait_in_qgis(lambda: panel.job_id is not None, timeout_s=60)
    job_id = panel.job_id
    wait_in_qgis(lambda: panel.task is None or api.get(f"/jobs/{job_id}").json()["state"] == "running", timeout_s=120)
    assert panel.task is not None, panel.status_label.text()
    panel.cancel_button.click()
    wait_in_qgis(lambda: panel.task is None, timeout_s=120)
    assert api.wait(job_id, timeout_s=120)["state"] == "cancelled"
    text = panel.status_label.text()
    assert "cancelled" in text and job_id in text
    assert panel.outcome is None and not panel.use_button.isEnabled()
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_the_backends_refusals_are_said_in_an_analysts_words(plugin, qgis_iface, training_dataset, wait_in_qgis):
    from icesight_qgis.panels.experiments import DatasetVersion

    panel = _listed(plugin, wait_in_qgis)
    # A training dataset listed earlier that the backend no longer has.
    gone = DatasetVersion("experiments_gone", 1, feature_group={"group": "experiments_sim", "version": 1})
    panel.datasets[gone.key] = gone
    panel.dataset_combo.addItem("experiments_gone v1", gone.key)
    _choose(panel.dataset_combo, gone.key)
    _choose(panel.kind_combo, JobKind.SEARCH_HYPERPARAMETERS)
    panel.trials_spin.setValue(2)
    qgis_iface.messageBar().clear_messages()
    assert panel.run_experiment() is not None
    wait_in_qgis(lambda: panel.task is None, timeout_s=60)
    text = panel.status_label.text()
    assert text.startswith("The hyper-parameter search failed: training dataset 'experiments_gone'"), text
    assert training_dataset["name"] in text  # the backend names the datasets it has
    for jargon in ("params.", "422", "HTTP", "unknown_training_dataset", "Traceback"):
        assert jargon not in text, text
    assert any("experiments_gone" in message for message in qgis_iface.messageBar().get_messages(Qgis.Critical))
    assert panel.outcome is None

    # What the panel can tell before asking the backend, it tells without a job.
    _choose(panel.dataset_combo, f"{training_dataset['name']}:{training_dataset['version']}")
    _choose(panel.kind_combo, JobKind.RUN_ABLATION)
    panel.set_components([])
    assert panel.run_experiment() is None and panel.task is None
    assert panel.status_label.text() == "components to leave out: tick at least one"
    _choose(panel.source_combo, "simulated")
    assert not panel.run_button.isEnabled() and "training dataset" in panel.run_hint.text()

    # A backend that cannot be reached.
    QgsSettings().setValue("IceSight/backend_url", "http://127.0.0.1:9")
    assert panel.refresh() is not None
    wait_in_qgis(lambda: panel.list_task is None, timeout_s=60)
    assert "cannot reach the IceSight backend" in panel.status_label.text()


# -- the charts on their own -------------------------------------------------------------------------


def _trial(number: int, state: str, loss: float | None) -> TrialResult:
    return TrialResult(number, state, {"learning_rate": 1e-3, "batch_size": 32, "dropout": 0.2, "kernel_size": 5,
                                       "pool_size": 2, "filters": [16, 32, 48]},
                       loss, None if loss is None else 0.8, None, 3 if loss is not None else 1)


@pytest.fixture
def lone_panel(qgis_iface, installed_plugin):
    """The Experiments panel on its own, as wide as the narrowest dock gives it."""
    from qgis.PyQt.QtWidgets import QApplication

    from icesight_qgis.panels.experiments import ExperimentsPanel

    panel = ExperimentsPanel(qgis_iface)
    panel.stale = False  # nothing to list: these results are made up
    panel.resize(PANEL_WIDTH_PX, 1600)
    panel.show()
    QApplication.processEvents()
    yield panel
    panel.hide()
    panel.deleteLater()


def test_the_trial_plot_sets_pruned_and_failed_trials_apart_and_rings_the_best(lone_panel):
    from qgis.PyQt.QtWidgets import QApplication

    from icesight_qgis.panels.experiments import LOSS_COLUMN, TRIAL_COLUMN, JobOutcome

    trials = [_trial(0, "complete", 0.52), _trial(1, "complete", 0.41), _trial(2, "pruned", None),
              _trial(3, "failed", None), _trial(4, "complete", 0.61)]
    result = SearchHyperparametersResult("study", 3, 1, 1, 1, HyperParameters(), 0.41, 0.8, trials, None, 2)
    lone_panel.show_outcome(JobOutcome("job", JobKind.SEARCH_HYPERPARAMETERS, result))
    QApplication.processEvents()

    chart = lone_panel.trial_chart
    plot, lane = chart.layout()
    marks = {mark.number: mark for mark in chart.marks()}
    assert {n: m.kind for n, m in marks.items()} == {0: "complete", 1: "best", 2: "pruned", 3: "failed", 4: "complete"}
    for number in (2, 3):  # no final loss: in the lane under the plot
        assert lane.contains(marks[number].centre) and not plot.contains(marks[number].centre)
    for number in (0, 1, 4):
        assert plot.contains(marks[number].centre)
    # Up the plot, the loss grows: the best trial sits lowest.
    assert marks[1].centre.y() > marks[0].centre.y() > marks[4].centre.y()

    # The table lists the trials with a loss first, the best on top; the stopped ones after them.
    table = lone_panel.trial_table
    order = [table.item(row, TRIAL_COLUMN).data(Qt.UserRole) for row in range(table.rowCount())]
    assert order[:3] == [1, 0, 4] and set(order[3:]) == {2, 3}
    assert [table.item(row, LOSS_COLUMN).text() for row in range(3, 5)] == ["-", "-"]
    assert not lone_panel.use_button.isEnabled()  # this search registered no model


def test_the_charts_stay_readable_in_the_narrowest_dock(lone_panel):
    from qgis.PyQt.QtWidgets import QApplication

    from icesight_qgis.panels.experiments import JobOutcome

    assert lone_panel.minimumSizeHint().width() <= PANEL_WIDTH_PX
    # A long run: its epochs are labelled sparsely enough never to touch, the best one is marked.
    history = [EpochMetrics(e, 1.0 / e, 1.1 / e + 0.01 * (e % 3), 0.5 + 0.4 * (1 - 1 / e)) for e in range(1, 61)]
    metrics = ModelMetrics(0.2, 0.9, 0.95, 100, 25)
    trained = TrainModelResult("lenet-0123456789abcdef", ModelArchitecture.LENET, 60, 57, metrics, history)
    lone_panel.show_outcome(JobOutcome("job", JobKind.TRAIN_MODEL, trained))
    QApplication.processEvents()
    chart = lone_panel.curve_chart
    assert 0 < chart.width() <= PANEL_WIDTH_PX
    labels = chart.epoch_labels()
    assert 3 <= len(labels) <= 12
    assert all(a[1].right() <= b[1].left() for a, b in zip(labels, labels[1:], strict=False))
    assert all(0 <= rect.left() and rect.right() <= chart.width() for _epoch, rect in labels)
    assert labels[-1][0] == 60 and len(chart.series_points("validation")) == 60
    assert chart.best_epoch_x() == pytest.approx(chart.series_points("validation")[56].x())
    assert not chart.grab().isNull()

    # Component names whole on their own line, bars below; each change beside zero, clear of its bar.
    rows = [AblationRow("none", 0.40, 0.85, 0.9, 0.0, 0.0, 9000, 3, 1.0),
            AblationRow("third_channel", 0.47, 0.80, 0.9, 0.07, -0.05, 8600, 3, 1.0, repeats=2, delta_log_loss_std=0.02),
            AblationRow("conv_block_2", 0.38, 0.86, 0.9, -0.02, 0.01, 7000, 3, 1.0)]
    lone_panel.show_outcome(JobOutcome("job", JobKind.RUN_ABLATION, RunAblationResult(ModelArchitecture.LENET, rows)))
    QApplication.processEvents()
    ablation = lone_panel.ablation_chart
    assert 0 < ablation.width() <= PANEL_WIDTH_PX
    metrics_of_font = ablation.fontMetrics()
    for index, row in enumerate(rows[1:]):
        name, value = ablation.text_rects(index)
        bar = ablation.bars()[index].rect
        assert metrics_of_font.horizontalAdvance(ablation.name_of(row.component)) <= name.width()
        assert name.right() <= ablation.width() and bar.top() >= name.bottom()
        assert metrics_of_font.horizontalAdvance(f"{row.delta_log_loss:+.3f}") <= value.width()
        assert 0 <= value.left() and value.right() <= ablation.width()
        assert not value.intersects(bar) and value.intersects(QRectF(0, bar.top(), ablation.width(), bar.height()))
    assert ablation.minimumHeight() >= ablation.area().bottom()
    assert not ablation.grab().isNull()


# -- the options an analyst sets, checked before anything is sent -------------------------------------


@pytest.fixture
def sent_jobs(monkeypatch, installed_plugin):
    """The (kind, params) of every job the Experiments panel hands over to be submitted; the job is
    not sent: it fails at once."""
    from icesight_qgis.panels import experiments

    sent = []

    def run_job(client, kind, params, *args):
        sent.append((kind, params))
        raise ValueError("not sent in this test")

    monkeypatch.setattr(experiments, "run_job", run_job)
    return sent


def _lone_with_dataset(panel, k_folds=None):
    from icesight_qgis.panels.experiments import DatasetVersion

    dataset = DatasetVersion("lone_data", 2, k_folds, {"group": "lone_group", "version": 1},
                             {"train": {"ships": 5, "icebergs": 5}})
    panel.datasets[dataset.key] = dataset
    panel.dataset_combo.addItem("lone_data v2", dataset.key)
    _choose(panel.dataset_combo, dataset.key)
    return dataset


def test_the_options_open_with_the_contracts_defaults(lone_panel):
    from icesight_contract import (
        RunAblationParams,
        SearchHyperparametersParams,
        SearchSpace,
        TrainModelParams,
    )

    panel = lone_panel
    _lone_with_dataset(panel)
    _choose(panel.kind_combo, JobKind.SEARCH_HYPERPARAMETERS)
    kind, params = panel.experiment_params()
    defaults = SearchHyperparametersParams(params.training_dataset)
    assert params.space == SearchSpace()
    assert (params.n_trials, params.patience, params.pruning) == (defaults.n_trials, defaults.patience, defaults.pruning)
    # Each experiment starts from its own patience until the analyst sets one.
    _choose(panel.kind_combo, JobKind.TRAIN_MODEL)
    assert panel.experiment_params()[1].patience == TrainModelParams.__dataclass_fields__["patience"].default
    _choose(panel.kind_combo, JobKind.RUN_ABLATION)
    assert panel.experiment_params()[1].patience == RunAblationParams.__dataclass_fields__["patience"].default
    panel.patience_spin.setValue(9)
    _choose(panel.kind_combo, JobKind.TRAIN_MODEL)
    assert panel.experiment_params()[1].patience == 9
    # So do the epochs (per trial for a search), and a simulated set has the contract's size.
    assert params.epochs == defaults.epochs
    assert panel.experiment_params()[1].epochs == TrainModelParams.__dataclass_fields__["epochs"].default
    panel.epochs_spin.setValue(4)
    _choose(panel.kind_combo, JobKind.RUN_ABLATION)
    assert panel.experiment_params()[1].epochs == 4
    from icesight_contract import SimulatedPatchSet

    assert panel.patches_spin.value() == SimulatedPatchSet().n_patches


def test_the_chosen_search_space_and_patience_are_what_the_panel_sends(lone_panel, sent_jobs, wait_in_qgis):
    from icesight_contract import FloatRange, SearchSpace

    panel = lone_panel
    _lone_with_dataset(panel)
    _choose(panel.kind_combo, JobKind.SEARCH_HYPERPARAMETERS)
    panel.trials_spin.setValue(3)
    panel.patience_spin.setValue(2)
    panel.pruning_check.setChecked(False)
    panel.lr_low_spin.setValue(0.0005)
    panel.lr_high_spin.setValue(0.002)
    panel.dropout_low_spin.setValue(0.1)
    panel.dropout_high_spin.setValue(0.3)
    panel.batch_sizes_edit.setText("16, 48")
    panel.kernel_sizes_edit.setText("3")
    panel.pool_sizes_edit.setText("2")
    panel.filters_edit.setText("8 16 24; 16 32 48")
    assert panel.run_experiment() is not None
    wait_in_qgis(lambda: len(sent_jobs) == 1, timeout_s=30)
    kind, params = sent_jobs[0]
    assert kind == JobKind.SEARCH_HYPERPARAMETERS
    assert params.space == SearchSpace(learning_rate=FloatRange(0.0005, 0.002, log=True), dropout=FloatRange(0.1, 0.3),
                                       kernel_size=[3], pool_size=[2], filters=[[8, 16, 24], [16, 32, 48]],
                                       batch_size=[16, 48])
    assert (params.n_trials, params.patience, params.pruning) == (3, 2, False)
    wait_in_qgis(lambda: panel.task is None, timeout_s=30)


def test_a_k_fold_training_dataset_is_asked_for_with_its_folds(lone_panel, sent_jobs, wait_in_qgis):
    from icesight_qgis.panels.experiments import GroupVersion

    panel = lone_panel
    group = GroupVersion("lone_group", 3, 100, 90)
    panel.groups[group.key] = group
    panel.group_combo.addItem("lone_group v3", group.key)
    _choose(panel.group_combo, group.key)
    panel.create_button.setEnabled(True)
    panel.folds_spin.setValue(5)
    assert not panel.validation_spin.isEnabled()  # the folds take the validation part's place
    assert panel.create_dataset() is not None
    wait_in_qgis(lambda: len(sent_jobs) == 1, timeout_s=30)
    (kind, params), = sent_jobs
    assert kind == JobKind.CREATE_TRAINING_DATASET and params.k_folds == 5
    wait_in_qgis(lambda: panel.task is None, timeout_s=30)


@pytest.mark.parametrize(("setting", "message"), [
    (lambda p: (p.lr_low_spin.setValue(0.01), p.lr_high_spin.setValue(0.001)),
     "learning-rate range: low 0.01 is above high 0.001"),
    (lambda p: p.lr_low_spin.setValue(0.0), "learning-rate range: a log-scaled range needs low > 0, got 0"),
    (lambda p: p.dropout_high_spin.setValue(1.0), "dropout range: must lie in [0, 1), got [0, 1]"),
    (lambda p: p.batch_sizes_edit.setText("32, 1"), "batch sizes: must be between 2 and 4096, got 1"),
    (lambda p: p.batch_sizes_edit.setText("32, 32"), "batch sizes: choices repeat: [32, 32]"),
    (lambda p: p.batch_sizes_edit.setText("32, many"), "batch sizes: write whole numbers separated by commas"),
    (lambda p: p.kernel_sizes_edit.setText(""), "kernel sizes: give at least one choice"),
    (lambda p: p.kernel_sizes_edit.setText("4"), "kernel sizes: kernel size must be odd"),
    (lambda p: p.filters_edit.setText("16 32"), "filter widths: lenet has 3 convolution blocks"),
    (lambda p: p.patience_spin.setValue(0), "early-stopping patience: must be between 1 and 500 epochs, got 0"),
])
def test_a_bad_search_option_is_refused_in_the_panel_naming_it(lone_panel, sent_jobs, qgis_iface, setting, message):
    panel = lone_panel
    _lone_with_dataset(panel)
    _choose(panel.kind_combo, JobKind.SEARCH_HYPERPARAMETERS)
    setting(panel)
    qgis_iface.messageBar().clear_messages()
    assert panel.run_experiment() is None and panel.task is None
    assert sent_jobs == []
    text = panel.status_label.text()
    assert text.startswith(message), text
    assert "space." not in text and "params" not in text
    # The message bar shows it too (as plain text: escaped).
    assert any(html.escape(text) in shown for shown in qgis_iface.messageBar().get_messages(Qgis.Warning))


def test_bad_patience_and_folds_are_refused_in_the_panel(lone_panel, sent_jobs):
    from icesight_qgis.panels.experiments import GroupVersion

    panel = lone_panel
    _choose(panel.source_combo, "simulated")
    _choose(panel.kind_combo, JobKind.TRAIN_MODEL)
    panel.patience_spin.setValue(600)
    assert panel.run_experiment() is None
    assert panel.status_label.text() == "early-stopping patience: must be between 1 and 500 epochs, got 600"

    group = GroupVersion("lone_group", 1, 10, 10)
    panel.groups[group.key] = group
    panel.group_combo.addItem("lone_group v1", group.key)
    _choose(panel.group_combo, group.key)
    panel.folds_spin.setValue(1)
    assert panel.create_dataset() is None
    assert panel.status_label.text() == "number of folds: must be between 2 and 20, got 1"
    assert sent_jobs == []


def test_the_search_options_fit_the_narrowest_dock(lone_panel):
    from qgis.PyQt.QtWidgets import QApplication

    panel = lone_panel
    _choose(panel.kind_combo, JobKind.SEARCH_HYPERPARAMETERS)
    panel.create_box.setCollapsed(False)
    space_box = panel.lr_low_spin.parentWidget()
    space_box.setCollapsed(False)
    QApplication.processEvents()
    assert panel.minimumSizeHint().width() <= PANEL_WIDTH_PX
    for widget in (panel.lr_low_spin, panel.lr_high_spin, panel.filters_edit, panel.patience_spin, panel.folds_spin,
                   panel.pruning_check):
        assert widget.isVisible()
        right = widget.mapTo(panel, widget.rect().topRight()).x()
        assert widget.width() > 0 and right <= PANEL_WIDTH_PX, widget
    for spin in (panel.lr_low_spin, panel.lr_high_spin):  # side by side, each still shows its number
        assert spin.width() >= spin.fontMetrics().horizontalAdvance(spin.text()) + 20


def test_a_model_that_barely_separates_the_classes_is_flagged(lone_panel):
    from icesight_contract import WEAK_SEPARATION_ROC_AUC, EpochMetrics, ModelArchitecture, ModelMetrics

    def trained(auc: float) -> TrainModelResult:
        metrics = ModelMetrics(val_log_loss=0.6, val_accuracy=0.62, val_roc_auc=auc, n_train=100, n_validation=25)
        return TrainModelResult("lenet-x", ModelArchitecture.LENET, 2, 2, metrics,
                                [EpochMetrics(1, 0.7, 0.68, 0.55, auc), EpochMetrics(2, 0.65, 0.6, 0.62, auc)])

    lone_panel.show_training(trained(WEAK_SEPARATION_ROC_AUC - 0.1))
    flagged = lone_panel.summary_label.text()
    assert "Warning: validation ROC AUC 0.70" in flagged and "more patches or for more epochs" in flagged
    lone_panel.show_training(trained(0.9))
    assert "Warning" not in lone_panel.summary_label.text() and "lenet-x" in lone_panel.summary_label.text()
