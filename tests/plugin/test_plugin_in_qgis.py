"""The plugin inside a real headless QGIS: packaging, load/unload, and the classify action against
the real backend process."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import zipfile

import numpy as np
import pytest
import rasterio
from qgis.core import (
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsProject,
    QgsRasterLayer,
    QgsSettings,
    QgsVectorLayer,
)

from icesight_backend.sar.io import write_scene_cog, write_truth_gpkg
from icesight_backend.sar.scene import simulate_scene
from icesight_contract import SimulateSceneParams

SYSTEM_PYTHON = "/usr/bin/python3"  # the Python QGIS ships with: no venv, no backend packages


def test_zip_has_the_plugin_folder_metadata_styles_and_the_contract(plugin_zip):
    names = zipfile.ZipFile(plugin_zip).namelist()
    assert {n.split("/")[0] for n in names} == {"icesight_qgis"}
    for required in (
        "icesight_qgis/__init__.py",
        "icesight_qgis/metadata.txt",
        "icesight_qgis/styles/classifications.qml",
        "icesight_qgis/styles/heatmap.qml",
        "icesight_qgis/styles/probability.qml",
        "icesight_qgis/styles/scene_hh.qml",
        "icesight_qgis/styles/scene_hv.qml",
        "icesight_qgis/styles/scene_incidence.qml",
        "icesight_qgis/styles/detections.qml",
        "icesight_qgis/panels/scene_browser.py",
        "icesight_qgis/ext/icesight_contract/jobs.py",
        "icesight_qgis/ext/icesight_contract/codec.py",
    ):
        assert required in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


LOAD_UNLOAD_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from qgis.core import QgsApplication
    from qgis.gui import QgsMessageBar
    from qgis.PyQt.QtWidgets import QMainWindow, QToolBar, QDockWidget, QAction
    import qgis.utils

    app = QgsApplication([], False, sys.argv[2])
    app.initQgis()
    window = QMainWindow()

    class Iface:
        # The parts of QgisInterface the plugin uses, backed by a real main window.
        def __init__(self):
            self.menus = []
            self.bar = QgsMessageBar()
        def mainWindow(self): return window
        def addToolBar(self, name): return window.addToolBar(name)
        def addDockWidget(self, area, dock): window.addDockWidget(area, dock)
        def removeDockWidget(self, dock): window.removeDockWidget(dock)
        def addPluginToMenu(self, menu, action): self.menus.append(action)
        def removePluginMenu(self, menu, action): self.menus.remove(action)
        def messageBar(self): return self.bar

    iface = Iface()
    qgis.utils.iface = iface
    qgis.utils.plugin_paths = [sys.argv[1]]
    sys.path.insert(0, sys.argv[1])  # QGIS puts each plugin path on sys.path at start-up
    qgis.utils.updateAvailablePlugins()
    report = {"available": "icesight_qgis" in qgis.utils.available_plugins}
    report["loaded"] = qgis.utils.loadPlugin("icesight_qgis")
    report["started"] = qgis.utils.startPlugin("icesight_qgis")
    import icesight_contract
    report["contract_file"] = icesight_contract.__file__
    registry = QgsApplication.processingRegistry()
    report["provider_after_load"] = registry.providerById("icesight") is not None
    report["algorithms"] = sorted(a.name() for a in registry.providerById("icesight").algorithms())
    report["toolbar_actions"] = [a.text() for t in window.findChildren(QToolBar) if t.objectName() == "IceSightToolbar" for a in t.actions()]
    from qgis.PyQt.QtCore import QBuffer, QByteArray, QIODevice
    def icon_bytes(action):
        data = QByteArray(); buffer = QBuffer(data); buffer.open(QIODevice.WriteOnly)
        action.icon().pixmap(24, 24).toImage().save(buffer, "PNG")
        return bytes(data).hex()
    report["toolbar_icons"] = [icon_bytes(a) for t in window.findChildren(QToolBar) if t.objectName() == "IceSightToolbar" for a in t.actions()]
    report["docks_after_load"] = [d.objectName() for d in window.findChildren(QDockWidget)]
    report["menu_entries_after_load"] = len(iface.menus)
    report["unloaded"] = qgis.utils.unloadPlugin("icesight_qgis")
    app.processEvents()
    from qgis.PyQt.QtCore import QCoreApplication, QEvent
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    report["toolbars_after_unload"] = [t.objectName() for t in window.findChildren(QToolBar) if t.objectName() == "IceSightToolbar"]
    report["docks_after_unload"] = [d.objectName() for d in window.findChildren(QDockWidget)]
    report["provider_after_unload"] = registry.providerById("icesight") is not None
    report["menu_entries_after_unload"] = len(iface.menus)
    print("REPORT " + json.dumps(report))
    app.exitQgis()
    """
)


def test_zip_installs_into_a_clean_profile_and_loads_and_unloads_in_qgis_python(tmp_path, profile_plugins_dir):
    script = tmp_path / "load_unload.py"
    script.write_text(LOAD_UNLOAD_SCRIPT)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    completed = subprocess.run(
        [SYSTEM_PYTHON, str(script), str(profile_plugins_dir), str(tmp_path / "qgis-profile")],
        capture_output=True, text=True, timeout=180, env=env,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("REPORT ")]
    assert lines, f"no report; stdout:\n{completed.stdout}\nstderr:\n{completed.stderr}"
    report = json.loads(lines[0][len("REPORT "):])
    assert report["available"] and report["loaded"] and report["started"], report
    # The contract came from the zip: QGIS's own Python has no icesight packages installed.
    assert report["contract_file"].startswith(str(profile_plugins_dir / "icesight_qgis" / "ext"))
    assert report["toolbar_actions"] == [
        "IceSight panel", "Classify selected patches", "Explain selected targets", "Map scene (iceberg probability)",
        "Scene catalog", "Upload scene", "Models", "Jobs",
    ]
    # Each action has an icon of its own.
    assert len(set(report["toolbar_icons"])) == len(report["toolbar_actions"]), report["toolbar_icons"]
    assert "IceSightDock" in report["docks_after_load"]
    assert report["provider_after_load"] and report["menu_entries_after_load"] == 8
    assert report["algorithms"] == ["add_to_feature_group", "chart_scene", "classify_patches", "detect_targets",
                                    "explain_targets", "export_icebergs_for_ice_chart", "map_scene", "print_ice_chart",
                                    "upload_scene"]
    assert report["unloaded"]
    assert report["toolbars_after_unload"] == []
    assert "IceSightDock" not in report["docks_after_unload"]
    assert not report["provider_after_unload"]
    assert report["menu_entries_after_unload"] == 0


@pytest.fixture
def scene_files(tmp_path):
    params = SimulateSceneParams(width_px=512, height_px=512, n_ships=4, n_icebergs=4, seed=12)
    scene = simulate_scene(params)
    tif = write_scene_cog(scene, tmp_path / "scene.tif")
    truth = write_truth_gpkg(scene, tmp_path / "truth.gpkg", "SIM_TEST")
    return tif, truth, scene


def test_classify_selected_patches_adds_a_styled_layer_per_job(
    qgis_iface, installed_plugin, backend, backend_settings, trained_model, scene_files, wait_in_qgis
):
    tif, truth_path, scene = scene_files
    project = QgsProject.instance()
    raster = QgsRasterLayer(str(tif), "scene")
    truth = QgsVectorLayer(f"{truth_path}|layername=truth", "targets", "ogr")
    assert raster.isValid() and truth.isValid()
    project.addMapLayers([raster, truth])

    plugin = installed_plugin.classFactory(qgis_iface)
    plugin.initGui()
    try:
        dock = plugin.dock.analysis
        dock.scene_combo.setLayer(raster)
        dock.targets_combo.setLayer(truth)
        plugin.dock.models.choose_model(trained_model["model_id"])
        chosen = [f.id() for f in truth.getFeatures()][:5]
        truth.selectByIds(chosen)

        # The toolbar action, as an analyst would click it.
        classify_action = next(a for a in plugin.toolbar.actions() if a.text() == "Classify selected patches")
        classify_action.trigger()
        assert dock.task is not None, dock.status_label.text()
        wait_in_qgis(lambda: dock.task is None)
        assert dock.last_layer is not None, dock.status_label.text()

        layer = dock.last_layer
        groups = [g for g in project.layerTreeRoot().children() if g.name().startswith("IceSight classification ")]
        assert len(groups) == 1
        job_id = groups[0].name().split()[-1]
        assert [child.layer() for child in groups[0].children()] == [layer]

        assert layer.featureCount() == 5
        names = set(layer.fields().names())
        assert {"patch_id", "class", "iceberg_probability", "uncertainty", "confidence", "model_id", "job_id",
                "scene_id"} <= names
        # The targets' own fields come along; the truth's "class" is renamed, the prediction keeps the name.
        assert {"target_id", "target_class", "length_m"} <= names
        renderer = layer.renderer()
        assert isinstance(renderer, QgsCategorizedSymbolRenderer)
        assert renderer.classAttribute() == "class"
        assert {c.value() for c in renderer.categories()} == {"ship", "iceberg", "clutter"}
        assert layer.labelsEnabled()

        truth_points = {f"targets:{f.id()}": f.geometry().asPoint() for f in truth.getFeatures()}
        for feature in layer.getFeatures():
            p = feature["iceberg_probability"]
            assert 0.0 <= p <= 1.0
            assert feature["class"] == ("iceberg" if p >= 0.5 else "ship")
            assert feature["model_id"] == trained_model["model_id"] and feature["job_id"] == job_id
            truth_feature = truth.getFeature(int(feature["patch_id"].split(":")[1]))
            assert feature["target_id"] == truth_feature["target_id"]
            assert feature["target_class"] == truth_feature["class"]
            # A local raster: the scene id is the layer's name.
            assert feature["scene_id"] == "scene"
            # The result sits on the target: within one pixel (40 m) of where the analyst pointed.
            assert feature.geometry().asPoint().distance(truth_points[feature["patch_id"]]) <= 40.0
    finally:
        plugin.unload()
        project.removeAllMapLayers()
        project.layerTreeRoot().removeAllChildren()


def test_classify_with_nothing_selected_says_what_to_do(qgis_iface, installed_plugin, backend_settings, scene_files):
    tif, truth_path, _ = scene_files
    project = QgsProject.instance()
    raster = QgsRasterLayer(str(tif), "scene")
    truth = QgsVectorLayer(f"{truth_path}|layername=truth", "targets", "ogr")
    project.addMapLayers([raster, truth])
    plugin = installed_plugin.classFactory(qgis_iface)
    plugin.initGui()
    try:
        plugin.dock.analysis.scene_combo.setLayer(raster)
        plugin.dock.analysis.targets_combo.setLayer(truth)
        truth.removeSelection()
        plugin.dock.classify_selected()
        assert plugin.dock.analysis.task is None
        assert "No targets selected" in plugin.dock.analysis.status_label.text()
    finally:
        plugin.unload()
        project.removeAllMapLayers()


def test_patch_cutting_pads_at_the_scene_edge_and_round_trips_coordinates(qgis_iface, installed_plugin, scene_files):
    from qgis.core import QgsCoordinateReferenceSystem, QgsPointXY

    from icesight_qgis.patches import cut_patches

    tif, _, scene = scene_files
    raster = QgsRasterLayer(str(tif), "scene")
    inner = next(t for t in scene.targets if 40 <= t.row < 472 and 60 <= t.col < 472)  # window fully on the scene
    edge_x, edge_y = scene.transform * (510.5, 200.5)  # two pixels from the right edge
    outside_x, outside_y = scene.transform * (600.5, 200.5)
    cut = cut_patches(
        raster,
        [("inner", QgsPointXY(inner.x, inner.y)), ("edge", QgsPointXY(edge_x, edge_y)), ("off", QgsPointXY(outside_x, outside_y))],
        QgsCoordinateReferenceSystem("EPSG:3413"),
    )
    assert [p.id for p in cut.patches] == ["inner", "edge"]
    assert len(cut.skipped) == 1 and "outside" in cut.skipped[0]
    first, edge = cut.patches
    assert (first.row, first.col) == (inner.row, inner.col)
    assert (first.x, first.y) == pytest.approx((inner.x, inner.y))
    assert not first.padded and edge.padded
    band = np.asarray(first.band_1).reshape(75, 75)
    np.testing.assert_allclose(band, scene.hh_db[inner.row - 37 : inner.row + 38, inner.col - 37 : inner.col + 38], atol=1e-3)
    assert first.inc_angle == pytest.approx(float(scene.inc_angle_deg[inner.row, inner.col]), abs=1e-3)


@pytest.fixture
def processing(qgis_iface, installed_plugin, backend_settings, scene_files):
    """The plugin started with the scene raster and its truth targets in the project; yields
    ``(raster, targets, algorithm)`` where ``algorithm(id)`` finds an IceSight Processing algorithm
    and a context and feedback to run it with."""
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    tif, truth_path, _ = scene_files
    raster = QgsRasterLayer(str(tif), "scene")
    truth = QgsVectorLayer(f"{truth_path}|layername=truth", "targets", "ogr")
    QgsProject.instance().addMapLayers([raster, truth])
    plugin = installed_plugin.classFactory(qgis_iface)
    plugin.initGui()
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    context.setProject(QgsProject.instance())

    def algorithm(algorithm_id: str):
        found = QgsApplication.processingRegistry().algorithmById(f"icesight:{algorithm_id}")
        assert found is not None
        return found, context, feedback

    try:
        yield raster, truth, algorithm
    finally:
        plugin.unload()
        QgsProject.instance().removeAllMapLayers()


def test_processing_algorithm_classifies_targets_to_a_geopackage(processing, trained_model, tmp_path):
    raster, truth, algorithm = processing
    classify, context, feedback = algorithm("classify_patches")
    output = tmp_path / "processing" / "targets.gpkg"
    results, ok = classify.run(
        {"SCENE": raster, "TARGETS": truth, "MODEL_ID": trained_model["model_id"], "OUTPUT": str(output)},
        context,
        feedback,
    )
    assert ok, results
    assert results["OUTPUT"] == str(output) and results["JOB_ID"]
    written = QgsVectorLayer(f"{output}|layername=classifications", "out", "ogr")
    assert written.featureCount() == truth.featureCount() == 8
    assert {f["class"] for f in written.getFeatures()} <= {"ship", "iceberg", "clutter"}


def test_processing_classification_is_loaded_styled_and_ready_for_review(processing, trained_model):
    """Run as the Toolbox runs it: the output comes into the project with the plugin's style."""
    import processing as qgis_processing

    raster, truth, algorithm = processing
    _classify, context, feedback = algorithm("classify_patches")
    results = qgis_processing.runAndLoadResults(
        "icesight:classify_patches",
        {"SCENE": raster, "TARGETS": truth, "MODEL_ID": trained_model["model_id"], "OUTPUT": "TEMPORARY_OUTPUT"},
        feedback=feedback, context=context)
    loaded = [layer for layer in QgsProject.instance().mapLayers().values()
              if layer.source().split("|")[0] == results["OUTPUT"]]
    assert len(loaded) == 1
    layer = loaded[0]
    assert layer.name() == f"Targets (job {results['JOB_ID']})" and layer.featureCount() == 8
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer) and renderer.classAttribute() == "class"
    assert {c.value() for c in renderer.categories()} == {"ship", "iceberg", "clutter"}
    assert layer.fields().indexOf("reviewed_class") >= 0


def test_processing_algorithm_adds_analyst_labelled_targets_to_a_feature_group(processing, api):
    """The analyst's labels (here the truth layer's class field) and the patches around the points
    become a new, validated GeoParquet feature group version on the backend."""
    from qgis.core import QgsProcessingException

    raster, truth, algorithm = processing
    add, context, feedback = algorithm("add_to_feature_group")
    params = {"SCENE": raster, "TARGETS": truth, "LABEL_FIELD": "class", "GROUP": "analyst_labels", "VALIDATION": 0,
              "THIRD_CHANNEL": 1}
    results, ok = add.run(params, context, feedback)
    assert ok, results
    assert results["VERSION"] == 1 and results["N_ROWS"] == truth.featureCount() == 8
    version = api.get("/feature-groups/analyst_labels/versions/1").json()
    classes = [f["class"] for f in truth.getFeatures()]
    assert version["n_ships"] == classes.count("ship") and version["n_icebergs"] == classes.count("iceberg")
    assert version["geo"] is True and version["third_channel"] == "band_diff"

    # A value that is no label stops the algorithm before anything is sent.
    with pytest.raises(QgsProcessingException, match="is not a label"):
        add.run(params | {"LABEL_FIELD": "target_id"}, context, feedback, catchExceptions=False)
    assert len(api.get("/feature-groups/analyst_labels").json()["versions"]) == 1


def test_results_go_next_to_the_saved_project_else_into_the_profile_never_the_temp_folder(
    qgis_iface, installed_plugin, tmp_path
):
    import tempfile

    from icesight_qgis import settings

    project = QgsProject.instance()
    QgsSettings().remove("IceSight/results_dir")
    project.clear()
    # An unsaved project: the plugin's folder in the profile, not the system temp folder.
    assert settings.results_dir() == os.path.join(QgsApplication.qgisSettingsDirPath(), "IceSight", "results")
    assert settings.results_dir() != os.path.join(tempfile.gettempdir(), "icesight_results")
    project_file = tmp_path / "chart" / "ice.qgz"
    project_file.parent.mkdir()
    assert project.write(str(project_file))
    try:
        assert settings.results_dir() == str(project_file.parent / "icesight_results")
        settings.save_results_dir(str(tmp_path / "mine"))
        assert settings.results_dir() == str(tmp_path / "mine")
        settings.save_results_dir("")
        assert settings.results_dir() == str(project_file.parent / "icesight_results")
    finally:
        QgsSettings().remove("IceSight/results_dir")
        project.clear()


def test_patches_are_cut_from_the_bands_and_maps_the_backend_would_read(qgis_iface, installed_plugin, linear_bands,
                                                                        tmp_path):
    """A scene an analyst loads straight from SNAP: VH before VV, named or not, linear power. The
    co-pol is the band the descriptions name, else the brighter, as the backend's ingest reads it; a
    raster in longitude and latitude, or on a map whose metres are not the ground's, is refused."""
    from affine import Affine
    from qgis.core import QgsCoordinateReferenceSystem, QgsPointXY

    from icesight_qgis.patches import PatchError, SceneBands, cut_patches

    vv, vh, _ = linear_bands
    utm = Affine(10.0, 0, 500000.0, 0, -10.0, 7800000.0)

    def write(name, bands, descriptions=(), crs="EPSG:32633", transform=utm):
        path = tmp_path / name
        with rasterio.open(path, "w", driver="GTiff", width=400, height=300, count=len(bands), dtype="float32",
                           crs=crs, transform=transform) as dst:
            dst.write(np.stack(bands).astype(np.float32))
            for band, description in enumerate(descriptions, start=1):
                dst.set_band_description(band, description)
        return QgsRasterLayer(str(path), name)

    centre = QgsPointXY(*(utm * (200.5, 150.5)))
    expected = 10 * np.log10(vv[150 - 37:150 + 38, 200 - 37:200 + 38])
    for layer in (write("unnamed.tif", [vh, vv]), write("named.tif", [vh, vv], ["Sigma0_VH", "Sigma0_VV"]),
                  write("in_order.tif", [vv, vh])):
        bands = SceneBands.of(layer)
        assert not bands.in_db and (bands.co, bands.cross) == ((1, 2) if layer.name() == "in_order.tif" else (2, 1))
        patch = cut_patches(layer, [("t", centre)], QgsCoordinateReferenceSystem("EPSG:32633")).patches[0]
        np.testing.assert_allclose(np.asarray(patch.band_1).reshape(75, 75), expected, atol=1e-3, err_msg=layer.name())
    # Named as the pair (here the dimmer first): the names win over brightness.
    named_dim = write("named_dim.tif", [vh, vv], ["HH", "HV"])
    assert (SceneBands.of(named_dim).co, SceneBands.of(named_dim).cross) == (1, 2)

    degrees = 10.0 / 111319.49
    geographic = write("lonlat.tif", [vv, vh], crs="EPSG:4326", transform=Affine(degrees, 0, 15.0, 0, -degrees, 70.0))
    with pytest.raises(PatchError, match=r"lonlat.tif is in longitude and latitude \(EPSG:4326\): its pixels are 3\.\d m "
                                         r"east-west by 10\.0 m north-south.*Upload it as a scene.*EPSG:3413"):
        cut_patches(geographic, [("t", QgsPointXY(15.01, 69.99))], QgsCoordinateReferenceSystem("EPSG:4326"))
    mercator = write("mercator.tif", [vv, vh], crs="EPSG:3857",
                     transform=Affine(10.0, 0, 1669792.0, 0, -10.0, 11068716.0))  # 70 N
    with pytest.raises(PatchError, match=r"where a metre is 0\.34 x 0\.34 m on the ground at its middle"):
        cut_patches(mercator, [("t", QgsPointXY(1670000.0, 11068000.0))], QgsCoordinateReferenceSystem("EPSG:3857"))

    # The incidence band: the one named so, wherever it is, else band 3; a channel named twice: its sigma0.
    incidence = np.full_like(vv, 35.0)
    assert SceneBands.of(write("inc_first.tif", [incidence, vv, vh], ["incidence_angle", "Sigma0_VV", "Sigma0_VH"])
                         ) == SceneBands(2, 3, False, 1)
    assert SceneBands.of(write("ratio.tif", [vh / vv, vh, vv, incidence], ["ratio_VH_VV", "Sigma0_VH", "Sigma0_VV"])
                         ) == SceneBands(3, 2, False, None)
    assert SceneBands.of(write("third.tif", [vv, vh, incidence])).incidence == 3
    latitude = np.broadcast_to(np.linspace(55.0, 65.0, 300)[:, None], vv.shape)  # unnamed, not angles of a radar
    assert SceneBands.of(write("latitude.tif", [vv, vh, latitude])).incidence is None
    # A zero fill over most of the raster (a warp without no-data): dB stays dB, the brighter band stays
    # the co-pol, linear is accepted, and the fill is no data in the patches.
    fill = np.arange(400) >= 150
    filled_db = [np.where(fill, 0.0, 10 * np.log10(band)) for band in (vh, vv)]
    assert SceneBands.of(write("filled_db.tif", filled_db)) == SceneBands(2, 1, True, None)
    filled_linear = write("filled_linear.tif", [np.where(fill, 0.0, band) for band in (vv, vh)])
    assert SceneBands.of(filled_linear) == SceneBands(1, 2, False, None)
    edge = QgsPointXY(*(utm * (145.5, 150.5)))  # 33 of the patch's 75 columns on the fill
    patch = cut_patches(filled_linear, [("edge", edge)], QgsCoordinateReferenceSystem("EPSG:32633")).patches[0]
    band_1 = np.asarray(patch.band_1).reshape(75, 75)
    assert patch.padded and np.allclose(band_1[:, 42:], np.median(10 * np.log10(vv[113:188, 108:150])), atol=0.01)
    # Bands in different units, and uncalibrated digital numbers, are refused by name.
    with pytest.raises(PatchError, match="not in the same units"):
        SceneBands.of(write("mixed.tif", [10 * np.log10(vv), vh]))
    with pytest.raises(PatchError, match=r"band 1 median \d+(\.\d+)? is not a linear sigma0.*uncalibrated DN"):
        SceneBands.of(write("dn.tif", [vv * 1e5, vh * 1e5]))
    with pytest.raises(PatchError, match="band 2 has negative values, impossible for linear"):
        SceneBands.of(write("negative.tif", [vv, np.where(np.arange(400) < 30, -0.001, vh)]))
