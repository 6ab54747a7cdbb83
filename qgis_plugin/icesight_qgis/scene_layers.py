"""Catalog scenes on the map: streamed COG layers styled HH / HV / incidence, the catalog's
footprints as a memory layer, and the CFAR detections of a scene.

A catalog COG is streamed through GDAL's ``/vsicurl?`` with the backend's Authorization header
read from a file (``header_file``; GDAL 3.6, QGIS 3.22's, has no per-dataset header option
otherwise), so the project stores the file's path and never the token.
"""

from __future__ import annotations

import os
from enum import Enum
from urllib.parse import quote

from qgis.core import (
    QgsContrastEnhancement,
    QgsFeature,
    QgsFillSymbol,
    QgsGeometry,
    QgsMapLayer,
    QgsProject,
    QgsRasterLayer,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QVariant

from icesight_contract import LAND_MASK_LAYER

from .layers import (
    STYLE_DIR,
    TREE_RANK_PROPERTY,
    TreeRank,
    _add_to_group,
    _apply_style,
    band_sample,
    insertion_index,
    job_group,
)
from .scenes import SCENE_ID_PROPERTY, mark_catalog_scene
from .stretch import sigma0_stretch


class Stretch(str, Enum):
    SIGMA0 = "sigma0"  # 2 % of the darker to 98 % of the brighter surface (see .stretch)
    MIN_MAX = "min_max"  # the band's minimum to its maximum (incidence angle, noise floor)


#: The named styles a catalog scene layer carries (its style manager), the first one current:
#: the style file, how its grey limits are computed on each scene, and the band it draws (a
#: scene without the band, such as one without a noise floor, does not get the style).
SCENE_STYLES: dict[str, tuple[str, Stretch, int]] = {
    "HH (dB)": (os.path.join(STYLE_DIR, "scene_hh.qml"), Stretch.SIGMA0, 1),
    "HV (dB)": (os.path.join(STYLE_DIR, "scene_hv.qml"), Stretch.SIGMA0, 2),
    "Incidence angle": (os.path.join(STYLE_DIR, "scene_incidence.qml"), Stretch.MIN_MAX, 3),
    "Cross-pol noise floor (dB)": (os.path.join(STYLE_DIR, "scene_nesz.qml"), Stretch.MIN_MAX, 4),
}
DETECTIONS_STYLE = os.path.join(STYLE_DIR, "detections.qml")
FOOTPRINTS_LAYER_NAME = "IceSight catalog footprints"
FOOTPRINT_FIELDS = (("scene_id", QVariant.String), ("acquired", QVariant.String), ("mode", QVariant.String),
                    ("polarisations", QVariant.String), ("source", QVariant.String))


def streamed_source(scene_url: str, header_file: str) -> str:
    """The GDAL path that streams ``scene_url`` (HTTP range requests) sending the headers in
    ``header_file``. No HEAD request (the backend answers GET) and no directory listing."""
    return (f"/vsicurl?use_head=no&list_dir=no&header_file={quote(header_file, safe='')}"
            f"&url={quote(scene_url, safe='')}")


def style_scene_layer(layer: QgsRasterLayer) -> None:
    """Give ``layer`` the named styles of :data:`SCENE_STYLES`, each stretched on this scene by
    its own rule (sigma0: :func:`.stretch.sigma0_stretch`; incidence, noise floor: min-max), HH current.

    Reads the raster: call it off the GUI thread for a streamed scene."""
    manager = layer.styleManager()
    default = manager.currentStyle()
    scene_id = layer.customProperty(SCENE_ID_PROPERTY, "")
    for name, (path, stretch, band) in SCENE_STYLES.items():
        if band > layer.bandCount():
            continue
        _apply_style(layer, path)
        if scene_id:
            # Loading a style resets the custom properties; each stored style carries the id again.
            mark_catalog_scene(layer, scene_id)
        renderer = layer.renderer()
        if stretch is Stretch.SIGMA0:
            low, high = sigma0_stretch(band_sample(layer, renderer.grayBand()))
            enhancement = QgsContrastEnhancement(renderer.contrastEnhancement())
            enhancement.setMinimumValue(low)
            enhancement.setMaximumValue(high)
            renderer.setContrastEnhancement(enhancement)
        else:
            layer.setContrastEnhancement(QgsContrastEnhancement.StretchToMinimumMaximum,
                                         renderer.minMaxOrigin().limits())
        if name in manager.styles():
            manager.removeStyle(name)
        manager.addStyleFromLayer(name)
    first = next(iter(SCENE_STYLES))
    manager.setCurrentStyle(first)
    if default not in SCENE_STYLES:
        manager.removeStyle(default)


def opened_scene_layer(scene_id: str, source: str, name: str | None = None) -> QgsRasterLayer:
    """A catalog scene opened and styled in the calling thread (where it stays). Raises ValueError
    when the scene cannot be opened."""
    layer = QgsRasterLayer(source, name or scene_id, "gdal")
    if not layer.isValid():
        raise ValueError(f"the scene {scene_id} could not be opened from the backend ({layer.error().summary()})")
    if layer.bandCount() < 3:
        raise ValueError(f"the scene {scene_id} has {layer.bandCount()} band(s); a catalog scene has 3, or 4 with its noise floor")
    mark_catalog_scene(layer, scene_id)
    style_scene_layer(layer)
    return layer


def is_streamed(scene: QgsRasterLayer) -> bool:
    """Whether the scene's pixels come over the network (a catalog scene streamed from the backend):
    then no pixel is read on the main thread."""
    source = scene.source()
    return source.startswith("/vsicurl") or "://" in source.split("|")[0]


def open_scene_layer(scene_id: str, source: str, name: str | None = None) -> QgsRasterLayer:
    """Open and style a catalog scene in the calling thread, then hand the layer to the main thread
    (add it to the project there). Raises ValueError when the scene cannot be opened."""
    layer = opened_scene_layer(scene_id, source, name)
    layer.moveToThread(QCoreApplication.instance().thread())
    return layer


def add_scene_layer(layer: QgsRasterLayer, project: QgsProject | None = None) -> QgsRasterLayer:
    """Add the scene below the results the plugin added (so that it never hides them)."""
    project = project or QgsProject.instance()
    project.addMapLayer(layer, False)
    root = project.layerTreeRoot()
    node = root.insertLayer(insertion_index(root, TreeRank.SCENE), layer)
    node.setCustomProperty(TREE_RANK_PROPERTY, int(TreeRank.SCENE))
    return layer


def place_scene_layer(layer: QgsRasterLayer, project: QgsProject | None = None) -> None:
    """Move a scene that something else loaded (Processing: at the top) to where
    :func:`add_scene_layer` puts scenes."""
    project = project or QgsProject.instance()
    root = project.layerTreeRoot()
    node = root.findLayer(layer.id())
    if node is None:
        return
    index = insertion_index(root, TreeRank.SCENE, moving=node)
    if node.parent() is root and root.children().index(node) == index - 1:  # in place already
        node.setCustomProperty(TREE_RANK_PROPERTY, int(TreeRank.SCENE))
        return
    moved = node.clone()
    moved.setCustomProperty(TREE_RANK_PROPERTY, int(TreeRank.SCENE))
    root.insertChildNode(index, moved)  # the layer stays in the tree throughout: the project keeps it
    node.parent().removeChildNode(node)


def footprints_layer(items: list[dict], project: QgsProject | None = None) -> QgsVectorLayer:
    """The footprints of catalog ``items`` in the project's footprint layer (made on first use,
    emptied and refilled after)."""
    from qgis.core import QgsWkbTypes

    project = project or QgsProject.instance()
    found = project.mapLayersByName(FOOTPRINTS_LAYER_NAME)
    layer = found[0] if found and isinstance(found[0], QgsVectorLayer) else None
    if layer is not None and not QgsWkbTypes.isMultiType(layer.wkbType()):
        project.removeMapLayer(layer)  # a single-polygon layer of an earlier version cannot hold a cut footprint
        layer = None
    if layer is None:
        fields = "&".join(f"field={name}:string" for name, _ in FOOTPRINT_FIELDS)
        layer = QgsVectorLayer(f"MultiPolygon?crs=OGC:CRS84&{fields}", FOOTPRINTS_LAYER_NAME, "memory")
        symbol = layer.renderer().symbol()
        symbol.setColor(symbol.color().fromRgb(0, 0, 0, 0))
        symbol.symbolLayer(0).setStrokeColor(symbol.color().fromRgb(41, 199, 242))
        symbol.symbolLayer(0).setStrokeWidth(0.6)
        project.addMapLayer(layer)
    provider = layer.dataProvider()
    provider.truncate()
    features = []
    for item in items:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(footprint_geometry(item["geometry"]))
        properties = item.get("properties", {})
        feature.setAttributes([
            item["id"], properties.get("datetime") or "", properties.get("sar:instrument_mode") or "",
            ",".join(properties.get("sar:polarizations") or []), properties.get("icesight:source") or "",
        ])
        features.append(feature)
    provider.addFeatures(features)
    layer.updateExtents()
    layer.triggerRepaint()
    return layer


def footprint_geometry(geometry: dict) -> QgsGeometry:
    """A catalog item's footprint (GeoJSON Polygon, or MultiPolygon where the backend cut it at the
    antimeridian) as a QGIS multipolygon, holes kept."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return QgsGeometry.fromMultiPolygonXY([[[_point(p) for p in ring] for ring in polygon] for polygon in polygons])


def _point(coordinates):
    from qgis.core import QgsPointXY

    return QgsPointXY(float(coordinates[0]), float(coordinates[1]))


def style_detections(layer: QgsVectorLayer) -> None:
    """CFAR detections: an open yellow circle around each target."""
    _apply_style(layer, DETECTIONS_STYLE)


#: The name the land a detection left out is loaded under (with the scene and the job).
LAND_LEFT_OUT_NAME = QT_TRANSLATE_NOOP("@default", "Land left out {scene} (job {job})")


def style_land_mask(layer: QgsVectorLayer) -> None:
    """Land left out of the detection: the khaki of land on a chart, half transparent so that the scene
    shows through, with a dark edge where the buffer ends."""
    symbol = QgsFillSymbol.createSimple({"color": "205,180,120,120", "style": "solid", "outline_color": "60,50,30,230",
                                         "outline_width": "0.4"})
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    layer.triggerRepaint()


def land_mask_layer(gpkg_path: str, scene_id: str, job_id: str) -> QgsVectorLayer | None:
    """The land a detect_targets job left out (the GeoPackage's ``LAND_MASK_LAYER``), named and
    styled; None when it left none out."""
    name = QCoreApplication.translate("@default", LAND_LEFT_OUT_NAME).format(scene=scene_id, job=job_id)
    layer = QgsVectorLayer(f"{gpkg_path}|layername={LAND_MASK_LAYER}", name, "ogr")
    if not layer.isValid() or layer.featureCount() == 0:
        return None
    style_land_mask(layer)
    return layer


def add_detections_layer(gpkg_path: str, job_id: str, scene_id: str, project: QgsProject | None = None) -> QgsVectorLayer:
    """A detect_targets result (every attribute kept), styled, in the job's group, above the land it
    left out (when it masked land)."""
    project = project or QgsProject.instance()
    name = QCoreApplication.translate("@default", "Detections {scene} (job {job})").format(scene=scene_id, job=job_id)
    layer = QgsVectorLayer(f"{gpkg_path}|layername=detections", name, "ogr")
    if not layer.isValid():
        raise ValueError(f"the detections {gpkg_path} could not be opened as a GeoPackage layer")
    style_detections(layer)
    group = job_group(job_id, "detection", project)
    _add_to_group(layer, group, project)
    land = land_mask_layer(gpkg_path, scene_id, job_id)
    if land is not None:
        _add_to_group(land, group, project)
    return layer


def is_scene_layer(layer: QgsMapLayer) -> bool:
    return isinstance(layer, QgsRasterLayer) and bool(layer.customProperty("icesight/scene_id", ""))
