"""Processing provider: the dock's actions as algorithms for the Toolbox, batch mode and models."""

from __future__ import annotations

import dataclasses

from qgis.core import (
    QgsFeatureRequest,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
    QgsProcessingProvider,
)

from icesight_contract import ContractError, ThirdChannel, ValidationMode

from . import settings
from .chart_algorithms import ExportIcebergsAlgorithm, PrintIceChartAlgorithm
from .client import BackendError, JobCancelledError
from .layers import style_classifications, style_heatmap, style_probability
from .patches import PatchError, Targets, cut_patches
from .processing_common import (
    IceSightAlgorithm,
    backend_client,
    backend_failure,
    copy_file,
    layer_scene_id,
    on_load,
    own_copy,
    progress_of,
)
from .results import join_target_attributes
from .scene_algorithms import ChartSceneAlgorithm, DetectTargetsAlgorithm, UploadSceneAlgorithm
from .workflow import (
    ATTRIBUTION_METHOD_NAMES,
    add_to_feature_group,
    classify_patches,
    explain_patches,
    map_scene,
    parse_label,
)


@dataclasses.dataclass
class _CutTargets:
    patches: list
    targets: Targets
    pixel_size: float  # of the scene, in the units of its CRS


def _target_patches(scene_layer, targets, context, feedback, label_field: str | None = None) -> _CutTargets:
    """Patches around every point of ``targets`` (ids ``<layer>:<fid>``) and, with ``label_field``,
    each patch's parsed label; raises QgsProcessingException with what to fix."""
    if scene_layer is None or targets is None:
        raise QgsProcessingException("choose a scene raster and a targets point layer")
    found = Targets.of(targets.sourceName(), targets.getFeatures(QgsFeatureRequest()), targets.fields(),
                       targets.sourceCrs())
    labels = {}
    if label_field is not None:
        index = found.fields.indexOf(label_field)
        for target_id, values in found.attributes.items():
            try:
                labels[target_id] = parse_label(values[index])
            except ValueError as exc:
                fid = target_id.rsplit(":", 1)[-1]
                raise QgsProcessingException(f"feature {fid}, field {label_field}: {exc}") from None
    if not found.points:
        raise QgsProcessingException("the targets layer has no point")
    try:
        # A layer of our own: raster providers must not be shared across threads.
        scene = own_copy(scene_layer)
        cut = cut_patches(scene, found.points, found.crs, scene_id=layer_scene_id(scene_layer, scene) or scene_layer.name(),
                          transform_context=context.transformContext())
    except PatchError as exc:
        raise QgsProcessingException(str(exc)) from exc
    for reason in cut.skipped:
        feedback.pushInfo(f"skipped {reason}")
    if not cut.patches:
        raise QgsProcessingException("none of the targets lies on the scene")
    patches = cut.patches
    if label_field is not None:
        patches = [dataclasses.replace(p, is_iceberg=None, label=labels[p.id]) for p in patches]
    return _CutTargets(patches, found, scene.rasterUnitsPerPixelX())


class ClassifyPatchesAlgorithm(IceSightAlgorithm):
    SCENE = "SCENE"
    TARGETS = "TARGETS"
    MODEL_ID = "MODEL_ID"
    OUTPUT = "OUTPUT"
    JOB_ID = "JOB_ID"

    def name(self):
        return "classify_patches"

    def displayName(self):  # noqa: N802
        return self.tr("Classify targets as ship or iceberg")

    def shortHelpString(self):  # noqa: N802
        return self.tr(
            "Cuts a 75 x 75 patch around each target point from the scene (bands: HH, HV sigma0, optional "
            "incidence angle), classifies the patches on the IceSight backend and writes a GeoPackage of "
            "targets with class and iceberg probability. Uses the backend URL and token saved in the IceSight "
            "dock. Tick 'Selected features only' on the targets to classify a selection."
        )

    def createInstance(self):  # noqa: N802
        return ClassifyPatchesAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.SCENE, self.tr("Scene raster (HH, HV[, incidence])")))
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.TARGETS, self.tr("Targets"), [QgsProcessing.TypeVectorPoint])
        )
        self.addParameter(QgsProcessingParameterString(self.MODEL_ID, self.tr("Model id (empty: newest)"), optional=True))
        self.addParameter(
            QgsProcessingParameterVectorDestination(self.OUTPUT, self.tr("Classified targets"), QgsProcessing.TypeVectorPoint)
        )
        self.addOutput(QgsProcessingOutputString(self.JOB_ID, self.tr("Backend job id")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        scene_layer = self.parameterAsRasterLayer(parameters, self.SCENE, context)
        targets = self.parameterAsSource(parameters, self.TARGETS, context)
        cut = _target_patches(scene_layer, targets, context, feedback)
        model_id = self.parameterAsString(parameters, self.MODEL_ID, context).strip() or None
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        with backend_client() as client:
            try:
                outcome = classify_patches(
                    client, cut.patches, self.results_dir, model_id, on_progress=progress_of(feedback),
                    is_cancelled=feedback.isCanceled,
                )
                join_target_attributes(outcome.gpkg_path, cut.targets, outcome.result)
            except (JobCancelledError, BackendError, ValueError) as exc:
                raise backend_failure(exc) from None
        copy_file(outcome.gpkg_path, output)
        on_load(context, output, self.tr("Targets (job {job})").format(job=outcome.job_id), style_classifications)
        feedback.pushInfo(f"job {outcome.job_id}: {len(outcome.result.classifications)} targets classified")
        return {self.OUTPUT: output, self.JOB_ID: outcome.job_id}


class AddToFeatureGroupAlgorithm(IceSightAlgorithm):
    SCENE = "SCENE"
    TARGETS = "TARGETS"
    LABEL_FIELD = "LABEL_FIELD"
    GROUP = "GROUP"
    VALIDATION = "VALIDATION"
    THIRD_CHANNEL = "THIRD_CHANNEL"
    DESCRIPTION = "DESCRIPTION"
    VERSION = "VERSION"
    N_ROWS = "N_ROWS"
    JOB_ID = "JOB_ID"
    MODES = [ValidationMode.STRICT, ValidationMode.WARNING]
    THIRDS = list(ThirdChannel)

    def name(self):
        return "add_to_feature_group"

    def displayName(self):  # noqa: N802
        return self.tr("Add labelled targets to a feature group")

    def shortHelpString(self):  # noqa: N802
        return self.tr(
            "Cuts a 75 x 75 patch around each target point from the scene and stores the patches, with the "
            "analyst's labels, as a new version of a feature group on the IceSight backend (validated; positions "
            "kept, so the version is GeoParquet). The label field holds ship, iceberg or clutter (or 0 / 1); empty values "
            "are stored unlabelled. STRICT refuses the whole insert if any patch fails a rule; WARNING stores the "
            "sound ones and reports the rest. Train on it with a training dataset of that version."
        )

    def createInstance(self):  # noqa: N802
        return AddToFeatureGroupAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.SCENE, self.tr("Scene raster (HH, HV[, incidence])")))
        self.addParameter(QgsProcessingParameterFeatureSource(self.TARGETS, self.tr("Labelled targets"), [QgsProcessing.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterField(self.LABEL_FIELD, self.tr("Label field (ship / iceberg / clutter)"), parentLayerParameterName=self.TARGETS))
        self.addParameter(QgsProcessingParameterString(self.GROUP, self.tr("Feature group (lower-case letters, digits, _)")))
        self.addParameter(QgsProcessingParameterEnum(self.VALIDATION, self.tr("Validation"), [m.value for m in self.MODES], defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(self.THIRD_CHANNEL, self.tr("Third channel"), [t.value for t in self.THIRDS], defaultValue=0))
        self.addParameter(QgsProcessingParameterString(self.DESCRIPTION, self.tr("Description"), optional=True))
        self.addOutput(QgsProcessingOutputNumber(self.VERSION, self.tr("Feature group version")))
        self.addOutput(QgsProcessingOutputNumber(self.N_ROWS, self.tr("Patches stored")))
        self.addOutput(QgsProcessingOutputString(self.JOB_ID, self.tr("Backend job id")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        scene_layer = self.parameterAsRasterLayer(parameters, self.SCENE, context)
        targets = self.parameterAsSource(parameters, self.TARGETS, context)
        field = self.parameterAsString(parameters, self.LABEL_FIELD, context)
        group = self.parameterAsString(parameters, self.GROUP, context).strip()
        patches = _target_patches(scene_layer, targets, context, feedback, label_field=field).patches
        with backend_client() as client:
            try:
                job_id, result = add_to_feature_group(
                    client, group, patches,
                    validation=self.MODES[self.parameterAsEnum(parameters, self.VALIDATION, context)],
                    third_channel=self.THIRDS[self.parameterAsEnum(parameters, self.THIRD_CHANNEL, context)],
                    description=self.parameterAsString(parameters, self.DESCRIPTION, context),
                    on_progress=progress_of(feedback),
                    is_cancelled=feedback.isCanceled,
                )
            except (ContractError, JobCancelledError, BackendError) as exc:
                raise backend_failure(exc) from None
        for rule in result.validation.rules:
            feedback.pushWarning(f"{rule.rule} on {rule.column}: {rule.failing} patch(es), e.g. {', '.join(rule.examples)}")
        feedback.pushInfo(
            f"feature group {result.group} v{result.version}: {result.n_rows} patches "
            f"({result.n_ships} ships, {result.n_icebergs} icebergs, {result.n_rows - result.n_labelled} unlabelled)"
        )
        return {self.VERSION: result.version, self.N_ROWS: result.n_rows, self.JOB_ID: job_id}


class ExplainTargetsAlgorithm(IceSightAlgorithm):
    SCENE = "SCENE"
    TARGETS = "TARGETS"
    METHOD = "METHOD"
    MODEL_ID = "MODEL_ID"
    HEATMAPS = "HEATMAPS"
    SUMMARY = "SUMMARY"
    JOB_ID = "JOB_ID"
    METHODS = list(ATTRIBUTION_METHOD_NAMES)

    def name(self):
        return "explain_targets"

    def displayName(self):  # noqa: N802
        return self.tr("Explain targets (why ship or iceberg)")

    def shortHelpString(self):  # noqa: N802
        return self.tr(
            "Cuts a 75 x 75 patch around each target point from the scene and asks the IceSight backend why "
            "the model calls it ship or iceberg (Captum attributions). Outputs: one raster of attribution "
            "heatmaps on the patch footprints (bands: total, HH, HV, in probability units; red pushes towards "
            "iceberg, blue towards ship; empty between targets) and one point per target with the HH and HV "
            "shares of the decision, the incidence angle's part and the offset of the most telling region. "
            "Tick 'Selected features only' on the targets to explain a selection."
        )

    def createInstance(self):  # noqa: N802
        return ExplainTargetsAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.SCENE, self.tr("Scene raster (HH, HV[, incidence])")))
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.TARGETS, self.tr("Targets"), [QgsProcessing.TypeVectorPoint])
        )
        self.addParameter(QgsProcessingParameterEnum(
            self.METHOD, self.tr("Attribution method"), [ATTRIBUTION_METHOD_NAMES[m] for m in self.METHODS],
            defaultValue=0,
        ))
        self.addParameter(QgsProcessingParameterString(self.MODEL_ID, self.tr("Model id (empty: newest)"), optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination(self.HEATMAPS, self.tr("Attribution heatmaps")))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.SUMMARY, self.tr("Explanations (per target)"), QgsProcessing.TypeVectorPoint
        ))
        self.addOutput(QgsProcessingOutputString(self.JOB_ID, self.tr("Backend job id")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        scene_layer = self.parameterAsRasterLayer(parameters, self.SCENE, context)
        targets = self.parameterAsSource(parameters, self.TARGETS, context)
        method = self.METHODS[self.parameterAsEnum(parameters, self.METHOD, context)]
        model_id = self.parameterAsString(parameters, self.MODEL_ID, context).strip() or None
        heatmaps = self.parameterAsOutputLayer(parameters, self.HEATMAPS, context)
        summary = self.parameterAsOutputLayer(parameters, self.SUMMARY, context)
        cut = _target_patches(scene_layer, targets, context, feedback)
        with backend_client() as client:
            try:
                outcome = explain_patches(
                    client, cut.patches, self.results_dir, method, model_id, pixel_size=cut.pixel_size,
                    per_target_heatmaps=False, on_progress=progress_of(feedback), is_cancelled=feedback.isCanceled,
                )
            except (ContractError, JobCancelledError, BackendError) as exc:
                raise backend_failure(exc) from None
        mosaic = outcome.mosaic_path or next(iter(outcome.heatmap_paths.values()), None)
        if mosaic is None:
            raise QgsProcessingException(self.tr("the backend returned no heatmap (were the patches georeferenced?)"))
        copy_file(mosaic, heatmaps)
        copy_file(outcome.summary_path, summary)
        label = ATTRIBUTION_METHOD_NAMES[method]
        on_load(context, heatmaps, self.tr("Heatmaps ({method}, job {job})").format(method=label, job=outcome.job_id),
                 style_heatmap)
        on_load(context, summary, self.tr("Explanations ({method}, job {job})").format(method=label, job=outcome.job_id))
        feedback.pushInfo(f"job {outcome.job_id}: {outcome.result.n_patches} decisions explained with {label}")
        return {self.HEATMAPS: heatmaps, self.SUMMARY: summary, self.JOB_ID: outcome.job_id}


class MapSceneAlgorithm(IceSightAlgorithm):
    SCENE_ID = "SCENE_ID"
    SCENE = "SCENE"
    MODEL_ID = "MODEL_ID"
    THRESHOLD = "THRESHOLD"
    OUTPUT = "OUTPUT"
    JOB_ID = "JOB_ID"

    def name(self):
        return "map_scene"

    def displayName(self):  # noqa: N802
        return self.tr("Map scene (iceberg probability)")

    def shortHelpString(self):  # noqa: N802
        return self.tr(
            "Runs the model over every pixel of a scene of the backend's catalog and writes the iceberg "
            "probability (0 to 1) as a raster on the scene's grid. Give the catalog scene id, or a raster "
            "layer of a catalog scene (its GeoTIFF carries the scene id). A local raster the backend does not "
            "know must be uploaded and ingested first. Pixels below the display threshold are transparent."
        )

    def createInstance(self):  # noqa: N802
        return MapSceneAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterString(self.SCENE_ID, self.tr("Catalog scene id"), optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.SCENE, self.tr("...or a raster layer of a catalog scene"), optional=True
        ))
        self.addParameter(QgsProcessingParameterString(self.MODEL_ID, self.tr("Model id (empty: newest)"), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.THRESHOLD, self.tr("Show probabilities from"), QgsProcessingParameterNumber.Double,
            defaultValue=settings.DEFAULT_PROBABILITY_THRESHOLD, minValue=0.0, maxValue=0.99,
        ))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, self.tr("Iceberg probability")))
        self.addOutput(QgsProcessingOutputString(self.JOB_ID, self.tr("Backend job id")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        scene_id = self.catalog_scene(parameters, context, self.SCENE_ID, self.SCENE, self.tr("map"))
        model_id = self.parameterAsString(parameters, self.MODEL_ID, context).strip() or None
        threshold = self.parameterAsDouble(parameters, self.THRESHOLD, context)
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        with backend_client() as client:
            try:
                outcome = map_scene(client, scene_id, self.results_dir, model_id, progress_of(feedback), feedback.isCanceled)
            except (ContractError, JobCancelledError, BackendError) as exc:
                raise backend_failure(exc) from None
        copy_file(outcome.raster_path, output)
        on_load(context, output, self.tr("Iceberg probability {scene} (job {job})").format(scene=scene_id, job=outcome.job_id),
                 lambda raster: style_probability(raster, threshold))
        feedback.pushInfo(
            f"job {outcome.job_id}: {outcome.result.iceberg_fraction:.1%} of the scene's pixels at probability >= 0.5"
        )
        return {self.OUTPUT: output, self.JOB_ID: outcome.job_id}


class IceSightProvider(QgsProcessingProvider):
    def id(self):
        return "icesight"

    def name(self):
        return "IceSight"

    def longName(self):  # noqa: N802
        return "IceSight ship/iceberg classification"

    def loadAlgorithms(self):  # noqa: N802
        self.addAlgorithm(ClassifyPatchesAlgorithm())
        self.addAlgorithm(AddToFeatureGroupAlgorithm())
        self.addAlgorithm(ExplainTargetsAlgorithm())
        self.addAlgorithm(MapSceneAlgorithm())
        self.addAlgorithm(UploadSceneAlgorithm())
        self.addAlgorithm(DetectTargetsAlgorithm())
        self.addAlgorithm(ChartSceneAlgorithm())
        self.addAlgorithm(ExportIcebergsAlgorithm())
        self.addAlgorithm(PrintIceChartAlgorithm())

    # Results arrive as GeoTIFF and GeoPackage files and are copied as they are.
    def supportedOutputRasterLayerExtensions(self):  # noqa: N802
        return ["tif"]

    def supportedOutputVectorLayerExtensions(self):  # noqa: N802
        return ["gpkg"]

    def defaultVectorFileExtension(self, hasGeometry=True):  # noqa: N802
        return "gpkg"

    def defaultRasterFileExtension(self):  # noqa: N802
        return "tif"
