"""Screenshots of the real QGIS desktop with the IceSight plugin, as an analyst sees it (`make screenshot`).

1. Builds the plugin zip and starts a backend (embedded Dask cluster) in a temporary folder.
2. Prepares a small scene with results through the API, as the demo does but quicker: a simulated
   Sentinel-1 EW scene, CFAR detection, a LeNet trained on a few hundred simulated patches, every
   detection classified, three decisions explained (the surest ship, the surest iceberg, the most
   doubtful call) and the iceberg probability of every pixel; the results are downloaded.
3. Starts Xvfb and the QGIS desktop (``qgis --code tools/screenshot_qgis.py``) in a fresh
   profile with the plugin installed from the zip and connected to the backend. That script loads
   the results with the plugin's own functions, opens the IceSight dock on each tab and saves a
   PNG of the main window for each state into ``--out``.
4. Ends QGIS (by its pid when it does not end itself), Xvfb and the backend.

Usage: python tools/screenshot.py [--out out/screenshots]
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "qgis_plugin"))
QGIS_SCRIPT = Path(__file__).resolve().with_name("screenshot_qgis.py")
PLUGIN = "icesight_qgis"


def log(message: str) -> None:
    print(f"[screenshot {time.strftime('%H:%M:%S')}] {message}", flush=True)


def prepare(client, folder: Path, size: int, train_patches: int, epochs: int) -> dict:
    """The scene and its results on the backend, downloaded into ``folder``; returns the manifest."""
    import geopandas as gpd

    from icesight_contract import (
        AcquisitionMode,
        AttributionMethod,
        ClassifyDetectionsParams,
        CutPatchesParams,
        DetectTargetsParams,
        ExplainPatchesParams,
        JobKind,
        MapPoint,
        ModelArchitecture,
        SimulatedPatchSet,
        SimulateSceneParams,
        TrainModelParams,
    )
    from icesight_qgis.workflow import artifact_file_id, map_scene

    folder.mkdir(parents=True, exist_ok=True)
    scene_job = client.submit(JobKind.SIMULATE_SCENE, SimulateSceneParams(
        mode=AcquisitionMode.EW, width_px=size, height_px=size, n_ships=10, n_icebergs=10, seed=7))
    scene = client.wait(scene_job.id, timeout_s=300).typed_result()
    scene_path = client.download(scene_job.id, "scene.tif", folder / "scene.tif")
    log(f"scene {scene.scene_id}: {scene.width_px} x {scene.height_px} px at {scene.pixel_size_m:g} m")

    detect_job = client.submit(JobKind.DETECT_TARGETS, DetectTargetsParams(scene_id=scene.scene_id))
    detected = client.wait(detect_job.id, timeout_s=300).typed_result()
    detections_path = client.download(detect_job.id, "detections.gpkg", folder / "detections.gpkg")
    log(f"{detected.n_detections} detections")

    train_job = client.submit(JobKind.TRAIN_MODEL, TrainModelParams(
        architecture=ModelArchitecture.LENET, epochs=epochs, patience=epochs,
        simulated=SimulatedPatchSet(n_patches=train_patches, seed=11)))
    trained = client.wait(train_job.id, timeout_s=600).typed_result()
    client.set_production(trained.model_id)
    log(f"model {trained.model_id}: validation accuracy {trained.metrics.val_accuracy:.2f}")

    classify_job = client.submit(JobKind.CLASSIFY_DETECTIONS, ClassifyDetectionsParams(
        scene_id=scene.scene_id, detections_job_id=detect_job.id, model_id=trained.model_id))
    classified = client.wait(classify_job.id, timeout_s=300).typed_result()
    classifications_path = client.download(classify_job.id, "classifications.gpkg", folder / "classifications.gpkg")
    log(f"classified {classified.n_targets}: {classified.n_ships} ships, {classified.n_icebergs} icebergs")

    # Three decisions worth explaining: the surest ship, the surest iceberg, the most doubtful call.
    targets = gpd.read_file(classifications_path, layer="classifications")
    by_p = targets.sort_values("iceberg_probability")
    doubtful = targets.loc[(targets["iceberg_probability"] - 0.5).abs().idxmin()]
    chosen = {"surest ship": by_p.iloc[0], "surest iceberg": by_p.iloc[-1], "most doubtful": doubtful}
    points, why = [], {}
    for reason, row in chosen.items():
        target_id = f"target_{len(points) + 1}"
        points.append(MapPoint(id=target_id, x=float(row.geometry.x), y=float(row.geometry.y)))
        why[target_id] = {"why": reason, "class": str(row["class"]),
                          "iceberg_probability": float(row["iceberg_probability"]),
                          "x": float(row.geometry.x), "y": float(row.geometry.y)}
    cut_job = client.submit(JobKind.CUT_PATCHES, CutPatchesParams(scene_id=scene.scene_id, points=points,
                                                                  crs=str(targets.crs.to_string())))
    client.wait(cut_job.id, timeout_s=300)
    explain_job = client.submit(JobKind.EXPLAIN_PATCHES, ExplainPatchesParams(
        patches_job_id=cut_job.id, model_id=trained.model_id, method=AttributionMethod.INTEGRATED_GRADIENTS))
    explain_status = client.wait(explain_job.id, timeout_s=300)
    explanations = folder / f"{explain_job.id}_explanations"
    summary_path = client.download(explain_job.id, "explanations.gpkg", explanations / "explanations.gpkg")
    names = {a.name for a in explain_status.artifacts}
    heatmaps = {}
    for target_id in why:
        name = f"heatmap_{artifact_file_id(target_id)}.tif"
        if name in names:
            heatmaps[target_id] = str(client.download(explain_job.id, name, explanations / name))
    log(f"explained {len(heatmaps)} decisions ({', '.join(v['why'] for v in why.values())})")

    mapped = map_scene(client, scene.scene_id, str(folder), model_id=trained.model_id)
    log(f"scene mapped: {mapped.result.iceberg_fraction:.1%} of the pixels look like iceberg")
    return {
        "scene_id": scene.scene_id, "scene_job_id": scene_job.id, "scene_path": str(scene_path),
        "pixel_size_m": scene.pixel_size_m,
        "detect_job_id": detect_job.id, "detections_path": str(detections_path),
        "model_id": trained.model_id, "train_job_id": train_job.id,
        "classify_job_id": classify_job.id, "classifications_path": str(classifications_path),
        "explain_job_id": explain_job.id, "explanations_path": str(summary_path), "heatmaps": heatmaps,
        "explained": why,
        "map_job_id": mapped.job_id, "probability_path": mapped.raster_path,
    }


def make_profile(profiles: Path, plugin_zip: Path, url: str, token: str, results: Path) -> Path:
    """A fresh QGIS profile (``profiles/profiles/default``) with the plugin installed from the zip,
    enabled and connected. The token sits in plain settings: this profile is thrown away."""
    profile = profiles / "profiles" / "default"
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(plugin_zip) as archive:
        archive.extractall(plugins)
    ini = configparser.RawConfigParser()
    ini.optionxform = str  # keep the keys' case
    ini["PythonPlugins"] = {PLUGIN: "true"}
    ini["IceSight"] = {"backend_url": url, "token": token, "token_storage_warned": "true", "results_dir": str(results)}
    # No news feed, no version check, no tips: a plain window as an analyst's would be after the first day.
    ini["qgis"] = {"checkVersion": "false", "showTips": "false", "widgetScale": "1"}
    ini["core"] = {"NewsFeed\\httpsfeedqgisorg\\disabled": "true"}
    (profile / "QGIS").mkdir(parents=True)
    with open(profile / "QGIS" / "QGIS3.ini", "w") as handle:
        ini.write(handle, space_around_delimiters=False)
    return profile


def run_qgis(profiles: Path, manifest: Path, out: Path, display: str, timeout_s: int, log_path: Path) -> int:
    """Xvfb and the QGIS desktop running the screenshot script; both ended here, by pid."""
    number = display.lstrip(":")
    lock = Path(f"/tmp/.X{number}-lock")
    if lock.exists():
        raise RuntimeError(f"display {display} is taken ({lock}); pass another with --display")
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    qgis = None
    try:
        deadline = time.monotonic() + 15
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if xvfb.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Xvfb did not start on {display}")
            time.sleep(0.2)
        env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "VIRTUAL_ENV", "PYTHONPATH",
                                                                 "PYTHONHOME")}
        runtime = profiles / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", XDG_RUNTIME_DIR=str(runtime),
                   ICESIGHT_SHOTS_MANIFEST=str(manifest), ICESIGHT_SHOTS_OUT=str(out))
        done = out / ".done"
        done.unlink(missing_ok=True)
        with open(log_path, "wb") as qgis_log:
            qgis = subprocess.Popen(
                ["timeout", "-k", "10", str(timeout_s), "qgis", "--nologo", "--noversioncheck",
                 "--profiles-path", str(profiles), "--code", str(QGIS_SCRIPT)],
                stdout=qgis_log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
            deadline = time.monotonic() + timeout_s + 15
            while qgis.poll() is None and not done.exists() and time.monotonic() < deadline:
                time.sleep(0.5)
            if done.exists():
                log("QGIS saved its screenshots; giving it 5 s to quit")
                try:
                    qgis.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        status = json.loads(done.read_text()) if done.exists() else {"ok": False, "errors": ["no screenshots finished"]}
        done.unlink(missing_ok=True)
        for error in status.get("errors", []):
            log(f"QGIS reported: {error}")
        log("QGIS ended by itself" if qgis.poll() is not None else "QGIS did not end by itself: ending it by its pid")
        return 0 if status.get("ok") else 1
    finally:
        for process in (qgis, xvfb):
            if process is not None and process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                except ProcessLookupError:
                    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "screenshots")
    parser.add_argument("--size", type=int, default=1024, help="scene side in pixels (EW, 40 m)")
    parser.add_argument("--train-patches", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--display", default=":99")
    parser.add_argument("--qgis-timeout", type=int, default=240, help="seconds the QGIS desktop may run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (backend, profile, results)")
    args = parser.parse_args()
    if shutil.which("qgis") is None or shutil.which("Xvfb") is None:
        print("qgis (the desktop) and Xvfb are needed: apt-get install qgis xvfb (or run `make screenshot`)")
        return 2

    from build_zip import build

    from icesight_backend.launcher import BackendProcess
    from icesight_qgis.client import BackendClient

    out = args.out.resolve()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="icesight-screenshots-"))
    started = time.monotonic()
    plugin_zip = build(work / "icesight_qgis.zip")
    log(f"plugin zip built: {plugin_zip}")
    backend = BackendProcess(work / "backend" / "data", work / "backend" / "config", log_path=out / "backend.log",
                             extra_args=["--n-workers", "1", "--threads-per-worker", str(max(1, os.cpu_count() or 1)),
                                         "--log-level", "warning"])
    backend.start()
    try:
        log(f"backend up at {backend.url}")
        client = BackendClient(backend.url, backend.token, timeout_s=120)
        manifest = prepare(client, work / "prepared", args.size, args.train_patches, args.epochs)
        manifest["timeout_s"] = args.qgis_timeout
        manifest_path = work / "manifest.json"
        manifest_path.write_text(json.dumps(manifest, indent=2))
        profiles = work / "qgis"
        make_profile(profiles, plugin_zip, backend.url, backend.token, work / "results")
        log(f"starting the QGIS desktop on {args.display} (at most {args.qgis_timeout} s)")
        code = run_qgis(profiles, manifest_path, out, args.display, args.qgis_timeout, out / "qgis.log")
        shots = sorted(p.name for p in out.glob("*.png"))
        log(f"{len(shots)} screenshot(s) in {out}: {', '.join(shots)}")
        if code != 0:
            log(f"QGIS did not finish every screenshot; see {out / 'qgis.log'}")
        log(f"done in {time.monotonic() - started:.0f} s")
        return code
    finally:
        backend.stop()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
