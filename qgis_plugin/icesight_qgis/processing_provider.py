"""Processing provider: the dock's actions as algorithms for the Toolbox, batch mode and models."""

from __future__ import annotations

import dataclasses
import os
import shutil

from qgis.core import (
    QgsFeatureRequest,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingProvider,
    QgsRasterLayer,
)

from icesight_contract import ContractError, ThirdChannel, ValidationMode

from . import settings
from .client import BackendClient, BackendError, JobCancelledError
from .patches import PatchError, cut_patches
from .workflow import add_to_feature_group, classify_patches, parse_label


def _target_patches(scene_layer, targets, feedback, label_field: str | None = None):
    """Patches around every point of ``targets`` (ids ``<layer>:<fid>``) and, with ``label_field``,
    each patch's parsed label; raises QgsProcessingException with what to fix."""
    if scene_layer is None or targets is None:
        raise QgsProcessingException("choose a scene raster and a targets point layer")
    points, labels = [], {}
    for feature in targets.getFeatures(QgsFeatureRequest()):
        if not feature.hasGeometry():
            continue
        patch_id = f"{targets.sourceName()}:{feature.id()}"
        if label_field is not None:
            try:
                labels[patch_id] = parse_label(feature[label_field])
            except ValueError as exc:
                raise QgsProcessingException(f"feature {feature.id()}, field {label_field}: {exc}") from None
        points.append((patch_id, feature.geometry().asPoint()))
    if not points:
        raise QgsProcessingException("the targets layer has no point")
    # A layer of our own: raster providers must not be shared across threads.
    scene = QgsRasterLayer(scene_layer.source(), scene_layer.name())
    try:
        cut = cut_patches(scene, points, targets.sourceCrs(), scene_id=scene_layer.name())
    except PatchError as exc:
        raise QgsProcessingException(str(exc)) from exc
    for reason in cut.skipped:
        feedback.pushInfo(f"skipped {reason}")
    if not cut.patches:
        raise QgsProcessingException("none of the targets lies on the scene")
    if label_field is None:
        return cut.patches
    return [dataclasses.replace(p, is_iceberg=labels[p.id]) for p in cut.patches]


def _backend_failure(exc: Exception) -> QgsProcessingException:
    if isinstance(exc, JobCancelledError):
        return QgsProcessingException("cancelled")
    if isinstance(exc, BackendError):
        return QgsProcessingException(exc.user_message())
    return QgsProcessingException(str(exc))


class ClassifyPatchesAlgorithm(QgsProcessingAlgorithm):
    SCENE = "SCENE"
    TARGETS = "TARGETS"
    MODEL_ID = "MODEL_ID"
    OUTPUT = "OUTPUT"
    JOB_ID = "JOB_ID"

    def name(self):
        return "classify_patches"

    def displayName(self):  # noqa: N802
        return "Classify targets as ship or iceberg"

    def shortHelpString(self):  # noqa: N802
        return (
            "Cuts a 75 x 75 patch around each target point from the scene (bands: HH, HV sigma0, optional "
            "incidence angle), classifies the patches on the IceSight backend and writes a GeoPackage of "
            "targets with class and iceberg probability. Uses the backend URL and token saved in the IceSight "
            "dock. Tick 'Selected features only' on the targets to classify a selection."
        )

    def createInstance(self):  # noqa: N802
        return ClassifyPatchesAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.SCENE, "Scene raster (HH, HV[, incidence])"))
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.TARGETS, "Targets", [QgsProcessing.TypeVectorPoint])
        )
        self.addParameter(QgsProcessingParameterString(self.MODEL_ID, "Model id (empty: newest)", optional=True))
        self.addParameter(
            QgsProcessingParameterFileDestination(self.OUTPUT, "Classified targets", "GeoPackage (*.gpkg)")
        )
        self.addOutput(QgsProcessingOutputString(self.JOB_ID, "Backend job id"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        scene_layer = self.parameterAsRasterLayer(parameters, self.SCENE, context)
        targets = self.parameterAsSource(parameters, self.TARGETS, context)
        patches = _target_patches(scene_layer, targets, feedback)
        current = settings.load()
        client = BackendClient(current.url, current.token)
        model_id = self.parameterAsString(parameters, self.MODEL_ID, context).strip() or None
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        try:
            outcome = classify_patches(
                client,
                patches,
                settings.results_dir(),
                model_id,
                on_progress=lambda f, m: (feedback.setProgress(100 * f), feedback.setProgressText(m)),
                is_cancelled=feedback.isCanceled,
            )
        except (JobCancelledError, BackendError) as exc:
            raise _backend_failure(exc) from None
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
        shutil.copyfile(outcome.gpkg_path, output)
        feedback.pushInfo(f"job {outcome.job_id}: {len(outcome.result.classifications)} targets classified")
        return {self.OUTPUT: output, self.JOB_ID: outcome.job_id}


class AddToFeatureGroupAlgorithm(QgsProcessingAlgorithm):
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
        return "Add labelled targets to a feature group"

    def shortHelpString(self):  # noqa: N802
        return (
            "Cuts a 75 x 75 patch around each target point from the scene and stores the patches, with the "
            "analyst's labels, as a new version of a feature group on the IceSight backend (validated; positions "
            "kept, so the version is GeoParquet). The label field holds ship or iceberg (or 0 / 1); empty values "
            "are stored unlabelled. STRICT refuses the whole insert if any patch fails a rule; WARNING stores the "
            "sound ones and reports the rest. Train on it with a training dataset of that version."
        )

    def createInstance(self):  # noqa: N802
        return AddToFeatureGroupAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.SCENE, "Scene raster (HH, HV[, incidence])"))
        self.addParameter(QgsProcessingParameterFeatureSource(self.TARGETS, "Labelled targets", [QgsProcessing.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterField(self.LABEL_FIELD, "Label field (ship / iceberg)", parentLayerParameterName=self.TARGETS))
        self.addParameter(QgsProcessingParameterString(self.GROUP, "Feature group (lower-case letters, digits, _)"))
        self.addParameter(QgsProcessingParameterEnum(self.VALIDATION, "Validation", [m.value for m in self.MODES], defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(self.THIRD_CHANNEL, "Third channel", [t.value for t in self.THIRDS], defaultValue=0))
        self.addParameter(QgsProcessingParameterString(self.DESCRIPTION, "Description", optional=True))
        self.addOutput(QgsProcessingOutputNumber(self.VERSION, "Feature group version"))
        self.addOutput(QgsProcessingOutputNumber(self.N_ROWS, "Patches stored"))
        self.addOutput(QgsProcessingOutputString(self.JOB_ID, "Backend job id"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        scene_layer = self.parameterAsRasterLayer(parameters, self.SCENE, context)
        targets = self.parameterAsSource(parameters, self.TARGETS, context)
        field = self.parameterAsString(parameters, self.LABEL_FIELD, context)
        group = self.parameterAsString(parameters, self.GROUP, context).strip()
        patches = _target_patches(scene_layer, targets, feedback, label_field=field)
        current = settings.load()
        client = BackendClient(current.url, current.token)
        try:
            job_id, result = add_to_feature_group(
                client, group, patches,
                validation=self.MODES[self.parameterAsEnum(parameters, self.VALIDATION, context)],
                third_channel=self.THIRDS[self.parameterAsEnum(parameters, self.THIRD_CHANNEL, context)],
                description=self.parameterAsString(parameters, self.DESCRIPTION, context),
                on_progress=lambda f, m: (feedback.setProgress(100 * f), feedback.setProgressText(m)),
                is_cancelled=feedback.isCanceled,
            )
        except (ContractError, JobCancelledError, BackendError) as exc:
            raise _backend_failure(exc) from None
        for rule in result.validation.rules:
            feedback.pushWarning(f"{rule.rule} on {rule.column}: {rule.failing} patch(es), e.g. {', '.join(rule.examples)}")
        feedback.pushInfo(
            f"feature group {result.group} v{result.version}: {result.n_rows} patches "
            f"({result.n_ships} ships, {result.n_icebergs} icebergs, {result.n_rows - result.n_labelled} unlabelled)"
        )
        return {self.VERSION: result.version, self.N_ROWS: result.n_rows, self.JOB_ID: job_id}


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
