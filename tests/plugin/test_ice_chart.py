"""The ice chart inside a headless QGIS: icebergs of a classification layer exported with their WMO
size class (GeoPackage, GeoJSON in WGS 84, SIGRID-3 style shapefile, S-411 GML checked against our
small XSD), ships, clutter and doubtful icebergs left out and counted; the printed chart (layout items, PDF,
PNG); the Processing algorithms and the dock's panel. No backend is needed."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from xml.etree import ElementTree

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsSettings,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "qgis_plugin" / "icesight_qgis" / "schemas" / "s411_icebrg.xsd"
ICE = "{http://www.jcomm.info/ice}"
GML = "{http://www.opengis.net/gml/3.2}"
PIXEL_SIZE_M = 40.0
MODEL = "lenet-v7"
ACQUIRED = "2024-03-05T12:34:56Z"
SCENE_ID = "S1A_EW_TEST_0001"

#: id, class, iceberg probability, length_m, area_px, expected WMO code with threshold 0.6 and 40 m pixels.
TARGETS = [
    ("B1", "iceberg", 0.95, 3.0, None, 1),  # growler
    ("B2", "iceberg", 0.90, 10.0, None, 2),  # bergy bit
    ("B3", "iceberg", 0.80, 45.0, None, 3),  # small
    ("B4", "iceberg", 0.70, 60.0, None, 3),  # small: 60 m is the top of the class
    ("B5", "iceberg", 0.99, 90.0, None, 4),  # medium
    ("B6", "iceberg", 0.61, 150.0, None, 5),  # large
    ("B7", "iceberg", 0.85, 350.0, None, 6),  # very large
    ("B8", "iceberg", 0.75, None, 50, 6),  # no length: 50 px of 40 m, a disc 319 m across
    ("B9", "iceberg", 0.55, 30.0, None, None),  # below the threshold
    ("S1", "ship", 0.10, 100.0, None, None),
    ("S2", "ship", 0.30, 200.0, None, None),
    ("C1", "clutter", 0.80, 120.0, None, None),  # no target, whatever its iceberg probability
]
#: P(clutter) of each target, as a three-class model gives it.
CLUTTER_PROBABILITY = {"C1": 0.9}
EXPORTED = {t[0]: t[5] for t in TARGETS if t[5] is not None}


def _xy(index: int) -> tuple[float, float]:
    """Points in EPSG:3413 (NSIDC polar stereographic north) in Baffin Bay, 5 km apart."""
    return -250_000.0 + 5_000.0 * (index % 4), -2_100_000.0 - 5_000.0 * (index // 4)


@pytest.fixture
def chart_settings(tmp_path, installed_plugin):
    settings = QgsSettings()
    settings.setValue("IceSight/results_dir", str(tmp_path / "results"))
    yield tmp_path / "results"
    for key in ("results_dir", "ice_chart_threshold"):
        settings.remove(f"IceSight/{key}")


@pytest.fixture
def classification_layer(installed_plugin):
    fields = ("field=patch_id:string&field=class:string&field=iceberg_probability:double&field=confidence:double"
              "&field=uncertainty:double&field=model_id:string&field=scene_id:string&field=job_id:string"
              "&field=length_m:double&field=area_px:integer&field=clutter_probability:double")
    layer = QgsVectorLayer(f"Point?crs=EPSG:3413&{fields}", "Targets (job J1)", "memory")
    features = []
    for index, (target, label, probability, length, area, _) in enumerate(TARGETS):
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(*_xy(index))))
        feature.setAttributes([target, label, probability, max(probability, 1 - probability), 0.02, MODEL, SCENE_ID,
                               "J1", length, area, CLUTTER_PROBABILITY.get(target, 0.05)])
        features.append(feature)
    assert layer.dataProvider().addFeatures(features)
    layer.updateExtents()
    from icesight_qgis.layers import CLASSIFICATION_STYLE

    layer.loadNamedStyle(CLASSIFICATION_STYLE)
    QgsProject.instance().addMapLayer(layer)
    yield layer
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().layerTreeRoot().removeAllChildren()


@pytest.fixture
def scene_layer(tmp_path, write_tif, classification_layer):
    """A small catalog-like scene under the targets (EPSG:3413, 400 m pixels), marked with its
    catalog id; the project's catalog footprints know its acquisition date."""
    import numpy as np
    from affine import Affine

    rng = np.random.default_rng(1)
    bands = [rng.normal(-20, 2, (150, 150)), rng.normal(-28, 2, (150, 150)), np.tile(np.linspace(20, 45, 150), (150, 1))]
    tif = write_tif(tmp_path / "scene.tif", bands, crs="EPSG:3413",
                    transform=Affine(400.0, 0, -280_000.0, 0, -400.0, -2_070_000.0))
    scene = QgsRasterLayer(str(tif), "scene")
    assert scene.isValid()
    scene.setCustomProperty("icesight/scene_id", SCENE_ID)
    footprints = QgsVectorLayer("Polygon?crs=OGC:CRS84&field=scene_id:string&field=acquired:string",
                                "IceSight catalog footprints", "memory")
    footprint = QgsFeature(footprints.fields())
    footprint.setAttributes([SCENE_ID, ACQUIRED])
    footprints.dataProvider().addFeatures([footprint])
    QgsProject.instance().addMapLayers([scene, footprints])
    return scene


def _to_wgs84(x: float, y: float) -> QgsPointXY:
    transform = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:3413"),
                                       QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    return transform.transform(QgsPointXY(x, y))


def _expected_lonlat() -> dict[str, QgsPointXY]:
    return {t[0]: _to_wgs84(*_xy(i)) for i, t in enumerate(TARGETS) if t[0] in EXPORTED}


def _select(layer, threshold=0.6, pixel_size_m=PIXEL_SIZE_M):
    from icesight_qgis import chart

    return chart.select_icebergs(layer.getFeatures(), layer.fields(), layer.crs(),
                                 QgsProject.instance().transformContext(), threshold, pixel_size_m)


# -- size classes --------------------------------------------------------------------------------


@pytest.mark.parametrize(("length_m", "name", "code"), [
    (0.0, "growler", 1), (4.9, "growler", 1), (5.0, "bergy bit", 2), (14.9, "bergy bit", 2), (15.0, "small", 3),
    (60.0, "small", 3), (60.5, "medium", 4), (120.0, "medium", 4), (120.5, "large", 5), (200.0, "large", 5),
    (200.5, "very large", 6), (5000.0, "very large", 6), (None, "unknown", 99), (float("nan"), "unknown", 99),
])
def test_size_classes_follow_the_wmo_length_table(installed_plugin, length_m, name, code):
    from icesight_qgis.chart import size_class

    assert (size_class(length_m).name, size_class(length_m).code) == (name, code)


def test_a_berg_seen_only_as_a_bright_area_gets_the_diameter_of_that_area(classification_layer):
    with_pixels = {b.target_id: b for b in _select(classification_layer).icebergs}["B8"]
    assert with_pixels.length_source.value == "bright_area"
    assert with_pixels.length_m == pytest.approx(2 * math.sqrt(50 * PIXEL_SIZE_M**2 / math.pi))
    without_pixels = {b.target_id: b for b in _select(classification_layer, pixel_size_m=None).icebergs}["B8"]
    assert (without_pixels.length_m, without_pixels.size.code, without_pixels.length_source.value) == (None, 99, "none")


def test_ships_clutter_and_icebergs_below_the_threshold_are_left_out_and_counted(classification_layer):
    selection = _select(classification_layer)
    assert sorted(b.target_id for b in selection.icebergs) == sorted(EXPORTED)
    assert (selection.n_ships, selection.n_clutter, selection.n_below_threshold, selection.n_unclassified,
            selection.n_left_out) == (2, 1, 1, 0, 4)
    assert "C1" not in {b.target_id for b in _select(classification_layer, threshold=0.0).icebergs}
    default = _select(classification_layer, threshold=0.5)
    assert "B9" in {b.target_id for b in default.icebergs} and default.n_below_threshold == 0


def test_a_layer_without_classification_fields_is_refused(installed_plugin):
    from icesight_qgis import chart

    layer = QgsVectorLayer("Point?crs=EPSG:3413&field=name:string", "points", "memory")
    with pytest.raises(chart.IceChartError, match="iceberg_probability"):
        chart.select_icebergs(layer.getFeatures(), layer.fields(), layer.crs(),
                              QgsProject.instance().transformContext(), 0.5)


# -- export --------------------------------------------------------------------------------------


@pytest.fixture
def exported(classification_layer, tmp_path):
    from icesight_qgis.chart_export import ChartFormat, export_icebergs

    return export_icebergs(_select(classification_layer), str(tmp_path / "chart"), list(ChartFormat), "bergs",
                           QgsProject.instance().transformContext())


def test_geopackage_has_the_icebergs_with_size_class_and_confidence(exported):
    from icesight_qgis.chart_export import ChartFormat

    layer = QgsVectorLayer(f"{exported.paths[ChartFormat.GPKG]}|layername=icebergs", "gpkg", "ogr")
    assert layer.isValid() and layer.crs().authid() == "EPSG:3413"
    rows = {f["target_id"]: f for f in layer.getFeatures()}
    assert sorted(rows) == sorted(EXPORTED)
    names = {1: "growler", 2: "bergy bit", 3: "small", 4: "medium", 5: "large", 6: "very large"}
    for target, feature in rows.items():
        assert feature["wmo_size_code"] == EXPORTED[target]
        assert feature["size_class"] == names[EXPORTED[target]]
        assert feature["class"] == "iceberg" and feature["iceberg_probability"] >= 0.6
        assert feature["confidence"] == pytest.approx(feature["iceberg_probability"])
        assert feature["model_id"] == MODEL and feature["scene_id"] == SCENE_ID
    index = [t[0] for t in TARGETS].index("B3")
    assert rows["B3"].geometry().asPoint().x() == pytest.approx(_xy(index)[0])


def test_geojson_is_in_wgs84_with_the_transformed_positions(exported):
    from icesight_qgis.chart_export import ChartFormat

    document = json.loads(Path(exported.paths[ChartFormat.GEOJSON]).read_text())
    assert document.get("crs") is None  # RFC 7946: WGS 84 longitude, latitude, no crs member
    expected = _expected_lonlat()
    features = {f["properties"]["target_id"]: f for f in document["features"]}
    assert sorted(features) == sorted(EXPORTED)
    for target, feature in features.items():
        lon, lat = feature["geometry"]["coordinates"]
        assert (lon, lat) == pytest.approx((expected[target].x(), expected[target].y()), abs=1e-6)
        assert 60 < lat < 80 and -80 < lon < -40  # Baffin Bay, so not x/y swapped
        assert feature["properties"]["wmo_size_code"] == EXPORTED[target]


def test_sigrid3_shapefile_has_iceberg_points_with_icebsz(exported):
    from icesight_qgis.chart_export import ChartFormat

    path = exported.paths[ChartFormat.SIGRID3]
    assert path.endswith(".shp") and all(os.path.exists(path[:-4] + ext) for ext in (".shx", ".dbf", ".prj"))
    layer = QgsVectorLayer(path, "sigrid3", "ogr")
    assert layer.isValid() and layer.crs().authid() == "EPSG:3413"
    assert layer.fields().names()[:2] == ["POINT_TYPE", "ICEBSZ"]
    rows = {f["IS_ID"]: f for f in layer.getFeatures()}
    assert sorted(rows) == sorted(EXPORTED)
    for target, feature in rows.items():
        assert feature["POINT_TYPE"] == "ICEBRG"
        assert feature["ICEBSZ"] == EXPORTED[target]
        assert feature["IS_PROB"] >= 0.6
    assert rows["B8"]["IS_LSRC"] == "bright_area" and rows["B8"]["IS_LEN_M"] > 300


def test_s411_gml_has_one_icebrg_per_iceberg_and_validates_against_our_schema(exported):
    from lxml import etree

    from icesight_qgis.chart_export import ChartFormat

    path = exported.paths[ChartFormat.S411]
    root = ElementTree.parse(path).getroot()  # well formed
    assert root.tag == f"{ICE}IceDataSet"
    members = root.findall(f"{ICE}IceFeatureMember")
    bergs = [m.find(f"{ICE}icebrg") for m in members]
    assert len(members) == len(bergs) == len(EXPORTED) and all(b is not None for b in bergs)
    expected = _expected_lonlat()
    seen = {}
    for berg in bergs:
        description = berg.find(f"{GML}description").text
        target = description.split("target ")[1].split(",")[0]
        seen[target] = int(berg.find(f"{ICE}icebsz").text)
        lon, lat = map(float, berg.find(f"{GML}Point/{GML}pos").text.split())
        assert (lon, lat) == pytest.approx((expected[target].x(), expected[target].y()), abs=2e-6)
        assert "confidence" in description and "iceberg probability" in description
        assert berg.find(f"{GML}Point").get("srsName").endswith("#4326")
    assert seen == EXPORTED

    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    document = etree.parse(path)
    assert schema.validate(document), schema.error_log
    # The schema is not a rubber stamp: a size code outside the S-411 list fails it.
    document.find(f".//{ICE}icebsz").text = "42"
    assert not schema.validate(document)


# -- print ---------------------------------------------------------------------------------------


def _colours(png: str) -> set[int]:
    image = QImage(png)
    assert not image.isNull()
    step_x, step_y = max(1, image.width() // 80), max(1, image.height() // 60)
    return {image.pixel(x, y) for x in range(0, image.width(), step_x) for y in range(0, image.height(), step_y)}


def test_print_layout_has_the_chart_items_and_exports_pdf_and_png(classification_layer, scene_layer, tmp_path):
    from icesight_qgis.chart_layout import build_layout, export_layout, make_sheet, print_chart

    tree_before = [child.name() for child in QgsProject.instance().layerTreeRoot().children()]
    sheet = make_sheet("Baffin Bay icebergs", classification_layer, scene_layer)
    assert (sheet.acquired, sheet.model) == (ACQUIRED, MODEL)
    layout = build_layout(classification_layer, scene_layer, sheet)
    items = {item.id(): item for item in layout.items() if hasattr(item, "id") and item.id()}
    assert isinstance(items["title"], QgsLayoutItemLabel) and items["title"].text() == "Baffin Bay icebergs"
    caption = items["caption"].text()
    assert ACQUIRED in caption and MODEL in caption and sheet.produced in caption
    assert isinstance(items["map"], QgsLayoutItemMap)
    assert items["map"].layers() == [classification_layer, scene_layer]
    assert isinstance(items["legend"], QgsLayoutItemLegend)
    assert [n.name() for n in items["legend"].model().rootGroup().children()] == [classification_layer.name(),
                                                                                  scene_layer.name()]
    assert isinstance(items["scale bar"], QgsLayoutItemScaleBar)
    assert isinstance(items["north arrow"], QgsLayoutItemPicture)
    # The legend's own tree: the project's layer tree is untouched.
    assert [child.name() for child in QgsProject.instance().layerTreeRoot().children()] == tree_before

    export_layout(layout, str(tmp_path / "a.pdf"), str(tmp_path / "a.png"))
    printed = print_chart(classification_layer, scene_layer, sheet, str(tmp_path / "chart.pdf"),
                          str(tmp_path / "chart.png"))
    pdf = Path(printed.pdf_path).read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert os.path.getsize(printed.png_path) > 10_000
    assert len(_colours(printed.png_path)) > 10  # a map, not a blank page
    print(f"\nice chart layout built and exported (PDF + 150 dpi PNG) in {printed.seconds:.3f} s")
    assert printed.seconds < 10.0  # generous on a shared 2-core machine; measured well below 1 s


def test_acquisition_date_is_unknown_for_a_scene_the_catalog_does_not_know(classification_layer, tmp_path,
                                                                           write_tif):
    import numpy as np

    from icesight_qgis.chart_layout import acquisition_date, make_sheet

    tif = write_tif(tmp_path / "local.tif", [np.arange(100.0).reshape(10, 10), np.arange(100.0).reshape(10, 10)], crs="EPSG:3413")
    local = QgsRasterLayer(str(tif), "local")
    assert acquisition_date(local) == "unknown" and acquisition_date(None) == "unknown"
    assert make_sheet("t", classification_layer, None).acquired == "unknown"


# -- Processing ----------------------------------------------------------------------------------


@pytest.fixture
def chart_provider(qgis_processing, installed_plugin):
    from qgis.core import QgsApplication

    from icesight_qgis.processing_provider import IceSightProvider

    registry = QgsApplication.processingRegistry()
    provider = None
    if registry.providerById("icesight") is None:
        provider = IceSightProvider()
        registry.addProvider(provider)
    yield
    if provider is not None:
        registry.removeProvider(provider)


def test_processing_export_and_print_write_their_outputs(chart_provider, classification_layer, scene_layer,
                                                         tmp_path):
    import processing

    results = processing.run("icesight:export_icebergs_for_ice_chart", {
        "INPUT": classification_layer, "THRESHOLD": 0.6, "FORMATS": [0, 1, 2, 3], "PIXEL_SIZE_M": PIXEL_SIZE_M,
        "NAME": "bergs", "OUTPUT_FOLDER": str(tmp_path / "processing"),
    })
    assert (results["N_ICEBERGS"], results["N_SHIPS"], results["N_BELOW_THRESHOLD"], results["N_CLUTTER"]) == (
        len(EXPORTED), 2, 1, 1)
    for output in ("GPKG", "GEOJSON", "SIGRID3", "S411"):
        assert Path(results[output]).is_file() and Path(results[output]).parent == tmp_path / "processing"
    bergs = ElementTree.parse(results["S411"]).getroot().findall(f"{ICE}IceFeatureMember/{ICE}icebrg")
    assert len(bergs) == len(EXPORTED)

    only_gml = processing.run("icesight:export_icebergs_for_ice_chart", {
        "INPUT": classification_layer, "THRESHOLD": 0.96, "FORMATS": [3], "NAME": "sure",
        "OUTPUT_FOLDER": str(tmp_path / "sure"),
    })
    assert only_gml["N_ICEBERGS"] == 1 and not only_gml.get("GPKG")  # only B5 (0.99) is that sure
    assert sorted(os.listdir(tmp_path / "sure")) == ["S411_sure.gml"]

    printed = processing.run("icesight:print_ice_chart", {
        "INPUT": classification_layer, "SCENE": scene_layer, "TITLE": "Chart by Processing",
        "PDF": str(tmp_path / "p.pdf"), "PNG": str(tmp_path / "p.png"),
    })
    assert Path(printed["PDF"]).read_bytes().startswith(b"%PDF")
    assert len(_colours(printed["PNG"])) > 10 and printed["SECONDS"] > 0


# -- the dock's panel ----------------------------------------------------------------------------


def test_chart_panel_exports_the_chosen_formats_into_the_results_folder_and_prints(
    qgis_iface, chart_settings, classification_layer, scene_layer, wait_in_qgis
):
    from icesight_qgis.chart_export import ChartFormat
    from icesight_qgis.dock import MIN_DOCK_WIDTH_PX
    from icesight_qgis.panels.chart import ChartPanel

    panel = ChartPanel(qgis_iface)
    try:
        assert panel.minimumSizeHint().width() <= MIN_DOCK_WIDTH_PX - 20  # fits the narrow dock
        # The default folder is the one of when the chart is written, not of when the dock was built.
        assert panel.folder_widget.filePath() == ""
        QgsSettings().setValue("IceSight/results_dir", str(chart_settings.parent / "elsewhere"))
        assert panel._folder() == str(chart_settings.parent / "elsewhere" / "ice_chart")
        QgsSettings().setValue("IceSight/results_dir", str(chart_settings))
        assert panel._folder() == str(chart_settings / "ice_chart")
        panel.layer_combo.setLayer(classification_layer)
        panel.scene_combo.setLayer(scene_layer)  # 400 m pixels: B8's 50 px make a very large berg
        panel.threshold_spin.setValue(0.6)
        assert QgsSettings().value("IceSight/ice_chart_threshold", type=float) == pytest.approx(0.6)
        panel.format_checks[ChartFormat.SIGRID3].setChecked(False)
        assert panel.export() is not None, panel.status_label.text()
        wait_in_qgis(lambda: panel.task is None, timeout_s=60)
        report = panel.last_export
        assert report is not None, panel.status_label.text()
        assert set(report.paths) == {ChartFormat.GPKG, ChartFormat.GEOJSON, ChartFormat.S411}
        assert all(Path(p).parent == chart_settings / "ice_chart" and Path(p).is_file() for p in report.paths.values())
        assert "2 ship(s)" in panel.status_label.text() and "1 clutter" in panel.status_label.text()

        printed = panel.print_chart()
        assert printed is not None, panel.status_label.text()
        assert Path(printed.pdf_path).is_file() and Path(printed.png_path).is_file()
    finally:
        panel.detach()
        panel.deleteLater()


def test_a_chart_over_a_streamed_scene_is_printed_from_a_copy_read_in_a_task(
    qgis_iface, plugin, catalog_scene, chart_settings, classification_layer, wait_in_qgis
):
    """The layout renders on the main thread: a scene streamed from the backend is first copied to a
    local file in a task, the chart printed from it (styled as the scene is), and the copy removed."""
    import glob
    import tempfile

    from icesight_qgis import settings
    from icesight_qgis.panels.chart import ChartPanel
    from icesight_qgis.scene_layers import is_streamed, streamed_source, style_scene_layer

    current = settings.load()
    with settings.make_client(current) as client:
        source = streamed_source(client.scene_url(catalog_scene.scene_id), settings.write_gdal_header_file(current.token))
    streamed = QgsRasterLayer(source, "streamed", "gdal")
    assert streamed.isValid() and is_streamed(streamed)
    style_scene_layer(streamed)
    copies = lambda: set(glob.glob(str(Path(tempfile.gettempdir()) / "icesight-print-*")))  # noqa: E731
    before = copies()
    QgsProject.instance().addMapLayer(streamed)
    panel = ChartPanel(qgis_iface)
    try:
        panel.layer_combo.setLayer(classification_layer)
        panel.scene_combo.setLayer(streamed)
        assert panel.scene_combo.currentLayer() is streamed
        assert panel.print_chart() is None and panel.print_task is not None  # the copy is read first
        wait_in_qgis(lambda: panel.print_task is None, timeout_s=120)
        printed = panel.last_print
        assert printed is not None, panel.status_label.text()
        assert Path(printed.pdf_path).read_bytes().startswith(b"%PDF") and Path(printed.png_path).is_file()
        assert copies() == before  # the copy is gone
    finally:
        panel.detach()
        panel.deleteLater()
        QgsProject.instance().removeMapLayer(streamed.id())


def test_the_dock_has_an_ice_chart_page(qgis_iface, installed_plugin, chart_settings):
    plugin = installed_plugin.classFactory(qgis_iface)
    plugin.initGui()
    try:
        titles = plugin.dock.page_titles()
        assert "Ice chart" in titles
        assert plugin.dock.page_panel(titles.index("Ice chart")) is plugin.dock.chart
    finally:
        plugin.unload()
