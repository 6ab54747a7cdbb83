"""The main job: a whole IceSight round trip on one machine, through the plugin's own code.

Starts the backend (embedded Dask cluster) on 127.0.0.1, simulates a Sentinel-1 EW-like scene with
known ships and icebergs, trains the CNN on a simulated labelled patch set, then, inside a
headless QGIS, cuts patches around the scene's targets with the plugin, classifies them through
the plugin's background task, loads the styled result layer, saves a QGIS project and renders a
PNG of the map. Prints the figures and stops everything it started.

Usage: python demo/run_demo.py --out out/demo
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from icesight_contract import DEFAULT_TRAIN_EPOCHS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "qgis_plugin"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class Stopwatch:
    def __init__(self):
        self.stages: list[tuple[str, float]] = []
        self._start = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.stages.append((name, now - self._start))
        print(f"  [{now - self._start:6.1f} s] {name}", flush=True)
        self._start = now


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "demo")
    parser.add_argument("--size", type=int, default=2048, help="scene side in pixels (EW, 40 m)")
    parser.add_argument("--targets", type=int, default=30, help="ships and icebergs each")
    parser.add_argument("--train-patches", type=int, default=None,
                        help="simulated training patches (default: the contract's default training set)")
    parser.add_argument("--epochs", type=int, default=DEFAULT_TRAIN_EPOCHS)
    args = parser.parse_args()

    out: Path = args.out.resolve()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    watch = Stopwatch()
    print("IceSight demo")

    from qgis.core import QgsApplication, QgsSettings

    app = QgsApplication([], False, str(out / "qgis-profile"))
    app.initQgis()

    from icesight_backend.launcher import BackendProcess
    from icesight_contract import (
        AcquisitionMode,
        BuildFeatureGroupParams,
        CreateTrainingDatasetParams,
        DetectTargetsParams,
        FeatureGroupRef,
        JobKind,
        MapSceneParams,
        ModelArchitecture,
        SimulatedPatchSet,
        SimulateSceneParams,
        TrainingDatasetRef,
        TrainModelParams,
    )
    from icesight_qgis.client import BackendClient

    backend = BackendProcess(
        out / "backend" / "data", out / "backend" / "config", log_path=out / "backend.log",
        extra_args=["--n-workers", "1", "--threads-per-worker", str(max(1, os.cpu_count() or 1)), "--log-level", "warning"],
    )
    backend.start()
    try:
        client = BackendClient(backend.url, backend.token, timeout_s=120)
        health = client.health()
        watch.lap(f"backend up: {health['dask']['n_workers']} Dask worker(s), {health['dask']['total_threads']} threads, GPU: {health['gpu']}")

        # 1. The scene (simulated Sentinel-1 EW GRDM-like, with truth).
        scene_job = client.submit(
            JobKind.SIMULATE_SCENE,
            SimulateSceneParams(mode=AcquisitionMode.EW, width_px=args.size, height_px=args.size,
                                n_ships=args.targets, n_icebergs=args.targets, seed=7),
        )
        scene_status = client.wait(scene_job.id)
        scene_path = client.download(scene_job.id, "scene.tif", out / "scene.tif")
        truth_path = client.download(scene_job.id, "truth.gpkg", out / "truth.gpkg")
        scene = scene_status.typed_result()
        watch.lap(f"scene simulated: {scene.width_px} x {scene.height_px} px at {scene.pixel_size_m:g} m, "
                  f"{scene.n_ships} ships + {scene.n_icebergs} icebergs, incidence {scene.inc_angle_near_deg:.1f}-{scene.inc_angle_far_deg:.1f} deg")

        # 2. CFAR detection over the whole scene, on the cluster.
        detect_job = client.submit(JobKind.DETECT_TARGETS, DetectTargetsParams(scene_job_id=scene_job.id))
        detected = client.wait(detect_job.id).typed_result()
        detections_path = client.download(detect_job.id, "detections.gpkg", out / "detections.gpkg")
        watch.lap(f"CFAR detection (K distribution, pfa {detected.pfa:.1e}, {detected.looks:g} looks): "
                  f"{detected.n_detections} detections")

        # 3. A validated feature group of the default simulated labelled set, a versioned
        #    training dataset of it, and training on that dataset: all on the Dask cluster.
        group_job = client.submit(
            JobKind.BUILD_FEATURE_GROUP,
            BuildFeatureGroupParams(group="demo_ew", simulated=SimulatedPatchSet(
                n_patches=args.train_patches or SimulatedPatchSet.n_patches, seed=11)),
        )
        group = client.wait(group_job.id, timeout_s=600).typed_result()
        dataset_job = client.submit(
            JobKind.CREATE_TRAINING_DATASET,
            CreateTrainingDatasetParams(name="demo_ew", feature_group=FeatureGroupRef(group.group, group.version)),
        )
        dataset = client.wait(dataset_job.id, timeout_s=600).typed_result()
        watch.lap(f"feature group {group.group} v{group.version}: {group.n_rows} patches in {group.n_partitions} partitions, "
                  f"{len(group.validation.rules)} rule failure(s); training dataset {dataset.name} v{dataset.version}")
        train_job = client.submit(
            JobKind.TRAIN_MODEL,
            TrainModelParams(architecture=ModelArchitecture.LENET, epochs=args.epochs,
                             training_dataset=TrainingDatasetRef(dataset.name, dataset.version)),
        )
        trained = client.wait(train_job.id, timeout_s=900).typed_result()
        m = trained.metrics
        watch.lap(f"model {trained.model_id} trained: {trained.epochs_run} epochs (best {trained.best_epoch}), "
                  f"validation log loss {m.val_log_loss:.3f}, accuracy {m.val_accuracy:.3f}, ROC AUC {m.val_roc_auc:.3f}")

        # 4. In QGIS, through the plugin: select the detections, cut patches, classify them.
        QgsSettings().setValue("IceSight/results_dir", str(out / "results"))
        summary, patches, classified = classify_in_qgis(app, client, scene_path, truth_path, detections_path, out, watch)

        # 5. Why: Captum attributions of three decisions (the surest ship, the surest iceberg, the
        #    most doubtful call), as heatmaps over the scene; and the whole scene as a probability map.
        summary["explained"] = explain_three(client, patches, classified, scene.pixel_size_m, scene_path, truth_path, out, watch)
        map_job = client.submit(JobKind.MAP_SCENE, MapSceneParams(scene_job_id=scene_job.id, model_id=trained.model_id))
        mapped = client.wait(map_job.id, timeout_s=600).typed_result()
        client.download(map_job.id, "probability.tif", out / "probability.tif")
        watch.lap(f"scene mapped: iceberg probability of every pixel ({mapped.width_px} x {mapped.height_px} px, network "
                  f"every {mapped.stride_px} px) in {mapped.seconds:.1f} s on the cluster")
        summary.update(
            scene=scene.__dict__ | {"mode": scene.mode.value},
            model={"model_id": trained.model_id, "val_log_loss": m.val_log_loss, "val_accuracy": m.val_accuracy,
                   "val_roc_auc": m.val_roc_auc, "epochs_run": trained.epochs_run},
            seconds_per_stage={name: round(seconds, 2) for name, seconds in watch.stages},
        )
        (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
        total = sum(s for _, s in watch.stages)
        print()
        print(f"Detection: {summary['n_detected_truth']} of {summary['n_truth']} simulated targets found "
              f"({summary['n_truth_longer_than_2px_found']} of {summary['n_truth_longer_than_2px']} longer than two pixels), "
              f"{summary['n_false_alarms']} detection{'s' if summary['n_false_alarms'] != 1 else ''} matching no target "
              "(sea-ice texture, clutter, ghosts)")
        print(f"Targets classified: {summary['n_classified']} ({summary['n_skipped']} skipped)")
        print(f"Classification accuracy on detected targets, against the simulation's truth: {summary['accuracy']:.3f} "
              f"(ships {summary['ship_recall']:.3f}, icebergs {summary['iceberg_recall']:.3f})")
        for item in summary["explained"]:
            print(f"Explained {item['why']}: {item['id']} called {item['label']} ({item['iceberg_probability']:.0%} iceberg), "
                  f"HH {item['share_hh']:.0%} / HV {item['share_hv']:.0%} of the attribution, strongest region "
                  f"{item['top_offset_east']:+.0f} m east, {item['top_offset_north']:+.0f} m north of the centre")
        print(f"Total time: {total:.1f} s")
        print(f"Outputs in {out}: classifications.gpkg, icesight_demo.qgz, map.png, explanations.png, probability.tif, summary.json")
    finally:
        backend.stop()
        app.exitQgis()
    return 0


def classify_in_qgis(app, client, scene_path: Path, truth_path: Path, detections_path: Path, out: Path,
                     watch: Stopwatch, match_distance_m: float = 150.0) -> dict:
    from qgis.core import QgsApplication, QgsProject, QgsRasterLayer, QgsVectorLayer

    from icesight_qgis.layers import add_classification_layer
    from icesight_qgis.patches import cut_patches
    from icesight_qgis.tasks import ClassifyPatchesTask

    project = QgsProject.instance()
    project.setTitle("IceSight demo")
    scene = QgsRasterLayer(str(scene_path), "Sentinel-1 EW (simulated) HH sigma0")
    truth = QgsVectorLayer(f"{truth_path}|layername=truth", "Truth (simulation)", "ogr")
    detections = QgsVectorLayer(f"{detections_path}|layername=detections", "CFAR detections", "ogr")
    assert scene.isValid() and truth.isValid() and detections.isValid(), "scene, truth or detections not loaded"
    style_scene(scene)
    project.addMapLayer(scene)
    project.setCrs(scene.crs())

    # The analyst's step: select the detections to classify (here: all of them).
    detections.selectAll()
    chosen = {f"detections:{f.id()}": f.geometry().asPoint() for f in detections.getSelectedFeatures()}
    cut = cut_patches(scene, list(chosen.items()), detections.crs(), scene_id=scene_path.stem)
    watch.lap(f"plugin cut {len(cut.patches)} patches of 75 x 75 px around the detections ({len(cut.skipped)} skipped)")

    done: dict = {}
    task = ClassifyPatchesTask(client, cut.patches, str(out / "results"),
                               lambda outcome, error: done.update(outcome=outcome, error=error))
    QgsApplication.taskManager().addTask(task)
    deadline = time.monotonic() + 600
    while "outcome" not in done and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.05)
    if done.get("outcome") is None:
        raise RuntimeError(f"classification failed: {done.get('error', 'timed out')}")
    outcome = done["outcome"]
    shutil.copyfile(outcome.gpkg_path, out / "classifications.gpkg")
    layer = add_classification_layer(str(out / "classifications.gpkg"), outcome.job_id, project)
    watch.lap(f"classified on the backend (job {outcome.job_id}) and loaded as a styled layer")

    # Score against the simulation: each truth target takes its nearest detection within reach.
    truth_features = list(truth.getFeatures())
    predicted = {c.id: c.label.value for c in outcome.result.classifications}
    matched: dict[int, str] = {}  # truth fid -> detection id
    for f in truth_features:
        point = f.geometry().asPoint()
        best = min(((point.distance(p), key) for key, p in chosen.items() if key in predicted), default=None)
        if best is not None and best[0] <= match_distance_m:
            matched[f.id()] = best[1]
    by_fid = {f.id(): f for f in truth_features}
    pairs = [(by_fid[fid]["class"], predicted[key]) for fid, key in matched.items()]
    wrong = [fid for fid, key in matched.items() if predicted[key] != by_fid[fid]["class"]]
    missed = [f.id() for f in truth_features if f.id() not in matched]
    long_enough = [f.id() for f in truth_features if f["length_m"] > 80.0]
    false_alarms = len(set(predicted) - set(matched.values()))

    def recall(cls: str) -> float:
        items = [p for t, p in pairs if t == cls]
        return sum(p == cls for p in items) / max(len(items), 1)

    add_ring_layer(project, truth, wrong, "Misclassified (simulation truth)", "#ffd23f")
    add_ring_layer(project, truth, missed, "Missed by detection (simulation truth)", "#ff4fd8")
    project.write(str(out / "icesight_demo.qgz"))
    accuracy = sum(t == p for t, p in pairs) / max(len(pairs), 1)
    render_map(project, scene, layer, out / "map.png",
               f"IceSight: {len(matched)}/{len(truth_features)} targets detected, classification accuracy "
               f"{accuracy:.0%} against simulation truth (model {outcome.result.model_id})")
    watch.lap("project saved and map rendered")
    summary = {
        "n_truth": len(truth_features),
        "n_detected_truth": len(matched),
        "n_truth_longer_than_2px": len(long_enough),
        "n_truth_longer_than_2px_found": sum(fid in matched for fid in long_enough),
        "n_false_alarms": false_alarms,
        "n_classified": len(predicted),
        "n_skipped": len(cut.skipped),
        "accuracy": accuracy,
        "ship_recall": recall("ship"),
        "iceberg_recall": recall("iceberg"),
        "misclassified_truth_ids": wrong,
        "job_id": outcome.job_id,
    }
    return summary, cut.patches, outcome.result.classifications


def explain_three(client, patches, classifications, pixel_size_m: float, scene_path: Path, truth_path: Path, out: Path,
                  watch: Stopwatch) -> list[dict]:
    """Integrated Gradients for the surest ship, the surest iceberg and the most doubtful call; a PNG
    of each heatmap over its part of the scene, with what the analyst needs to judge the call."""
    from icesight_contract import AttributionMethod, ExplainPatchesParams, JobKind

    by_probability = sorted(classifications, key=lambda c: c.iceberg_probability)
    chosen = {"the surest ship": by_probability[0], "the surest iceberg": by_probability[-1],
              "the most doubtful call": min(classifications, key=lambda c: abs(c.iceberg_probability - 0.5))}
    wanted = {c.id for c in chosen.values()}
    job = client.submit(JobKind.EXPLAIN_PATCHES, ExplainPatchesParams(
        patches=[p for p in patches if p.id in wanted], method=AttributionMethod.INTEGRATED_GRADIENTS, n_steps=50,
        pixel_size=pixel_size_m))
    result = client.wait(job.id, timeout_s=600).typed_result()
    targets = {t.id: t for t in result.targets}
    heatmaps = {}
    for target_id in wanted:
        name = "heatmap_" + "".join(ch if ch.isalnum() or ch in "_.-" else "_" for ch in target_id) + ".tif"
        heatmaps[target_id] = client.download(job.id, name, out / "heatmaps" / name)
    explained = [{"why": why, **_explanation_row(targets[c.id])} for why, c in chosen.items()]
    render_explanations(explained, heatmaps, scene_path, truth_path, out / "explanations.png")
    watch.lap(f"3 decisions explained with Integrated Gradients (job {job.id}) and drawn over the scene")
    return explained


def _explanation_row(target) -> dict:
    return {"id": target.id, "label": target.label.value, "iceberg_probability": target.iceberg_probability,
            "share_hh": target.share_hh, "share_hv": target.share_hv, "inc_angle_attribution": target.inc_angle_attribution,
            "top_offset_east": target.top_offset_east, "top_offset_north": target.top_offset_north,
            "convergence_delta": target.convergence_delta, "x": target.x, "y": target.y}


def render_explanations(explained: list[dict], heatmaps: dict, scene_path: Path, truth_path: Path, path: Path,
                        zoom_px: int = 31) -> None:
    """One row a decision: the scene's HH around the target (the whole 75 px patch), then the
    centre of the patch enlarged: the total attribution (red pushes towards iceberg, blue towards
    ship) with the target's HH outline, and the HV band with its own attribution outlined."""
    import geopandas as gpd
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import rasterio
    from rasterio.windows import from_bounds

    truth = gpd.read_file(truth_path, layer="truth")
    fig, axes = plt.subplots(len(explained), 3, figsize=(14, 4.4 * len(explained)), squeeze=False)
    for row, item in zip(axes, explained, strict=True):
        with rasterio.open(heatmaps[item["id"]]) as heat:
            total, _, hv_attr = heat.read()
            bounds = heat.bounds
        with rasterio.open(scene_path) as scene:
            window = from_bounds(*bounds, transform=scene.transform)
            hh, hv = scene.read([1, 2], window=window, boundless=True, fill_value=np.nan)
        side_km = (bounds.right - bounds.left) / 1000
        centre = gpd.points_from_xy([item["x"]], [item["y"]], crs=truth.crs)[0]
        distances = truth.distance(centre)
        truth_class = truth.loc[distances.idxmin(), "class"] if distances.min() < 150 else "no target (false alarm)"
        lo, hi = total.shape[0] // 2 - zoom_px // 2, total.shape[0] // 2 + zoom_px // 2 + 1
        zoom_km = zoom_px * side_km / total.shape[0]
        full, near = (0, side_km, 0, side_km), (0, zoom_km, 0, zoom_km)

        def grey(band, box, extent, ax):
            ax.imshow(band[box], cmap="gray", vmin=np.nanpercentile(band, 2), vmax=np.nanpercentile(band, 99.5), extent=extent)

        grey(hh, np.s_[:, :], full, row[0])
        row[0].add_patch(plt.Rectangle(((side_km - zoom_km) / 2, (side_km - zoom_km) / 2), zoom_km, zoom_km, fill=False,
                                       edgecolor="#ffb000", linewidth=1))
        row[0].set_title(f"{item['why']}\ncalled {item['label']} ({item['iceberg_probability']:.0%} iceberg); truth: {truth_class}",
                         fontsize=10)
        part = total[lo:hi, lo:hi]
        limit = float(np.nanmax(np.abs(part))) or 1e-9
        shown = row[1].imshow(part, cmap="RdBu_r", vmin=-limit, vmax=limit, extent=near)
        row[1].contour(np.flipud(hh[lo:hi, lo:hi]), levels=[float(np.nanpercentile(hh, 99))], colors="k", linewidths=0.8,
                       extent=near)
        row[1].set_title(f"attribution, centre enlarged (black: target outline in HH)\nHH {item['share_hh']:.0%} / "
                         f"HV {item['share_hv']:.0%} of it; incidence angle {item['inc_angle_attribution']:+.2f}", fontsize=10)
        fig.colorbar(shown, ax=row[1], fraction=0.046, label="<- towards ship | towards iceberg ->")
        grey(hv, np.s_[lo:hi, lo:hi], near, row[2])
        strong = np.abs(hv_attr[lo:hi, lo:hi])
        if strong.max() > 0:
            row[2].contour(np.flipud(strong), levels=[0.3 * float(strong.max())], colors="#ffb000", extent=near, linewidths=1.2)
        row[2].set_title("HV sigma0 (dB), centre enlarged\norange: where the HV attribution is strongest", fontsize=10)
        for ax in row:
            ax.set_xlabel("km")
    fig.suptitle("Why the model decided (Integrated Gradients against the patch's own clutter): "
                 "red pushes towards iceberg, blue towards ship", fontsize=12)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def style_scene(scene) -> None:
    from qgis.core import QgsContrastEnhancement, QgsSingleBandGrayRenderer

    renderer = QgsSingleBandGrayRenderer(scene.dataProvider(), 1)
    contrast = QgsContrastEnhancement(scene.dataProvider().dataType(1))
    contrast.setContrastEnhancementAlgorithm(QgsContrastEnhancement.StretchToMinimumMaximum)
    contrast.setMinimumValue(-26.0)  # dB: dark open water ...
    contrast.setMaximumValue(-4.0)  # ... to bright ice and targets
    renderer.setContrastEnhancement(contrast)
    scene.setRenderer(renderer)


def add_ring_layer(project, truth, feature_ids: list[int], name: str, colour: str) -> None:
    """A ring around each listed truth target, so an analyst sees the errors at a glance."""
    from qgis.core import QgsFeatureRequest, QgsMarkerSymbol, QgsSingleSymbolRenderer

    if not feature_ids:
        return
    layer = truth.materialize(QgsFeatureRequest().setFilterFids(feature_ids))
    layer.setName(name)
    symbol = QgsMarkerSymbol.createSimple(
        {"name": "circle", "color": "0,0,0,0", "outline_color": colour, "outline_width": "0.7", "size": "7.5"}
    )
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    project.addMapLayer(layer, False)
    project.layerTreeRoot().insertLayer(0, layer)


def render_map(project, scene, targets, path: Path, title: str) -> None:
    from qgis.core import QgsMapRendererParallelJob, QgsMapSettings
    from qgis.PyQt.QtCore import QRectF, QSize, Qt
    from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter

    layers = [layer for layer in project.layerTreeRoot().layerOrder()]
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(scene.crs())
    settings.setExtent(scene.extent())
    settings.setOutputSize(QSize(1400, 1400))
    settings.setOutputDpi(110)
    settings.setBackgroundColor(QColor("#1b1b1b"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()

    canvas = QImage(1400, 1470, QImage.Format_ARGB32)
    canvas.fill(QColor("#0b3954"))
    painter = QPainter(canvas)
    painter.drawImage(0, 70, image)
    painter.setPen(QColor("#ffffff"))
    painter.setFont(QFont("DejaVu Sans", 13, QFont.Bold))
    painter.drawText(QRectF(16, 6, 1370, 30), Qt.AlignLeft | Qt.AlignVCenter, title)
    painter.setFont(QFont("DejaVu Sans", 10))
    painter.drawText(
        QRectF(16, 38, 1370, 26),
        Qt.AlignLeft | Qt.AlignVCenter,
        "red triangle = ship, blue diamond = iceberg (label: class and its probability); yellow ring = "
        "misclassified; magenta ring = missed by detection; background: HH sigma0, -26 to -4 dB",
    )
    # Scale bar: 10 km.
    metres_per_px = scene.extent().width() / 1400
    bar_px = 10000 / metres_per_px
    painter.fillRect(QRectF(30, 1430, bar_px, 8), QColor("#ffffff"))
    painter.drawText(QRectF(40 + bar_px, 1420, 100, 26), Qt.AlignLeft | Qt.AlignVCenter, "10 km")
    painter.end()
    canvas.save(str(path))


if __name__ == "__main__":
    sys.exit(main())
