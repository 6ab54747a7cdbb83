"""Scene-scale inference and explanations through the real server and its Dask cluster:
classify_detections, map_scene, explain_patches and the synchronous predict endpoint."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import requests
from pyproj import Transformer

from icesight_contract import PATCH_SIZE_PX, pack_float32
from icesight_contract.common import DEFAULT_RANDOMISED_FRACTION


def _error(response, status_code: int) -> dict:
    assert response.status_code == status_code, response.text
    return response.json()["error"]


@pytest.fixture(scope="module")
def scene(api) -> dict:
    """A simulated EW scene (40 m pixels) with its detections and the patches cut around them."""
    sim = api.wait(api.submit("simulate_scene", {"width_px": 640, "height_px": 512, "n_ships": 4, "n_icebergs": 4,
                                                 "seed": 21})["id"])
    assert sim["state"] == "succeeded", sim
    detect = api.wait(api.submit("detect_targets", {"scene_job_id": sim["id"]})["id"])
    assert detect["state"] == "succeeded" and detect["result"]["n_detections"] >= 4, detect
    cut = api.wait(api.submit("cut_patches", {"scene_job_id": sim["id"], "detections_job_id": detect["id"]})["id"])
    assert cut["state"] == "succeeded", cut
    scene_bytes = api.get(f"/jobs/{sim['id']}/artifacts/scene.tif").content
    return {"sim": sim, "detect": detect, "cut": cut, "scene_id": sim["result"]["scene_id"], "scene_bytes": scene_bytes}


def _gpkg(api, job_id: str, name: str, layer: str) -> gpd.GeoDataFrame:
    response = api.get(f"/jobs/{job_id}/artifacts/{name}")
    assert response.status_code == 200, response.text
    return gpd.read_file(io.BytesIO(response.content), layer=layer)


def test_classify_detections_keeps_every_detection_attribute(api, trained_model, scene):
    status = api.submit("classify_detections", {"scene_id": scene["scene_id"], "detections_job_id": scene["detect"]["id"],
                                                "model_id": trained_model["model_id"]})
    final = api.wait(status["id"])
    assert final["state"] == "succeeded", final.get("error")
    result = final["result"]
    detections = _gpkg(api, scene["detect"]["id"], "detections.gpkg", "detections")
    # The layer says why the detector kept each detection: where it is, which CFAR flagged it and the
    # margins of its tests (null without a background); the ring's threshold at the CFAR's pfa lies
    # below the one at ice_pfa, so its margin is the larger.
    assert {"in_sea_ice", "cfar_channels", "extended_cfar", "k_margin_db", "local_cross_margin_db", "local_co_margin_db",
            "local_cross_cfar_margin_db", "depolarisation_excess_db"} <= set(detections.columns)
    both = detections[["local_cross_margin_db", "local_cross_cfar_margin_db"]].dropna()
    assert len(both) and (both["local_cross_cfar_margin_db"] > both["local_cross_margin_db"]).all()
    points = _gpkg(api, status["id"], "classifications.gpkg", "classifications")
    footprints = _gpkg(api, status["id"], "classifications.gpkg", "footprints")
    assert result["n_targets"] == len(points) == len(detections) - len(result["skipped"])
    assert result["n_ships"] + result["n_icebergs"] == result["n_targets"]
    for column in ("detection_id", "length_m", "peak_co_db", "mean_cross_db", "area_px"):
        assert column in points.columns
    merged = points.merge(detections[["detection_id", "length_m", "peak_co_db"]], on="detection_id", suffixes=("", "_det"))
    assert np.allclose(merged["length_m"], merged["length_m_det"]) and np.allclose(merged["peak_co_db"], merged["peak_co_db_det"])
    assert set(points["scene_id"]) == {scene["scene_id"]}  # the catalog id
    assert set(points["job_id"]) == {status["id"]} and set(points["model_id"]) == {trained_model["model_id"]}
    assert points["iceberg_probability"].between(0, 1).all() and (points["uncertainty"] >= 0).all()
    assert ((points["iceberg_probability"] >= 0.5) == (points["class"] == "iceberg")).all()
    assert points.crs == detections.crs and len(footprints) == len(points)
    side_m = PATCH_SIZE_PX * result["pixel_size_m"]
    assert np.allclose(footprints.geometry.area, side_m**2)
    assert footprints.geometry.contains(points.geometry).all()


def test_classify_detections_from_an_analysts_points_in_another_crs(api, trained_model, scene):
    truth = gpd.read_file(io.BytesIO(api.get(f"/jobs/{scene['sim']['id']}/artifacts/truth.gpkg").content))
    to_lonlat = Transformer.from_crs(truth.crs, "EPSG:4326", always_xy=True)
    points = []
    for i, row in truth.head(3).iterrows():
        lon, lat = to_lonlat.transform(row.geometry.x, row.geometry.y)
        points.append({"id": f"a{i}", "x": lon, "y": lat, "attributes": {"analyst_note": f"target {i}", "class": "unsure"}})
    points.append({"id": "far", "x": 10.0, "y": 10.0, "attributes": {"analyst_note": "off the scene"}})
    final = api.wait(api.submit("classify_detections", {"scene_job_id": scene["sim"]["id"], "points": points, "crs": "EPSG:4326",
                                                        "model_id": trained_model["model_id"]})["id"])
    assert final["state"] == "succeeded", final.get("error")
    assert set(final["result"]["skipped"]) == {"far"}
    layer = _gpkg(api, final["id"], "classifications.gpkg", "classifications")
    assert sorted(layer["target_id"]) == ["a0", "a1", "a2"]
    assert set(layer["analyst_note"]) == {"target 0", "target 1", "target 2"}
    assert set(layer["class_input"]) == {"unsure"} and set(layer["class"]) <= {"ship", "iceberg"}
    assert layer.crs.to_epsg() == 3413  # the scene's CRS


def test_map_scene_writes_a_probability_cog_on_the_scene_grid(api, trained_model, scene):
    final = api.wait(api.submit("map_scene", {"scene_job_id": scene["sim"]["id"], "model_id": trained_model["model_id"],
                                              "chunk_px": 256})["id"])
    assert final["state"] == "succeeded", final.get("error")
    result = final["result"]
    with rasterio.open(io.BytesIO(scene["scene_bytes"])) as src:
        grid = (src.width, src.height, src.transform, src.crs)
        hh = src.read(1)
    raster = api.get(f"/jobs/{final['id']}/artifacts/probability.tif").content
    with rasterio.open(io.BytesIO(raster)) as probability:
        assert (probability.width, probability.height, probability.transform, probability.crs) == grid
        values = probability.read(1)
        assert probability.overviews(1), "a COG with overviews, for QGIS"
    inside = np.isfinite(hh)
    assert np.isnan(values[~inside]).all()
    assert np.isfinite(values[inside]).mean() > 0.99
    assert np.nanmin(values) >= 0 and np.nanmax(values) <= 1
    assert result["stride_px"] > 1 and 0 <= result["iceberg_fraction"] <= 1
    assert (result["width_px"], result["height_px"]) == (grid[0], grid[1])


def test_explain_cut_patches_gives_heatmaps_on_the_patch_footprints(api, trained_model, scene):
    final = api.wait(api.submit("explain_patches", {"patches_job_id": scene["cut"]["id"], "model_id": trained_model["model_id"],
                                                    "method": "integrated_gradients", "n_steps": 8, "patches_per_task": 3})["id"])
    assert final["state"] == "succeeded", final.get("error")
    result = final["result"]
    patches = json.loads(api.get(f"/jobs/{scene['cut']['id']}/artifacts/patches.json").content)
    assert result["n_patches"] == len(patches) == len(result["targets"]) and result["georeferenced"]
    names = {a["name"]: a["role"] for a in final["artifacts"]}
    assert names["heatmaps_mosaic.tif"] == "heatmap_mosaic" and names["explanations.gpkg"] == "explanations"
    pixel = scene["sim"]["result"]["pixel_size_m"]
    first = patches[0]
    heatmap = api.get(f"/jobs/{final['id']}/artifacts/heatmap_{first['id']}.tif").content
    with rasterio.open(io.BytesIO(heatmap)) as src:
        assert (src.width, src.height, src.count) == (PATCH_SIZE_PX, PATCH_SIZE_PX, 3)
        left, top = src.transform * (0, 0)
        assert np.isclose(left, first["x"] - 37.5 * pixel) and np.isclose(top, first["y"] + 37.5 * pixel)
        assert src.crs.to_string() == first["crs"]
        total, hh, hv = src.read()
        assert np.allclose(total, hh + hv, atol=1e-6) and np.abs(total).sum() > 0
    with rasterio.open(io.BytesIO(scene["scene_bytes"])) as scene_src:
        scene_left = scene_src.transform.c
    # On the scene's grid: the heatmap's origin is a whole number of pixels from the scene's.
    assert np.isclose(((left - scene_left) / pixel) % 1, 0) or np.isclose(((left - scene_left) / pixel) % 1, 1)
    for target in result["targets"]:
        assert target["share_hh"] + target["share_hv"] == pytest.approx(1, abs=1e-4)
        assert target["offset_units"] == "m" and target["convergence_delta"] is not None
        assert abs(target["top_offset_east"]) <= 37 * pixel and abs(target["top_offset_north"]) <= 37 * pixel
    summary = _gpkg(api, final["id"], "explanations.gpkg", "explanations")
    assert len(summary) == len(patches) and {"share_hh", "share_hv", "inc_angle_attribution"} <= set(summary.columns)


def test_explain_inline_patches_with_gradcam_and_no_pixel_size(api, trained_model, patch_record):
    rng = np.random.default_rng(5)
    patches = [patch_record(f"g{i}", rng) for i in range(2)]
    final = api.wait(api.submit("explain_patches", {"patches": patches, "model_id": trained_model["model_id"],
                                                    "method": "gradcam"})["id"])
    assert final["state"] == "succeeded", final.get("error")
    result = final["result"]
    assert not result["georeferenced"] and "heatmaps_mosaic.tif" not in {a["name"] for a in final["artifacts"]}
    for target in result["targets"]:
        assert target["offset_units"] == "px" and target["share_hh"] is None  # GradCAM has no band split


def test_predict_answers_at_once_and_follows_the_production_model(api, trained_model, patch_record):
    rng = np.random.default_rng(7)
    patches = [patch_record(f"p{i}", rng) for i in range(3)]
    response = api.post("/predict", json={"patches": patches, "model_id": trained_model["model_id"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_id"] == trained_model["model_id"] and len(body["classifications"]) == 3
    job = api.wait(api.submit("classify_patches", {"patches": patches, "model_id": trained_model["model_id"]})["id"])
    by_job = {c["id"]: c["iceberg_probability"] for c in job["result"]["classifications"]}
    for c in body["classifications"]:
        assert c["iceberg_probability"] == pytest.approx(by_job[c["id"]], abs=1e-4)  # the same model, the same answer
    # The same patches with their bands packed (base64 float32) get the same answers; a broken
    # packed band is a 422 naming it.
    packed = [p | {"band_1": pack_float32(p["band_1"]), "band_2": pack_float32(p["band_2"])} for p in patches]
    for c in api.post("/predict", json={"patches": packed, "model_id": trained_model["model_id"]}).json()["classifications"]:
        assert c["iceberg_probability"] == pytest.approx(by_job[c["id"]], abs=1e-4)
    broken = api.post("/predict", json={"patches": [packed[0] | {"band_1": packed[0]["band_1"][:-8]}]})
    assert broken.status_code == 422 and broken.json()["error"]["field"] == "patches[0].band_1", broken.text
    # Concurrent requests are batched into shared forward passes: each still gets its own answer.
    from concurrent.futures import ThreadPoolExecutor

    def one(i: int) -> dict:
        return api.post("/predict", json={"patches": [patches[i % 3]], "model_id": trained_model["model_id"]}).json()

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(one, range(24)))
    for i, answer in enumerate(answers):
        (c,) = answer["classifications"]
        assert c["id"] == patches[i % 3]["id"] and c["iceberg_probability"] == pytest.approx(by_job[c["id"]], abs=1e-4)
    other = api.wait(api.submit("train_model", {"epochs": 1, "simulated": {"n_patches": 60, "seed": 9}})["id"])
    assert other["state"] == "succeeded", other
    api.post(f"/models/{other['result']['model_id']}/production")
    try:
        assert api.post("/predict", json={"patches": patches}).json()["model_id"] == other["result"]["model_id"]
    finally:
        api.post(f"/models/{trained_model['model_id']}/production")
    assert api.post("/predict", json={"patches": patches}).json()["model_id"] == trained_model["model_id"]


def test_bad_inference_requests_get_4xx_naming_the_field_and_store_nothing(api, trained_model, scene, patch_record):
    before = len(api.get("/jobs", params={"limit": 1000}).json()["jobs"])
    patch = patch_record("x1")
    cases = [
        ({"kind": "explain_patches", "params": {"patches": [patch], "method": "lime"}}, "invalid_parameter", "params.method"),
        ({"kind": "explain_patches", "params": {"patches": [patch], "n_steps": 0}}, "invalid_parameter", "params.n_steps"),
        ({"kind": "explain_patches", "params": {"patches": [patch], "internal_batch_size": 100000}}, "invalid_parameter",
         "params.internal_batch_size"),
        ({"kind": "explain_patches", "params": {"patches": []}}, "invalid_parameter", "params.patches"),
        ({"kind": "explain_patches", "params": {"patches_job_id": scene["detect"]["id"]}}, "unknown_job", "params.patches_job_id"),
        ({"kind": "classify_detections", "params": {"scene_job_id": scene["sim"]["id"], "points": []}}, "invalid_parameter",
         "params.points"),
        ({"kind": "classify_detections", "params": {"scene_job_id": scene["sim"]["id"], "points": [{"id": "a", "x": 0, "y": 0}],
                                                    "detections_job_id": scene["detect"]["id"]}}, "invalid_parameter", "params.points"),
        ({"kind": "classify_detections", "params": {"scene_job_id": "nope", "detections_job_id": scene["detect"]["id"]}},
         "unknown_scene", "params.scene_job_id"),
        ({"kind": "map_scene", "params": {"scene_id": scene["scene_id"], "model_id": "no-such-model"}}, "unknown_model",
         "params.model_id"),
        ({"kind": "map_scene", "params": {"scene_id": scene["scene_id"], "chunk_px": 64}}, "invalid_parameter", "params.chunk_px"),
    ]
    for body, code, field in cases:
        error = _error(api.post("/jobs", json=body), 422)
        assert (error["code"], error["field"]) == (code, field), (body["params"].keys(), error)
    for bad in ({"patches": [patch] * 2}, {"patches": []}, {"patches": [patch], "model_id": "no-such-model"}, [1, 2]):
        assert api.post("/predict", json=bad).status_code == 422
    assert _error(api.post("/predict", data=b"[" * 100000), 400)["code"] == "invalid_json"
    assert _error(api.post("/jobs", data=b'{"kind": "map_scene", "params": {"chunk_px": 1e400}}'), 400)["code"] == "invalid_json"
    assert _error(api.post("/jobs", json={"kind": [], "params": {}}), 422)["code"] == "unknown_job_kind"
    assert len(api.get("/jobs", params={"limit": 1000}).json()["jobs"]) == before


def test_a_scene_of_another_pixel_spacing_is_refused_not_silently_classified(api, trained_model):
    """The model learnt 40 m EW patches; an IW scene has 10 m pixels."""
    iw = api.wait(api.submit("simulate_scene", {"mode": "IW", "width_px": 256, "height_px": 256, "n_ships": 1,
                                                "n_icebergs": 1, "seed": 2})["id"])
    assert iw["state"] == "succeeded", iw
    for kind in ("map_scene", "classify_detections"):
        params = {"scene_job_id": iw["id"], "model_id": trained_model["model_id"]}
        if kind == "classify_detections":
            params["points"] = [{"id": "a", "x": 0.0, "y": 0.0}]
        error = _error(api.post("/jobs", json={"kind": kind, "params": params}), 422)
        assert error["code"] == "model_input_mismatch" and error["field"] == "params.model_id"
        assert "10 m" in error["message"] and "40 m" in error["message"]


def _simulated_records(n: int, seed: int, shift_db: float = 0.0) -> list[dict]:
    from icesight_backend.sar.simulation import simulate_patches

    sim = simulate_patches(n, seed=seed, randomise=DEFAULT_RANDOMISED_FRACTION)  # drawn as the training set is
    return [{"id": f"m{seed}_{i}", "band_1": [round(float(v) + shift_db, 2) for v in sim.band_1_db[i].ravel()],
             "band_2": [round(float(v) + shift_db, 2) for v in sim.band_2_db[i].ravel()],
             "inc_angle": float(sim.inc_angle_deg[i])} for i in range(n)]


def test_monitoring_logs_predictions_and_flags_input_drift(api):
    model = api.wait(api.submit("train_model", {"epochs": 1, "simulated": {"n_patches": 300, "seed": 31}})["id"])
    assert model["state"] == "succeeded", model.get("error")
    model_id = model["result"]["model_id"]
    assert set(api.get(f"/models/{model_id}").json()["reference_profile"]) >= {"hh_median_db", "hv_peak_db", "inc_angle_deg"}

    def drift() -> dict:
        report = api.get("/monitoring").json()
        return next(m for m in report["models"] if m["model_id"] == model_id)

    # Inputs like the training data: no drift.
    assert api.post("/predict", json={"patches": _simulated_records(200, seed=32), "model_id": model_id}).status_code == 200
    calm = drift()
    assert calm["n_predictions"] == 200 and calm["drift"]["status"] == "ok", calm["drift"]
    assert sum(calm["class_balance"][-1][label] for label in ("ship", "iceberg")) == 200
    # The same kind of sea 12 dB brighter (a calibration error, say): flagged.
    for seed in (33, 34, 35):
        api.post("/predict", json={"patches": _simulated_records(200, seed=seed, shift_db=12.0), "model_id": model_id})
    shifted = drift()
    assert shifted["drift"]["status"] == "drift" and "hh_median_db" in shifted["drift"]["drifted"], shifted["drift"]
    assert shifted["drift"]["features"]["hh_median_db"]["psi"] > 1.0
    assert shifted["drift"]["features"]["hh_median_db"]["label"] == "HH clutter level"  # for the analyst
    assert shifted["drift"]["features"]["inc_angle_deg"]["drift"] is False  # the angles did not move

    report = api.get("/monitoring").json()
    predict_route = next(r for r in report["requests"] if r["route"] == "/api/v1/predict" and r["method"] == "POST")
    assert predict_route["count"] >= 4 and predict_route["statuses"]["200"] >= 4 and predict_route["p95_s"] > 0
    assert report["queue_length"] == report["jobs"]["queued"] + report["jobs"]["running"] and report["n_workers"] == 1
    metrics = api.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert 'icesight_http_requests_total{method="POST",route="/api/v1/predict",status="200"}' in text
    assert f'icesight_input_drift_psi{{model="{model_id}",feature="hh_median_db"}}' in text
    assert "icesight_dask_workers 1" in text
    assert requests.get(api.url + "/metrics", timeout=30).status_code == 401  # the token is needed


def test_chart_scene_runs_every_stage_then_reuses_what_has_not_changed(api, trained_model, scene):
    params = {"scene_id": scene["scene_id"], "model_id": trained_model["model_id"], "explain_n": 2, "explain_method": "saliency"}
    first = api.wait(api.submit("chart_scene", params)["id"], timeout_s=600)
    assert first["state"] == "succeeded", first.get("error")
    stages = {s["name"]: s for s in first["result"]["stages"]}
    assert [s["name"] for s in first["result"]["stages"]] == ["ingest", "detect", "classify", "explain", "export"]
    assert stages["ingest"]["state"] == "skipped" and all(stages[n]["state"] == "ran" for n in ("detect", "classify", "explain", "export"))
    names = {a["name"] for a in first["artifacts"]}
    assert {"detections.gpkg", "classifications.gpkg", "targets.geojson", "explanations.gpkg", "pipeline.json"} <= names
    assert first["result"]["n_explained"] == 2 and sum(n.startswith("heatmap_") for n in names) >= 2
    geojson = json.loads(api.get(f"/jobs/{first['id']}/artifacts/targets.geojson").content)
    assert len(geojson["features"]) == first["result"]["n_ships"] + first["result"]["n_icebergs"]
    lon, lat = geojson["features"][0]["geometry"]["coordinates"]
    assert -180 <= lon <= 180 and 50 <= lat <= 90  # the simulated scene lies in the Arctic (EPSG:3413)

    again = api.wait(api.submit("chart_scene", params)["id"], timeout_s=600)
    assert again["state"] == "succeeded", again.get("error")
    assert {s["name"]: s["state"] for s in again["result"]["stages"]} == {
        "ingest": "skipped", "detect": "reused", "classify": "reused", "explain": "reused", "export": "reused"}
    assert again["result"]["n_icebergs"] == first["result"]["n_icebergs"]
    assert api.get(f"/jobs/{again['id']}/artifacts/classifications.gpkg").content == \
        api.get(f"/jobs/{first['id']}/artifacts/classifications.gpkg").content

    other = api.wait(api.submit("train_model", {"epochs": 1, "simulated": {"n_patches": 80, "seed": 41}})["id"])
    third = api.wait(api.submit("chart_scene", params | {"model_id": other["result"]["model_id"]})["id"], timeout_s=600)
    assert third["state"] == "succeeded", third.get("error")
    states = {s["name"]: s["state"] for s in third["result"]["stages"]}
    assert states["detect"] == "reused" and states["classify"] == "ran" and states["export"] == "ran"


def test_the_chart_scene_command_runs_the_pipeline_for_a_scheduler(api, trained_model, scene, tmp_path):
    import subprocess
    import sys

    command = [sys.executable, "-m", "icesight_backend.cli", "chart-scene", "--url", api.backend.url,
               "--token-file", str(api.backend.config_dir / "token"), "--model-id", trained_model["model_id"],
               "--explain-n", "1", "--out", str(tmp_path / "chart")]
    done = subprocess.run([*command, "--scene-id", scene["scene_id"]], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "detect" in done.stdout and (tmp_path / "chart" / "targets.geojson").is_file()
    assert (tmp_path / "chart" / "pipeline.json").is_file()
    refused = subprocess.run([*command, "--scene-id", "no-such-scene"], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "params.scene_id" in refused.stderr
