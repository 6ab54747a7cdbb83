"""The training pipeline through the real server and its Dask cluster: features -> dataset ->
search -> evaluate -> register, the gate that keeps a model out of the registry and says why, the
reuse of unchanged stages, the command for a scheduler, and refused submissions."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: A small, quick pipeline: 160 simulated patches, two short trials of one configuration family.
BASE = {
    "dataset_name": "pipe_td",
    "features": {"group": "pipe_sim", "simulated": {"n_patches": 160, "seed": 5}, "partition_size": 64},
    "n_trials": 2, "epochs": 2, "patience": 2, "seed": 1,
    "space": {"kernel_size": [5], "batch_size": [32], "filters": [[8, 16, 24]]},
}
#: Log loss is never this low (probabilities are clipped and calibrated): this gate always fails.
IMPOSSIBLE = {"min_test_accuracy": None, "max_test_log_loss": 1e-9}
#: Log loss of clipped probabilities stays far below this: this gate always holds.
CERTAIN = {"min_test_accuracy": None, "max_test_log_loss": 50.0}


def _done(api, params: dict) -> dict:
    status = api.wait(api.submit("train_pipeline", params)["id"], timeout_s=900)
    assert status["state"] == "succeeded", status
    return status


def _states(status: dict) -> dict[str, str]:
    return {s["name"]: s["state"] for s in status["result"]["stages"]}


def _models(api) -> dict[str, dict]:
    return {m["model_id"]: m for m in api.get("/models").json()["models"]}


@pytest.fixture(scope="module")
def gated_out(api) -> dict:
    """The first run: every stage runs, and the model misses its gate."""
    before = set(_models(api))
    status = _done(api, BASE | IMPOSSIBLE)
    return {"status": status, "models_before": before}


def test_a_model_that_misses_its_gate_is_not_registered_and_the_result_says_why(api, gated_out):
    status = gated_out["status"]
    result = status["result"]
    assert [s["name"] for s in result["stages"]] == ["features", "dataset", "search", "evaluate", "register"]
    assert _states(status) == {"features": "ran", "dataset": "ran", "search": "ran", "evaluate": "ran", "register": "skipped"}
    assert result["registered"] is False and result["gate_passed"] is False and result["production"] is False
    [check] = result["gate"]
    loss = result["test_metrics"]["log_loss"]
    assert check["metric"] == "log_loss" and check["bound"] == "max" and check["passed"] is False
    assert check["value"] == pytest.approx(loss, abs=1e-5) and check["margin"] == pytest.approx(1e-9 - loss, abs=1e-5)
    assert check["margin"] < 0
    assert "test log loss" in result["gate_message"] and "above the maximum 1e-09" in result["gate_message"]
    assert f"{-check['margin']:.4f}" in result["gate_message"]
    register = next(s for s in result["stages"] if s["name"] == "register")
    assert register["summary"] == result["gate_message"]
    assert result["model_id"] not in _models(api) and set(_models(api)) == gated_out["models_before"]

    # The feature group and the training dataset were published, the dataset naming the version it splits.
    assert result["feature_group"] == {"group": "pipe_sim", "version": 1}
    assert result["training_dataset"] == {"name": "pipe_td", "version": 1, "fold": None}
    dataset = api.get("/training-datasets/pipe_td/versions/1").json()
    assert dataset["feature_group"] == {"group": "pipe_sim", "version": 1}
    test_counts = dataset["counts"]["test"]
    assert result["test_metrics"]["n"] == sum(test_counts.values()) > 0
    assert 0.0 <= result["test_metrics"]["accuracy"] <= 1.0
    names = {a["name"] for a in status["artifacts"]}
    assert {"trials.csv", "trials.json", "pipeline.json"} <= names and "model.pt" not in names
    trials = json.loads(api.get(f"/jobs/{status['id']}/artifacts/trials.json").content)
    assert len(trials) == 2


def test_a_passing_gate_registers_the_model_and_unchanged_stages_are_reused(api, gated_out):
    first = gated_out["status"]["result"]
    passed = _done(api, BASE | CERTAIN | {"set_production": True})
    result = passed["result"]
    assert _states(passed) == {"features": "reused", "dataset": "reused", "search": "reused", "evaluate": "reused",
                               "register": "ran"}
    assert result["model_id"] == first["model_id"] and result["test_metrics"] == first["test_metrics"]
    assert result["registered"] and result["gate_passed"] and result["production"]
    assert result["gate"][0]["passed"] and result["gate"][0]["margin"] > 0
    model = _models(api)[result["model_id"]]
    assert model["production"] is True
    assert model["training_dataset"] == {"name": "pipe_td", "version": 1, "fold": None}
    assert model["feature_group"] == {"group": "pipe_sim", "version": 1}
    assert model["test_metrics"] == result["test_metrics"] and model["gate"] == result["gate"]
    assert model["training_job_id"] == gated_out["status"]["id"] and model["registered_by_job_id"] == passed["id"]
    assert model["hyperparameters"] == result["best_params"]
    # Nothing was published twice.
    assert [v["version"] for v in api.get("/feature-groups/pipe_sim").json()["versions"]] == [1]
    assert [v["version"] for v in api.get("/training-datasets/pipe_td").json()["versions"]] == [1]

    again = _done(api, BASE | CERTAIN)
    assert set(_states(again).values()) == {"reused"} and again["result"]["registered"]
    assert len(_models(api)) == len(gated_out["models_before"]) + 1

    # The same rows named as an existing version: the features stage is skipped, the rest is
    # recognised by content and reused.
    named = _done(api, {k: v for k, v in BASE.items() if k != "features"} | CERTAIN
                  | {"feature_group": {"group": "pipe_sim", "version": 1}})
    assert _states(named) == {"features": "skipped", "dataset": "reused", "search": "reused", "evaluate": "reused",
                              "register": "reused"}

    # Another split: the dataset stage and everything after it run again; the features are reused.
    resplit = _done(api, BASE | CERTAIN | {"split_seed": 2, "n_trials": 1})
    assert _states(resplit) == {"features": "reused", "dataset": "ran", "search": "ran", "evaluate": "ran", "register": "ran"}
    assert resplit["result"]["training_dataset"] == {"name": "pipe_td", "version": 2, "fold": None}
    assert resplit["result"]["model_id"] in _models(api)


def test_the_train_pipeline_command_exits_by_the_gate(api, gated_out, tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({k: BASE[k] for k in ("patience", "seed", "space")} | {"min_test_accuracy": None}))
    backend = [sys.executable, "-m", "icesight_backend.cli", "train-pipeline", "--url", api.backend.url,
               "--token-file", str(api.backend.config_dir / "token"), "--dataset-name", "pipe_td", "--out", str(tmp_path / "out")]
    command = [*backend, "--feature-group", "pipe_sim:1", "--n-trials", "2", "--epochs", "2", "--params-json", str(settings)]
    missed = subprocess.run([*command, "--max-test-log-loss", "1e-9"], capture_output=True, text=True, timeout=600)
    assert missed.returncode == 3, missed.stderr
    assert "no model registered" in missed.stdout and "above the maximum" in missed.stdout
    assert "search reused" in missed.stdout and (tmp_path / "out" / "pipeline.json").is_file()
    held = subprocess.run([*command, "--max-test-log-loss", "50"], capture_output=True, text=True, timeout=600)
    assert held.returncode == 0, held.stderr
    assert f"model {gated_out['status']['result']['model_id']} registered" in held.stdout
    refused = subprocess.run([*backend, "--feature-group", "no_such_group"], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "params.feature_group" in refused.stderr


@pytest.mark.parametrize(("params", "field"), [
    ({"dataset_name": "t", "feature_group": {"group": "no_such_group"}}, "params.feature_group"),
    ({"dataset_name": "t", "features": {"group": "g", "patches_job_id": "0123456789abcdef"}}, "params.features.patches_job_id"),
    ({"dataset_name": "t", "features": {"group": "g", "upload_id": "0" * 32}}, "params.features.upload_id"),
    ({"dataset_name": "t", "feature_group": {"group": "g"}, "test_fraction": 0.0}, "params.test_fraction"),
    ({"dataset_name": "t", "feature_group": {"group": "g"}, "min_test_accuracy": None}, "params.min_test_accuracy"),
    ({"dataset_name": "t", "feature_group": {"group": "g"}, "n_trials": 0}, "params.n_trials"),
    ({"dataset_name": "Bad Name", "feature_group": {"group": "g"}}, "params.dataset_name"),
])
def test_bad_pipelines_are_refused_naming_the_field(api, params, field):
    response = api.post("/jobs", json={"kind": "train_pipeline", "params": params})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
