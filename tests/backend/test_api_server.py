"""The HTTP API against a real uvicorn process on 127.0.0.1 with a real Dask LocalCluster."""

from __future__ import annotations

import io
import json
import stat

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import requests

from icesight_contract import API_PREFIX


def test_health_needs_no_token_and_reports_the_cluster(backend, api):
    health = requests.get(f"{backend.url}{API_PREFIX}/health", timeout=30).json()
    assert health["status"] == "ok"
    assert health["dask"]["n_workers"] == 1
    assert health["dask"]["total_threads"] == 2
    assert health["dask"]["workers"][0]["nthreads"] == 2
    assert health["gpu"] is False  # this machine has no GPU; the worker was asked, not assumed
    # Cluster addresses are for token holders only.
    assert health["dask"]["scheduler"] is None and health["dask"]["workers"][0]["address"] is None
    assert api.get("/health").json()["dask"]["workers"][0]["address"].startswith("tls://127.0.0.1:")


def test_token_file_is_private(backend):
    mode = stat.S_IMODE((backend.config_dir / "token").stat().st_mode)
    assert mode == 0o600
    assert len(backend.token) >= 32


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}])
def test_requests_without_the_token_get_401(api, headers):
    for response in (
        api.get("/jobs", headers=headers),
        api.post("/jobs", headers=headers, json={"kind": "simulate_scene", "params": {}}),
        api.get("/models", headers=headers),
    ):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        error = response.json()["error"]
        assert error["code"] == "unauthorized"
        assert "Authorization: Bearer" in error["message"]
        assert str(api.backend.config_dir) not in error["message"]  # no server path for a stranger


def test_simulate_scene_job_runs_on_dask_and_its_artifacts_download(api):
    status = api.submit("simulate_scene", {"width_px": 256, "height_px": 192, "n_ships": 3, "n_icebergs": 2, "seed": 4})
    assert status["state"] == "queued"
    final = api.wait(status["id"])
    assert final["state"] == "succeeded", final
    assert final["progress"] == 1.0
    result = final["result"]
    assert (result["width_px"], result["height_px"], result["n_ships"], result["n_icebergs"]) == (256, 192, 3, 2)
    listed = api.get(f"/jobs/{status['id']}/artifacts").json()["artifacts"]
    assert {a["name"] for a in listed} == {"scene.tif", "truth.gpkg"}

    response = api.get(f"/jobs/{status['id']}/artifacts/scene.tif")
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == next(a["size_bytes"] for a in listed if a["name"] == "scene.tif")
    with rasterio.open(io.BytesIO(response.content)) as scene:
        assert (scene.count, scene.height, scene.width) == (4, 192, 256)
        assert scene.descriptions[3] == "HV_nesz_db"
        assert scene.crs.to_epsg() == 3413
        hh, hv = scene.read(1), scene.read(2)
        assert np.nanmedian(hv) < np.nanmedian(hh) - 3  # cross-pol well below co-pol on the sea

    # COG streaming: a range request returns exactly the bytes asked for.
    ranged = api.get(f"/jobs/{status['id']}/artifacts/scene.tif", headers=api.headers | {"Range": "bytes=0-99"})
    assert ranged.status_code == 206
    assert ranged.content == response.content[:100]
    # HEAD: the size and type a download tool asks for first, without the body; no token, no file.
    url = f"{api.url}/jobs/{status['id']}/artifacts/scene.tif"
    head = requests.head(url, headers=api.headers, timeout=60)
    assert head.status_code == 200 and head.content == b"", head.text
    assert head.headers["content-length"] == response.headers["content-length"]
    assert head.headers["content-type"].startswith("image/tiff")
    assert requests.head(url, timeout=60).status_code == 401
    assert requests.head(f"{api.url}/jobs/{status['id']}/artifacts/nope.tif", headers=api.headers, timeout=60).status_code == 404
    assert api.post(f"/jobs/{status['id']}/artifacts/scene.tif").status_code == 405


def test_train_then_classify_patches(api, trained_model, patch_record):
    assert trained_model["metrics"]["n_train"] + trained_model["metrics"]["n_validation"] == 160
    models = api.get("/models").json()["models"]
    assert trained_model["model_id"] in {m["model_id"] for m in models}
    record = api.get(f"/models/{trained_model['model_id']}").json()
    assert record["calibration"]["temperature"] > 0  # temperature scaling, stored with the model
    training_job = record["training_job_id"]
    reliability = api.get(f"/jobs/{training_job}/artifacts/reliability.png")
    assert reliability.status_code == 200 and reliability.content.startswith(b"\x89PNG")

    rng = np.random.default_rng(1)
    patches = [patch_record(f"t{i}", rng, x=1000.0 * i, y=-5.0, crs="EPSG:3413") for i in range(4)]
    status = api.submit("classify_patches", {"patches": patches, "model_id": trained_model["model_id"]})
    final = api.wait(status["id"])
    assert final["state"] == "succeeded", final
    classes = final["result"]["classifications"]
    assert [c["id"] for c in classes] == ["t0", "t1", "t2", "t3"]
    for c in classes:
        assert 0.0 <= c["iceberg_probability"] <= 1.0
        assert c["label"] == ("iceberg" if c["iceberg_probability"] >= 0.5 else "ship")
    gpkg = api.get(f"/jobs/{status['id']}/artifacts/classifications.gpkg")
    assert gpkg.status_code == 200 and gpkg.content[:16] == b"SQLite format 3\x00"


def test_cancel_a_running_job(api):
    status = api.submit("train_model", {"epochs": 200, "simulated": {"n_patches": 400, "seed": 9}})
    api.wait(status["id"], until=lambda s: s["state"] == "running" and s["progress"] > 0.05, timeout_s=120)
    cancelled = api.post(f"/jobs/{status['id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    # It stays cancelled, and no model is registered for it.
    final = api.wait(status["id"], timeout_s=30)
    assert final["state"] == "cancelled"
    assert f"lenet-{status['id']}" not in {m["model_id"] for m in api.get("/models").json()["models"]}
    again = api.post(f"/jobs/{status['id']}/cancel")
    assert again.status_code == 409 and again.json()["error"]["code"] == "job_not_cancellable"
    # The worker is free again: a new job runs to the end.
    quick = api.submit("simulate_scene", {"width_px": 128, "height_px": 128, "n_ships": 1, "n_icebergs": 1})
    assert api.wait(quick["id"], timeout_s=120)["state"] == "succeeded"


def test_unknown_job_and_artifact_get_404_with_a_hint(api):
    response = api.get("/jobs/doesnotexist")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_job"
    assert "/jobs" in response.json()["error"]["message"]
    assert api.post("/jobs/doesnotexist/cancel").status_code == 404
    status = api.submit("simulate_scene", {"width_px": 128, "height_px": 128, "n_ships": 1, "n_icebergs": 0})
    api.wait(status["id"])
    missing = api.get(f"/jobs/{status['id']}/artifacts/..%2F..%2Fjobs.sqlite3")
    assert missing.status_code == 404
    missing = api.get(f"/jobs/{status['id']}/artifacts/nothing.tif")
    assert missing.status_code == 404 and "scene.tif" in missing.json()["error"]["message"]


def _error(response, status_code: int) -> dict:
    assert response.status_code == status_code, response.text
    return response.json()["error"]


def test_bad_jobs_get_4xx_naming_the_field_and_leave_earlier_results_alone(api, trained_model, patch_record):
    # An earlier, finished job whose results must survive the bad requests below.
    good = api.submit("simulate_scene", {"width_px": 128, "height_px": 128, "n_ships": 1, "n_icebergs": 1, "seed": 2})
    api.wait(good["id"])
    before = api.get(f"/jobs/{good['id']}/artifacts/truth.gpkg").content
    n_models_before = len(api.get("/models").json()["models"])

    error = _error(api.post("/jobs", json={"kind": "make_coffee", "params": {}}), 422)
    assert error["code"] == "unknown_job_kind" and error["field"] == "kind" and "classify_patches" in error["message"]

    error = _error(api.post("/jobs", data=b"{not json", headers=api.headers | {"Content-Type": "application/json"}), 400)
    assert error["code"] == "invalid_json"

    wrong_shape = patch_record("a", band_1=[-20.0] * 5000)
    error = _error(api.post("/jobs", json={"kind": "classify_patches", "params": {"patches": [wrong_shape]}}), 422)
    assert error["field"] == "params.patches[0].band_1" and "5625" in error["message"]

    not_numbers = patch_record("a")
    not_numbers["band_2"][17] = "bright"
    error = _error(api.post("/jobs", json={"kind": "classify_patches", "params": {"patches": [not_numbers]}}), 422)
    assert error["field"] == "params.patches[0].band_2[17]" and "number" in error["message"]

    unlabelled = [patch_record(f"p{i}", is_iceberg=i % 2) for i in range(12)]
    del unlabelled[3]["is_iceberg"]
    error = _error(api.post("/jobs", json={"kind": "train_model", "params": {"patches": unlabelled}}), 422)
    assert error["field"] == "params.patches[3].is_iceberg" and "label" in error["message"]

    error = _error(api.post("/jobs", json={"kind": "simulate_scene", "params": {"width_px": 256, "speed": 3}}), 422)
    assert error["field"] == "params.speed" and "unknown parameter" in error["message"]

    error = _error(api.post("/jobs", json={"kind": "classify_patches", "params": {"patches": [patch_record("a")], "model_id": "nope"}}), 422)
    assert error["code"] == "unknown_model" and trained_model["model_id"] in error["message"]

    # 25 MB of patches against the 20 MB limit this backend was started with.
    huge = json.dumps({"kind": "classify_patches", "params": {"patches": [patch_record(f"h{i}") for i in range(330)]}})
    assert len(huge) > 20 * 1024 * 1024
    error = _error(api.post("/jobs", data=huge, headers=api.headers | {"Content-Type": "application/json"}), 413)
    assert error["code"] == "body_too_large" and "--max-body-mb" in error["message"]

    # The service is still up, the earlier job and its files are intact, nothing half-stored.
    assert api.get(f"/jobs/{good['id']}").json()["state"] == "succeeded"
    assert api.get(f"/jobs/{good['id']}/artifacts/truth.gpkg").content == before
    assert len(api.get("/models").json()["models"]) == n_models_before
    assert requests.get(f"{api.backend.url}{API_PREFIX}/health", timeout=30).json()["status"] == "ok"


def test_detect_targets_on_a_simulated_scene(api):
    scene = api.submit("simulate_scene", {"width_px": 600, "height_px": 500, "n_ships": 6, "n_icebergs": 6, "seed": 21})
    scene_final = api.wait(scene["id"])
    assert scene_final["state"] == "succeeded"
    job = api.submit("detect_targets", {"scene_job_id": scene["id"], "chunk_px": 256})
    final = api.wait(job["id"])
    assert final["state"] == "succeeded", final
    result = final["result"]
    assert result["looks"] == 10.7 and result["pixel_size_m"] == 40.0 and "3413" in result["crs"]
    assert result["noise_floor_band"] is True  # simulated scenes carry their noise floor
    truth = gpd.read_file(io.BytesIO(api.get(f"/jobs/{scene['id']}/artifacts/truth.gpkg").content))
    found = gpd.read_file(io.BytesIO(api.get(f"/jobs/{job['id']}/artifacts/detections.gpkg").content))
    assert len(found) == result["n_detections"] and found.crs == truth.crs
    # Every ship or iceberg longer than two pixels has a detection within 150 m.
    big = truth[truth["length_m"] > 80.0]
    nearest = [found.distance(point).min() for point in big.geometry]
    assert len(big) >= 5 and max(nearest) <= 150.0, nearest

    # Patches around every detection, in the Kaggle record schema with provenance.
    cut = api.wait(api.submit("cut_patches", {"scene_job_id": scene["id"], "detections_job_id": job["id"]})["id"])
    assert cut["state"] == "succeeded", cut
    records = api.get(f"/jobs/{cut['id']}/artifacts/patches.json").json()
    assert len(records) == cut["result"]["n_patches"] == result["n_detections"]
    assert {"id", "band_1", "band_2", "inc_angle", "scene_id", "row", "col", "x", "y", "crs", "padded"} <= set(records[0])
    assert len(records[0]["band_1"]) == 5625 and records[0]["scene_id"] == scene_final["result"]["scene_id"]

    # An analyst labels the detections that are real targets (here: by the truth within 150 m) and
    # stores them as a feature group; with positions it is GeoParquet.
    from shapely.geometry import Point

    labels = {}
    for record in records:
        distances = truth.distance(Point(record["x"], record["y"]))
        if distances.min() <= 150.0:
            labels[record["id"]] = int(truth["is_iceberg"].iloc[int(distances.argmin())])
    group = api.wait(api.submit("build_feature_group", {"group": "scene_detections", "patches_job_id": cut["id"], "labels": labels})["id"])
    assert group["state"] == "succeeded", group
    assert group["result"]["geo"] is True and group["result"]["n_rows"] == len(records)
    assert group["result"]["n_labelled"] == len(labels) >= 5
    stored = gpd.read_parquet(io.BytesIO(api.get("/feature-groups/scene_detections/versions/1/data.parquet").content))
    stored = stored.set_index("id").loc[[r["id"] for r in records]]
    back = stored.geometry.to_crs(truth.crs)
    np.testing.assert_allclose(back.x, [r["x"] for r in records], atol=0.01)
    np.testing.assert_allclose(back.y, [r["y"] for r in records], atol=0.01)
    assert {i: int(v) for i, v in stored["is_iceberg"].dropna().items()} == labels
    wrong = api.post("/jobs", json={"kind": "build_feature_group", "params": {
        "group": "scene_detections", "patches_job_id": scene["id"]}})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "params.patches_job_id"

    unknown = api.post("/jobs", json={"kind": "detect_targets", "params": {"scene_job_id": "nope"}})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "unknown_scene"
    assert unknown.json()["error"]["field"] == "params.scene_job_id"


def test_upload_ingest_list_and_detect_on_a_catalog_scene(api, write_tif, linear_bands, tmp_path):
    vv, vh, inc = linear_bands
    vv[150, 200] = vh[150, 200] * 0 + 50.0  # a bright target
    vh[150, 200] = 5.0
    path = write_tif(tmp_path / "upload.tif", [vv, vh, inc], descriptions=["Sigma0_VV", "Sigma0_VH", "incidence_angle"])
    upload = api.post("/uploads", data=path.read_bytes(), params={"filename": "/home/analyst/S1_tromso.tif"})
    assert upload.status_code == 201, upload.text
    assert upload.json()["filename"] == "S1_tromso.tif"
    upload_id = upload.json()["upload_id"]
    job = api.submit("ingest_scene", {"upload_id": upload_id, "scene_id": "tromso-test", "mode": "IW",
                                      "acquired": "2026-03-01T08:15:00Z"})
    final = api.wait(job["id"])
    assert final["state"] == "succeeded", final
    assert final["result"]["polarisations"] == ["VV", "VH"] and final["result"]["source_units"] == "linear"

    item = api.get("/scenes/tromso-test").json()
    assert item["properties"]["icesight:source"] == "S1_tromso.tif"
    assert item["properties"]["sar:instrument_mode"] == "IW" and item["properties"]["proj:code"] == "EPSG:32633"
    west, south, east, north = item["bbox"]
    assert west < 15.1 < east and south < 70.3 < north
    found = api.get("/scenes", params={"bbox": "14,69,17,71", "mode": "IW", "start": "2026-01-01"}).json()["features"]
    assert "tromso-test" in [f["id"] for f in found]
    elsewhere = api.get("/scenes", params={"bbox": "-60,60,-50,65"}).json()["features"]
    assert "tromso-test" not in [f["id"] for f in elsewhere]
    assert "tromso-test" not in [f["id"] for f in api.get("/scenes", params={"mode": "EW"}).json()["features"]]
    cog = api.get("/scenes/tromso-test/scene.tif", headers=api.headers | {"Range": "bytes=0-1023"})
    assert cog.status_code == 206 and len(cog.content) == 1024

    detected = api.wait(api.submit("detect_targets", {"scene_id": "tromso-test", "chunk_px": 256})["id"])
    assert detected["state"] == "succeeded", detected
    assert detected["result"]["looks"] == 4.4  # IW GRDH, from the catalog's mode tag
    assert detected["result"]["noise_floor_band"] is False  # a GeoTIFF of sigma0 alone: one estimated floor
    assert detected["result"]["n_detections"] >= 1


def test_a_scene_exported_in_longitude_and_latitude_is_ingested_on_ground_metres(api, linear_bands, tmp_path):
    """SNAP's default export (WGS84 longitude and latitude, equal degrees) is put on polar
    stereographic at the ground's 10 m, and its target is found where its coordinates say."""
    from affine import Affine

    vv, vh, inc = (band.copy() for band in linear_bands)
    degrees = 10.0 / 111319.49079327357
    vv[150, 200], vh[150, 200] = 50.0, 5.0
    target_lon, target_lat = 15.0 + 200.5 * degrees, 70.0 - 150.5 * degrees
    path = tmp_path / "snap.tif"
    with rasterio.open(path, "w", driver="GTiff", width=400, height=300, count=3, dtype="float32", crs="EPSG:4326",
                       transform=Affine(degrees, 0, 15.0, 0, -degrees, 70.0)) as dst:
        dst.write(np.stack([vv, vh, inc]).astype(np.float32))
        for band, name in enumerate(["Sigma0_VV", "Sigma0_VH", "incidenceAngleFromEllipsoid"], start=1):
            dst.set_band_description(band, name)
    upload_id = api.post("/uploads", data=path.read_bytes(), params={"filename": "snap.tif"}).json()["upload_id"]
    final = api.wait(api.submit("ingest_scene", {"upload_id": upload_id, "scene_id": "snap-geographic", "mode": "IW"})["id"])
    assert final["state"] == "succeeded", final["error"]
    assert final["result"]["crs"] == "EPSG:3413" and final["result"]["pixel_size_m"] == pytest.approx(10.0, abs=0.05)
    west, south, east, north = api.get("/scenes/snap-geographic").json()["bbox"]
    assert west < target_lon < east and south < target_lat < north
    detected = api.wait(api.submit("detect_targets", {"scene_id": "snap-geographic", "chunk_px": 256})["id"])
    assert detected["state"] == "succeeded", detected["error"]
    layer = gpd.read_file(io.BytesIO(api.get(f"/jobs/{detected['id']}/artifacts/detections.gpkg").content))
    target = gpd.GeoSeries(gpd.points_from_xy([target_lon], [target_lat]), crs=4326).to_crs(layer.crs)[0]
    assert layer.distance(target).min() < 20.0  # metres: within two pixels


def test_a_geotiff_named_after_its_sentinel1_product_is_catalogued_with_its_mode_channels_and_time(
        api, write_tif, linear_bands, tmp_path):
    """SNAP names what it derives after the product (``..._Cal_TC.tif``) and writes no band
    descriptions GDAL reads: the name gives the mode (and so the detector's looks), the channels and
    the acquisition time, and the product's looks; what the job is given wins."""
    from icesight_backend.sar.simulation import MODES
    from icesight_contract import AcquisitionMode

    vv, vh, inc = linear_bands
    path = write_tif(tmp_path / "plain.tif", [vv, vh, inc])  # no band descriptions
    name = "S1A_EW_GRDM_1SDH_20210403T122536_20210403T122628_037286_046484_8152_Cal_TC.tif"
    upload_id = api.post("/uploads", data=path.read_bytes(), params={"filename": name}).json()["upload_id"]
    final = api.wait(api.submit("ingest_scene", {"upload_id": upload_id, "scene_id": "named-ew"})["id"])
    assert final["state"] == "succeeded", final["error"]
    assert final["result"]["polarisations"] == ["HH", "HV"]
    properties = api.get("/scenes/named-ew").json()["properties"]
    assert properties["sar:instrument_mode"] == "EW" and properties["datetime"].startswith("2021-04-03T12:25:36")
    assert properties["sar:looks_equivalent_number"] == 10.7
    detected = api.wait(api.submit("detect_targets", {"scene_id": "named-ew", "chunk_px": 256})["id"])
    assert detected["result"]["looks"] == MODES[AcquisitionMode.EW].looks != MODES[AcquisitionMode.IW].looks
    # An EW GRDH product (25 m pixels, 3 x 1 looks) is EW with its own looks, not EW GRDM's.
    grdh = "S1A_EW_GRDH_1SDH_20210403T122536_20210403T122628_037286_046484_8152_Cal_TC.tif"
    upload_id = api.post("/uploads", data=path.read_bytes(), params={"filename": grdh}).json()["upload_id"]
    assert api.wait(api.submit("ingest_scene", {"upload_id": upload_id, "scene_id": "named-grdh"})["id"])["state"] == "succeeded"
    properties = api.get("/scenes/named-grdh").json()["properties"]
    assert properties["sar:instrument_mode"] == "EW" and properties["sar:looks_equivalent_number"] == 2.7
    detected = api.wait(api.submit("detect_targets", {"scene_id": "named-grdh", "chunk_px": 256})["id"])
    assert detected["result"]["looks"] == 2.7

    dual_vv = "S1B_IW_GRDH_1SDV_20210119T031653_20210119T031718_036201_043ED0_8255_Sigma0.tif"
    upload_id = api.post("/uploads", data=path.read_bytes(), params={"filename": dual_vv}).json()["upload_id"]
    given = {"upload_id": upload_id, "scene_id": "named-iw", "mode": "EW", "acquired": "2021-01-20T00:00:00Z"}
    final = api.wait(api.submit("ingest_scene", given)["id"])
    assert final["result"]["polarisations"] == ["VV", "VH"]
    properties = api.get("/scenes/named-iw").json()["properties"]
    assert properties["sar:instrument_mode"] == "EW" and properties["datetime"].startswith("2021-01-20T00:00:00")
    assert "sar:looks_equivalent_number" not in properties  # the name's IW GRDH looks are not the given mode's


def test_a_zipped_snap_beam_dimap_product_is_ingested_and_its_target_found(api, write_dimap, write_snap_tif,
                                                                          terrain_corrected_metadata,
                                                                          real_geolocation_grid, linear_bands, tmp_path):
    """SNAP's own format as an analyst saves it (terrain-corrected onto WGS84 degrees, named after the
    product), zipped: the catalog scene is on polar stereographic ground metres, EW and HH/HV from
    the name, and its target is where the product's coordinates put it."""
    hh, hv, inc = (band.copy() for band in linear_bands)
    degrees = 10.0 / 111319.49
    hh[120, 250], hv[120, 250] = 50.0, 5.0
    for band in (hh, hv, inc):
        band[:, :15] = 0.0  # SNAP's no data
    name = "S1A_EW_GRDM_1SDH_20210403T122536_20210403T122628_037286_046484_8152_Cal_TC.zip"
    product = write_dimap(tmp_path / name, {"Sigma0_HH": hh, "Sigma0_HV": hv, "incidenceAngleFromEllipsoid": inc},
                          lon=-51.5, lat=69.0, step=degrees)
    upload_id = api.post("/uploads", data=product.read_bytes(), params={"filename": name}).json()["upload_id"]
    final = api.wait(api.submit("ingest_scene", {"upload_id": upload_id, "scene_id": "snap-dimap"})["id"])
    assert final["state"] == "succeeded", final["error"]
    assert final["result"]["crs"] == "EPSG:3413" and final["result"]["polarisations"] == ["HH", "HV"]
    assert final["result"]["source_units"] == "linear"
    assert api.get("/scenes/snap-dimap").json()["properties"]["sar:instrument_mode"] == "EW"
    detected = api.wait(api.submit("detect_targets", {"scene_id": "snap-dimap", "chunk_px": 256})["id"])
    assert detected["state"] == "succeeded", detected["error"]
    layer = gpd.read_file(io.BytesIO(api.get(f"/jobs/{detected['id']}/artifacts/detections.gpkg").content))
    lon, lat = -51.5 + 250.5 * degrees, 69.0 - 120.5 * degrees
    target = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=4326).to_crs(layer.crs)[0]
    assert layer.distance(target).min() < 20.0  # metres: within two pixels
    # Saved under another name and without an incidence band (SNAP's terrain correction writes none by
    # default), as a zipped DIMAP product and as a GeoTIFF SNAP wrote: the metadata SNAP keeps names the
    # product, and the original product's geolocation grid gives the incidence at every pixel.
    from scipy.interpolate import griddata

    lon, lat = 33.6, -18.15  # within the real grid's swath
    metadata = terrain_corrected_metadata("S1A_IW_GRDH_1SDV_20210119T031653_20210119T031718_036201_043ED0_8255",
                                          hh.shape, lon=lon, lat=lat)
    exports = {"my_export.zip": write_dimap(tmp_path / "my_export.zip", {"Sigma0_VV": hh, "Sigma0_VH": hv}, lon=lon,
                                            lat=lat, step=degrees, metadata=metadata, grid=real_geolocation_grid),
               "export.tif": write_snap_tif(tmp_path / "export.tif", [hh, hv], metadata, real_geolocation_grid,
                                            big_endian=True, lon=lon, lat=lat)}
    middle = griddata(real_geolocation_grid[:, 2:4], real_geolocation_grid[:, 4],
                      (lon + 200 * degrees / np.cos(np.radians(lat)), lat - 150 * degrees), method="linear")
    for sent, export in exports.items():
        upload_id = api.post("/uploads", data=export.read_bytes(), params={"filename": sent}).json()["upload_id"]
        scene_id = f"snap-{sent.replace('.', '-').replace('_', '-')}"
        final = api.wait(api.submit("ingest_scene", {"upload_id": upload_id, "scene_id": scene_id})["id"])
        assert final["state"] == "succeeded", (sent, final["error"])
        assert final["result"]["polarisations"] == ["VV", "VH"]
        properties = api.get(f"/scenes/{scene_id}").json()["properties"]
        assert properties["sar:instrument_mode"] == "IW" and properties["datetime"].startswith("2021-01-19T03:16:53")
        assert properties["sar:looks_equivalent_number"] == 4.4
        with rasterio.open(io.BytesIO(api.get(f"/scenes/{scene_id}/scene.tif").content)) as src:
            incidence = src.read(3)
        assert abs(incidence[incidence.shape[0] // 2, incidence.shape[1] // 2] - middle) < 0.05, sent
        assert 0.15 < np.nanmax(incidence) - np.nanmin(incidence) < 0.4  # 3.8 km across 16 degrees over 250 km
    # One still in radar geometry fails, saying what to do in SNAP; the catalog keeps what it had.
    before = [f["id"] for f in api.get("/scenes").json()["features"]]
    radar = write_dimap(tmp_path / "radar.zip", {"Sigma0_HH": hh, "Sigma0_HV": hv}, step=None)
    upload_id = api.post("/uploads", data=radar.read_bytes(), params={"filename": "radar.zip"}).json()["upload_id"]
    failed = api.wait(api.submit("ingest_scene", {"upload_id": upload_id, "scene_id": "radar-dimap"})["id"])
    assert failed["state"] == "failed" and "Terrain Correction" in failed["error"]["message"]
    # Named by the file the analyst sent, not by the service's stored copy.
    assert "radar.zip: radar is not on a map grid" in failed["error"]["message"]
    assert ".upload" not in failed["error"]["message"]
    assert [f["id"] for f in api.get("/scenes").json()["features"]] == before


def test_bad_scene_uploads_fail_cleanly_and_leave_the_catalog_alone(api, write_tif, linear_bands, tmp_path):
    before = [f["id"] for f in api.get("/scenes").json()["features"]]
    vv, vh, inc = linear_bands
    no_crs = write_tif(tmp_path / "nocrs.tif", [vv, vh, inc], crs=None)
    upload_id = api.post("/uploads", data=no_crs.read_bytes()).json()["upload_id"]
    final = api.wait(api.submit("ingest_scene", {"upload_id": upload_id, "scene_id": "broken"})["id"])
    assert final["state"] == "failed" and "no CRS" in final["error"]["message"]
    assert api.get("/scenes/broken").status_code == 404
    assert [f["id"] for f in api.get("/scenes").json()["features"]] == before
    assert not list((api.backend.data_dir / "scenes").glob(".staging-*"))

    error = _error(api.post("/jobs", json={"kind": "ingest_scene", "params": {"upload_id": "0" * 32}}), 422)
    assert error["code"] == "unknown_upload" and error["field"] == "params.upload_id"
    error = _error(api.post("/jobs", json={"kind": "ingest_scene", "params": {"upload_id": upload_id, "scene_id": "../x"}}), 422)
    assert error["field"] == "params.scene_id"
    error = _error(api.post("/jobs", json={"kind": "detect_targets", "params": {"scene_id": "nope"}}), 422)
    assert error["code"] == "unknown_scene" and error["field"] == "params.scene_id"
    assert _error(api.post("/uploads", data=b""), 400)["code"] == "invalid_parameter"


def test_an_ingest_never_replaces_a_scene_of_the_catalog(api, write_tif, linear_bands, tmp_path):
    vv, vh, inc = linear_bands
    path = write_tif(tmp_path / "first.tif", [vv, vh, inc])
    first = api.post("/uploads", data=path.read_bytes(), params={"filename": "first.tif"}).json()["upload_id"]
    assert api.wait(api.submit("ingest_scene", {"upload_id": first, "scene_id": "kept"})["id"])["state"] == "succeeded"
    kept = api.get("/scenes/kept").json()
    cog = api.get("/scenes/kept/scene.tif").content

    second = api.post("/uploads", data=path.read_bytes(), params={"filename": "second.tif"}).json()["upload_id"]
    error = _error(api.post("/jobs", json={"kind": "ingest_scene", "params": {"upload_id": second, "scene_id": "kept"}}),
                   422)
    assert error["field"] == "params.scene_id" and "kept" in error["message"] and "another scene_id" in error["message"]
    assert api.get("/scenes/kept").json() == kept and api.get("/scenes/kept/scene.tif").content == cog
    # The upload was not consumed: it can be ingested under another id.
    again = api.wait(api.submit("ingest_scene", {"upload_id": second, "scene_id": "kept-2"})["id"])
    assert again["state"] == "succeeded", again["error"]


def test_an_upload_ingested_twice_says_the_first_ingest_took_it(api, write_tif, linear_bands, tmp_path):
    vv, vh, inc = linear_bands
    path = write_tif(tmp_path / "twice.tif", [vv, vh, inc])
    upload_id = api.post("/uploads", data=path.read_bytes(), params={"filename": "twice.tif"}).json()["upload_id"]
    jobs = [api.submit("ingest_scene", {"upload_id": upload_id, "scene_id": f"twice-{n}"})["id"] for n in (1, 2)]
    finals = [api.wait(job) for job in jobs]
    states = sorted(final["state"] for final in finals)
    if states == ["failed", "succeeded"]:  # the usual case: one took the upload, the other found it gone
        failed = next(final for final in finals if final["state"] == "failed")
        assert "another ingest_scene job" in failed["error"]["message"]
        assert "upload the file again" in failed["error"]["message"]
    else:  # both ran while the upload was still there: two scenes, both whole
        assert states == ["succeeded", "succeeded"]
    ingested = [final["result"]["scene_id"] for final in finals if final["state"] == "succeeded"]
    assert all(api.get(f"/scenes/{scene_id}").status_code == 200 for scene_id in ingested)


def test_a_scene_with_nothing_on_it_gives_an_empty_but_valid_detection_layer(api, write_tif, tmp_path):
    rng = np.random.default_rng(5)
    calm = [10 * np.log10(0.01 * np.ones((256, 256))), 10 * np.log10(0.001 * np.ones((256, 256)))]
    calm = [band + rng.normal(0, 0.01, band.shape) for band in calm]
    path = write_tif(tmp_path / "calm.tif", calm)
    upload_id = api.post("/uploads", data=path.read_bytes()).json()["upload_id"]
    ingested = api.wait(api.submit("ingest_scene", {"upload_id": upload_id, "scene_id": "calm", "inc_angle_deg": 35.0})["id"])
    assert ingested["state"] == "succeeded", ingested["error"]
    detected = api.wait(api.submit("detect_targets", {"scene_id": "calm", "chunk_px": 256})["id"])
    assert detected["state"] == "succeeded", detected["error"]
    assert detected["result"]["n_detections"] == 0
    layer = gpd.read_file(io.BytesIO(api.get(f"/jobs/{detected['id']}/artifacts/detections.gpkg").content))
    assert len(layer) == 0 and "detection_id" in layer.columns


def test_model_registry_compare_production_and_torchscript(api, trained_model, patch_record):
    second = api.wait(api.submit("train_model", {"epochs": 1, "simulated": {"n_patches": 120, "seed": 4}})["id"])
    assert second["state"] == "succeeded", second["error"]
    first_id, second_id = trained_model["model_id"], second["result"]["model_id"]
    assert 0.0 <= second["result"]["metrics"]["val_ece"] <= 1.0

    comparison = api.get("/models/compare", params={"ids": f"{first_id},{second_id}"}).json()["models"]
    assert [m["model_id"] for m in comparison] == [first_id, second_id]
    delta = comparison[1]["difference_to_first"]["val_log_loss"]
    assert delta == pytest.approx(comparison[1]["metrics"]["val_log_loss"] - comparison[0]["metrics"]["val_log_loss"])
    assert api.get("/models/compare", params={"ids": first_id}).status_code == 422

    marked = api.post(f"/models/{first_id}/production")
    assert marked.status_code == 200 and marked.json()["production"] is True
    flags = {m["model_id"]: m["production"] for m in api.get("/models").json()["models"]}
    assert flags[first_id] and not flags[second_id]
    # A job that names no model uses the production model, not the newest.
    job = api.wait(api.submit("classify_patches", {"patches": [patch_record("p")]})["id"])
    assert job["result"]["model_id"] == first_id
    assert api.post("/models/nope/production").status_code == 404

    import io

    import torch

    blob = api.get(f"/models/{second_id}/model.torchscript.pt")
    assert blob.status_code == 200
    scripted = torch.jit.load(io.BytesIO(blob.content))
    out = scripted(torch.zeros(3, 3, 75, 75), torch.zeros(3))
    # Simulated sets hold clutter patches by default: the iceberg and the target logits.
    assert second["result"]["metrics"]["classes"] == ["ship", "iceberg", "clutter"]
    assert tuple(out.shape) == (3, 2)


def test_framework_errors_have_the_documented_shape(api):
    """Unknown routes, wrong methods, bad query values and oversized numbers: 4xx with {"error": ...}."""
    cases = [
        (api.get("/no-such-route"), 404, "not_found"),
        (api.post("/health"), 405, "method_not_allowed"),
        (api.get("/jobs", params={"limit": "abc"}), 422, "invalid_parameter"),
        (api.get("/feature-groups/g/versions/not-a-number"), 422, "invalid_parameter"),
        (api.post("/jobs", json={"kind": "simulate_scene", "params": {"wind_speed_m_s": 10**400}}), 422, "invalid_parameter"),
        (api.post("/jobs", data=b'{"kind": "simulate_scene", "params": {"wind_speed_m_s": NaN}}'), 400, "invalid_json"),
        (api.post("/jobs", json={}), 422, "unknown_job_kind"),
        (api.get("/jobs", params={"limit": "0"}), 422, "invalid_parameter"),
        (api.get("/jobs", params={"limit": str(10**30)}), 422, "invalid_parameter"),
        (api.get("/scenes", params={"mode": "ZZ"}), 422, "invalid_parameter"),
        (api.post("/uploads", params={"filename": "a\x00b.tif"}, data=b"II*\x00"), 422, "invalid_parameter"),
        (api.post("/jobs", json={"kind": "simulate_scene", "params": {"seed": -1}}), 422, "invalid_parameter"),
    ]
    for response, status_code, code in cases:
        assert response.status_code == status_code, (response.request.url, response.text)
        assert response.json()["error"]["code"] == code, response.text
    assert api.get("/jobs", params={"limit": "abc"}).json()["error"]["field"] == "limit"
    assert api.get("/jobs", params={"limit": "-1"}).json()["error"]["field"] == "limit"
    assert api.get("/scenes", params={"mode": "ZZ"}).json()["error"]["field"] == "mode"
    for body, field in [(b'{"kind": "simulate_scene", "params": {"wind_speed_m_s": NaN}}', "params.wind_speed_m_s"),
                        (b'{"kind": "simulate_scene", "params": {"seed": 1, "targets": [{"x": -Infinity}]}}',
                         "params.targets[0].x"),
                        (b'{"kind": "simulate_scene", "params": {"wind_speed_m_s": 1e999}}', "params.wind_speed_m_s")]:
        error = api.post("/jobs", data=body).json()["error"]
        assert error["code"] == "invalid_json" and error["field"] == field, error
        assert "not a number JSON allows" in error["message"], error
    seed = api.post("/jobs", json={"kind": "simulate_scene", "params": {"seed": 2**32}}).json()["error"]
    assert seed["field"] == "params.seed" and "between 0 and 4294967295" in seed["message"]


def test_lone_surrogates_and_overlong_ids_are_4xx_naming_the_field_and_keep_the_connection(api, trained_model, patch_record):
    """Strings that are not Unicode text, and ids too long to be a file name, are refused before
    anything looks them up or stores them; the client's keep-alive connection survives."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {api.backend.token}"
    base = f"{api.backend.url}{API_PREFIX}"
    lone = '"\\ud800"'  # the JSON escape of a lone UTF-16 surrogate
    bodies = [
        ("/jobs", f'{{"kind": "detect_targets", "params": {{"scene_id": {lone}}}}}', "params.scene_id"),
        ("/jobs", f'{{"kind": "build_feature_group", "params": {{"group": "g", "description": {lone}, '
                  f'"simulated": {{"n_patches": 20}}}}}}', "params.description"),
        ("/jobs", f'{{"kind": "classify_patches", "params": {{"patches": [{{"id": {lone}}}]}}}}', "params.patches[0].id"),
        ("/stac/search", f'{{"ids": ["ok", {lone}]}}', "ids[1]"),
        ("/predict", f'{{"patches": [], "model_id": {lone}}}', "model_id"),
    ]
    for path, body, field in bodies:
        response = session.post(f"{base}{path}", data=body.encode(), headers={"Content-Type": "application/json"}, timeout=30)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"]["field"] == field, response.text
        assert session.get(f"{base}/health", timeout=30).status_code == 200  # same connection, still usable
    # A surrogate pair is an ordinary character (here an emoji) and passes the check.
    pair = session.post(f"{base}/stac/search", data=b'{"ids": ["\\ud83d\\ude00"]}', timeout=30)
    assert pair.status_code == 200 and pair.json()["features"] == []

    overlong = "m" * 300
    for response in (session.get(f"{base}/models/{overlong}", timeout=30),
                     session.get(f"{base}/models/{overlong}/model.torchscript.pt", timeout=30),
                     session.post(f"{base}/models/{overlong}/production", timeout=30)):
        assert response.status_code == 404, response.text
        message = response.json()["error"]["message"]
        assert len(message) < 400 and str(api.backend.data_dir) not in message, message
    submitted = session.post(f"{base}/jobs", json={"kind": "classify_patches",
                                                   "params": {"patches": [patch_record("p")], "model_id": overlong}}, timeout=30)
    assert submitted.status_code == 422 and submitted.json()["error"]["field"] == "params.model_id", submitted.text
    predicted = session.post(f"{base}/predict", json={"patches": [patch_record("p")], "model_id": overlong}, timeout=30)
    assert predicted.status_code == 422 and predicted.json()["error"]["field"] == "model_id", predicted.text
    # An id of half a megabyte is named, not echoed back whole.
    huge = session.post(f"{base}/jobs", json={"kind": "detect_targets", "params": {"scene_id": "S" * 500_000}}, timeout=30)
    assert huge.status_code == 422 and len(huge.content) < 2_000, len(huge.content)
    # Nothing of the above was stored: the feature-group routes still answer.
    assert session.get(f"{base}/feature-groups", timeout=30).status_code == 200


def test_bad_range_headers_get_the_documented_error_shape(api):
    job = api.wait(api.submit("simulate_scene", {"width_px": 256, "height_px": 256, "seed": 4})["id"])
    url = f"/jobs/{job['id']}/artifacts/scene.tif"
    size = len(api.get(url).content)
    assert api.get(url, headers=api.headers | {"Range": "bytes=0-99"}).status_code == 206
    for header, status_code in (("bytes=abc", 400), ("bytes=10-5", 400), ("items=0-10", 400), ("nonsense", 400),
                                (f"bytes={size + 10}-", 416)):
        response = api.get(url, headers=api.headers | {"Range": header})
        assert response.status_code == status_code, (header, response.status_code, response.text)
        error = response.json()["error"]
        assert error["code"] == "invalid_request" and error["field"] == "Range", error
    assert api.get(url, headers=api.headers | {"Range": f"bytes={size + 10}-"}).headers["Content-Range"] == f"bytes */{size}"


def test_the_embedded_cluster_admits_no_client_without_the_service_credentials(api, backend):
    """The scheduler runs code for whoever connects: its address is for token holders only, and a
    Dask client without the instance's TLS certificate is refused."""
    from distributed import Client
    from distributed.security import Security

    public = requests.get(f"{backend.url}{API_PREFIX}/health", timeout=30).json()
    assert public["dask"]["scheduler"] is None
    address = api.get("/health").json()["dask"]["scheduler"]
    assert address.startswith("tls://127.0.0.1:")
    # A certificate of the intruder's own making, and plain TCP: both refused.
    for attempt, security in ((address, Security.temporary()), (address.replace("tls://", "tcp://"), None)):
        with pytest.raises((OSError, TimeoutError)):
            Client(attempt, timeout="3s", security=security).close()
    scratch = backend.data_dir / "dask-scratch"
    assert scratch.is_dir() and any(scratch.iterdir())  # the workers' files live under the data directory

    # Dask's own HTTP servers (scheduler and workers) listen without TLS or credentials: they serve
    # nothing, not the identity page with every address, the logs or the metrics.
    import psutil

    service = psutil.Process(backend.process.pid)
    ports = {c.laddr.port for p in (service, *service.children(recursive=True))
             for c in p.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN} - {backend.port}
    assert ports  # the scheduler, nanny and worker at least
    for port in ports:
        for path in ("/json/identity.json", "/info/main/logs.html", "/metrics", "/health", "/status"):
            try:
                answer = requests.get(f"http://127.0.0.1:{port}{path}", timeout=5)
            except requests.ConnectionError:
                continue  # a TLS or Dask protocol port
            assert answer.status_code == 404, (port, path, answer.status_code, answer.text[:200])


def test_a_scene_too_large_is_refused_from_its_header_and_errors_show_no_server_path(api, tmp_path):
    import rasterio
    from affine import Affine

    huge = tmp_path / "huge.tif"  # declares 200,000 x 200,000 px; sparse, so a few kB on disk
    with rasterio.open(huge, "w", driver="GTiff", width=200_000, height=200_000, count=2, dtype="float32", crs="EPSG:32633",
                       transform=Affine(10, 0, 500000, 0, -10, 7800000), tiled=True, blockxsize=1024, blockysize=1024,
                       SPARSE_OK=True, BIGTIFF="YES"):
        pass
    assert huge.stat().st_size < 20_000_000  # the tile index only
    upload = api.post("/uploads", data=huge.read_bytes(), params={"filename": "huge.tif"}).json()
    response = api.post("/jobs", json={"kind": "ingest_scene", "params": {"upload_id": upload["upload_id"]}})
    error = _error(response, 422)
    assert error["field"] == "params.upload_id" and "200000 x 200000" in error["message"]

    junk = api.post("/uploads", data=b"II*\x00not really a tiff" * 10, params={"filename": "junk.tif"}).json()
    failed = api.wait(api.submit("ingest_scene", {"upload_id": junk["upload_id"]})["id"])
    assert failed["state"] == "failed"
    message = failed["error"]["message"]
    assert "/tmp" not in message and str(api.backend.data_dir) not in message, message
    # The reader's own error, as the worker raised it (not Dask's text of an error it could not unpickle).
    assert message.startswith("job failed on the worker: SarFormatError: ") and "not a readable GeoTIFF" in message, message


def test_answers_with_data_in_them_match_the_documented_response_schemas(api, trained_model, backend):
    """The fuzzing server has no data; here the catalog, registry and stores hold what earlier tests
    made, and each GET answer is checked against its schema in /openapi.json."""
    import jsonschema

    document = requests.get(f"{backend.url}/openapi.json", timeout=30).json()
    api.wait(api.submit("build_feature_group", {"group": "documented", "simulated": {"n_patches": 20}})["id"])
    scene = api.wait(api.submit("simulate_scene", {"width_px": 256, "height_px": 256, "seed": 8})["id"])
    scene_id = scene["result"]["scene_id"]
    model_id = trained_model["model_id"]
    routes = {
        "/health": "/health", "/monitoring": "/monitoring", "/scenes": "/scenes",
        "/scenes/{scene_id}": f"/scenes/{scene_id}", "/stac": "/stac", "/stac/conformance": "/stac/conformance",
        "/stac/collections": "/stac/collections",
        "/stac/collections/{collection_id}": "/stac/collections/sentinel-1-scenes",
        "/stac/collections/{collection_id}/items": "/stac/collections/sentinel-1-scenes/items",
        "/stac/collections/{collection_id}/items/{item_id}": f"/stac/collections/sentinel-1-scenes/items/{scene_id}",
        "/stac/search": "/stac/search", "/models": "/models", "/models/{model_id}": f"/models/{model_id}",
        "/jobs/{job_id}/artifacts": f"/jobs/{scene['id']}/artifacts", "/feature-groups": "/feature-groups",
        "/feature-groups/{name}": "/feature-groups/documented",
        "/feature-groups/{name}/versions/{version}": "/feature-groups/documented/versions/1",
    }
    checked = 0
    for template, path in routes.items():
        answer = api.get(path)
        assert answer.status_code == 200, (path, answer.text)
        documented = document["paths"][f"{API_PREFIX}{template}"]["get"]["responses"]["200"]
        schema = documented["content"]["application/json"]["schema"] | {"components": document["components"]}
        jsonschema.validate(answer.json(), schema)
        checked += 1
    assert checked == len(routes)
    # And a body that breaks the schema is caught: the check can fail.
    with pytest.raises(jsonschema.ValidationError):
        schema = document["paths"][f"{API_PREFIX}/models/{{model_id}}"]["get"]["responses"]["200"]
        jsonschema.validate({"model_id": 3}, schema["content"]["application/json"]["schema"])


LONG = "z" * 100_000


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/jobs", {"kind": LONG, "params": {}}),
    ("post", "/jobs", {"kind": "simulate_scene", "params": {LONG: 1}}),
    ("post", "/jobs", {"kind": "build_feature_group", "params": {"group": "g" * 5000, "simulated": {}}}),
    ("post", "/jobs", {"kind": "ingest_scene", "params": {"upload_id": "0" * 32, "acquired": LONG}}),
    ("post", "/jobs", {"kind": "ingest_scene", "params": {"upload_id": "0" * 32, "units": LONG}}),
    ("post", "/stac/search", {"datetime": "x" * 5000}),
    ("post", "/stac/search", {"q" * 5000: 1}),
    ("get", "/scenes?bbox=" + "1" * 3000, None),
    ("get", "/feature-groups/" + "g" * 3000, None),
])
def test_an_error_quotes_a_long_input_cut_short(api, method, path, body):
    response = getattr(api, method)(path, **({} if body is None else {"json": body}))
    assert response.status_code in (404, 422), response.text[:300]
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "field"}
    assert len(response.content) < 1_000, (len(response.content), error["message"][:200])


@pytest.mark.parametrize(("kind", "params", "field"), [
    ("ingest_scene", {"upload_id": "0" * 32, "inc_band": -1}, "params.inc_band"),
    ("ingest_scene", {"upload_id": "0" * 32, "inc_angle_deg": 500}, "params.inc_angle_deg"),
    ("cut_patches", {"scene_id": "any", "points": [{"id": "a", "x": 1.0, "y": 2.0}], "crs": "EPSG:999999"},
     "params.crs"),
    ("classify_detections", {"scene_id": "any", "points": [{"id": "a", "x": 1.0, "y": 2.0}], "crs": "garbage"},
     "params.crs"),
])
def test_parameters_a_worker_would_refuse_are_refused_at_submission(api, kind, params, field):
    error = _error(api.post("/jobs", json={"kind": kind, "params": params}), 422)
    assert error["field"] == field, error


def test_a_huge_integer_and_a_body_that_is_no_object_name_their_field(api):
    body = '{"kind": "simulate_scene", "params": {"seed": ' + "9" * 5000 + "}}"
    response = api.post("/jobs", data=body, headers=api.headers | {"Content-Type": "application/json"})
    error = _error(response, 422)
    assert error["field"] == "params.seed" and "5000 digits" in error["message"]
    for path in ("/jobs", "/predict"):
        assert _error(api.post(path, json=[1]), 422)["field"] == "body"
    refused = api.post("/jobs", json={"kind": "simulate_scene", "params": {}}, headers=api.headers | {"Idempotency-Key": "k" * 201})
    assert _error(refused, 400)["field"] == "Idempotency-Key"


def test_an_uploads_name_is_the_files_own_and_a_form_is_refused(api):
    sent = api.post("/uploads", data=b"II*\0" + b"\0" * 64, params={"filename": "C:\\Users\\ana\\S1A_EW.tif"}).json()
    assert sent["filename"] == "S1A_EW.tif"
    long_name = "n" * 1000 + ".tif"
    assert len(api.post("/uploads", data=b"x", params={"filename": long_name}).json()["filename"]) == 255
    form = api.post("/uploads", files={"file": ("scene.tif", b"II*\0")})
    error = _error(form, 400)
    assert error["field"] == "Content-Type" and "request body" in error["message"]


def test_an_ingest_retried_with_its_idempotency_key_answers_the_job_it_made(api, write_tif, linear_bands, tmp_path):
    vv, vh, inc = linear_bands
    path = write_tif(tmp_path / "once.tif", [vv, vh, inc])
    upload_id = api.post("/uploads", data=path.read_bytes(), params={"filename": "once.tif"}).json()["upload_id"]
    body = {"kind": "ingest_scene", "params": {"upload_id": upload_id, "scene_id": "ingested-once"}}
    headers = api.headers | {"Idempotency-Key": "ingest-once-2026-12-08"}
    first = api.post("/jobs", json=body, headers=headers)
    assert first.status_code == 202
    assert api.wait(first.json()["id"])["state"] == "succeeded"
    # The upload is used up and the id taken by then: the retry is still the same job, not a refusal.
    again = api.post("/jobs", json=body, headers=headers)
    assert again.status_code == 202 and again.json()["id"] == first.json()["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
