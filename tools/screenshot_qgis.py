"""Run inside the QGIS desktop (``qgis --code``) by tools/screenshot.py: loads the prepared
results with the plugin's own functions, opens the IceSight dock on each tab and saves a PNG of the
main window for each state, then quits.

Reads the manifest named by ``ICESIGHT_SHOTS_MANIFEST`` and writes into ``ICESIGHT_SHOTS_OUT``; writes
``.done`` there (JSON: ok, shots, errors) when it has finished, so the caller can end QGIS.
"""

from __future__ import annotations

import json
import os
import time
import traceback

import qgis.utils
from qgis.core import QgsApplication, QgsProject, QgsRasterLayer, QgsRectangle
from qgis.PyQt.QtCore import Qt, QTimer

MANIFEST = json.loads(open(os.environ["ICESIGHT_SHOTS_MANIFEST"]).read())
OUT = os.environ["ICESIGHT_SHOTS_OUT"]
WIDTH, HEIGHT = 1600, 1000
DOCK_WIDTH_PX = 430


class Screenshots:
    def __init__(self):
        self.iface = qgis.utils.iface
        self.shots: list[str] = []
        self.errors: list[str] = []
        self.states = []
        self.layers = {}
        self.started = time.monotonic()

    # -- plumbing -------------------------------------------------------------------------------

    @property
    def dock(self):
        return qgis.utils.plugins["icesight_qgis"].dock

    def start(self) -> None:
        try:
            if "icesight_qgis" not in qgis.utils.plugins:
                raise RuntimeError(f"the plugin is not loaded (loaded: {sorted(qgis.utils.plugins)})")
            window = self.iface.mainWindow()
            window.showNormal()
            window.setGeometry(0, 0, WIDTH, HEIGHT)
            self.load_layers()
            self.dock.show()
            window.resizeDocks([self.dock], [DOCK_WIDTH_PX], Qt.Horizontal)
            self.states = self.plan()
        except Exception:  # noqa: BLE001 - reported in .done and the log
            self.errors.append(traceback.format_exc())
            print(self.errors[-1], flush=True)
        QTimer.singleShot(500, self.next_state)

    def next_state(self) -> None:
        if not self.states:
            self.finish()
            return
        name, setup, delay_ms = self.states.pop(0)
        try:
            setup()
        except Exception:  # noqa: BLE001 - one state failing must not lose the others
            self.errors.append(f"{name}: {traceback.format_exc()}")
            print(self.errors[-1], flush=True)
        QTimer.singleShot(delay_ms, lambda: self.capture(name))

    def capture(self, name: str, waited_ms: int = 0) -> None:
        canvas = self.iface.mapCanvas()
        busy = canvas.isDrawing() or QgsApplication.taskManager().countActiveTasks() > 0
        if busy and waited_ms < 20000:  # let the map finish drawing and the dock's tasks end
            QTimer.singleShot(250, lambda: self.capture(name, waited_ms + 250))
            return
        path = os.path.join(OUT, f"{name}.png")
        if self.iface.mainWindow().grab().save(path, "PNG"):
            self.shots.append(os.path.basename(path))
            print(f"saved {path}", flush=True)
        else:
            self.errors.append(f"{name}: could not save {path}")
        self.next_state()

    def finish(self) -> None:
        status = {"ok": not self.errors and bool(self.shots), "shots": self.shots, "errors": self.errors,
                  "seconds": round(time.monotonic() - self.started, 1)}
        with open(os.path.join(OUT, ".done"), "w") as handle:
            json.dump(status, handle)
        QgsProject.instance().setDirty(False)  # no "save changes?" question on the way out
        QgsApplication.exit(0)

    # -- the map --------------------------------------------------------------------------------

    def load_layers(self) -> None:
        """The scene, detections, classification, explanation and probability map, as the plugin loads them."""
        from icesight_qgis import settings
        from icesight_qgis.layers import (
            add_classification_layer,
            add_explanation_layers,
            add_probability_layer,
        )
        from icesight_qgis.scene_layers import add_detections_layer, add_scene_layer, style_scene_layer
        from icesight_qgis.scenes import mark_catalog_scene
        from icesight_qgis.workflow import ExplanationOutcome, MapOutcome

        project = QgsProject.instance()
        m = MANIFEST
        scene = QgsRasterLayer(m["scene_path"], m["scene_id"], "gdal")
        if not scene.isValid():
            raise RuntimeError(f"the scene {m['scene_path']} did not open")
        mark_catalog_scene(scene, m["scene_id"])
        style_scene_layer(scene)
        add_scene_layer(scene, project)
        project.setCrs(scene.crs())
        detections = add_detections_layer(m["detections_path"], m["detect_job_id"], m["scene_id"], project)
        classified = add_classification_layer(m["classifications_path"], m["classify_job_id"], project)
        with settings.make_client() as client:
            mapped = MapOutcome(m["map_job_id"], client.job(m["map_job_id"]).typed_result(), m["probability_path"])
            explained = ExplanationOutcome(m["explain_job_id"], client.job(m["explain_job_id"]).typed_result(),
                                           m["explanations_path"], None, m["heatmaps"])
        probability = add_probability_layer(mapped, settings.probability_threshold(), project)
        summary, heatmaps = add_explanation_layers(explained, project)
        self.layers = {"scene": scene, "detections": detections, "classified": classified,
                       "probability": probability, "summary": summary, "heatmaps": heatmaps}
        canvas = self.iface.mapCanvas()
        canvas.setExtent(scene.extent())
        canvas.refresh()

    def visible(self, **shown: bool) -> None:
        root = QgsProject.instance().layerTreeRoot()
        for key, on in shown.items():
            layers = self.layers[key] if isinstance(self.layers[key], list) else [self.layers[key]]
            for layer in layers:
                node = root.findLayer(layer.id())
                if node is not None:
                    node.setItemVisibilityChecked(on)
                    if on and node.parent() is not None:
                        node.parent().setItemVisibilityChecked(True)

    def zoom(self, x: float, y: float, half_m: float) -> None:
        canvas = self.iface.mapCanvas()
        canvas.setExtent(QgsRectangle(x - half_m, y - half_m, x + half_m, y + half_m))
        canvas.refresh()

    def whole_scene(self) -> None:
        canvas = self.iface.mapCanvas()
        canvas.setExtent(self.layers["scene"].extent())
        canvas.refresh()

    def tab(self, panel) -> None:
        self.dock.show()
        self.dock.show_panel(panel)

    # -- the states -----------------------------------------------------------------------------

    def plan(self) -> list:
        from icesight_qgis.dock import MIN_DOCK_WIDTH_PX

        d = self.dock
        scene, classified = self.layers["scene"], self.layers["classified"]
        for combo in (d.analysis.scene_combo, d.review.scene_combo, d.model_analysis.scene_combo, d.chart.scene_combo):
            combo.setLayer(scene)
        for combo in (d.analysis.targets_combo, d.review.layer_combo, d.model_analysis.layer_combo, d.chart.layer_combo):
            combo.setLayer(classified)
        explained = list(MANIFEST["explained"].items())

        def overview():
            self.visible(scene=True, detections=False, classified=True, probability=False, summary=False,
                         heatmaps=False)
            self.whole_scene()
            self.tab(d.analysis)

        def probability():
            self.visible(probability=True, classified=True)
            self.whole_scene()
            self.tab(d.analysis)

        def heatmap(target):
            def setup():
                self.visible(probability=False, detections=False, classified=True, summary=False, heatmaps=True)
                self.zoom(target["x"], target["y"], 2000.0)
                d.analysis.status_label.setText(
                    f"{target['why']}: called {target['class']} ({target['iceberg_probability']:.0%} iceberg); "
                    "each heatmap on its own scale")
                self.tab(d.analysis)
            return setup

        def detections():
            self.visible(heatmaps=False, summary=False, classified=False, detections=True)
            self.whole_scene()
            self.tab(d.scenes)
            d.scenes.extent_check.setChecked(False)
            d.scenes.search()

        def models():
            self.visible(detections=False, classified=True)
            self.tab(d.models)
            d.models.refresh()

        def models_selected():
            d.models.select_model(MANIFEST["model_id"])

        def experiments():
            self.tab(d.experiments)
            d.experiments.refresh()

        def jobs():
            self.tab(d.jobs)

        def review():
            self.tab(d.review)
            d.review.start_review(classified)
            from icesight_qgis.review import reviewed_class

            for _ in range(3):  # the analyst's first calls: agree with the model's class
                feature = classified.getFeature(d.review.current_fid)
                d.review.label_current(reviewed_class(feature["class"]))

        def whatif():
            self.tab(d.model_analysis)
            d.model_analysis.compute_slices()
            d.model_analysis.probe_selected()  # the review left the current target selected

        def whatif_probe():
            bar = d.pages.currentWidget().verticalScrollBar()  # the probe's table is below the fold
            bar.setValue(bar.maximum())

        def chart():
            self.whole_scene()
            self.tab(d.chart)

        def connect():
            self.tab(d.connection)
            d.connection.test_connection()

        def narrow():  # the dock at its narrowest, on the page with the most controls
            self.iface.mainWindow().resizeDocks([self.dock], [MIN_DOCK_WIDTH_PX], Qt.Horizontal)
            self.tab(d.review)

        states = [("overview_analyse", overview, 2500), ("probability_map", probability, 2500)]
        for _target_id, target in explained:
            states.append((f"heatmap_{target['why'].replace(' ', '_')}", heatmap(target), 2000))
        states += [
            ("scenes_detections", detections, 3000),
            ("models", models, 3000),
            ("models_selected", models_selected, 1000),
            ("experiments", experiments, 3000),
            ("jobs", jobs, 3000),
            ("review", review, 2000),
            ("whatif", whatif, 4000),
            ("whatif_probe", whatif_probe, 1000),
            ("ice_chart", chart, 2000),
            ("connect", connect, 3000),
            ("narrow_dock_review", narrow, 1500),
        ]
        return [(f"{index:02d}_{name}", setup, delay) for index, (name, setup, delay) in enumerate(states, start=1)]


qgis.utils._icesight_screenshots = Screenshots()  # kept alive for the timers
QTimer.singleShot(3000, qgis.utils._icesight_screenshots.start)
