"""Review, correct, retrain, inside a headless QGIS against the real backend: the reviewed_class
field of result layers, the review order (most uncertain first) and its keys, corrections sent as
a feature-group version and a model retrained on it, accuracy by slice, and what-if probes."""

from __future__ import annotations

import io
import uuid

import numpy as np
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsField,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt, QVariant
from qgis.PyQt.QtTest import QTest

from icesight_contract import ClassName


@pytest.fixture
def classified(qgis_iface, installed_plugin, backend_settings, catalog_scene, trained_model, wait_in_qgis):
    """The plugin started, the catalog scene and its detections in the project, every detection
    classified by the dock; yields ``(plugin, raster, result layer)`` with the Review panel pointed
    at the scene."""
    project = QgsProject.instance()
    raster = QgsRasterLayer(str(catalog_scene.tif), "catalog scene")
    detections = QgsVectorLayer(f"{catalog_scene.detections}|layername=detections", "detections", "ogr")
    assert raster.isValid() and detections.isValid()
    project.addMapLayers([raster, detections])
    plugin = installed_plugin.classFactory(qgis_iface)
    plugin.initGui()
    try:
        analysis = plugin.dock.analysis
        analysis.scene_combo.setLayer(raster)
        analysis.targets_combo.setLayer(detections)
        plugin.dock.models.choose_model(trained_model["model_id"])
        detections.selectAll()
        assert plugin.dock.classify_selected() is not None, analysis.status_label.text()
        wait_in_qgis(lambda: analysis.task is None)
        layer = analysis.last_layer
        assert layer is not None, analysis.status_label.text()
        assert layer.featureCount() >= 5, "the CFAR found too few targets on the test scene"
        plugin.dock.review.scene_combo.setLayer(raster)
        plugin.dock.model_analysis.scene_combo.setLayer(raster)
        plugin.dock.model_analysis.layer_combo.setLayer(layer)
        yield plugin, raster, layer
    finally:
        plugin.unload()
        project.removeAllMapLayers()
        project.layerTreeRoot().removeAllChildren()


def _reviewed(layer) -> dict[int, object]:
    """Feature id -> reviewed class (None: not reviewed)."""
    return {f.id(): f["reviewed_class"] if isinstance(f["reviewed_class"], str) else None for f in layer.getFeatures()}


# -- the field and the review order ----------------------------------------------------------------


def test_result_layers_get_a_reviewed_class_field_edited_with_a_value_map(classified):
    from icesight_qgis.review import VALUE_MAP_NULL

    _plugin, _raster, layer = classified
    index = layer.fields().indexOf("reviewed_class")
    assert index >= 0
    setup = layer.editorWidgetSetup(index)
    assert setup.type() == "ValueMap"
    stored = {value for entry in setup.config()["map"] for value in entry.values()}
    assert stored == {"ship", "iceberg", "clutter", VALUE_MAP_NULL}
    assert set(_reviewed(layer).values()) == {None}  # nothing reviewed yet
    # The field is in the GeoPackage itself, so a review is saved with the result.
    again = QgsVectorLayer(layer.source(), "again", "ogr")
    assert again.fields().indexOf("reviewed_class") >= 0


def test_review_goes_most_uncertain_first_and_the_keys_label_advance_and_follow_on_the_map(classified, qgis_iface):
    plugin, raster, layer = classified
    panel = plugin.dock.review
    assert panel.start_review(layer)
    uncertainties = [layer.getFeature(fid)["uncertainty"] for fid in panel.queue]
    assert sorted(panel.queue) == sorted(f.id() for f in layer.getFeatures())
    assert uncertainties == sorted(uncertainties, reverse=True)
    assert uncertainties[0] > uncertainties[-1]  # a real order, not all ties
    assert panel.current_fid == panel.queue[0]

    assert {key: action.shortcut().toString() for key, action in panel.actions.items()} == {
        "S": "S", "I": "I", "C": "C", "N": "N", "B": "B"}
    canvas = qgis_iface.mapCanvas()
    canvas.resize(400, 300)  # headless: give the map a size, as a shown window has
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3413"))  # not the layer's: the pan transforms
    panel.actions["S"].trigger()
    assert _reviewed(layer)[panel.queue[0]] == "ship"
    assert panel.current_fid == panel.queue[1]
    assert layer.selectedFeatureIds() == [panel.queue[1]]
    to_canvas = QgsCoordinateTransform(layer.crs(), canvas.mapSettings().destinationCrs(), QgsProject.instance())
    current = to_canvas.transform(layer.getFeature(panel.queue[1]).geometry().asPoint())
    assert canvas.extent().contains(current)  # the map follows the target
    # A hollow ring around the target, whose own symbol is not drawn meanwhile: its pixels show.
    from qgis.core import QgsExpressionContextUtils
    from qgis.gui import QgsVertexMarker

    from icesight_qgis.review import REVIEW_FID_VARIABLE

    ring = panel.ring
    assert ring is not None and ring.isVisible()
    assert ring.center().distance(current) < 1e-6
    assert ring.fillColor().alpha() == 0 and ring.boundingRect().width() >= 40
    scope = QgsExpressionContextUtils.layerScope(layer)
    assert int(scope.variable(REVIEW_FID_VARIABLE)) == panel.queue[1]
    scene_on_map = to_canvas.transformBoundingBox(raster.extent())
    # Zoomed onto the target (three patch widths of the 512 px scene), whatever the map's aspect ratio.
    on_map, scene_side = canvas.extent(), min(scene_on_map.width(), scene_on_map.height())
    assert min(on_map.width(), on_map.height()) < 0.7 * scene_side
    panel.actions["I"].trigger()
    panel.actions["N"].trigger()  # skip one, unreviewed
    panel.actions["C"].trigger()
    reviewed = _reviewed(layer)
    assert [reviewed[fid] for fid in panel.queue[:4]] == ["ship", "iceberg", None, "clutter"]
    assert panel.current_fid == panel.queue[4]
    panel.actions["B"].trigger()
    assert panel.current_fid == panel.queue[3]
    # Starting again resumes at the first target not reviewed yet: the skipped one.
    assert panel.start_review(layer)
    assert panel.current_fid == panel.queue[2]
    # A review written elsewhere (the attribute table, in an edit session) counts as one, and one
    # thrown away with the edits no longer does.
    assert panel.queue[2] not in panel.reviewed and panel.queue[0] in panel.reviewed
    layer.startEditing()
    layer.changeAttributeValue(panel.queue[2], layer.fields().indexOf("reviewed_class"), "ship")
    assert panel.queue[2] in panel.reviewed
    layer.rollBack()
    assert panel.queue[2] not in panel.reviewed and panel.queue[0] in panel.reviewed
    markers = [item for item in canvas.scene().items() if isinstance(item, QgsVertexMarker)]
    assert markers == [panel.ring]  # one ring, moved from target to target
    # Unloading the plugin takes the ring off the map and gives the target its symbol back.
    plugin.unload()
    assert not [item for item in canvas.scene().items() if isinstance(item, QgsVertexMarker)]
    assert not QgsExpressionContextUtils.layerScope(layer).hasVariable(REVIEW_FID_VARIABLE)


def test_the_review_keys_reach_their_actions_while_the_panel_has_focus(installed_plugin):
    from qgis.PyQt.QtWidgets import QApplication, QMainWindow

    from icesight_qgis.dock import IceSightDock
    from icesight_qgis.review import ReviewClass

    class NoIface:
        def messageBar(self):
            return None

        def mapCanvas(self):
            return None

    window = QMainWindow()
    dock = IceSightDock(NoIface(), window)
    window.addDockWidget(Qt.RightDockWidgetArea, dock)
    panel = dock.review
    pressed = []
    panel.label_current = pressed.append
    panel.next_target = lambda: pressed.append("next")
    panel.previous_target = lambda: pressed.append("previous")
    try:
        dock.show_panel(panel)
        window.show()
        window.activateWindow()
        assert QTest.qWaitForWindowActive(window, 5000)
        panel.setFocus()
        QApplication.processEvents()
        for key in (Qt.Key_S, Qt.Key_I, Qt.Key_C, Qt.Key_N, Qt.Key_B):
            QTest.keyClick(panel, key)
        assert pressed == [ReviewClass.SHIP, ReviewClass.ICEBERG, ReviewClass.CLUTTER, "next", "previous"]
        dock.show_panel(dock.analysis)  # another tab: the keys are the analyst's again
        QTest.keyClick(dock.analysis, Qt.Key_S)
        assert len(pressed) == 5
    finally:
        dock.detach()
        window.close()
        window.deleteLater()


def _memory_layer(fields: list[tuple[str, QVariant.Type]], rows: list[dict], crs: str = "EPSG:32633") -> QgsVectorLayer:
    layer = QgsVectorLayer(f"Point?crs={crs}", "built", "memory")
    layer.dataProvider().addAttributes([QgsField(name, kind) for name, kind in fields])
    layer.updateFields()
    features = []
    for row in rows:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(*row.pop("xy", (500000.0, 7800000.0)))))
        for name, value in row.items():
            feature[name] = value
        features.append(feature)
    assert layer.dataProvider().addFeatures(features)[0]
    return layer


def test_without_an_uncertainty_the_probability_nearest_one_half_comes_first(installed_plugin):
    from icesight_qgis.review import add_review_field, review_order

    layer = _memory_layer([("iceberg_probability", QVariant.Double)],
                          [{"iceberg_probability": p} for p in (0.9, 0.45, 0.2, 0.62, 0.03)])
    add_review_field(layer)
    ids = [f.id() for f in layer.getFeatures()]
    assert review_order(layer) == [ids[1], ids[3], ids[2], ids[0], ids[4]]


# -- corrections and retraining ---------------------------------------------------------------------


def test_send_corrections_stores_the_reviewed_targets_as_a_version_then_retrains_and_compares(
    classified, api, trained_model, wait_in_qgis
):
    import pyarrow.parquet as pq

    plugin, _raster, layer = classified
    panel = plugin.dock.review
    assert panel.start_review(layer)
    # Two of each class at least (the training dataset's split needs them), one clutter, one left.
    keys = ["S", "I", "S", "I", "C"] + ["S", "I"] * ((len(panel.queue) - 6) // 2)
    for key in keys:
        panel.actions[key].trigger()
    expected = {"ship": [], "iceberg": [], "clutter": []}
    for feature in layer.getFeatures():
        if feature["reviewed_class"] in expected:
            expected[feature["reviewed_class"]].append(feature["patch_id"])
    group = f"review_{uuid.uuid4().hex[:8]}"
    panel.group_edit.setText(group)
    panel.epochs_spin.setValue(2)
    questions = []
    panel.confirm_retrain = lambda question: questions.append(question) or True
    assert panel.send_corrections() is not None, panel.status_label.text()
    wait_in_qgis(lambda: panel.last_retrain is not None or (panel.task is None and "failed" in panel.status_label.text()),
                 timeout_s=300)
    assert panel.last_retrain is not None, panel.status_label.text()

    sent = panel.last_corrections.result
    assert panel.last_corrections.n_clutter == 1 and len(questions) == 1
    meta = api.get(f"/feature-groups/{group}/versions/{sent.version}").json()
    assert meta["n_rows"] == sum(map(len, expected.values()))
    assert (meta["n_ships"], meta["n_icebergs"], meta["n_clutter"]) == tuple(len(expected[k]) for k in ("ship", "iceberg", "clutter"))
    data = api.get(f"/feature-groups/{group}/versions/{sent.version}/data.parquet")
    assert data.status_code == 200
    table = pq.read_table(io.BytesIO(data.content), columns=["id", "label", "is_iceberg"]).to_pydict()
    labels = dict(zip(table["id"], table["label"], strict=True))
    assert labels == {i: c.index for c in ClassName for i in expected[c.value]}
    # The one clutter review is sent, but too few clutter patches to split: a ship/iceberg dataset.
    assert dict(zip(table["id"], table["is_iceberg"], strict=True))[expected["clutter"][0]] is None

    outcome = panel.last_retrain
    dataset = api.get(f"/training-datasets/{outcome.dataset.name}/versions/{outcome.dataset.version}").json()
    assert dataset["feature_group"] == {"group": group, "version": sent.version}
    model = api.get(f"/models/{outcome.trained.model_id}").json()
    assert model["training_dataset"]["name"] == outcome.dataset.name
    assert outcome.old_model_id == trained_model["model_id"]
    assert [m["model_id"] for m in outcome.comparison["models"]] == [trained_model["model_id"], outcome.trained.model_id]
    table = panel.compare_table
    assert table.rowCount() == 4 and table.item(1, 0).text() == "Accuracy"
    assert table.item(1, 1).text() == f"{trained_model['metrics']['val_accuracy']:.3f}"
    assert table.item(1, 2).text() == f"{outcome.trained.metrics.val_accuracy:.3f}"

    # One more review, sent again: a new version that keeps the first one's rows, the target sent
    # again taking its new label.
    from icesight_qgis.review import ReviewClass, set_reviewed_class

    changed = expected["ship"][0]
    fid = next(f.id() for f in layer.getFeatures() if f["patch_id"] == changed)
    set_reviewed_class(layer, fid, ReviewClass.CLUTTER)
    panel.confirm_retrain = lambda question: False
    panel.last_corrections = None
    assert panel.send_corrections() is not None, panel.status_label.text()
    wait_in_qgis(lambda: panel.last_corrections is not None or panel.task is None, timeout_s=120)
    again = panel.last_corrections
    assert again is not None and again.extended_version == sent.version, panel.status_label.text()
    assert again.result.version == sent.version + 1 and again.result.n_rows == meta["n_rows"]
    assert (again.result.n_ships, again.result.n_clutter) == (meta["n_ships"] - 1, meta["n_clutter"] + 1)
    assert f"to v{sent.version}" in panel.status_label.text()


def test_the_review_marks_leave_the_map_with_the_review_page(classified, qgis_iface):
    """On another page (the ice chart, say) the target last reviewed has its symbol back (a printed
    chart must show it) and no ring; back on the Review page the marks return."""
    from qgis.core import QgsExpressionContextUtils
    from qgis.PyQt.QtWidgets import QApplication

    from icesight_qgis.review import REVIEW_FID_VARIABLE

    plugin, _raster, layer = classified
    dock, panel = plugin.dock, plugin.dock.review

    def marked() -> bool:
        return QgsExpressionContextUtils.layerScope(layer).hasVariable(REVIEW_FID_VARIABLE)

    dock.setFloating(True)
    dock.show()
    try:
        dock.show_panel(panel)
        assert panel.start_review(layer)
        QApplication.processEvents()
        assert marked() and panel.ring is not None
        dock.show_panel(dock.chart)
        QApplication.processEvents()
        assert not marked() and panel.ring is None
        assert panel.current_fid is not None  # the review itself goes on
        dock.show_panel(panel)
        QApplication.processEvents()
        assert marked() and panel.ring is not None
        assert int(QgsExpressionContextUtils.layerScope(layer).variable(REVIEW_FID_VARIABLE)) == panel.current_fid
    finally:
        dock.hide()
        dock.setFloating(False)
    assert not marked()


def test_nothing_reviewed_sends_nothing_and_says_why(classified):
    plugin, _raster, layer = classified
    panel = plugin.dock.review
    assert panel.start_review(layer)
    assert panel.send_corrections() is None
    assert "No target is reviewed yet" in panel.status_label.text()


# -- slices -------------------------------------------------------------------------------------------


def test_slices_count_and_score_reviewed_targets_by_incidence_length_and_sea_ice(
    qgis_iface, installed_plugin, catalog_scene
):
    from icesight_qgis.panels.analysis_slices import ModelAnalysisPanel
    from icesight_qgis.review import add_review_field
    from icesight_qgis.slices import SliceBy, slice_records

    rows = [  # class, reviewed, incidence, length, sea ice
        ("ship", "ship", 22.0, 40.0, 0),
        ("iceberg", "ship", 23.0, 120.0, 0),
        ("iceberg", "iceberg", 36.0, 150.0, 1),
        ("iceberg", "iceberg", 37.0, 260.0, 1),
        ("ship", "iceberg", 44.0, 80.0, 1),
        ("ship", "clutter", 36.5, 30.0, 0),
        ("ship", None, 36.0, 30.0, 0),  # not reviewed: no part of any slice
    ]
    layer = _memory_layer(
        [("class", QVariant.String), ("inc_angle", QVariant.Double), ("length_m", QVariant.Double),
         ("in_sea_ice", QVariant.Int)],
        [{"class": c, "inc_angle": a, "length_m": m, "in_sea_ice": ice} for c, _r, a, m, ice in rows],
    )
    add_review_field(layer)
    layer.startEditing()
    for feature, (_c, reviewed, *_rest) in zip(layer.getFeatures(), rows, strict=True):
        layer.changeAttributeValue(feature.id(), layer.fields().indexOf("reviewed_class"), reviewed)
    assert layer.commitChanges()
    QgsProject.instance().addMapLayer(layer)
    panel = ModelAnalysisPanel(qgis_iface)
    try:
        panel.layer_combo.setLayer(layer)

        def table(by):
            return {r.label: (r.n, r.n_correct, r.n_clutter) for r in panel.compute_slices(by)}

        assert table(SliceBy.INCIDENCE) == {"20-25\u00b0": (2, 1, 0), "35-40\u00b0": (2, 2, 1), "40-45\u00b0": (1, 0, 0)}
        assert table(SliceBy.LENGTH) == {"<50 m": (1, 1, 1), "50-100 m": (1, 0, 0), "100-200 m": (2, 1, 0),
                                         "\u2265200 m": (1, 1, 0)}
        assert table(SliceBy.SEA_ICE) == {"open water": (2, 1, 1), "sea ice": (3, 2, 0)}
        assert [r.accuracy for r in panel.rows] == [0.5, pytest.approx(2 / 3)]
        assert panel.chart.rows == panel.rows and panel.slice_table.rowCount() == 2
        assert panel.slice_table.item(1, 2).text() == "67%"
        assert not panel.chart.grab().isNull()
    finally:
        panel.deleteLater()
        QgsProject.instance().removeMapLayer(layer.id())

    # Without an incidence field the angle is read from the scene's band 3 at the target.
    scene = QgsRasterLayer(str(catalog_scene.tif), "scene")
    centre = scene.extent().center()
    bare = _memory_layer([("class", QVariant.String)], [{"class": "ship", "xy": (centre.x(), centre.y())}],
                         crs=scene.crs().authid())
    add_review_field(bare)
    bare.startEditing()
    bare.changeAttributeValue(next(bare.getFeatures()).id(), bare.fields().indexOf("reviewed_class"), "ship")
    assert bare.commitChanges()
    value, ok = scene.dataProvider().sample(centre, 3)
    assert ok and 15 <= value <= 50
    assert slice_records(bare, scene)[0].inc_angle_deg == pytest.approx(value)
    assert slice_records(bare)[0].inc_angle_deg is None


def test_a_streamed_scenes_incidence_is_read_in_a_task_not_on_the_main_thread(
    qgis_iface, plugin, api, catalog_scene, wait_in_qgis
):
    """A catalog scene streamed from the backend: slicing by incidence reads its pixels in a task (the
    main thread never waits on the network), then bins the targets by the angles read; by length, the
    scene is not read at all."""
    from icesight_qgis import settings
    from icesight_qgis.panels.analysis_slices import ModelAnalysisPanel
    from icesight_qgis.review import add_review_field
    from icesight_qgis.scene_layers import streamed_source
    from icesight_qgis.slices import UNKNOWN, SliceBy

    current = settings.load()
    with settings.make_client(current) as client:
        source = streamed_source(client.scene_url(catalog_scene.scene_id), settings.write_gdal_header_file(current.token))
    streamed = QgsRasterLayer(source, "streamed", "gdal")
    local = QgsRasterLayer(str(catalog_scene.tif), "local")
    assert streamed.isValid() and local.isValid()
    centre = local.extent().center()
    angle, ok = local.dataProvider().sample(centre, 3)
    assert ok
    layer = _memory_layer([("class", QVariant.String), ("length_m", QVariant.Double)],
                          [{"class": "ship", "length_m": 80.0, "xy": (centre.x(), centre.y())}],
                          crs=local.crs().authid())
    add_review_field(layer)
    layer.startEditing()
    layer.changeAttributeValue(next(layer.getFeatures()).id(), layer.fields().indexOf("reviewed_class"), "ship")
    assert layer.commitChanges()
    QgsProject.instance().addMapLayers([layer, streamed])
    panel = ModelAnalysisPanel(qgis_iface)
    try:
        panel.layer_combo.setLayer(layer)
        panel.scene_combo.setLayer(streamed)
        assert [r.label for r in panel.compute_slices(SliceBy.LENGTH)] == ["50-100 m"]
        assert panel.sampling_task is None  # by length: the scene is not read
        assert [r.label for r in panel.compute_slices(SliceBy.INCIDENCE)] == [UNKNOWN]  # not yet read
        assert panel.sampling_task is not None
        panel.slice_combo.setCurrentIndex(panel.slice_combo.findData(SliceBy.INCIDENCE))
        wait_in_qgis(lambda: panel.sampling_task is None, timeout_s=60)
        assert panel.sampled[(layer.id(), streamed.id())] == {next(layer.getFeatures()).id(): pytest.approx(angle)}
        low = int(angle // 5 * 5)
        assert [r.label for r in panel.compute_slices(SliceBy.INCIDENCE)] == [f"{low}-{low + 5}\u00b0"]
    finally:
        panel.detach()
        panel.deleteLater()
        QgsProject.instance().removeMapLayers([layer.id(), streamed.id()])


# -- what-if ------------------------------------------------------------------------------------------


def test_the_slice_charts_title_and_bar_values_never_overlap(installed_plugin):
    from qgis.PyQt.QtGui import QImage, QPainter

    from icesight_qgis.panels.analysis_slices import SliceChart
    from icesight_qgis.slices import SliceRow

    chart = SliceChart()
    chart.resize(280, chart.minimumSizeHint().height())
    chart.set_rows([SliceRow("40-45\u00b0", n=2, n_correct=2), SliceRow("\u226545\u00b0", n=4, n_correct=1)])
    line = chart.fontMetrics().height()
    title = chart.title_rect(line)
    full, quarter = chart.value_rect(0, 1.0, line), chart.value_rect(1, 0.25, line)
    assert not full.intersects(title) and full.top() >= title.bottom()  # a 100 % bar's value under the title
    assert full.bottom() <= chart.plot_rect(line).top() and quarter.bottom() <= chart.plot_rect(line).bottom()
    image = QImage(chart.size(), QImage.Format_ARGB32)
    painter = QPainter(image)
    chart.render(painter)  # draws without error at the narrowest size
    painter.end()


def test_variants_remove_one_bands_target_or_move_the_incidence(installed_plugin, patch_record):
    from icesight_contract import PatchRecord, from_dict
    from icesight_qgis.whatif import PROBE_ANGLES_DEG, variants

    patch = from_dict(PatchRecord, patch_record("berg"))
    named = dict(variants(patch))
    hh, hv = np.reshape(patch.band_1, (75, 75)), np.reshape(patch.band_2, (75, 75))
    ring = np.ones((75, 75), dtype=bool)
    ring[8:-8, 8:-8] = False
    no_hv = named["HV at clutter level (no HV target)"]
    assert np.allclose(no_hv.band_2, np.median(hv[ring]), atol=1e-3) and no_hv.band_1 == patch.band_1
    no_hh = named["HH at clutter level (no HH target)"]
    assert np.allclose(no_hh.band_1, np.median(hh[ring]), atol=1e-3) and no_hh.band_2 == patch.band_2
    assert [p.inc_angle for name, p in named.items() if name.startswith("incidence")] == list(PROBE_ANGLES_DEG)
    assert len({p.id for p in named.values()}) == len(named)


def test_what_if_probe_of_the_selected_target_gives_each_variants_probability(classified, wait_in_qgis):
    plugin, _raster, layer = classified
    panel = plugin.dock.model_analysis
    berg = max(layer.getFeatures(), key=lambda f: f["iceberg_probability"])
    layer.selectByIds([berg.id()])
    assert panel.probe_selected() is not None, panel.status_label.text()
    wait_in_qgis(lambda: panel.task is None, timeout_s=120)
    outcome = panel.last_probe
    assert outcome is not None, panel.status_label.text()
    rows = {row.variant: row for row in outcome.rows}
    assert len(rows) == 7 and all(0.0 <= r.iceberg_probability <= 1.0 for r in rows.values())
    assert outcome.model_id == berg["model_id"]
    # The probe cut the same patch the classification did: the same probability as cut.
    assert rows["as cut"].iceberg_probability == pytest.approx(berg["iceberg_probability"], abs=2e-3)
    no_hv = rows["HV at clutter level (no HV target)"]
    assert abs(no_hv.change) > 1e-4
    assert no_hv.change == pytest.approx(no_hv.iceberg_probability - rows["as cut"].iceberg_probability)
    assert panel.probe_table.rowCount() == 7 and panel.probe_table.item(1, 0).text() == no_hv.variant


def test_label_fields_may_say_ship_iceberg_or_clutter(installed_plugin):
    from icesight_qgis.workflow import parse_label

    assert [parse_label(v) for v in ("Ship", 0, "1", " berg ", "CLUTTER", None, "", "null")] == [
        ClassName.SHIP, ClassName.SHIP, ClassName.ICEBERG, ClassName.ICEBERG, ClassName.CLUTTER, None, None, None]
    for bad in ("boat", 2, True):
        with pytest.raises(ValueError, match="not a label"):
            parse_label(bad)


def test_a_cancelled_reading_of_incidence_angles_is_no_result(installed_plugin, catalog_scene, tmp_path):
    """Cancelled, the reading raises: a partial set of angles is never kept as if it were whole. The
    same for the copy a chart is printed from."""
    from icesight_qgis.chart_layout import print_copy
    from icesight_qgis.client import JobCancelledError
    from icesight_qgis.slices import sample_incidences

    scene = QgsRasterLayer(str(catalog_scene.tif), "scene")
    points = {1: scene.extent().center()}
    assert sample_incidences(scene.dataProvider(), 3, points)[1] is not None
    with pytest.raises(JobCancelledError):
        sample_incidences(scene.dataProvider(), 3, points, is_cancelled=lambda: True)
    assert print_copy(str(catalog_scene.tif), str(tmp_path / "copy.tif"), max_px=64) == str(tmp_path / "copy.tif")
    copy = QgsRasterLayer(str(tmp_path / "copy.tif"), "copy")
    assert max(copy.width(), copy.height()) == 64 and copy.bandCount() == scene.bandCount()
    assert copy.extent().contains(scene.extent().center()) and copy.crs() == scene.crs()
    with pytest.raises(JobCancelledError):
        print_copy(str(catalog_scene.tif), str(tmp_path / "cancelled.tif"), max_px=64, is_cancelled=lambda: True)
