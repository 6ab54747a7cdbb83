"""The scene Processing algorithms inside a headless QGIS against the real backend, run as the Toolbox
runs them (outputs loaded into the project, post-processors applied): upload a scene (streamed back,
styled grey HH dB, below the results), detect targets (styled detections), chart a scene in one job
(styled classified targets ready for review)."""

from __future__ import annotations

import pytest
from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsProject,
    QgsRasterLayer,
    QgsSingleBandGrayRenderer,
    QgsVectorLayer,
)

pytestmark = pytest.mark.usefixtures("qgis_processing", "plugin")


def test_upload_scene_ingests_the_file_and_streams_the_catalog_scene_styled_below_the_results(
    run_and_load, api, backend, uploadable_tif
):
    from icesight_contract import AcquisitionMode
    from icesight_qgis.layers import job_group
    from icesight_qgis.scene_algorithms import MODE_CHOICES

    project = QgsProject.instance()
    results_group = job_group("J0", "classification", project)  # results already on the map
    results = run_and_load("upload_scene", {"INPUT": str(uploadable_tif), "MODE": MODE_CHOICES.index(AcquisitionMode.IW),
                                            "ACQUIRED": "2026-03-02T06:00:00Z"})
    scene_id = results["SCENE_ID"]
    item = api.get(f"/scenes/{scene_id}").json()
    assert item["properties"]["sar:instrument_mode"] == "IW"
    layer = project.mapLayer(results["OUTPUT"])
    assert isinstance(layer, QgsRasterLayer) and layer.isValid() and layer.name() == scene_id
    assert layer.customProperty("icesight/scene_id") == scene_id
    assert layer.source().startswith("/vsicurl?") and backend.token not in layer.source()
    renderer = layer.renderer()
    assert isinstance(renderer, QgsSingleBandGrayRenderer) and renderer.grayBand() == 1
    assert set(layer.styleManager().styles()) == {"HH (dB)", "HV (dB)", "Incidence angle"}
    # Loaded below the results, never over them.
    names = [node.name() for node in project.layerTreeRoot().children()]
    assert names.index(results_group.name()) < names.index(scene_id), names


def test_upload_scene_sends_a_snap_beam_dimap_product_zipped_with_its_data_folder(
    run_and_load, api, write_dimap, linear_bands, tmp_path
):
    import zipfile

    from qgis.core import QgsProcessingException

    hh, hv, inc = linear_bands
    name = "S1A_EW_GRDM_1SDH_20210403T122536_20210403T122628_037286_046484_8152_Cal_TC"
    product = write_dimap(tmp_path / f"{name}.zip", {"Sigma0_HH": hh, "Sigma0_HV": hv, "incidenceAngleFromEllipsoid": inc})
    saved = tmp_path / "snap"
    zipfile.ZipFile(product).extractall(saved)  # as SNAP leaves it on disk: the .dim beside its .data folder
    results = run_and_load("upload_scene", {"INPUT": str(saved / f"{name}.dim"), "MODE": 0})
    item = api.get(f"/scenes/{results['SCENE_ID']}").json()
    assert item["properties"]["sar:instrument_mode"] == "EW"  # from the product's name
    assert item["properties"]["sar:polarizations"] == ["HH", "HV"]
    assert item["properties"]["icesight:source"] == f"{name}.zip"
    assert QgsProject.instance().mapLayer(results["OUTPUT"]).isValid()
    # The header alone cannot be sent: the algorithm says which folder is missing.
    alone = tmp_path / "alone" / f"{name}.dim"
    alone.parent.mkdir()
    alone.write_bytes((saved / f"{name}.dim").read_bytes())
    with pytest.raises(QgsProcessingException, match=f"without its {name}.data folder"):
        run_and_load("upload_scene", {"INPUT": str(alone), "MODE": 0})


def test_a_dim_is_zipped_with_the_band_files_of_its_data_folder_and_the_zipping_can_be_cancelled(
    write_dimap, linear_bands, tmp_path
):
    import zipfile

    from icesight_qgis.client import JobCancelledError, zip_dimap

    hh, hv, inc = linear_bands
    product = write_dimap(tmp_path / "p.zip", {"Sigma0_HH": hh, "Sigma0_HV": hv, "incidenceAngleFromEllipsoid": inc})
    zipfile.ZipFile(product).extractall(tmp_path / "saved")
    zipped = zip_dimap(tmp_path / "saved" / "p.dim", tmp_path / "out.zip")
    names = sorted(zipfile.ZipFile(zipped).namelist())
    assert names == ["p.data/Sigma0_HH.hdr", "p.data/Sigma0_HH.img", "p.data/Sigma0_HV.hdr", "p.data/Sigma0_HV.img",
                     "p.data/incidenceAngleFromEllipsoid.hdr", "p.data/incidenceAngleFromEllipsoid.img", "p.dim"]
    assert zipfile.ZipFile(zipped).read("p.data/Sigma0_HH.img") == (tmp_path / "saved/p.data/Sigma0_HH.img").read_bytes()
    asked = []
    with pytest.raises(JobCancelledError):
        zip_dimap(tmp_path / "saved" / "p.dim", tmp_path / "cancelled.zip", is_cancelled=lambda: asked.append(1) or len(asked) > 2)
    assert len(asked) == 3  # it stopped at the third chunk it looked at


def test_detect_targets_loads_the_styled_detections(run_and_load, loaded_layer, catalog_scene):
    results = run_and_load("detect_targets", {"SCENE_ID": catalog_scene.scene_id, "OUTPUT": "TEMPORARY_OUTPUT"})
    layer = loaded_layer(results["OUTPUT"])
    assert isinstance(layer, QgsVectorLayer) and layer.featureCount() == results["N_DETECTIONS"] >= 4
    assert layer.name() == f"Detections {catalog_scene.scene_id} (job {results['JOB_ID']})"
    assert layer.renderer().symbol().symbolLayer(0).strokeColor().name() == "#ffd400"
    assert {"area_px"} <= set(layer.fields().names())


def _western_half(tif):
    """A polygon layer over the western half of a scene, in the scene's own CRS (EPSG:3413), and that half's east edge."""
    import rasterio
    from qgis.core import QgsFeature, QgsGeometry, QgsRectangle

    with rasterio.open(tif) as src:
        left, bottom, right, top = src.bounds
    coast = QgsVectorLayer("Polygon?crs=EPSG:3413", "my coastline", "memory")
    feature = QgsFeature()
    feature.setGeometry(QgsGeometry.fromRect(QgsRectangle(left - 5000, bottom - 5000, (left + right) / 2, top + 5000)))
    coast.dataProvider().addFeatures([feature])
    QgsProject.instance().addMapLayer(coast)
    return coast, (left + right) / 2


def _land_layer(scene_id, job_id):
    land = [layer for layer in QgsProject.instance().mapLayers().values()
            if layer.name() == f"Land left out {scene_id} (job {job_id})"]
    assert len(land) == 1 and land[0].featureCount() >= 1 and land[0].geometryType() == 2  # polygons
    return land[0]


def test_detect_targets_leaves_out_the_analysts_land_polygons_and_shows_them(run_and_load, loaded_layer, catalog_scene):
    coast, east_edge = _western_half(catalog_scene.tif)
    results = run_and_load("detect_targets", {"SCENE_ID": catalog_scene.scene_id, "LAND_POLYGONS": coast.id(),
                                              "LAND_BUFFER_M": 0, "OUTPUT": "TEMPORARY_OUTPUT"})
    assert results["LAND_FRACTION"] == pytest.approx(0.5, abs=0.02)
    detections = loaded_layer(results["OUTPUT"])
    assert detections.featureCount() == results["N_DETECTIONS"] >= 1
    assert all(f.geometry().asPoint().x() > east_edge for f in detections.getFeatures())
    fill = _land_layer(catalog_scene.scene_id, results["JOB_ID"]).renderer().symbol().symbolLayer(0)
    assert fill.brushStyle() != 0 and 0 < fill.color().alpha() < 255  # filled, the scene shows through


def test_chart_scene_loads_every_detection_classified_and_styled_ready_for_review(
    run_and_load, loaded_layer, api, catalog_scene, trained_model
):
    results = run_and_load("chart_scene", {"SCENE_ID": catalog_scene.scene_id, "MODEL_ID": trained_model["model_id"],
                                           "EXPLAIN_N": 2, "OUTPUT": "TEMPORARY_OUTPUT"})
    assert results["OUT_SCENE_ID"] == catalog_scene.scene_id
    job = api.get(f"/jobs/{results['JOB_ID']}").json()
    assert job["kind"] == "chart_scene" and job["state"] == "succeeded"
    layer = loaded_layer(results["OUTPUT"])
    assert layer.featureCount() == results["N_DETECTIONS"] >= 4
    assert results["N_SHIPS"] + results["N_ICEBERGS"] <= results["N_DETECTIONS"]
    classes = [f["class"] for f in layer.getFeatures()]
    assert set(classes) <= {"ship", "iceberg", "clutter"}
    assert classes.count("ship") == results["N_SHIPS"] and classes.count("iceberg") == results["N_ICEBERGS"]
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    assert {c.value() for c in renderer.categories()} == {"ship", "iceberg", "clutter"}
    assert layer.fields().indexOf("reviewed_class") >= 0  # ready for the review


def test_chart_scene_leaves_out_land_and_shows_it(run_and_load, loaded_layer, catalog_scene, trained_model):
    coast, east_edge = _western_half(catalog_scene.tif)
    results = run_and_load("chart_scene", {"SCENE_ID": catalog_scene.scene_id, "MODEL_ID": trained_model["model_id"],
                                           "EXPLAIN_N": 0, "LAND_POLYGONS": coast.id(), "LAND_BUFFER_M": 500,
                                           "OUTPUT": "TEMPORARY_OUTPUT"})
    targets = loaded_layer(results["OUTPUT"])
    assert targets.featureCount() == results["N_DETECTIONS"] >= 1
    assert all(f.geometry().asPoint().x() > east_edge + 400 for f in targets.getFeatures())
    _land_layer(catalog_scene.scene_id, results["JOB_ID"])


def test_chart_scene_of_a_local_raster_says_to_upload_it(plugin, tmp_path, write_tif, linear_bands):
    import processing
    from qgis.core import QgsProcessingException

    tif = write_tif(tmp_path / "local.tif", list(linear_bands))
    with pytest.raises(QgsProcessingException, match="upload"):
        processing.run("icesight:chart_scene", {"SCENE": str(tif), "OUTPUT": "TEMPORARY_OUTPUT"})
