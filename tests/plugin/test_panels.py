"""The dock's panels inside a headless QGIS against the real backend: connection test, scene
catalog browser (filters, streamed and styled scene), upload and ingest, detection, models,
jobs, the project remembering its jobs, a narrow dock, and a GUI that keeps turning while the
backend does not answer."""

from __future__ import annotations

import gc
import socket
import threading
import time
import warnings

import numpy as np
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsField,
    QgsProject,
    QgsRasterLayer,
    QgsRasterMinMaxOrigin,
    QgsRectangle,
    QgsSettings,
    QgsSingleBandGrayRenderer,
)
from qgis.PyQt.QtCore import QEventLoop, Qt, QTimer, QVariant
from qgis.PyQt.QtWidgets import QComboBox


def _final(api, job_id: str) -> dict:
    return api.wait(job_id)


# -- connection ----------------------------------------------------------------------------------


def test_test_connection_reports_workers_queue_and_the_production_model(plugin, api, trained_model, wait_in_qgis):
    assert api.post(f"/models/{trained_model['model_id']}/production").status_code == 200
    panel = plugin.dock.connection
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        task = panel.test_connection()
        assert task is not None
        wait_in_qgis(lambda: panel.task is None, timeout_s=60)
        gc.collect()
    report = panel.report
    assert report is not None, panel.connection_label.text()
    assert report.n_workers >= 1 and report.n_threads >= 1
    assert report.production_model == trained_model["model_id"]
    assert report.jobs_queued >= 0 and report.jobs_running >= 0 and report.version
    text = panel.connection_label.text()
    assert "worker" in text and trained_model["model_id"] in text and "Queue" in text
    # The task closed its session: no socket left for the garbage collector to complain about.
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)], [str(w.message) for w in caught]


def test_a_wrong_token_is_explained_in_an_analysts_words(plugin, wait_in_qgis):
    QgsSettings().setValue("IceSight/token", "not-the-token")
    panel = plugin.dock.connection
    panel.token_edit.setText("not-the-token")
    panel.save_and_test()
    wait_in_qgis(lambda: panel.task is None, timeout_s=60)
    text = panel.connection_label.text()
    assert panel.report is None
    assert "did not accept the token" in text, text
    assert "401" not in text and "HTTP" not in text and "Bearer" not in text
    assert panel.connection_label.textFormat() == Qt.PlainText  # a '<' would be shown, never eaten


def test_the_token_storage_warning_is_logged_once_not_on_every_save(plugin):
    from qgis.core import QgsApplication

    from icesight_qgis import settings

    messages = []

    def collect(message, tag, level):
        if tag == "IceSight" and "master password" in message:
            messages.append(message)

    QgsSettings().remove("IceSight/token_storage_warned")
    QgsApplication.messageLog().messageReceived.connect(collect)
    try:
        for _ in range(3):
            settings.save(settings.load().url, settings.load().token)
        QgsApplication.processEvents()
    finally:
        QgsApplication.messageLog().messageReceived.disconnect(collect)
    if QgsApplication.authManager().masterPasswordIsSet():
        pytest.skip("this profile keeps the token encrypted: no warning to give")
    assert len(messages) == 1


def test_qgis_proxy_settings_reach_the_backend_client(qgis_iface, installed_plugin):
    from icesight_qgis import settings

    s = QgsSettings()
    keys = {"proxy/proxyEnabled": True, "proxy/proxyType": "HttpProxy", "proxy/proxyHost": "proxy.ice.example",
            "proxy/proxyPort": "3128", "proxy/proxyUser": "ana lyst", "proxy/proxyPassword": "p@ss",
            "proxy/proxyExcludedUrls": "http://127.0.0.1"}
    for key, value in keys.items():
        s.setValue(key, value)
    try:
        proxies = settings.proxies_for("http://backend.ice.example:8765")
        assert proxies == {"http": "http://ana%20lyst:p%40ss@proxy.ice.example:3128",
                           "https": "http://ana%20lyst:p%40ss@proxy.ice.example:3128"}
        assert settings.proxies_for("http://127.0.0.1:8765") == {}  # excluded: direct
        with settings.make_client(settings.BackendSettings("http://backend.ice.example:8765", "t")) as client:
            assert client.session.proxies["https"].endswith("proxy.ice.example:3128")
            assert client.session.trust_env is False
        s.setValue("proxy/proxyEnabled", False)
        assert settings.proxies_for("http://backend.ice.example:8765") is None
    finally:
        for key in keys:
            s.remove(key)


@pytest.fixture
def silent_backend():
    """A server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(timeout=2)
    for connection in held:
        connection.close()
    server.close()


def test_the_gui_keeps_turning_while_the_backend_never_answers(plugin, silent_backend):
    s = QgsSettings()
    s.setValue("IceSight/backend_url", silent_backend)
    s.setValue("IceSight/read_timeout_s", 2.0)
    panel = plugin.dock.connection
    panel.url_edit.setText(silent_backend)
    panel.read_timeout_spin.setValue(2)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    loop = QEventLoop()
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    watcher = QTimer()
    watcher.setInterval(20)
    watcher.timeout.connect(lambda: loop.quit() if panel.task is None else None)
    try:
        timer.start()
        ticks.append(time.monotonic())
        panel.save_and_test()  # the click: saving and starting the task happen on the GUI thread
        watcher.start()
        deadline.start(15000)
        loop.exec_()
    finally:
        timer.stop()
        watcher.stop()
        s.remove("IceSight/read_timeout_s")
    assert panel.task is None, "the test did not end within 15 s"
    gaps = np.diff(ticks)
    longest = float(gaps.max())
    print(f"longest main-thread stall: {1000 * longest:.1f} ms over {len(ticks)} ticks")
    assert len(ticks) > 50  # the wait really lasted about the 2 s timeout
    assert longest < 0.2, f"the GUI thread stalled {longest:.3f} s"
    assert "did not answer within 2 s" in panel.connection_label.text()


# -- scene browser --------------------------------------------------------------------------------


def _set_canvas(iface, west, south, east, north):
    canvas = iface.mapCanvas()
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    canvas.setExtent(QgsRectangle(west, south, east, north))
    canvas.refresh()


def _search(panel, wait_in_qgis) -> list[str]:
    assert panel.search() is not None
    wait_in_qgis(lambda: panel.search_task is None, timeout_s=60)
    return panel.scene_ids()


def test_scene_browser_filters_the_catalog_by_mode_and_map_extent(plugin, qgis_iface, api, catalog_scene, wait_in_qgis):
    panel = plugin.dock.scenes
    item = api.get(f"/scenes/{catalog_scene.scene_id}").json()
    west, south, east, north = item["bbox"]
    _set_canvas(qgis_iface, west - 0.5, south - 0.5, east + 0.5, north + 0.5)
    panel.extent_check.setChecked(True)
    panel.mode_combo.setCurrentIndex(panel.mode_combo.findData("EW"))
    assert catalog_scene.scene_id in _search(panel, wait_in_qgis)
    footprints = panel.footprints
    assert footprints is not None and footprints.featureCount() == len(panel.items)
    assert catalog_scene.scene_id in {f["scene_id"] for f in footprints.getFeatures()}
    panel.mode_combo.setCurrentIndex(panel.mode_combo.findData("IW"))
    assert catalog_scene.scene_id not in _search(panel, wait_in_qgis)
    panel.mode_combo.setCurrentIndex(panel.mode_combo.findData("EW"))
    _set_canvas(qgis_iface, 100.0, -60.0, 110.0, -50.0)  # the Southern Ocean: far from the scene
    assert catalog_scene.scene_id not in _search(panel, wait_in_qgis)
    panel.extent_check.setChecked(False)
    assert catalog_scene.scene_id in _search(panel, wait_in_qgis)


def test_a_polar_map_around_the_pole_searches_up_to_the_pole(plugin, qgis_iface):
    """On a polar stereographic map that holds the pole, the extent's edges, turned into degrees,
    stop at about 86 N: the search box must run to the pole and all the way round."""
    panel = plugin.dock.scenes
    canvas = qgis_iface.mapCanvas()
    try:
        canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3413"))
        canvas.setExtent(QgsRectangle(-5_000_000, -5_000_000, 5_000_000, 5_000_000))
        west, south, east, north = panel.map_bbox()
        assert (west, east, north) == (-180.0, 180.0, 90.0) and south < 60.0
        canvas.setExtent(QgsRectangle(-2_500_000, -2_000_000, -1_500_000, -1_000_000))  # off the pole (Alaska)
        west, south, east, north = panel.map_bbox()
        assert north < 90.0 and east - west < 180.0
    finally:
        _set_canvas(qgis_iface, -180.0, -90.0, 180.0, 90.0)


def test_add_scene_streams_the_cog_styled_hh_with_hv_and_incidence_styles(
    plugin, backend, catalog_scene, catalog_scene_truth, wait_in_qgis
):
    import rasterio

    from icesight_qgis.stretch import sigma0_stretch

    panel = plugin.dock.scenes
    assert panel.add_scene(catalog_scene.scene_id) is not None
    wait_in_qgis(lambda: panel.add_task is None, timeout_s=120)
    layer = panel.last_scene_layer
    assert layer is not None and layer.isValid(), panel.status_label.text()
    assert layer in QgsProject.instance().mapLayers().values()
    assert layer.customProperty("icesight/scene_id") == catalog_scene.scene_id
    # Streamed from the backend, the token kept out of the layer's source (and so of the project).
    assert layer.source().startswith("/vsicurl?") and "header_file=" in layer.source()
    assert backend.token not in layer.source()
    renderer = layer.renderer()
    assert isinstance(renderer, QgsSingleBandGrayRenderer) and renderer.grayBand() == 1
    # The plugin's own limits: QGIS must not replace them with its cumulative cut on "Apply".
    assert renderer.minMaxOrigin().limits() == QgsRasterMinMaxOrigin.None_
    with rasterio.open(catalog_scene.tif) as scene:
        hh = scene.read(1).astype(np.float64)
    truth = catalog_scene_truth
    np.testing.assert_allclose(hh, truth.hh_db, equal_nan=True, atol=1e-4)  # the same scene
    enhancement = renderer.contrastEnhancement()
    assert (enhancement.minimumValue(), enhancement.maximumValue()) == pytest.approx(sigma0_stretch(hh), abs=1e-3)
    # As drawn: sea ice keeps its texture (its pixels spread over many grey levels, few pure white)
    # and open water is darker than the ice.
    valid = np.isfinite(hh)
    ice, water = hh[valid & truth.ice_mask], hh[valid & ~truth.ice_mask]
    assert ice.size > 1000 and water.size > 1000
    grey_ice = np.array([enhancement.enhanceContrast(v) for v in ice])
    grey_water = np.array([enhancement.enhanceContrast(v) for v in water[::7]])
    assert np.mean(grey_ice == 255) < 0.05, np.mean(grey_ice == 255)
    assert len(np.unique(grey_ice)) > 150
    assert np.percentile(grey_ice, 75) - np.percentile(grey_ice, 25) > 40
    assert np.median(grey_water) < np.median(grey_ice)
    manager = layer.styleManager()
    assert set(manager.styles()) == {"HH (dB)", "HV (dB)", "Incidence angle", "Cross-pol noise floor (dB)"}
    assert manager.currentStyle() == "HH (dB)"
    assert manager.setCurrentStyle("HV (dB)") and layer.renderer().grayBand() == 2
    assert manager.setCurrentStyle("Incidence angle") and layer.renderer().grayBand() == 3
    # The noise floor (band 4 of a scene that has it) is stretched over its own range on this scene.
    assert manager.setCurrentStyle("Cross-pol noise floor (dB)") and layer.renderer().grayBand() == 4
    floor = layer.renderer().contrastEnhancement()
    assert (floor.minimumValue(), floor.maximumValue()) == pytest.approx(
        (np.nanmin(truth.nesz_db), np.nanmax(truth.nesz_db)), abs=1e-3)
    from icesight_qgis.scenes import catalog_scene_id

    assert catalog_scene_id(layer) == catalog_scene.scene_id


# -- upload, detect --------------------------------------------------------------------------------


def test_upload_ingests_a_local_geotiff_adds_it_and_detection_loads_its_targets(
    plugin, api, uploadable_tif, wait_in_qgis
):
    from qgis.PyQt.QtCore import QDateTime

    dock = plugin.dock
    upload = dock.upload
    upload.file_widget.setFilePath(str(uploadable_tif))
    upload.mode_combo.setCurrentIndex(upload.mode_combo.findText("IW"))
    upload.acquired_edit.setDateTime(QDateTime.fromString("2026-03-01T08:15:00Z", Qt.ISODate))
    progress: list[int] = []
    task = upload.upload()
    assert task is not None
    task.progressChanged.connect(lambda value: progress.append(int(value)))
    wait_in_qgis(lambda: upload.task is None, timeout_s=180)
    result = upload.last_result
    assert result is not None, upload.status_label.text()
    assert progress and max(progress) >= 60  # the upload's own share of the progress was reported
    item = api.get(f"/scenes/{result.scene_id}").json()
    assert item["properties"]["sar:instrument_mode"] == "IW"
    # The new catalog scene comes onto the map by itself.
    wait_in_qgis(lambda: dock.scenes.last_scene_layer is not None and dock.scenes.add_task is None, timeout_s=120)
    assert dock.scenes.last_scene_layer.customProperty("icesight/scene_id") == result.scene_id

    # The time filter: the scene's day finds it, the day before does not.
    scenes = dock.scenes
    scenes.extent_check.setChecked(False)
    scenes.mode_combo.setCurrentIndex(0)
    scenes.start_edit.setDateTime(QDateTime.fromString("2026-03-01T00:00:00Z", Qt.ISODate))
    scenes.end_edit.setDateTime(QDateTime.fromString("2026-03-01T23:59:00Z", Qt.ISODate))
    assert result.scene_id in _search(scenes, wait_in_qgis)
    scenes.start_edit.setDateTime(QDateTime.fromString("2026-02-27T00:00:00Z", Qt.ISODate))
    scenes.end_edit.setDateTime(QDateTime.fromString("2026-02-28T23:59:00Z", Qt.ISODate))
    assert result.scene_id not in _search(scenes, wait_in_qgis)

    assert scenes.detect(result.scene_id) is not None
    wait_in_qgis(lambda: scenes.detect_task is None, timeout_s=240)
    detections = scenes.last_detections
    assert detections is not None and detections.isValid(), scenes.status_label.text()
    assert detections.featureCount() >= 4
    assert detections.renderer().symbol().symbolLayer(0).strokeColor().name() == "#ffd400"
    # Every attribute of the backend's detections is kept.
    backend_job = next(j for j in api.get("/jobs?kind=detect_targets").json()["jobs"]
                       if j["result"] and j["result"]["scene_id"] == result.scene_id)
    assert detections.name().endswith(f"(job {backend_job['id']})")
    assert {"area_px"} <= set(detections.fields().names()) or len(detections.fields()) >= 5


def test_an_upload_can_be_cancelled(plugin, uploadable_tif, wait_in_qgis):
    upload = plugin.dock.upload
    upload.file_widget.setFilePath(str(uploadable_tif))
    assert upload.upload() is not None
    upload.cancel()
    wait_in_qgis(lambda: upload.task is None, timeout_s=120)
    assert upload.last_result is None
    assert "cancelled" in upload.status_label.text()


# -- models ---------------------------------------------------------------------------------------


def test_models_panel_lists_compares_and_sets_the_production_model(plugin, api, trained_model, wait_in_qgis):
    panel = plugin.dock.models
    model_id = trained_model["model_id"]
    # Another model is production, so that setting ours changes something.
    others = [m["model_id"] for m in api.get("/models").json()["models"] if m["model_id"] != model_id]
    if others:
        api.post(f"/models/{others[0]}/production")
    assert panel.refresh() is not None
    wait_in_qgis(lambda: panel.task is None, timeout_s=60)
    assert model_id in [r["model_id"] for r in panel.records]
    assert panel.select_model(model_id)
    row = panel.table.currentRow()
    assert panel.table.item(row, 3).text() != "-"  # log loss shown
    # The monitoring's drift verdict sits next to each model.
    record = next(r for r in panel.records if r["model_id"] == model_id)
    assert record["drift"]["status"] in ("ok", "drift", "too_few", "no_reference", "unused")
    assert panel.table.item(row, 2).text() == panel.drift_text(record["drift"])[0]
    text, tip = panel.drift_text({"status": "drift", "drifted": ["hh_median_db"], "threshold_psi": 0.25})
    assert text == "drift" and "hh_median_db" in tip  # a report without labels: the feature's name
    labelled = {"status": "drift", "drifted": ["hh_border_nv"], "threshold_psi": 0.25,
                "features": {"hh_border_nv": {"psi": 6.2, "drift": True, "label": "speckle and texture of the HH clutter"}}}
    assert "speckle and texture of the HH clutter" in panel.drift_text(labelled)[1]
    assert panel.drift_text({"status": "ok"})[0] == "ok"
    assert "training" in panel.details_label.text() or "simulated" in panel.details_label.text()
    # Simulated sets hold clutter patches by default: the model's clutter figures are in the details.
    auc = record["metrics"]["val_clutter_auc"]
    assert f"clutter (no target): AUC {auc:.3f}" in panel.details_label.text()

    panel.choose_model(model_id)
    assert plugin.dock.analysis.model_id() == model_id
    panel.choose_model(None)
    assert plugin.dock.analysis.model_id() is None

    assert panel.set_selected_production() is not None
    wait_in_qgis(lambda: panel.production_task is None and panel.task is None, timeout_s=60)
    assert api.get(f"/models/{model_id}").json()["production"] is True
    assert next(r for r in panel.records if r["model_id"] == model_id)["production"] is True

    second = others[0] if others else model_id
    assert panel.compare(model_id, second) is not None
    wait_in_qgis(lambda: panel.compare_task is None, timeout_s=60)
    assert panel.comparison is not None
    assert panel.compare_table.rowCount() == 4 and panel.compare_table.columnCount() == 3
    assert panel.compare_table.item(1, 0).text() == f"{trained_model['metrics']['val_accuracy']:.3f}"


def _model(model_id: str, production: bool = False) -> dict:
    return {"model_id": model_id, "production": production, "architecture": "lenet",
            "metrics": {"val_log_loss": 0.3, "val_accuracy": 0.9, "val_roc_auc": 0.95, "val_ece": 0.04},
            "drift": {"status": "ok"}}


def test_models_panel_compares_two_different_models_by_default_and_shows_whole_ids(qgis_iface, installed_plugin):
    from qgis.PyQt.QtWidgets import QApplication

    from icesight_qgis.panels.models import ModelsPanel

    newest, production, oldest = "lenet-aaaa1111bbbb2222", "lenet-cccc3333dddd4444", "resnet-eeee5555ffff6666"
    records = [_model(newest), _model(production, True), _model(oldest)]  # the registry lists newest first
    panel = ModelsPanel(qgis_iface)
    try:
        panel._on_listed(records, None)
        # The production model against the newest other one, never a model against itself.
        assert (panel.compare_a.currentData(), panel.compare_b.currentData()) == (production, newest)
        assert panel.compare_button.isEnabled()
        panel.compare_b.setCurrentIndex(panel.compare_b.findData(oldest))
        panel._on_listed(records, None)  # a refresh keeps the analyst's choice
        assert (panel.compare_a.currentData(), panel.compare_b.currentData()) == (production, oldest)
        panel._on_listed([_model(newest, True)], None)
        assert panel.compare_b.currentIndex() == -1 and not panel.compare_button.isEnabled()
        assert "Only one model" in panel.compare_label.text()

        # In a 300 px dock the ids are whole (the metrics scroll sideways; all of them are in the details).
        panel._on_listed(records, None)
        panel.resize(300 - 20, 700)
        panel.show()
        QApplication.processEvents()
        widest = max(panel.table.fontMetrics().horizontalAdvance(r["model_id"]) for r in records)
        assert panel.table.columnWidth(0) >= widest
        assert panel.select_model(oldest)
        details = panel.details_label.text()
        assert oldest in details and "ECE 0.040" in details and "Accuracy 0.900" in details
    finally:
        panel.hide()
        panel.deleteLater()


# -- jobs and the project ---------------------------------------------------------------------------


def test_jobs_panel_shows_a_jobs_state_and_cancel_cancels_it(plugin, api, wait_in_qgis):
    job = api.submit("train_model", {"epochs": 300, "patience": 300, "simulated": {"n_patches": 400, "seed": 8}})
    panel = plugin.dock.jobs
    assert panel.refresh() is not None
    wait_in_qgis(lambda: panel.refresh_task is None, timeout_s=60)
    assert panel.select_job(job["id"])
    row = panel.table.currentRow()
    assert panel.table.item(row, 1).text() == "train_model"
    assert panel.table.item(row, 2).text() in ("queued", "running")
    assert panel.cancel_selected() is not None
    wait_in_qgis(lambda: not panel.action_tasks, timeout_s=60)
    final = api.wait(job["id"], timeout_s=120)
    assert final["state"] == "cancelled"
    wait_in_qgis(lambda: panel.refresh_task is None and panel.job_row(job["id"]) is not None
                 and panel.job_row(job["id"]).state.value == "cancelled", timeout_s=60)


def test_jobs_refresh_by_themselves_while_the_panel_is_shown(plugin, qgis_iface, wait_in_qgis):
    from icesight_qgis.panels import jobs

    panel = plugin.dock.jobs
    panel.timer.setInterval(200)
    window = qgis_iface.mainWindow()
    window.show()
    plugin.dock.show()
    plugin.dock.show_panel(panel)
    try:
        assert panel.isVisible()
        wait_in_qgis(lambda: panel.refreshes >= 3, timeout_s=30)
        assert panel.timer.isActive()
        plugin.dock.show_panel(plugin.dock.models)  # another tab: the jobs panel stops asking
        assert not panel.timer.isActive()
    finally:
        plugin.dock.hide()
        window.hide()
        panel.timer.setInterval(jobs.REFRESH_INTERVAL_MS)
    assert not panel.timer.isActive()


def test_job_ids_survive_saving_and_reopening_the_project_and_results_come_back(
    plugin, api, catalog_scene, tmp_path, wait_in_qgis
):
    from icesight_qgis import project_jobs

    project = QgsProject.instance()
    scenes = plugin.dock.scenes
    assert scenes.detect(catalog_scene.scene_id) is not None
    wait_in_qgis(lambda: scenes.detect_task is None, timeout_s=240)
    assert scenes.last_detections is not None, scenes.status_label.text()
    job_id = scenes.last_detections.name().split("job ")[-1].rstrip(")")
    n_detections = scenes.last_detections.featureCount()
    assert job_id in project_jobs.job_ids(project)

    path = tmp_path / "ice.qgz"
    assert project.write(str(path))
    project.clear()
    assert project_jobs.job_ids(project) == []
    assert project.read(str(path))
    assert job_id in project_jobs.job_ids(project)

    panel = plugin.dock.jobs
    panel.project_only_check.setChecked(True)
    assert panel.refresh() is not None
    wait_in_qgis(lambda: panel.refresh_task is None, timeout_s=60)
    assert job_id in {j.id for j in panel.visible_jobs()}
    assert {j.id for j in panel.visible_jobs()} <= set(project_jobs.job_ids(project))
    assert len(panel.visible_jobs()) < len(panel.jobs)  # the other jobs of the backend are left out
    assert panel.select_job(job_id)
    project.removeAllMapLayers()
    project.layerTreeRoot().removeAllChildren()
    assert panel.reload_selected() is not None
    wait_in_qgis(lambda: not panel.action_tasks, timeout_s=120)
    assert panel.last_added and panel.last_added[0].isValid()
    assert panel.last_added[0].featureCount() == n_detections

    # What the analyst wrote into the results file (a review, a note) survives putting the results
    # on the map again: the copy in the results folder is used, not replaced by the backend's.
    layer = panel.last_added[0]
    path = layer.source().split("|")[0]
    provider = layer.dataProvider()
    assert provider.addAttributes([QgsField("analyst_note", QVariant.String)])
    layer.updateFields()
    first = next(layer.getFeatures())
    assert provider.changeAttributeValues({first.id(): {layer.fields().indexOf("analyst_note"): "checked"}})
    project.removeAllMapLayers()
    assert panel.reload_selected() is not None
    wait_in_qgis(lambda: not panel.action_tasks, timeout_s=120)
    again = panel.last_added[0]
    assert again.source().split("|")[0] == path and again.featureCount() == n_detections
    assert again.getFeature(first.id())["analyst_note"] == "checked"
    # Asked again while the layer is on the map: no second copy of it.
    assert panel.reload_selected() is not None
    wait_in_qgis(lambda: not panel.action_tasks, timeout_s=120)
    assert panel.last_added[0].id() == again.id()
    assert len([lay for lay in project.mapLayers().values() if lay.source().split("|")[0] == path]) == 1
    project.clear()


def test_scene_jobs_results_come_back_as_a_streamed_scene(plugin, api, catalog_scene, wait_in_qgis):
    job = next(j for j in api.get("/jobs?kind=simulate_scene").json()["jobs"]
               if j["state"] == "succeeded" and j["result"]["scene_id"] == catalog_scene.scene_id)
    panel = plugin.dock.jobs
    panel.reload_job(job["id"])
    wait_in_qgis(lambda: not panel.action_tasks, timeout_s=120)
    assert panel.last_added, "no layer came back"
    layer = panel.last_added[0]
    assert isinstance(layer, QgsRasterLayer) and layer.customProperty("icesight/scene_id") == catalog_scene.scene_id


# -- a narrow dock ---------------------------------------------------------------------------------


def test_the_dock_works_300_px_wide_with_every_page_named_in_full(plugin):
    from qgis.PyQt.QtWidgets import QApplication

    dock = plugin.dock
    dock.setFloating(True)  # on its own: the headless main window is never shown
    dock.show()
    try:
        dock.resize(300, 900)
        QApplication.processEvents()
        assert dock.width() == 300 and dock.minimumSizeHint().width() <= 300
        titles = dock.page_titles()
        assert len(titles) == dock.pages.count() >= 9
        assert {"Analyse targets", "Review", "What-if (model analysis)", "Ice chart", "Scenes", "Models", "Jobs",
                "Connect"} <= set(titles)
        selector = dock.page_combo
        # The selector shows the chosen page's whole title (no "An..", "Re.." as tabs were cut to).
        room = selector.style().subControlRect(
            selector.style().CC_ComboBox, _combo_option(selector), selector.style().SC_ComboBoxEditField, selector)
        assert 0 < room.width() <= 300
        for page, title in enumerate(titles):
            assert selector.fontMetrics().horizontalAdvance(title) <= room.width(), title
            selector.setCurrentIndex(selector.findText(title))
            assert dock.pages.currentIndex() == page
            panel = dock.current_panel()
            assert panel.isVisible()
            assert panel.minimumSizeHint().width() <= 300 - 20, (title, panel.minimumSizeHint())
            for combo in panel.findChildren(QComboBox):
                assert combo.minimumSizeHint().width() <= 260, (title, combo.objectName())
        # The toolbar's commands bring their page up.
        dock.show_panel(dock.jobs)
        assert dock.current_panel() is dock.jobs and selector.currentText() == "Jobs"
    finally:
        dock.hide()
        dock.setFloating(False)


def _combo_option(combo):
    from qgis.PyQt.QtWidgets import QStyleOptionComboBox

    option = QStyleOptionComboBox()
    option.initFrom(combo)
    option.editable = combo.isEditable()
    option.currentText = combo.currentText()
    return option


def test_a_task_left_running_when_its_panel_goes_reports_to_nothing(plugin):
    """A task may report progress after the dock is gone (plugin unloaded or reloaded while a job
    runs): its signals are let go with the panel, so nothing writes to a deleted progress bar."""
    from icesight_qgis.tasks import JobTask

    panel = plugin.dock.upload
    task = JobTask("a job that outlives its panel", lambda on_progress, is_cancelled: None, lambda outcome, error: None)
    task.progressChanged.connect(panel.show_progress)
    task.message_changed.connect(panel.status_label.setText)
    panel.task = task
    task.setProgress(40.0)
    assert panel.progress.value() == 40  # connected while the panel lives
    assert task.receivers(task.progressChanged) >= 1 and task.receivers(task.message_changed) >= 1
    panel.detach()
    assert panel.task is None
    assert task.receivers(task.progressChanged) == 0 and task.receivers(task.message_changed) == 0
    task.setProgress(80.0)  # reports into the void
    assert panel.progress.value() == 40


def test_closing_the_dock_leaves_a_running_job_alone(plugin):
    """Closing the panel makes room on the screen, as hiding it from the toolbar does: the job goes on
    (the Jobs page and the Cancel button stop it)."""
    from icesight_qgis.tasks import JobTask

    dock, analysis = plugin.dock, plugin.dock.analysis
    task = JobTask("a running job", lambda on_progress, is_cancelled: None, lambda outcome, error: None)
    previous, analysis.task = analysis.task, task
    try:
        dock.setFloating(True)
        dock.show()
        dock.close()
        assert not dock.isVisible() and not task.isCanceled()
    finally:
        analysis.task = previous
        dock.setFloating(False)


def test_a_backend_that_is_down_is_logged_once_not_every_refresh(plugin, wait_in_qgis):
    """The Jobs page asks for the jobs every few seconds: a backend that stays down is one message
    in the Message Log (and one more when it answers again), not one every refresh."""
    from qgis.core import QgsApplication

    from icesight_qgis import settings

    messages = []

    def collect(message, tag, level):
        if tag == "IceSight" and "list" in message.lower() and "jobs" in message.lower():
            messages.append(message)

    panel = plugin.dock.jobs
    saved = settings.load()
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{probe.getsockname()[1]}"
    QgsApplication.messageLog().messageReceived.connect(collect)
    try:
        settings.save(down, saved.token)
        for _ in range(3):
            assert panel.refresh() is not None
            wait_in_qgis(lambda: panel.refresh_task is None, timeout_s=60)
        assert "could not be listed" in panel.status_label.text()
        settings.save(saved.url, saved.token)
        assert panel.refresh() is not None
        wait_in_qgis(lambda: panel.refresh_task is None, timeout_s=60)
        QgsApplication.processEvents()
    finally:
        QgsApplication.messageLog().messageReceived.disconnect(collect)
        settings.save(saved.url, saved.token)
    assert len(messages) == 2, messages  # down once, back once
    assert "could not be listed" in messages[0] and "again" in messages[1]
