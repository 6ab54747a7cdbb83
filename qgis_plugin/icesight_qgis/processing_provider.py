"""Processing provider: the dock's actions as algorithms for the Toolbox, batch mode and models."""

from __future__ import annotations

import os
import shutil

from qgis.core import (
    QgsFeatureRequest,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingProvider,
    QgsRasterLayer,
)

from . import settings
from .client import BackendClient, BackendError, JobCancelledError
from .patches import PatchError, cut_patches
from .workflow import classify_patches


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
        if scene_layer is None or targets is None:
            raise QgsProcessingException("choose a scene raster and a targets point layer")
        # A layer of our own: raster providers must not be shared across threads.
        scene = QgsRasterLayer(scene_layer.source(), scene_layer.name())
        points = [
            (f"{targets.sourceName()}:{f.id()}", f.geometry().asPoint())
            for f in targets.getFeatures(QgsFeatureRequest())
            if f.hasGeometry()
        ]
        if not points:
            raise QgsProcessingException("the targets layer has no point to classify")
        try:
            cut = cut_patches(scene, points, targets.sourceCrs(), scene_id=scene_layer.name())
        except PatchError as exc:
            raise QgsProcessingException(str(exc)) from exc
        for reason in cut.skipped:
            feedback.pushInfo(f"skipped {reason}")
        if not cut.patches:
            raise QgsProcessingException("none of the targets lies on the scene")
        current = settings.load()
        client = BackendClient(current.url, current.token)
        model_id = self.parameterAsString(parameters, self.MODEL_ID, context).strip() or None
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        try:
            outcome = classify_patches(
                client,
                cut.patches,
                settings.results_dir(),
                model_id,
                on_progress=lambda f, m: (feedback.setProgress(100 * f), feedback.setProgressText(m)),
                is_cancelled=feedback.isCanceled,
            )
        except JobCancelledError:
            raise QgsProcessingException("cancelled") from None
        except BackendError as exc:
            raise QgsProcessingException(exc.user_message()) from exc
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
        shutil.copyfile(outcome.gpkg_path, output)
        feedback.pushInfo(f"job {outcome.job_id}: {len(outcome.result.classifications)} targets classified")
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
