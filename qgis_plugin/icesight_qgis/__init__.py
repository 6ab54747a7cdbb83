"""IceSight: ship/iceberg classification of Sentinel-1 scenes, computed on a remote backend.

The plugin zip carries the shared plugin-backend contract in ``ext/``; it is put on the import
path here, before any plugin module needs it.
"""

import os
import sys

_EXT = os.path.join(os.path.dirname(__file__), "ext")
if os.path.isdir(_EXT) and _EXT not in sys.path:
    sys.path.insert(0, _EXT)


def classFactory(iface):  # noqa: N802 - QGIS API
    from .plugin import IceSightPlugin

    return IceSightPlugin(iface)
