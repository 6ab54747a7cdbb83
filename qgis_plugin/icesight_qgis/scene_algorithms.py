"""Scenes as Processing algorithms: upload a local scene into the backend's catalog (streamed back
onto the map, styled grey HH dB), detect targets on a catalog scene, and chart a scene in one
backend job (detect, classify every detection, explain the least certain calls). Their outputs are
loaded and styled as the dock loads them. Registered by the IceSight provider."""

from __future__ import annotations

import json
import os

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputRasterLayer,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
    QgsProject,
)

from icesight_contract import MAX_LAND_BUFFER_M, AcquisitionMode, ContractError, DetectTargetsParams

from . import settings
from .client import BackendError, JobCancelledError
from .layers import style_classifications
from .processing_common import (
    IceSightAlgorithm,
    backend_client,
    backend_failure,
    copy_file,
    on_load,
    progress_of,
)
from .scene_layers import (
    land_mask_layer,
    opened_scene_layer,
    place_scene_layer,
    streamed_source,
    style_detections,
    style_land_mask,
)
from .workflow import SCENE_FILE_FILTER, chart_scene, detect_targets, upload_and_ingest

#: The acquisition modes offered, the first meaning "let the backend tell from the file".
MODE_CHOICES: list[AcquisitionMode | None] = [None, *AcquisitionMode]


def _mode_parameter(name: str, tr) -> QgsProcessingParameterEnum:
    return QgsProcessingParameterEnum(
        name, tr("Acquisition mode"), [tr("from the file") if m is None else m.value for m in MODE_CHOICES],
        defaultValue=0)


def _acquired_parameter(name: str, tr) -> QgsProcessingParameterString:
    return QgsProcessingParameterString(
        name, tr("Acquisition time, ISO 8601 (empty: from the file)"), optional=True)


#: The land parameters of the algorithms that detect (the job's ``LAND_SETTINGS``).
MASK_LAND, LAND_BUFFER_M, LAND_POLYGONS = "MASK_LAND", "LAND_BUFFER_M", "LAND_POLYGONS"


def add_land_parameters(algorithm: IceSightAlgorithm) -> None:
    tr = algorithm.tr
    algorithm.addParameter(QgsProcessingParameterBoolean(
        MASK_LAND, tr("Leave out land (the backend's built-in mask: GLOBE, about 1 km cells)"),
        defaultValue=DetectTargetsParams.land_mask))
    algorithm.addParameter(QgsProcessingParameterFeatureSource(
        LAND_POLYGONS, tr("Land polygons of your own (e.g. a detailed coastline), also left out"),
        [QgsProcessing.TypeVectorPolygon], optional=True))
    algorithm.addParameter(QgsProcessingParameterNumber(
        LAND_BUFFER_M, tr("Land buffer, seaward (m)"), QgsProcessingParameterNumber.Double,
        defaultValue=DetectTargetsParams.land_buffer_m, minValue=0.0, maxValue=MAX_LAND_BUFFER_M))


def land_settings(algorithm: IceSightAlgorithm, parameters, context, feedback) -> dict:
    """The job's land settings from :func:`add_land_parameters`' values; the polygons go as GeoJSON
    in longitude and latitude (EPSG:4326), whatever the layer's CRS."""
    settings = {"land_mask": algorithm.parameterAsBoolean(parameters, MASK_LAND, context),
                "land_buffer_m": algorithm.parameterAsDouble(parameters, LAND_BUFFER_M, context)}
    source = algorithm.parameterAsSource(parameters, LAND_POLYGONS, context)
    if source is not None:
        to_lonlat = QgsCoordinateTransform(source.sourceCrs(), QgsCoordinateReferenceSystem("EPSG:4326"),
                                           context.transformContext())
        geometries = []
        for feature in source.getFeatures():
            if feedback.isCanceled():
                break
            geometry = feature.geometry()
            if geometry.isNull() or geometry.isEmpty():
                continue
            geometry.transform(to_lonlat)
            geometries.append(json.loads(geometry.asJson(7)))
        if not geometries:
            raise QgsProcessingException(algorithm.tr("the land polygons layer has no polygon"))
        settings["land_polygons"] = {"type": "GeometryCollection", "geometries": geometries}
        feedback.pushInfo(f"{len(geometries)} land polygons of your own left out, with a "
                          f"{settings['land_buffer_m']:g} m buffer")
    return settings


def load_land_left_out(context, gpkg_path: str, scene_id: str, job_id: str) -> None:
    """Load the land a detection left out (the ``land_mask`` layer of its GeoPackage), styled, with the
    algorithm's outputs; nothing when it left none out."""
    layer = land_mask_layer(gpkg_path, scene_id, job_id)
    if layer is None:
        return
    # Processing hands it to the project with the outputs, on the main thread.
    context.temporaryLayerStore().addMapLayer(layer)
    context.addLayerToLoadOnCompletion(layer.id(), QgsProcessingContext.LayerDetails(
        layer.name(), context.project() or QgsProject.instance(), "OUTPUT"))
    on_load(context, layer.id(), layer.name(), style_land_mask)


class UploadSceneAlgorithm(IceSightAlgorithm):
    INPUT = "INPUT"
    MODE = "MODE"
    ACQUIRED = "ACQUIRED"
    OUTPUT = "OUTPUT"
    SCENE_ID = "SCENE_ID"
    JOB_ID = "JOB_ID"

    def name(self):
        return "upload_scene"

    def displayName(self):  # noqa: N802
        return self.tr("Upload a scene")

    def shortHelpString(self):  # noqa: N802
        return self.tr(
            "Sends a local Sentinel-1 scene (GeoTIFF/COG of calibrated sigma0 with HH, HV and optionally the "
            "incidence angle, a zipped SAFE GRD product, or a calibrated, terrain-corrected SNAP BEAM-DIMAP "
            "product, its .dim with the .data folder beside it) to the IceSight backend, which checks it and "
            "ingests it into its scene catalog. The catalog scene is then streamed onto the map, grey HH in "
            "dB, with HV and incidence as extra styles. Mode and acquisition time are read from the file "
            "when left empty."
        )

    def createInstance(self):  # noqa: N802
        return UploadSceneAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, self.tr("Scene file (GeoTIFF/COG, zipped SAFE or SNAP .dim)"), fileFilter=SCENE_FILE_FILTER))
        self.addParameter(_mode_parameter(self.MODE, self.tr))
        self.addParameter(_acquired_parameter(self.ACQUIRED, self.tr))
        self.addOutput(QgsProcessingOutputRasterLayer(self.OUTPUT, self.tr("Catalog scene")))
        self.addOutput(QgsProcessingOutputString(self.SCENE_ID, self.tr("Catalog scene id")))
        self.addOutput(QgsProcessingOutputString(self.JOB_ID, self.tr("Backend job id")))

    def prepareAlgorithm(self, parameters, context, feedback):  # noqa: N802
        # The token lives in QGIS's authentication database: read it here, on the main thread.
        current = settings.load()
        self.header_file = settings.write_gdal_header_file(current.token)
        return super().prepareAlgorithm(parameters, context, feedback)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        path = self.parameterAsFile(parameters, self.INPUT, context)
        if not path or not os.path.isfile(path):
            raise QgsProcessingException(self.tr("choose the scene file to upload"))
        mode = MODE_CHOICES[self.parameterAsEnum(parameters, self.MODE, context)]
        acquired = self.parameterAsString(parameters, self.ACQUIRED, context).strip() or None
        with backend_client() as client:
            try:
                job_id, result = upload_and_ingest(client, path, mode, acquired, on_progress=progress_of(feedback),
                                                   is_cancelled=feedback.isCanceled)
            except (ContractError, JobCancelledError, BackendError) as exc:
                raise backend_failure(exc) from None
            source = streamed_source(client.scene_url(result.scene_id), self.header_file)
        feedback.pushInfo(f"job {job_id}: {os.path.basename(path)} is catalog scene {result.scene_id} "
                          f"({result.width_px} x {result.height_px} px at {result.pixel_size_m:g} m)")
        feedback.setProgressText(self.tr("opening and styling the catalog scene"))
        try:
            layer = opened_scene_layer(result.scene_id, source)
        except ValueError as exc:
            raise QgsProcessingException(str(exc)) from None
        # Processing hands the layer to the project when the algorithm ends (and to the main thread).
        context.temporaryLayerStore().addMapLayer(layer)
        details = QgsProcessingContext.LayerDetails(result.scene_id, context.project() or QgsProject.instance(),
                                                    self.OUTPUT)
        details.forceName = True  # a streamed source has no file name to name the layer after
        context.addLayerToLoadOnCompletion(layer.id(), details)
        on_load(context, layer.id(), result.scene_id, place_scene_layer)
        return {self.OUTPUT: layer.id(), self.SCENE_ID: result.scene_id, self.JOB_ID: job_id}


class DetectTargetsAlgorithm(IceSightAlgorithm):
    SCENE_ID = "SCENE_ID"
    SCENE = "SCENE"
    OUTPUT = "OUTPUT"
    N_DETECTIONS = "N_DETECTIONS"
    LAND_FRACTION = "LAND_FRACTION"
    JOB_ID = "JOB_ID"

    def name(self):
        return "detect_targets"

    def displayName(self):  # noqa: N802
        return self.tr("Detect targets (CFAR)")

    def shortHelpString(self):  # noqa: N802
        return self.tr(
            "Finds the bright targets of a catalog scene on the IceSight backend (K-distribution CFAR, sea-ice "
            "aware) and writes one point per detection with its area, length and co-/cross-pol sigma0. Give the "
            "catalog scene id or a raster layer of a catalog scene; a local raster must be uploaded first. Land "
            "is left out (nothing is detected on it and it enters no background window): the backend's built-in "
            "mask, your own land polygons, or both, grown seaward by the buffer; the land left out is loaded "
            "as a half-transparent khaki layer."
        )

    def createInstance(self):  # noqa: N802
        return DetectTargetsAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterString(self.SCENE_ID, self.tr("Catalog scene id"), optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.SCENE, self.tr("...or a raster layer of a catalog scene"), optional=True))
        add_land_parameters(self)
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("Detections"), QgsProcessing.TypeVectorPoint))
        self.addOutput(QgsProcessingOutputNumber(self.N_DETECTIONS, self.tr("Detections")))
        self.addOutput(QgsProcessingOutputNumber(self.LAND_FRACTION, self.tr("Share of the scene left out as land (-1: none asked for)")))
        self.addOutput(QgsProcessingOutputString(self.JOB_ID, self.tr("Backend job id")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        scene_id = self.catalog_scene(parameters, context, self.SCENE_ID, self.SCENE, self.tr("detect targets on"))
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        land = land_settings(self, parameters, context, feedback)
        with backend_client() as client:
            try:
                outcome = detect_targets(client, scene_id, self.results_dir, progress_of(feedback),
                                         feedback.isCanceled, land=land)
            except (ContractError, JobCancelledError, BackendError) as exc:
                raise backend_failure(exc) from None
        copy_file(outcome.gpkg_path, output)
        on_load(context, output, self.tr("Detections {scene} (job {job})").format(scene=scene_id, job=outcome.job_id),
                style_detections)
        land_fraction = outcome.result.land_fraction
        load_land_left_out(context, outcome.gpkg_path, scene_id, outcome.job_id)
        feedback.pushInfo(f"job {outcome.job_id}: {outcome.result.n_detections} targets detected on {scene_id}"
                          + ("" if land_fraction is None else f"; {land_fraction:.1%} of the scene left out as land"))
        return {self.OUTPUT: output, self.N_DETECTIONS: outcome.result.n_detections,
                self.LAND_FRACTION: -1.0 if land_fraction is None else land_fraction, self.JOB_ID: outcome.job_id}


class ChartSceneAlgorithm(IceSightAlgorithm):
    SCENE_ID = "SCENE_ID"
    SCENE = "SCENE"
    UPLOAD = "UPLOAD"
    MODE = "MODE"
    ACQUIRED = "ACQUIRED"
    MODEL_ID = "MODEL_ID"
    EXPLAIN_N = "EXPLAIN_N"
    OUTPUT = "OUTPUT"
    OUT_SCENE_ID = "OUT_SCENE_ID"
    N_DETECTIONS = "N_DETECTIONS"
    N_SHIPS = "N_SHIPS"
    N_ICEBERGS = "N_ICEBERGS"
    JOB_ID = "JOB_ID"

    def name(self):
        return "chart_scene"

    def displayName(self):  # noqa: N802
        return self.tr("Chart a scene (detect, classify, explain)")

    def shortHelpString(self):  # noqa: N802
        return self.tr(
            "The backend's whole chain in one job: a catalog scene (its id or a raster layer of it), or a local "
            "scene file uploaded and ingested first, is searched for targets (CFAR), every detection is "
            "classified ship, iceberg or clutter, and the least certain calls are explained. Writes the "
            "classified targets, styled and ready for review and the ice chart. Stages whose inputs did not "
            "change since an earlier run are reused, so charting a scene again is quick."
        )

    def createInstance(self):  # noqa: N802
        return ChartSceneAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterString(self.SCENE_ID, self.tr("Catalog scene id"), optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.SCENE, self.tr("...or a raster layer of a catalog scene"), optional=True))
        self.addParameter(QgsProcessingParameterFile(
            self.UPLOAD, self.tr("...or a local scene file to upload (GeoTIFF/COG, zipped SAFE or SNAP .dim)"), optional=True,
            fileFilter=SCENE_FILE_FILTER))
        self.addParameter(_mode_parameter(self.MODE, self.tr))
        self.addParameter(_acquired_parameter(self.ACQUIRED, self.tr))
        self.addParameter(QgsProcessingParameterString(
            self.MODEL_ID, self.tr("Model id (empty: the production model)"), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.EXPLAIN_N, self.tr("Explain the least certain calls (how many)"), QgsProcessingParameterNumber.Integer,
            defaultValue=5, minValue=0, maxValue=200))
        add_land_parameters(self)
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("Classified targets"), QgsProcessing.TypeVectorPoint))
        self.addOutput(QgsProcessingOutputString(self.OUT_SCENE_ID, self.tr("Catalog scene id")))
        self.addOutput(QgsProcessingOutputNumber(self.N_DETECTIONS, self.tr("Detections")))
        self.addOutput(QgsProcessingOutputNumber(self.N_SHIPS, self.tr("Ships")))
        self.addOutput(QgsProcessingOutputNumber(self.N_ICEBERGS, self.tr("Icebergs")))
        self.addOutput(QgsProcessingOutputString(self.JOB_ID, self.tr("Backend job id")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        upload = self.parameterAsFile(parameters, self.UPLOAD, context) or None
        scene_id = None
        if upload is None:
            scene_id = self.catalog_scene(parameters, context, self.SCENE_ID, self.SCENE, self.tr("chart"))
        elif not os.path.isfile(upload):
            raise QgsProcessingException(self.tr("the scene file {path} does not exist").format(path=upload))
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        land = land_settings(self, parameters, context, feedback)
        with backend_client() as client:
            try:
                outcome = chart_scene(
                    client, self.results_dir, scene_id=scene_id, upload_path=upload,
                    mode=MODE_CHOICES[self.parameterAsEnum(parameters, self.MODE, context)],
                    acquired=self.parameterAsString(parameters, self.ACQUIRED, context).strip() or None,
                    model_id=self.parameterAsString(parameters, self.MODEL_ID, context).strip() or None,
                    explain_n=self.parameterAsInt(parameters, self.EXPLAIN_N, context),
                    on_progress=progress_of(feedback), is_cancelled=feedback.isCanceled, land=land,
                )
            except (ContractError, JobCancelledError, BackendError) as exc:
                raise backend_failure(exc) from None
        result = outcome.result
        copy_file(outcome.gpkg_path, output)
        on_load(context, output, self.tr("Targets {scene} (job {job})").format(scene=result.scene_id, job=outcome.job_id),
                style_classifications)
        load_land_left_out(context, outcome.detections_path, result.scene_id, outcome.job_id)
        for stage in result.stages:
            feedback.pushInfo(f"{stage.name}: {stage.state} in {stage.seconds:.1f} s"
                              + (f" ({stage.summary})" if stage.summary else ""))
        feedback.pushInfo(f"job {outcome.job_id}: {result.n_detections} detections on {result.scene_id}, "
                          f"{result.n_ships} ships, {result.n_icebergs} icebergs (model {result.model_id})")
        return {self.OUTPUT: output, self.OUT_SCENE_ID: result.scene_id, self.N_DETECTIONS: result.n_detections,
                self.N_SHIPS: result.n_ships, self.N_ICEBERGS: result.n_icebergs, self.JOB_ID: outcome.job_id}
