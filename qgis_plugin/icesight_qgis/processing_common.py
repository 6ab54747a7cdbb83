"""What the IceSight Processing algorithms share: the backend client and progress, the results
folder read on the main thread, outputs named and styled when Processing loads them, and backend
failures in an analyst's words."""

from __future__ import annotations

import os
import shutil

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsRasterLayer,
)

from . import settings, translation
from .client import BackendClient, BackendError, JobCancelledError
from .scenes import SCENE_ID_PROPERTY, catalog_scene_id


def own_copy(layer: QgsRasterLayer) -> QgsRasterLayer:
    """A layer of this thread's own on the same source: raster providers are not shared across threads."""
    return QgsRasterLayer(layer.source(), layer.name(), layer.providerType())


def layer_scene_id(project_layer: QgsRasterLayer, copy: QgsRasterLayer) -> str | None:
    """The catalog id: marked on the project's layer, or read from this thread's copy of it."""
    return project_layer.customProperty(SCENE_ID_PROPERTY, "") or catalog_scene_id(copy)


def backend_client() -> BackendClient:
    return settings.make_client()


def progress_of(feedback):
    return lambda fraction, message: (feedback.setProgress(100 * fraction), feedback.setProgressText(message))


#: Post-processors waiting for their layer: Processing keeps only a C++ pointer to them.
_PENDING_POST_PROCESSORS: set = set()


class _StyleOnLoad(QgsProcessingLayerPostProcessorInterface):
    """Styles an output when Processing loads it into the project (on the main thread)."""

    def __init__(self, style):
        super().__init__()
        self.style = style
        _PENDING_POST_PROCESSORS.add(self)

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 - QGIS API
        try:
            self.style(layer)
        except ValueError as exc:
            feedback.reportError(str(exc))
        finally:
            _PENDING_POST_PROCESSORS.discard(self)


def on_load(context: QgsProcessingContext, path: str, name: str, style=None) -> None:
    """Name (and style) an output that Processing will load when the algorithm ends."""
    if not context.willLoadLayerOnCompletion(path):
        return
    details = context.layerToLoadOnCompletionDetails(path)
    details.name = name
    if style is not None:
        details.setPostProcessor(_StyleOnLoad(style))


def copy_file(source: str, destination: str) -> str:
    os.makedirs(os.path.dirname(os.path.abspath(destination)), exist_ok=True)
    shutil.copyfile(source, destination)
    return destination


def backend_failure(exc: Exception) -> QgsProcessingException:
    if isinstance(exc, JobCancelledError):
        return QgsProcessingException("cancelled")
    if isinstance(exc, BackendError):
        return QgsProcessingException(exc.user_message())
    return QgsProcessingException(str(exc))


class IceSightAlgorithm(QgsProcessingAlgorithm):
    """What every IceSight algorithm shares: translation, and the results folder read on the main
    thread before the algorithm runs in its own."""

    results_dir = ""

    def tr(self, message: str) -> str:
        return translation.translate(self, message)

    def prepareAlgorithm(self, parameters, context, feedback):  # noqa: N802
        self.results_dir = settings.results_dir()
        return True

    def catalog_scene(self, parameters, context, id_parameter: str, layer_parameter: str, action: str) -> str:
        """The catalog scene id given in ``id_parameter``, or that of the raster layer in
        ``layer_parameter``; says what to do (``action``: "map", "detect targets on"...) otherwise."""
        scene_id = self.parameterAsString(parameters, id_parameter, context).strip()
        layer = self.parameterAsRasterLayer(parameters, layer_parameter, context)
        if not scene_id and layer is not None:
            scene_id = layer_scene_id(layer, own_copy(layer)) or ""
            if not scene_id:
                raise QgsProcessingException(self.tr(
                    "{layer} is a local raster the backend does not know: upload and ingest it into the "
                    "backend's scene catalog first (IceSight > Upload a scene), then {action} the catalog scene"
                ).format(layer=layer.name(), action=action))
        if not scene_id:
            raise QgsProcessingException(self.tr("give a catalog scene id or a raster layer of a catalog scene"))
        return scene_id
