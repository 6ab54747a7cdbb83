"""One search trial as the workers run it, against an Optuna study in this process: it trains with
the shared ``fit``, reports every epoch, and is stopped by the median rule when it is worse than
the trials before it."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from icesight_backend.jobs.experiments import TrialData, run_trial
from icesight_backend.learning.data import Normalisation, arrays_from_simulation, stratified_split
from icesight_backend.sar.simulation import simulate_patches
from icesight_contract import SearchHyperparametersParams, TrainingDatasetRef, to_dict


@pytest.fixture(scope="module")
def data() -> TrialData:
    arrays = arrays_from_simulation(simulate_patches(160, seed=3))
    train, validation = stratified_split(arrays.labels, 0.25, 0)
    return TrialData(arrays.subset(train), arrays.subset(validation), Normalisation.fit(arrays.subset(train)))


def _params(**overrides) -> dict:
    params = SearchHyperparametersParams(training_dataset=TrainingDatasetRef("td"), n_trials=3, epochs=6, patience=6, **overrides)
    return to_dict(params)


def _study(name: str):
    storage = optuna.storages.InMemoryStorage()
    return storage, optuna.create_study(study_name=name, storage=storage, direction="minimize")


def test_a_trial_worse_than_the_median_is_pruned_early(data):
    storage, study = _study("pruning")
    for _ in range(2):  # two earlier trials that were excellent at every epoch
        study.add_trial(optuna.trial.create_trial(value=0.01, intermediate_values={e: 0.01 for e in range(1, 7)}))
    outcome = run_trial(storage, "pruning", data, _params(), 2, "job-x")
    assert outcome["state"] == "pruned" and outcome["epochs_run"] < 6
    assert "worse than the median" in outcome["message"]
    frozen = study.trials[-1]
    assert frozen.state is optuna.trial.TrialState.PRUNED
    assert set(frozen.intermediate_values) == set(range(1, outcome["epochs_run"] + 1))
    assert set(frozen.params) == {"learning_rate", "batch_size", "dropout", "kernel_size", "pool_size", "filters"}


def test_without_pruning_the_same_trial_runs_to_the_end_and_tells_its_loss(data):
    storage, study = _study("no_pruning")
    for _ in range(2):
        study.add_trial(optuna.trial.create_trial(value=0.01, intermediate_values={e: 0.01 for e in range(1, 7)}))
    outcome = run_trial(storage, "no_pruning", data, _params(pruning=False), 2, "job-y")
    assert outcome["state"] == "complete" and outcome["epochs_run"] == 6
    frozen = study.trials[-1]
    assert frozen.state is optuna.trial.TrialState.COMPLETE
    assert frozen.value == pytest.approx(outcome["metrics"].val_log_loss)
    assert np.isfinite(outcome["trained"].metrics.val_roc_auc)


def test_ablation_rows_average_the_seeds_and_pair_each_with_the_full_model_of_the_same_seed():
    from types import SimpleNamespace

    from icesight_backend.jobs.experiments import ablation_rows

    def outcome(component, repeat, loss, accuracy):
        metrics = SimpleNamespace(val_log_loss=loss, val_accuracy=accuracy, val_roc_auc=0.9)
        return {"component": component, "repeat": repeat, "metrics": metrics, "n_parameters": 10, "epochs_run": 4,
                "seconds": 1.0, "worker": "w"}

    rows = ablation_rows([
        outcome("none", 0, 0.30, 0.90), outcome("none", 1, 0.40, 0.80),
        outcome("band_2", 0, 0.35, 0.88), outcome("band_2", 1, 0.47, 0.78),
    ], ["none", "band_2"])
    full, band_2 = rows
    assert full.val_log_loss == pytest.approx(0.35) and full.delta_log_loss == 0.0
    assert full.val_log_loss_std == pytest.approx(np.std([0.30, 0.40], ddof=1), abs=1e-5)
    # Paired: +0.05 and +0.07, so the change is 0.06 with a small spread, though the seeds differ by 0.1.
    assert band_2.delta_log_loss == pytest.approx(0.06) and band_2.delta_log_loss_std == pytest.approx(np.std([0.05, 0.07], ddof=1), abs=1e-5)
    assert band_2.delta_accuracy == pytest.approx(-0.02) and band_2.repeats == 2 and band_2.seconds == 2.0
