"""One search trial as the workers run it, against an Optuna study in this process: it trains with
the shared ``fit``, reports every epoch, and is stopped by the median rule when it is worse than
the trials before it."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from icesight_backend.learning.data import Normalisation, arrays_from_simulation, stratified_split
from icesight_backend.learning_jobs import TrialData, run_trial
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
