"""The plugin's styles and where its layers go, inside a headless QGIS (no backend): the scene's grey
stretch, the classification style with its clutter category and the target under review, each
heatmap on its own limits, and the layer tree's order (targets above rasters, scenes below)."""

from __future__ import annotations

import numpy as np
import pytest
from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsFeature,
    QgsGeometry,
    QgsMapRendererCustomPainterJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage, QPainter


@pytest.fixture
def project():
    project = QgsProject.instance()
    yield project
    project.removeAllMapLayers()
    project.layerTreeRoot().removeAllChildren()


# -- the scene's grey stretch -----------------------------------------------------------------------


def _grey(values: np.ndarray, low: float, high: float) -> np.ndarray:
    return np.clip(np.round(255 * (values - low) / (high - low)), 0, 255)


def test_the_sigma0_stretch_keeps_sea_ice_texture_in_a_mostly_water_scene(installed_plugin):
    from icesight_qgis.stretch import sigma0_stretch

    rng = np.random.default_rng(3)
    water = rng.normal(-22.0, 1.5, 90_000)  # open water: three quarters and more of many scenes
    ice = rng.normal(-13.0, 3.0, 10_000)  # sea ice: brighter, and textured
    targets = np.full(40, 8.0)  # a few bright ships and bergs
    scene = np.concatenate([water, ice, targets, np.full(500, np.nan)])  # NaN: outside the swath
    rng.shuffle(scene)

    low, high = sigma0_stretch(scene)
    grey_ice, grey_water = _grey(ice, low, high), _grey(water, low, high)
    assert np.mean(grey_ice == 255) < 0.05  # the ice keeps its texture...
    assert np.percentile(grey_ice, 90) - np.percentile(grey_ice, 10) > 80
    assert np.median(grey_water) < 60 and np.mean(grey_water == 0) < 0.05  # ...open water is dark, not black
    assert np.all(_grey(targets, low, high) == 255)
    # The plain 2-98 % cut of the same pixels puts its top inside the ice's range: a fifth of the
    # ice comes out pure white.
    plain_low, plain_high = np.nanpercentile(scene, [2, 98])
    assert np.mean(_grey(ice, plain_low, plain_high) == 255) > 0.15


def test_the_sigma0_stretch_of_one_surface_spans_it(installed_plugin):
    from icesight_qgis.stretch import sigma0_stretch

    water = np.random.default_rng(4).normal(-22.0, 1.5, 50_000)
    low, high = sigma0_stretch(water)
    assert np.percentile(water, 0.5) < low < np.percentile(water, 3)
    assert np.percentile(water, 97) < high < np.percentile(water, 99.5)
    assert sigma0_stretch(np.full(500, -20.0)) == (-20.0, -19.0)  # flat: a valid range all the same
    with pytest.raises(ValueError, match="no valid pixel"):
        sigma0_stretch(np.full(10, np.nan))


# -- classifications: ship, iceberg, clutter; the target under review -------------------------------

FIELDS = "field=class:string&field=iceberg_probability:double&field=confidence:double"
#: class, iceberg probability, clutter probability (three-class models only), position (EPSG:3413, m).
TARGETS = [("ship", 0.1, 0.02, (0.0, 0.0)), ("iceberg", 0.8, 0.03, (4000.0, 0.0)),
           ("clutter", 0.4, 0.9, (0.0, 4000.0))]


def _classified(with_clutter_probability: bool) -> QgsVectorLayer:
    from icesight_qgis.layers import style_classifications

    fields = FIELDS + ("&field=clutter_probability:double" if with_clutter_probability else "")
    layer = QgsVectorLayer(f"Point?crs=EPSG:3413&{fields}", "targets", "memory")
    features = []
    for label, p_iceberg, p_clutter, (x, y) in TARGETS:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        values = [label, p_iceberg, 0.9] + ([p_clutter] if with_clutter_probability else [])
        feature.setAttributes(values)
        features.append(feature)
    assert layer.dataProvider().addFeatures(features)
    layer.updateExtents()
    style_classifications(layer)  # as the plugin styles a result it loads
    return layer


def _render(layer: QgsVectorLayer) -> QImage:
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(QgsRectangle(-2000, -2000, 6000, 6000))
    settings.setOutputSize(QSize(400, 400))
    settings.setBackgroundColor(QColor("white"))
    image = QImage(settings.outputSize(), QImage.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    job = QgsMapRendererCustomPainterJob(settings, painter)
    job.renderSynchronously()
    painter.end()
    return image


def _pixel(image: QImage, x: float, y: float) -> QColor:
    """The colour drawn at map position (x, y) of :func:`_render`'s map (50 px per 1000 m)."""
    return QColor(image.pixel(int((x + 2000) / 20), int((6000 - y) / 20)))


def _labels(layer: QgsVectorLayer) -> list[str]:
    expression = QgsExpression(layer.labeling().settings().fieldName)
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    labels = []
    for feature in layer.getFeatures():
        context.setFeature(feature)
        labels.append(expression.evaluate(context))
        assert not expression.hasEvalError(), expression.evalErrorString()
    return labels


@pytest.mark.parametrize("with_clutter_probability", [True, False])
def test_clutter_is_its_own_muted_category_in_the_classification_style(installed_plugin, with_clutter_probability):
    layer = _classified(with_clutter_probability)
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer) and renderer.classAttribute() == "class"
    categories = {c.value(): c for c in renderer.categories()}
    assert set(categories) == {"ship", "iceberg", "clutter"}
    assert "clutter" in categories["clutter"].label().lower()
    shapes = {value: c.symbol().symbolLayer(0).shape() for value, c in categories.items()}
    assert len(set(shapes.values())) == 3  # three shapes, not only three colours
    muted = categories["clutter"].symbol().color()
    assert muted.saturation() < 30  # grey
    # Drawn: each class its own colour where the target is.
    image = _render(layer)
    drawn = {label: _pixel(image, x, y) for label, _p, _c, (x, y) in TARGETS}
    assert drawn["ship"].red() > 200 and drawn["ship"].blue() < 100
    assert drawn["iceberg"].blue() > 200 and drawn["iceberg"].red() < 100
    clutter = drawn["clutter"]
    assert clutter != QColor("white") and clutter.saturation() < 30 and 100 < clutter.value() < 230
    # Labelled with their class and probability; clutter's from P(clutter) when the model gives it.
    assert _labels(layer) == ["ship 90%", "iceberg 80%", "clutter 90%" if with_clutter_probability else "clutter"]


def test_the_target_under_review_shows_its_own_pixels_and_the_others_keep_their_symbols(installed_plugin):
    from icesight_qgis.review import mark_under_review

    layer = _classified(True)
    ship, iceberg = (f.id() for f in list(layer.getFeatures())[:2])
    mark_under_review(layer, ship)
    image = _render(layer)
    assert _pixel(image, 0.0, 0.0) == QColor("white")  # the ship under review: no symbol over it
    assert _pixel(image, 4000.0, 0.0).blue() > 200  # the iceberg keeps its symbol
    layer.selectByIds([ship])  # selected (the what-if probe reads the selection): still not covered
    assert _pixel(_render(layer), 0.0, 0.0) == QColor("white")
    QgsExpressionContextUtils.setLayerVariable(layer, "analyst_note", "kept")
    mark_under_review(layer, None)
    assert _pixel(_render(layer), 0.0, 0.0).red() > 200  # the review over: the symbol is back
    assert QgsExpressionContextUtils.layerScope(layer).variable("analyst_note") == "kept"


# -- heatmaps ------------------------------------------------------------------------------------------


def test_each_heatmap_is_scaled_to_its_own_attribution(installed_plugin, tmp_path, write_tif):
    from icesight_qgis.layers import HEATMAP_LIMIT_PERCENTILE, style_heatmap

    rng = np.random.default_rng(5)
    layers, totals = [], []
    for name, scale in (("strong", 1.0), ("weak", 0.001)):
        total = rng.laplace(0.0, scale, (75, 75))
        total[37, 37] = 40 * scale  # one pixel far above the rest
        totals.append(total)
        tif = write_tif(tmp_path / f"{name}.tif", [total, 0.6 * total, 0.4 * total])
        layers.append(QgsRasterLayer(str(tif), name))
    limits = [style_heatmap(layer) for layer in layers]
    for layer, total, limit in zip(layers, totals, limits, strict=True):
        expected = np.percentile(np.abs(total), HEATMAP_LIMIT_PERCENTILE)
        assert limit == pytest.approx(expected, rel=1e-4)
        renderer = layer.renderer()
        assert (renderer.classificationMin(), renderer.classificationMax()) == pytest.approx((-limit, limit))
        # Most of the patch is drawn: a quarter of its pixels reach a tenth of the limit or more
        # (scaled to the single strongest pixel, almost none would).
        assert np.mean(np.abs(total) >= 0.1 * limit) > 0.25
        assert np.mean(np.abs(total) >= 0.1 * np.abs(total).max()) < 0.1
    assert limits[1] == pytest.approx(limits[0] / 1000, rel=0.2)  # the weak one is not drawn transparent


def _legend_texts(project, layer) -> list[str]:
    """What the layer tree shows under ``layer``: each legend entry's text; a colour ramp as its two
    ends' labels."""
    from qgis.core import QgsColorRampLegendNode, QgsLayerTreeModel
    from qgis.PyQt.QtCore import Qt

    model = QgsLayerTreeModel(project.layerTreeRoot())
    texts = []
    for node in model.layerLegendNodes(project.layerTreeRoot().findLayer(layer.id())):
        if isinstance(node, QgsColorRampLegendNode):
            texts.append(f"{node.settings().minimumLabel()} .. {node.settings().maximumLabel()}")
        else:
            texts.append(node.data(Qt.DisplayRole))
    return texts


def test_a_heatmaps_legend_names_the_attribution_and_the_ramps_ends(installed_plugin, project, tmp_path, write_tif):
    """Not GDAL's "Band 1: total (Gray)": the band drawn is named, the ramp's ends say which way a pixel
    pushes the decision; also after the project is saved and opened again, and for a heatmap that
    Processing loads (styled once it is in the layer tree)."""
    from types import SimpleNamespace

    from qgis.core import QgsCoordinateTransformContext, QgsVectorFileWriter

    from icesight_contract import AttributionMethod
    from icesight_qgis.layers import add_explanation_layers, style_heatmap
    from icesight_qgis.workflow import ExplanationOutcome

    total = np.random.default_rng(2).laplace(0.0, 0.01, (75, 75))
    tif = write_tif(tmp_path / "heatmap_t1.tif", [total, 0.6 * total, 0.4 * total],
                    descriptions=["total", "HH", "HV"])
    summary = QgsVectorLayer("Point?crs=EPSG:32633&field=id:string", "explanations", "memory")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.layerName = "explanations"
    QgsVectorFileWriter.writeAsVectorFormatV3(summary, str(tmp_path / "summary.gpkg"),
                                              QgsCoordinateTransformContext(), options)
    plain = QgsRasterLayer(str(tif), "plain")
    project.addMapLayer(plain)
    assert _legend_texts(project, plain)[0] == "Band 1: total (Gray)"  # what the file alone says

    outcome = ExplanationOutcome("J7", SimpleNamespace(method=AttributionMethod.SALIENCY), str(tmp_path / "summary.gpkg"),
                                 None, {"t1": str(tif)})
    _summary, (heatmap,) = add_explanation_layers(outcome, project)
    expected = ["Attribution (HH + HV)", "towards ship .. towards iceberg"]
    assert _legend_texts(project, heatmap) == expected
    assert [label for label, _colour in heatmap.renderer().legendSymbologyItems() if label] == [
        "towards ship", "no influence", "towards iceberg"]

    saved = tmp_path / "heatmaps.qgz"
    assert project.write(str(saved))
    project.clear()
    assert project.read(str(saved))
    (reopened,) = project.mapLayersByName("Heatmap t1")
    assert _legend_texts(project, reopened) == expected

    # A layer already in the layer tree (Processing adds it before styling it).
    loaded = QgsRasterLayer(str(tif), "loaded by Processing")
    project.addMapLayer(loaded)
    style_heatmap(loaded)
    assert _legend_texts(project, loaded) == expected


# -- the layer tree -------------------------------------------------------------------------------------


def test_targets_sit_above_rasters_and_scenes_below_everything(installed_plugin, project, tmp_path, write_tif):
    from icesight_qgis.layers import TreeRank, job_group
    from icesight_qgis.scene_layers import add_scene_layer

    root = project.layerTreeRoot()
    mine = QgsVectorLayer("Point?crs=EPSG:3413", "my own points", "memory")
    basemap = QgsRasterLayer(str(write_tif(tmp_path / "basemap.tif", [np.zeros((10, 10))])), "basemap")
    project.addMapLayer(basemap)
    project.addMapLayer(mine)  # the analyst's points over a basemap
    assert [node.name() for node in root.children()] == ["my own points", "basemap"]
    targets = job_group("J1", "classification", project)
    probability = job_group("J2", "probability map", project, TreeRank.RASTER)
    explanation = job_group("J3", "explanation (saliency)", project, TreeRank.EXPLANATION)
    newer_targets = job_group("J4", "classification", project)
    tif = write_tif(tmp_path / "scene.tif", [np.zeros((10, 10))] * 3)
    scene = add_scene_layer(QgsRasterLayer(str(tif), "scene"), project)
    detections = job_group("J5", "detection", project)
    names = [node.name() for node in root.children()]
    assert names == ["my own points", detections.name(), newer_targets.name(), targets.name(), explanation.name(),
                     probability.name(), scene.name(), "basemap"]
    assert job_group("J2", "probability map", project, TreeRank.RASTER) is probability  # found again, not moved


# -- catalog footprints ---------------------------------------------------------------------------


def test_catalog_footprints_hold_scenes_cut_at_the_antimeridian(installed_plugin, project):
    """A Ross Sea scene's footprint comes as a MultiPolygon cut at 180 degrees; the footprints layer
    keeps both parts beside plain polygons, and replaces a single-polygon layer of an earlier version."""
    from qgis.core import QgsWkbTypes

    from icesight_qgis.scene_layers import FOOTPRINTS_LAYER_NAME, footprints_layer

    old = QgsVectorLayer("Polygon?crs=OGC:CRS84&field=scene_id:string", FOOTPRINTS_LAYER_NAME, "memory")
    project.addMapLayer(old)
    ross = {"id": "ross-1", "properties": {"datetime": "2026-01-10T12:00:00Z", "sar:instrument_mode": "EW"},
            "geometry": {"type": "MultiPolygon", "coordinates": [
                [[[179.5, -76.2], [180.0, -76.2], [180.0, -75.8], [179.5, -75.8], [179.5, -76.2]]],
                [[[-180.0, -76.2], [-179.6, -76.2], [-179.6, -75.8], [-180.0, -75.8], [-180.0, -76.2]]]]}}
    tromso = {"id": "tromso-1", "properties": {},
              "geometry": {"type": "Polygon", "coordinates": [[[15.0, 70.0], [16.0, 70.0], [16.0, 70.5], [15.0, 70.0]]]}}
    layer = footprints_layer([ross, tromso], project)
    assert project.mapLayersByName(FOOTPRINTS_LAYER_NAME) == [layer] and layer is not old
    assert QgsWkbTypes.isMultiType(layer.wkbType())
    features = {f["scene_id"]: f.geometry() for f in layer.getFeatures()}
    assert set(features) == {"ross-1", "tromso-1"}
    assert len(features["ross-1"].asMultiPolygon()) == 2
    assert features["ross-1"].area() == pytest.approx(0.5 * 0.4 + 0.4 * 0.4)
    box = features["ross-1"].boundingBox()
    assert (box.xMinimum(), box.xMaximum()) == (-180.0, 180.0)  # both sides of the map, not the globe between
    assert features["ross-1"].intersects(QgsGeometry.fromPointXY(QgsPointXY(-179.8, -76.0)))
    assert not features["ross-1"].intersects(QgsGeometry.fromPointXY(QgsPointXY(0.0, -76.0)))
    assert footprints_layer([tromso], project) is layer and layer.featureCount() == 1  # refilled, not remade
