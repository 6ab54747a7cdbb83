"""Explaining decisions and mapping whole scenes from inside a headless QGIS, against the real backend:
the dock's actions (background tasks) and the Processing algorithms, with their layers loaded and
styled; and classification of a catalog scene's detections keeping their attributes."""

from __future__ import annotations

import math

import pytest
from qgis.core import (
    QgsApplication,
    QgsProject,
    QgsRasterBandStats,
    QgsRasterLayer,
    QgsSingleBandPseudoColorRenderer,
    QgsVectorLayer,
)

PATCH_SIZE_PX = 75


@pytest.fixture
def plugin_on_catalog_scene(qgis_iface, installed_plugin, backend_settings, catalog_scene, trained_model):
    """The plugin started, the catalog scene's COG and its detections in the project, the dock
    pointed at them and at the trained model; yields ``(plugin, raster, detections)``."""
    project = QgsProject.instance()
    raster = QgsRasterLayer(str(catalog_scene.tif), "catalog scene")
    detections = QgsVectorLayer(f"{catalog_scene.detections}|layername=detections", "detections", "ogr")
    assert raster.isValid() and detections.isValid()
    assert detections.featureCount() >= 4, "the CFAR found too few targets on the test scene"
    project.addMapLayers([raster, detections])
    plugin = installed_plugin.classFactory(qgis_iface)
    plugin.initGui()
    plugin.dock.analysis.scene_combo.setLayer(raster)
    plugin.dock.analysis.targets_combo.setLayer(detections)
    plugin.dock.models.choose_model(trained_model["model_id"])
    try:
        yield plugin, raster, detections
    finally:
        plugin.unload()
        project.removeAllMapLayers()
        project.layerTreeRoot().removeAllChildren()


def _job_group(prefix: str):
    groups = [g for g in QgsProject.instance().layerTreeRoot().children() if g.name().startswith(prefix)]
    assert len(groups) == 1, [g.name() for g in QgsProject.instance().layerTreeRoot().children()]
    return groups[0]


def _footprint(raster: QgsRasterLayer, x: float, y: float) -> tuple[float, float, float, float]:
    """The 75 x 75 px window centred on the scene pixel that holds (x, y): xmin, ymin, xmax, ymax."""
    extent, res = raster.extent(), raster.rasterUnitsPerPixelX()
    col = math.floor((x - extent.xMinimum()) / res)
    row = math.floor((extent.yMaximum() - y) / res)
    cx, cy = extent.xMinimum() + (col + 0.5) * res, extent.yMaximum() - (row + 0.5) * res
    half = PATCH_SIZE_PX / 2 * res
    return cx - half, cy - half, cx + half, cy + half


def _assert_diverging_heatmap_style(layer: QgsRasterLayer) -> None:
    renderer = layer.renderer()
    assert isinstance(renderer, QgsSingleBandPseudoColorRenderer) and renderer.band() == 1
    assert renderer.classificationMin() == pytest.approx(-renderer.classificationMax())
    assert renderer.classificationMax() > 0
    items = renderer.shader().rasterShaderFunction().colorRampItemList()
    lowest, highest = items[0].color, items[-1].color
    assert lowest.blue() > lowest.red() and highest.red() > highest.blue()  # blue: ship, red: iceberg
    middle = min(items, key=lambda item: abs(item.value))
    assert middle.value == pytest.approx(0.0) and middle.color.alpha() == 0  # transparent near 0
    assert 0.0 < layer.opacity() < 1.0


def _assert_probability_style(layer: QgsRasterLayer, threshold: float) -> None:
    renderer = layer.renderer()
    assert isinstance(renderer, QgsSingleBandPseudoColorRenderer)
    ramp = renderer.shader().rasterShaderFunction()
    assert renderer.classificationMin() == pytest.approx(threshold) and renderer.classificationMax() == pytest.approx(1.0)
    assert ramp.clip()  # below the threshold nothing is drawn
    assert ramp.colorRampItemList()[0].value == pytest.approx(threshold)


def _same_grid(layer: QgsRasterLayer, scene: QgsRasterLayer) -> None:
    assert layer.crs() == scene.crs()
    assert (layer.width(), layer.height()) == (scene.width(), scene.height())
    corners = [(e.xMinimum(), e.yMinimum(), e.xMaximum(), e.yMaximum()) for e in (layer.extent(), scene.extent())]
    assert corners[0] == pytest.approx(corners[1], abs=1e-6 * scene.rasterUnitsPerPixelX())


def test_classifying_catalog_detections_keeps_their_fields_and_the_catalog_scene_id(
    plugin_on_catalog_scene, catalog_scene, wait_in_qgis
):
    plugin, raster, detections = plugin_on_catalog_scene
    chosen = [f.id() for f in detections.getFeatures()][:4]
    detections.selectByIds(chosen)
    assert plugin.dock.classify_selected() is not None, plugin.dock.analysis.status_label.text()
    wait_in_qgis(lambda: plugin.dock.analysis.task is None)
    layer = plugin.dock.analysis.last_layer
    assert layer is not None, plugin.dock.analysis.status_label.text()
    assert layer.featureCount() == 4
    names = set(layer.fields().names())
    assert {"detection_id", "length_m", "peak_co_db", "uncertainty", "target_scene_id"} <= names
    for feature in layer.getFeatures():
        detection = detections.getFeature(int(feature["patch_id"].split(":")[1]))
        assert feature["length_m"] == pytest.approx(detection["length_m"])
        assert feature["peak_co_db"] == pytest.approx(detection["peak_co_db"])
        assert feature["scene_id"] == catalog_scene.scene_id
        assert 0.0 <= feature["uncertainty"] <= 0.5


def test_explain_selected_loads_heatmaps_on_the_patch_footprints_and_the_summary(
    plugin_on_catalog_scene, wait_in_qgis
):
    from icesight_contract import AttributionMethod

    plugin, raster, detections = plugin_on_catalog_scene
    dock = plugin.dock.analysis
    dock.method_combo.setCurrentIndex(dock.method_combo.findData(AttributionMethod.SALIENCY))
    assert dock.method_combo.currentText() == "Saliency"
    selected = [f for f in detections.getFeatures()][:3]
    detections.selectByIds([f.id() for f in selected])

    explain = next(a for a in plugin.toolbar.actions() if a.text() == "Explain selected targets")
    explain.trigger()
    assert dock.task is not None, dock.status_label.text()
    messages = []
    dock.task.message_changed.connect(messages.append)
    wait_in_qgis(lambda: dock.task is None)
    assert dock.last_explanation is not None, dock.status_label.text()
    assert messages, "the job's progress messages did not reach the dock"
    summary, heatmaps = dock.last_explanation

    group = _job_group("IceSight explanation (saliency) ")
    assert [child.layer() for child in group.children()] == [summary, *heatmaps]

    # One heatmap per target, georeferenced on that target's 75 x 75 px patch footprint.
    by_target = {f"detections:{f.id()}": f.geometry().asPoint() for f in selected}
    assert sorted(h.name() for h in heatmaps) == sorted(f"Heatmap {t}" for t in by_target)
    for heatmap in heatmaps:
        point = by_target[heatmap.name().removeprefix("Heatmap ")]
        assert heatmap.crs() == raster.crs() and heatmap.bandCount() == 3
        assert (heatmap.width(), heatmap.height()) == (PATCH_SIZE_PX, PATCH_SIZE_PX)
        expected = _footprint(raster, point.x(), point.y())
        extent = heatmap.extent()
        got = (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
        assert got == pytest.approx(expected, abs=1e-3)
        _assert_diverging_heatmap_style(heatmap)
    # Each heatmap on its own limits (a weak decision's attribution is not drawn transparent).
    from icesight_qgis.layers import heatmap_limit

    for heatmap in heatmaps:
        assert heatmap.renderer().classificationMax() == pytest.approx(heatmap_limit(heatmap))

    assert summary.featureCount() == 3
    assert {"id", "label", "iceberg_probability", "share_hh", "share_hv", "inc_angle_attribution",
            "top_offset_east", "top_offset_north", "offset_units"} <= set(summary.fields().names())
    for feature in summary.getFeatures():
        assert feature["share_hh"] + feature["share_hv"] == pytest.approx(1.0, abs=1e-3)
        assert feature["id"] in by_target
        assert feature.geometry().asPoint().distance(by_target[feature["id"]]) <= raster.rasterUnitsPerPixelX()


def test_map_scene_loads_a_probability_raster_on_the_scene_grid(plugin_on_catalog_scene, catalog_scene, wait_in_qgis):
    plugin, raster, _ = plugin_on_catalog_scene
    dock = plugin.dock.analysis
    dock.threshold_spin.setValue(0.6)
    assert dock.map_scene() is not None, dock.status_label.text()
    wait_in_qgis(lambda: dock.task is None, timeout_s=300)
    layer = dock.last_probability
    assert layer is not None, dock.status_label.text()
    assert [child.layer() for child in _job_group("IceSight probability map ").children()] == [layer]
    _same_grid(layer, raster)
    _assert_probability_style(layer, 0.6)
    stats = layer.dataProvider().bandStatistics(1, QgsRasterBandStats.Min | QgsRasterBandStats.Max)
    assert 0.0 <= stats.minimumValue <= stats.maximumValue <= 1.0


def test_map_scene_of_a_local_raster_asks_to_ingest_it_first(qgis_iface, installed_plugin, backend_settings, tmp_path,
                                                             write_tif, linear_bands):
    tif = write_tif(tmp_path / "local.tif", list(linear_bands))
    raster = QgsRasterLayer(str(tif), "my local scene")
    QgsProject.instance().addMapLayer(raster)
    plugin = installed_plugin.classFactory(qgis_iface)
    plugin.initGui()
    try:
        plugin.dock.analysis.scene_combo.setLayer(raster)
        assert plugin.dock.map_scene() is None
        assert plugin.dock.analysis.task is None
        assert "ingest" in plugin.dock.analysis.status_label.text() and "my local scene" in plugin.dock.analysis.status_label.text()
    finally:
        plugin.unload()
        QgsProject.instance().removeAllMapLayers()


def test_processing_explain_targets_loads_the_styled_heatmaps_and_the_summary(plugin_on_catalog_scene, run_and_load, loaded_layer,
                                                                               trained_model):
    from qgis.core import QgsProcessingFeatureSourceDefinition

    _, raster, detections = plugin_on_catalog_scene
    selected = [f.id() for f in detections.getFeatures()][:3]
    detections.selectByIds(selected)
    results = run_and_load("explain_targets", {
        "SCENE": raster.id(),
        "TARGETS": QgsProcessingFeatureSourceDefinition(detections.id(), selectedFeaturesOnly=True),
        "METHOD": 0,  # Integrated Gradients
        "MODEL_ID": trained_model["model_id"],
        "HEATMAPS": "TEMPORARY_OUTPUT",
        "SUMMARY": "TEMPORARY_OUTPUT",
    })
    assert results["JOB_ID"]
    heatmaps, summary = loaded_layer(results["HEATMAPS"]), loaded_layer(results["SUMMARY"])
    assert heatmaps.name().startswith("Heatmaps (Integrated Gradients")
    _assert_diverging_heatmap_style(heatmaps)
    # The mosaic covers every selected target's footprint, on the scene's grid.
    for fid in selected:
        point = detections.getFeature(fid).geometry().asPoint()
        xmin, ymin, xmax, ymax = _footprint(raster, point.x(), point.y())
        extent = heatmaps.extent()
        assert extent.xMinimum() <= xmin + 1e-3 and extent.yMinimum() <= ymin + 1e-3
        assert extent.xMaximum() >= xmax - 1e-3 and extent.yMaximum() >= ymax - 1e-3
    assert heatmaps.rasterUnitsPerPixelX() == pytest.approx(raster.rasterUnitsPerPixelX())
    assert isinstance(summary, QgsVectorLayer) and summary.featureCount() == len(selected)
    for feature in summary.getFeatures():
        assert feature["share_hh"] + feature["share_hv"] == pytest.approx(1.0, abs=1e-3)
        assert feature["convergence_delta"] is not None  # Integrated Gradients reports its error


def test_processing_map_scene_loads_the_styled_probability_raster(plugin_on_catalog_scene, run_and_load, loaded_layer, catalog_scene,
                                                                  trained_model):
    _, raster, _ = plugin_on_catalog_scene
    results = run_and_load("map_scene", {"SCENE": raster.id(), "MODEL_ID": trained_model["model_id"],
                                         "THRESHOLD": 0.7, "OUTPUT": "TEMPORARY_OUTPUT"})
    layer = loaded_layer(results["OUTPUT"])
    assert catalog_scene.scene_id in layer.name()
    _same_grid(layer, raster)
    _assert_probability_style(layer, 0.7)


def test_processing_map_scene_refuses_a_local_raster_with_what_to_do(qgis_processing, plugin_on_catalog_scene,
                                                                     tmp_path, write_tif, linear_bands):
    import processing
    from qgis.core import QgsProcessingException

    tif = write_tif(tmp_path / "local.tif", list(linear_bands))
    with pytest.raises(QgsProcessingException, match="ingest"):
        processing.run("icesight:map_scene", {"SCENE": str(tif), "OUTPUT": "TEMPORARY_OUTPUT"})


def test_no_task_is_left_running_after_unload(plugin_on_catalog_scene, wait_in_qgis):
    plugin, _, detections = plugin_on_catalog_scene
    detections.selectByIds([f.id() for f in detections.getFeatures()][:2])
    task = plugin.dock.explain_selected()
    assert task is not None
    plugin.unload()
    assert plugin.dock is None and plugin.toolbar is None
    wait_in_qgis(lambda: task.status() in (task.Complete, task.Terminated), timeout_s=60)
    assert task.status() == task.Terminated
    assert not [t for t in QgsApplication.taskManager().activeTasks() if t.description().startswith("IceSight")]
