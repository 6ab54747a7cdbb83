"""The learning pipeline through the real server and its Dask cluster: feature groups built as
partitioned Dask work, validation modes, GeoParquet, versioned training datasets and k folds,
training from a dataset version, Optuna search with pruning, ablation, and the bad inputs."""

from __future__ import annotations

import io
import json

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from icesight_backend.learning.data import Normalisation, arrays_from_table


def _ok(api, kind: str, params: dict, timeout_s: float = 600) -> dict:
    status = api.wait(api.submit(kind, params)["id"], timeout_s=timeout_s)
    assert status["state"] == "succeeded", status
    return status


def _error(response, status_code: int) -> dict:
    assert response.status_code == status_code, response.text
    return response.json()["error"]


def _parquet(api, path: str):
    response = api.get(path)
    assert response.status_code == 200, response.text
    return pq.read_table(io.BytesIO(response.content))


@pytest.fixture(scope="module")
def sim_group(api) -> dict:
    """A simulated feature group of 240 patches built in 4 partitions, and a 3-fold dataset of it."""
    # Nominal patches: the 2-epoch models trained on this group below must learn something, which a
    # half-randomised set (the default) does not give at this size.
    group = _ok(api, "build_feature_group", {"group": "sim_ew", "simulated": {"n_patches": 240, "seed": 8, "randomise": False},
                                             "partition_size": 64})
    dataset = _ok(api, "create_training_dataset", {
        "name": "sim_ew_folds", "feature_group": {"group": "sim_ew"}, "k_folds": 3, "test_fraction": 0.2, "seed": 4})
    return {"group": group["result"], "dataset": dataset["result"]}


def test_simulated_feature_group_is_built_in_partitions_and_versioned(api, sim_group):
    result = sim_group["group"]
    assert result["n_partitions"] == 4 and result["n_rows"] == 240
    assert result["n_ships"] + result["n_icebergs"] + result["n_clutter"] == 240
    assert min(result["n_ships"], result["n_icebergs"]) > 70 and 25 < result["n_clutter"] < 75  # 20 % clutter by default
    table = _parquet(api, "/feature-groups/sim_ew/versions/1/data.parquet")
    assert table.num_rows == 240 and len(set(table.column("id").to_pylist())) == 240
    arrays = arrays_from_table(table)
    np.testing.assert_allclose(arrays.images[:, 2], (arrays.images[:, 0] + arrays.images[:, 1]) / 2, atol=1e-4)
    # Cross-pol is darker than co-pol over the sea: the bands are where they belong.
    assert np.median(arrays.images[:, 0]) > np.median(arrays.images[:, 1]) + 3

    second = _ok(api, "build_feature_group", {"group": "sim_ew", "simulated": {"n_patches": 40, "seed": 9},
                                             "third_channel": "band_mag"})["result"]
    assert second["version"] == 2
    versions = api.get("/feature-groups/sim_ew").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2] and versions[0]["n_rows"] == 240
    assert _parquet(api, "/feature-groups/sim_ew/versions/1/data.parquet").num_rows == 240  # old version intact
    assert "band_mag" in _parquet(api, "/feature-groups/sim_ew/versions/2/data.parquet").column_names
    listed = {g["group"]: g for g in api.get("/feature-groups").json()["feature_groups"]}
    assert listed["sim_ew"]["n_versions"] == 2


def test_k_fold_dataset_is_stratified_with_normalisation_from_each_training_part(api, sim_group):
    result = sim_group["dataset"]
    counts = result["counts"]
    assert set(counts) == {"fold_0", "fold_1", "fold_2", "test"} and result["k_folds"] == 3
    assert sum(c["ships"] + c["icebergs"] + c["clutter"] for c in counts.values()) == 240
    shares = [c["icebergs"] / (c["ships"] + c["icebergs"]) for c in counts.values()]
    assert max(shares) - min(shares) < 0.06  # every part keeps the class balance
    meta = api.get("/training-datasets/sim_ew_folds/versions/1").json()
    assert meta["feature_group"] == {"group": "sim_ew", "version": 1}
    split = _parquet(api, "/training-datasets/sim_ew_folds/versions/1/split.parquet")
    table = _parquet(api, "/feature-groups/sim_ew/versions/1/data.parquet")
    part = np.asarray(split.column("part").to_pylist())
    fold = split.column("fold").to_numpy()
    ids = np.asarray(split.column("id").to_pylist())
    means = []
    for k in range(3):
        train_ids = list(ids[(part == "fold") & (fold != k)])
        expected = Normalisation.fit(arrays_from_table(table, train_ids))
        stored = Normalisation(**meta["normalisation"][f"fold_{k}"])
        np.testing.assert_allclose(stored.channel_mean_db, expected.channel_mean_db, rtol=1e-5)
        np.testing.assert_allclose(stored.channel_std_db, expected.channel_std_db, rtol=1e-4)
        assert stored.inc_mean_deg == pytest.approx(expected.inc_mean_deg)
        means.append(stored.channel_mean_db[0])
    assert len(set(means)) == 3  # each fold's statistics are its own: no validation or test rows leak in
    assert not set(ids[part == "test"]) & set(ids[part == "fold"])


def test_training_from_a_dataset_version_records_its_lineage(api, sim_group):
    status = _ok(api, "train_model", {"training_dataset": {"name": "sim_ew_folds", "fold": 1}, "epochs": 2,
                                      "dropout": 0.3, "kernel_size": 3})
    result = status["result"]
    assert result["training_dataset"] == {"name": "sim_ew_folds", "version": 1, "fold": 1}
    counts = sim_group["dataset"]["counts"]["fold_1"]
    assert result["metrics"]["n_validation"] == counts["ships"] + counts["icebergs"] + counts["clutter"]
    model = api.get(f"/models/{result['model_id']}").json()
    assert model["training_dataset"]["fold"] == 1 and model["feature_group"] == {"group": "sim_ew", "version": 1}
    assert model["hyperparameters"]["dropout"] == 0.3 and model["hyperparameters"]["kernel_size"] == 3
    meta = api.get("/training-datasets/sim_ew_folds/versions/1").json()
    assert model["normalisation"] == meta["normalisation"]["fold_1"]
    assert model["input_spec"]["channels"] == ["band_1", "band_2", "band_avg"]
    # The dataset's held-out test part scores the model as classification serves it.
    test = sim_group["dataset"]["counts"]["test"]
    held_out = result["test_metrics"]
    assert held_out["n"] == test["ships"] + test["icebergs"] + test["clutter"] == sum(map(sum, held_out["class_confusion"]))
    assert sum(map(sum, held_out["confusion"])) == test["ships"] + test["icebergs"]  # ship/iceberg figures: targets only
    assert held_out["clutter_auc"] > 0.5
    assert model["test_metrics"] == result["test_metrics"] and 0.0 < result["test_metrics"]["log_loss"] < 2.0

    other = _ok(api, "train_model", {"training_dataset": {"name": "sim_ew_folds", "fold": 1}, "epochs": 1})["result"]
    comparison = api.get("/models/compare", params={"ids": f"{result['model_id']},{other['model_id']}"}).json()
    assert comparison["same_training_dataset"] is True
    assert [m["hyperparameters"]["dropout"] for m in comparison["models"]] == [0.3, 0.2]
    elsewhere = _ok(api, "train_model", {"training_dataset": {"name": "sim_ew_folds", "fold": 2}, "epochs": 1})["result"]
    comparison = api.get("/models/compare", params={"ids": f"{result['model_id']},{elsewhere['model_id']}"}).json()
    assert comparison["same_training_dataset"] is False


def test_kaggle_upload_strict_rejects_everything_warning_keeps_sound_rows(api, patch_record):
    rng = np.random.default_rng(5)
    records = [patch_record(f"k{i}", rng, is_iceberg=i % 2) for i in range(12)]
    records[0]["inc_angle"] = "na"
    records[3]["band_1"][10] = float("nan")  # Python's json writes NaN, as some exporters do
    records[4]["band_2"] = records[4]["band_2"][:5000]
    records[5]["is_iceberg"] = 2
    records[6]["band_1"] = ["-20.0"] * 5625  # numbers as strings
    upload = api.post("/uploads?filename=train.json", data=json.dumps(records).encode()).json()["upload_id"]

    failed = api.wait(api.submit("build_feature_group", {"group": "kaggle", "upload_id": upload})["id"])
    assert failed["state"] == "failed"
    message = failed["error"]["message"]
    for words in ("FINITE on band_1: 1 record(s), e.g. k3", "PATCH_SHAPE on band_2", "LABEL_IN_SET", "HAS_DATATYPE on band_1",
                  "nothing was written", "WARNING"):
        assert words in message
    assert _error(api.get("/feature-groups/kaggle"), 404)["code"] == "unknown_feature_group"
    staging = api.backend.data_dir / "features" / ".staging"
    assert not (staging / failed["id"]).exists()  # nothing half-written is left behind

    result = _ok(api, "build_feature_group", {"group": "kaggle", "upload_id": upload, "validation": "WARNING"})["result"]
    assert result["n_rows"] == 8 and result["n_inc_angle_missing"] == 1
    report = api.get("/feature-groups/kaggle/versions/1").json()["validation"]
    assert report["n_records"] == 12 and report["n_written"] == 8
    assert {(r["rule"], r["column"]): r["examples"] for r in report["rules"]} == {
        ("FINITE", "band_1"): ["k3"], ("PATCH_SHAPE", "band_2"): ["k4"], ("LABEL_IN_SET", "is_iceberg"): ["k5"],
        ("HAS_DATATYPE", "band_1"): ["k6"],
    }
    table = _parquet(api, "/feature-groups/kaggle/versions/1/data.parquet")
    row = table.column("id").to_pylist().index("k0")
    assert table.column("inc_angle_missing")[row].as_py() is True
    assert table.column("inc_angle")[row].as_py() == pytest.approx(38.5)  # imputed with the group's median


def test_positioned_patches_make_geoparquet_in_crs84(api, patch_record):
    import geopandas as gpd
    from pyproj import Transformer

    rng = np.random.default_rng(1)
    points = [(-2_000_000.0 + 500 * i, -500_000.0 - 300 * i) for i in range(24)]
    patches = [patch_record(f"g{i}", rng, is_iceberg=i % 2, x=x, y=y, crs="EPSG:3413", scene_id="S1A_TEST")
               for i, (x, y) in enumerate(points)]
    result = _ok(api, "build_feature_group", {"group": "positioned", "patches": patches, "partition_size": 16})["result"]
    assert result["geo"] is True and result["n_partitions"] == 2
    response = api.get("/feature-groups/positioned/versions/1/data.parquet")
    frame = gpd.read_parquet(io.BytesIO(response.content))
    assert frame.crs.to_epsg() == 4326 or frame.crs.to_string() == "OGC:CRS84"
    lon, lat = Transformer.from_crs("EPSG:3413", "OGC:CRS84", always_xy=True).transform(*zip(*points, strict=True))
    np.testing.assert_allclose(frame.geometry.x, lon, atol=1e-9)
    np.testing.assert_allclose(frame.geometry.y, lat, atol=1e-9)
    assert list(frame["scene_id"]) == ["S1A_TEST"] * 24 and list(frame["x"]) == [p[0] for p in points]


def test_search_runs_optuna_trials_on_the_workers_and_registers_the_best(api, sim_group):
    before = {m["model_id"] for m in api.get("/models").json()["models"]}
    status = _ok(api, "search_hyperparameters", {
        "training_dataset": {"name": "sim_ew_folds"}, "n_trials": 5, "epochs": 3, "seed": 2,
        "space": {"kernel_size": [3, 5], "batch_size": [32, 64], "filters": [[8, 16, 24], [16, 32, 48]]},
    }, timeout_s=900)
    result = status["result"]
    trials = result["trials"]
    assert [t["number"] for t in trials] == [0, 1, 2, 3, 4]
    assert {t["state"] for t in trials} <= {"complete", "pruned"} and result["n_complete"] >= 2
    assert len({json.dumps(t["params"], sort_keys=True) for t in trials}) == 5  # the sampler draws, trials differ
    for trial in trials:
        assert trial["params"]["kernel_size"] in (3, 5) and trial["params"]["filters"] in ([8, 16, 24], [16, 32, 48])
        assert 3e-4 <= trial["params"]["learning_rate"] <= 3e-3
    complete = [t for t in trials if t["state"] == "complete"]
    best = min(complete, key=lambda t: t["val_log_loss"])
    assert result["best_trial"] == best["number"] and result["best_params"] == best["params"]
    workers = {w["address"] for w in api.get("/health").json()["dask"]["workers"]}
    assert {t["worker"] for t in trials} <= workers
    assert result["parallel"] == 2  # the session cluster has two threads: two trials at a time

    after = api.get("/models").json()["models"]
    new = [m for m in after if m["model_id"] not in before]
    assert [m["model_id"] for m in new] == [result["model_id"]]  # only the best model, no orphans
    assert new[0]["hyperparameters"] == best["params"] and new[0]["search"]["trial"] == best["number"]
    assert new[0]["metrics"]["val_log_loss"] == pytest.approx(best["val_log_loss"], abs=1e-4)
    csv = api.get(f"/jobs/{status['id']}/artifacts/trials.csv").text.strip().splitlines()
    assert len(csv) == 6 and csv[0].startswith("trial,state,learning_rate")
    searches = api.get("/jobs", params={"kind": "search_hyperparameters"}).json()["jobs"]
    assert status["id"] in [j["id"] for j in searches] and {j["kind"] for j in searches} == {"search_hyperparameters"}
    assert _error(api.get("/jobs", params={"kind": "experiments"}), 422)["field"] == "kind"


def test_ablation_leaves_one_component_out_per_dask_task(api, sim_group):
    before = len(api.get("/models").json()["models"])
    result = _ok(api, "run_ablation", {
        "training_dataset": {"name": "sim_ew_folds"}, "epochs": 2, "components": ["band_2", "inc_angle", "conv_block_2", "dense"],
        "repeats": 2,
    })["result"]
    rows = {r["component"]: r for r in result["rows"]}
    assert list(rows) == ["none", "band_2", "inc_angle", "conv_block_2", "dense"]
    full = rows["none"]
    assert {r["repeats"] for r in result["rows"]} == {2}
    # Two seeds of the full model differ (that spread is the noise floor); paired with itself, no change.
    assert full["val_log_loss_std"] > 0 and full["delta_log_loss"] == 0 and full["delta_log_loss_std"] == 0
    for row in result["rows"]:
        assert row["delta_log_loss"] == pytest.approx(row["val_log_loss"] - full["val_log_loss"], abs=2e-5)
    # Leaving a part out changes the network: fewer first-layer weights, one input fewer, a smaller head.
    assert full["n_parameters"] - rows["band_2"]["n_parameters"] == 16 * 5 * 5
    assert full["n_parameters"] - rows["inc_angle"]["n_parameters"] == 120
    assert rows["dense"]["n_parameters"] < full["n_parameters"] / 5
    assert len(api.get("/models").json()["models"]) == before  # ablation registers no model


def test_bad_learning_requests_are_refused_before_anything_is_stored(api, sim_group, patch_record):
    jobs_before = len(api.get("/jobs?limit=1000").json()["jobs"])
    error = _error(api.post("/jobs", json={"kind": "create_training_dataset", "params": {
        "name": "td", "feature_group": {"group": "sim_ew", "version": 9}}}), 422)
    assert error["code"] == "unknown_feature_group" and "versions: 1, 2" in error["message"]
    error = _error(api.post("/jobs", json={"kind": "train_model", "params": {"training_dataset": {"name": "nope"}}}), 422)
    assert error["code"] == "unknown_training_dataset" and error["field"] == "params.training_dataset"
    error = _error(api.post("/jobs", json={"kind": "search_hyperparameters", "params": {
        "training_dataset": {"name": "sim_ew_folds", "fold": 3}}}), 422)
    assert error["code"] == "unknown_training_dataset" and "3 folds (0-2)" in error["message"]
    error = _error(api.post("/jobs", json={"kind": "search_hyperparameters", "params": {
        "training_dataset": {"name": "sim_ew_folds"}, "space": {"learning_rate": {"low": 0.1, "high": 0.01}}}}), 422)
    assert error["field"] == "params.space.learning_rate.low"
    error = _error(api.post("/jobs", json={"kind": "build_feature_group", "params": {"group": "g", "patches": []}}), 422)
    assert error["field"] == "params.patches"
    error = _error(api.post("/jobs", json={"kind": "build_feature_group", "params": {"group": "g", "patches_job_id": "nope"}}), 422)
    assert error["code"] == "unknown_job" and error["field"] == "params.patches_job_id"
    assert len(api.get("/jobs?limit=1000").json()["jobs"]) == jobs_before
    assert _error(api.get("/training-datasets/sim_ew_folds/versions/4"), 404)["code"] == "unknown_training_dataset"
    assert _error(api.get("/feature-groups/Not-A-Name"), 422)["code"] == "invalid_parameter"

    # One class only: the feature group is stored (unlabelled or one-class data is still data),
    # but no training dataset can be made of it.
    ships = [patch_record(f"s{i}", np.random.default_rng(i), is_iceberg=0) for i in range(6)]
    _ok(api, "build_feature_group", {"group": "only_ships", "patches": ships})
    error = _error(api.post("/jobs", json={"kind": "create_training_dataset", "params": {
        "name": "td_ships", "feature_group": {"group": "only_ships"}}}), 422)
    assert error["code"] == "dataset_unusable" and "needs both classes" in error["message"]


def test_too_few_rows_for_the_folds_fails_and_writes_no_version(api, patch_record):
    rows = [patch_record(f"f{i}", np.random.default_rng(i), is_iceberg=int(i < 3)) for i in range(10)]
    _ok(api, "build_feature_group", {"group": "tiny", "patches": rows})
    failed = api.wait(api.submit("create_training_dataset", {"name": "tiny_folds", "feature_group": {"group": "tiny"}, "k_folds": 5})["id"])
    assert failed["state"] == "failed" and "at least 5 of each class" in failed["error"]["message"]
    assert _error(api.get("/training-datasets/tiny_folds"), 404)["code"] == "unknown_training_dataset"


def test_a_cancelled_search_registers_no_model_and_leaves_no_trials_running(api, sim_group):
    before = {m["model_id"] for m in api.get("/models").json()["models"]}
    job = api.submit("search_hyperparameters", {"training_dataset": {"name": "sim_ew_folds"}, "n_trials": 20, "epochs": 50,
                                                 "pruning": False})
    api.wait(job["id"], until=lambda s: s["state"] == "running")
    assert api.post(f"/jobs/{job['id']}/cancel").status_code == 200
    final = api.wait(job["id"])
    assert final["state"] == "cancelled"
    # The trial tasks stop at their next cancellation check; the cluster is free again.
    quick = _ok(api, "train_model", {"epochs": 1, "simulated": {"n_patches": 40, "seed": 1}}, timeout_s=120)
    after = {m["model_id"] for m in api.get("/models").json()["models"]}
    assert after - before == {quick["result"]["model_id"]}


def test_a_version_can_extend_the_last_one_and_a_repeated_id_takes_the_new_label(api, patch_record):
    rng = np.random.default_rng(12)
    first = [patch_record(f"c{i}", rng, is_iceberg=i % 2) for i in range(4)]
    first[0]["inc_angle"] = "na"
    v1 = api.wait(api.submit("build_feature_group", {"group": "corrections", "patches": first})["id"])
    assert v1["state"] == "succeeded", v1["error"]
    # The analyst's next corrections: c1 was an iceberg and is now clutter; c9 is new.
    more = [patch_record("c1", rng, label="clutter"), patch_record("c9", rng, label="ship")]
    v2 = api.wait(api.submit("build_feature_group", {"group": "corrections", "patches": more, "extend_version": 1})["id"])
    assert v2["state"] == "succeeded", v2["error"]
    result = v2["result"]
    assert (result["version"], result["n_rows"]) == (2, 5)
    assert (result["n_ships"], result["n_icebergs"], result["n_clutter"]) == (3, 1, 1)
    table = _parquet(api, "/feature-groups/corrections/versions/2/data.parquet")
    labels = dict(zip(table.column("id").to_pylist(), table.column("label").to_pylist(), strict=True))
    assert labels == {"c0": 0, "c1": 2, "c2": 0, "c3": 1, "c9": 0}
    kept = table.filter(pc.equal(table.column("id"), "c0"))
    assert kept.column("inc_angle_missing").to_pylist() == [True]  # the "na" flag survives the merge
    assert "v1" in api.get("/feature-groups/corrections/versions/2").json()["source"]
    # The extended version is unchanged.
    assert _parquet(api, "/feature-groups/corrections/versions/1/data.parquet").num_rows == 4

    for params, field in (({"extend_version": 9}, "params.extend_version"),
                          ({"extend_version": 1, "third_channel": "band_diff"}, "params.third_channel")):
        response = api.post("/jobs", json={"kind": "build_feature_group",
                                           "params": {"group": "corrections", "patches": more, **params}})
        assert response.status_code == 422 and response.json()["error"]["field"] == field, response.text
    assert len(api.get("/feature-groups/corrections").json()["versions"]) == 2  # nothing stored
