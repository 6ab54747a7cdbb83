"""Which catalog scene a raster layer shows, if any: the backend's scene id travels with the layer.

A raster is a catalog scene when the plugin marked it (layer custom property), when its GeoTIFF
carries the ``scene_id`` metadata item the backend writes into every catalog COG (simulated or
ingested), or when it is streamed from the backend's ``/scenes/<id>/scene.tif`` route. Any other
raster is a local file the backend does not know: it must be uploaded and ingested first.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from qgis.core import QgsRasterLayer

SCENE_ID_PROPERTY = "icesight/scene_id"

# The same rule as the backend's catalog ids: letters, digits, '.', '_' and '-'.
_ID = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"
_GDAL_METADATA_ITEM = re.compile(rf"<li>scene_id=({_ID})</li>")
_CATALOG_ROUTE = re.compile(rf"/api/v\d+/scenes/({_ID})/scene\.tif")


def catalog_scene_id(layer: QgsRasterLayer | None) -> str | None:
    """The catalog scene id of ``layer``, or None for a raster the backend does not know."""
    if layer is None or not layer.isValid():
        return None
    marked = layer.customProperty(SCENE_ID_PROPERTY, "")
    if marked:
        return str(marked)
    route = _CATALOG_ROUTE.search(unquote(layer.source()))
    if route:
        return route.group(1)
    # The GDAL provider lists the dataset's metadata items in its HTML metadata; no other
    # PyQGIS call exposes them without importing osgeo, which the plugin does not use.
    item = _GDAL_METADATA_ITEM.search(layer.dataProvider().htmlMetadata())
    return item.group(1) if item else None


def mark_catalog_scene(layer: QgsRasterLayer, scene_id: str) -> None:
    """Remember on the layer (saved with the project) that it shows catalog scene ``scene_id``."""
    layer.setCustomProperty(SCENE_ID_PROPERTY, scene_id)


def scene_label(layer: QgsRasterLayer) -> str:
    """The scene id results carry: the catalog id when there is one, else the layer's name."""
    return catalog_scene_id(layer) or layer.name()
