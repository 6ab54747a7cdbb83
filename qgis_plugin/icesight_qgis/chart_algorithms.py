"""The ice chart as Processing algorithms: export the icebergs of a classification layer, and print
the chart (PDF and PNG). Registered by the IceSight provider."""

from __future__ import annotations

import os

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from . import chart, translation
from .chart_export import FORMATS as CHART_FORMATS
from .chart_export import ChartFormat, export_icebergs
from .chart_layout import make_sheet, print_chart

DEFAULT_TITLE = QT_TRANSLATE_NOOP("@default", "Icebergs from Sentinel-1 (IceSight)")


class _ChartAlgorithm(QgsProcessingAlgorithm):
    def tr(self, message: str) -> str:
        return translation.translate(self, message)


class ExportIcebergsAlgorithm(_ChartAlgorithm):
    INPUT = "INPUT"
    THRESHOLD = "THRESHOLD"
    FORMATS = "FORMATS"
    PIXEL_SIZE_M = "PIXEL_SIZE_M"
    NAME = "NAME"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    N_ICEBERGS = "N_ICEBERGS"
    N_SHIPS = "N_SHIPS"
    N_BELOW_THRESHOLD = "N_BELOW_THRESHOLD"
    N_CLUTTER = "N_CLUTTER"
    CHOICES = list(CHART_FORMATS)
    #: The output naming each format's file.
    FILE_OUTPUTS = {ChartFormat.GPKG: "GPKG", ChartFormat.GEOJSON: "GEOJSON", ChartFormat.SIGRID3: "SIGRID3",
                    ChartFormat.S411: "S411"}

    def name(self):
        return "export_icebergs_for_ice_chart"

    def displayName(self):  # noqa: N802
        return self.tr("Export icebergs for the ice chart")

    def shortHelpString(self):  # noqa: N802
        return self.tr(
            "Writes the icebergs of a classification layer (class, iceberg_probability; length_m from the "
            "detections) with their WMO size class (growler < 5 m, bergy bit 5-15 m, small 15-60 m, medium "
            "61-120 m, large 121-200 m, very large > 200 m, from the horizontal SAR length) and confidence, as "
            "GeoPackage, GeoJSON (WGS 84), a SIGRID-3 style point shapefile (POINT_TYPE ICEBRG, ICEBSZ) and an "
            "S-411 GML dataset of icebrg features. Ships and icebergs below the probability threshold are left "
            "out and counted. The pixel size turns a detection's bright area (area_px) into a length where "
            "length_m is missing."
        )

    def createInstance(self):  # noqa: N802
        return ExportIcebergsAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Classification layer"), [QgsProcessing.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterNumber(
            self.THRESHOLD, self.tr("Iceberg probability from"), QgsProcessingParameterNumber.Double,
            defaultValue=chart.chart_threshold(), minValue=0.0, maxValue=1.0))
        self.addParameter(QgsProcessingParameterEnum(
            self.FORMATS, self.tr("Formats"), [self.tr(CHART_FORMATS[f][0]) for f in self.CHOICES], allowMultiple=True,
            defaultValue=list(range(len(self.CHOICES)))))
        self.addParameter(QgsProcessingParameterNumber(
            self.PIXEL_SIZE_M, self.tr("Scene pixel size (m; 0: unknown)"), QgsProcessingParameterNumber.Double,
            defaultValue=0.0, minValue=0.0, optional=True))
        self.addParameter(QgsProcessingParameterString(self.NAME, self.tr("File name"), defaultValue="icebergs"))
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, self.tr("Save in folder")))
        for chart_format, output in self.FILE_OUTPUTS.items():
            self.addOutput(QgsProcessingOutputFile(output, self.tr(CHART_FORMATS[chart_format][0])))
        self.addOutput(QgsProcessingOutputNumber(self.N_ICEBERGS, self.tr("Icebergs exported")))
        self.addOutput(QgsProcessingOutputNumber(self.N_SHIPS, self.tr("Ships left out")))
        self.addOutput(QgsProcessingOutputNumber(self.N_BELOW_THRESHOLD, self.tr("Icebergs below the threshold")))
        self.addOutput(QgsProcessingOutputNumber(self.N_CLUTTER, self.tr("Clutter (no target) left out")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.tr("choose a classification layer"))
        formats = [self.CHOICES[i] for i in self.parameterAsEnums(parameters, self.FORMATS, context)]
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in
                       self.parameterAsString(parameters, self.NAME, context).strip()) or "icebergs"
        folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        pixel_size_m = self.parameterAsDouble(parameters, self.PIXEL_SIZE_M, context) or None
        try:
            selection = chart.select_icebergs(
                source.getFeatures(), source.fields(), source.sourceCrs(), context.transformContext(),
                self.parameterAsDouble(parameters, self.THRESHOLD, context), pixel_size_m)
            report = export_icebergs(selection, folder, formats, stem, context.transformContext())
        except chart.IceChartError as exc:
            raise QgsProcessingException(str(exc)) from None
        feedback.pushInfo(report.summary())
        results = {self.OUTPUT_FOLDER: folder, self.N_ICEBERGS: len(selection.icebergs),
                   self.N_SHIPS: selection.n_ships, self.N_BELOW_THRESHOLD: selection.n_below_threshold,
                   self.N_CLUTTER: selection.n_clutter}
        for chart_format, path in report.paths.items():
            results[self.FILE_OUTPUTS[chart_format]] = path
        return results


class PrintIceChartAlgorithm(_ChartAlgorithm):
    INPUT = "INPUT"
    SCENE = "SCENE"
    TITLE = "TITLE"
    ACQUIRED = "ACQUIRED"
    PDF = "PDF"
    PNG = "PNG"
    SECONDS = "SECONDS"

    def name(self):
        return "print_ice_chart"

    def displayName(self):  # noqa: N802
        return self.tr("Print ice chart")

    def shortHelpString(self):  # noqa: N802
        return self.tr(
            "Prints the ice chart of a classification layer over its scene: map, legend, scale bar, north arrow, "
            "title, the scene's acquisition date (given, or from the project's catalog footprints; else "
            "'unknown'), the model and the date of production, to PDF and PNG (A4 landscape). Runs on the main "
            "thread, as QGIS's own layout exports do."
        )

    def flags(self):
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading

    def createInstance(self):  # noqa: N802
        return PrintIceChartAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.INPUT, self.tr("Classification layer"), [QgsProcessing.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterRasterLayer(self.SCENE, self.tr("Scene"), optional=True))
        self.addParameter(QgsProcessingParameterString(self.TITLE, self.tr("Title"), defaultValue=self.tr(DEFAULT_TITLE)))
        self.addParameter(QgsProcessingParameterString(
            self.ACQUIRED, self.tr("Acquisition date (empty: from the catalog)"), optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(self.PDF, self.tr("Chart (PDF)"), "PDF (*.pdf)"))
        self.addParameter(QgsProcessingParameterFileDestination(self.PNG, self.tr("Chart (PNG)"), "PNG (*.png)"))
        self.addOutput(QgsProcessingOutputNumber(self.SECONDS, self.tr("Seconds to build and export")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        layer = self.parameterAsVectorLayer(parameters, self.INPUT, context)
        scene = self.parameterAsRasterLayer(parameters, self.SCENE, context)
        if layer is None:
            raise QgsProcessingException(self.tr("choose a classification layer"))
        pdf = self.parameterAsFileOutput(parameters, self.PDF, context)
        png = self.parameterAsFileOutput(parameters, self.PNG, context)
        acquired = self.parameterAsString(parameters, self.ACQUIRED, context).strip() or None
        sheet = make_sheet(self.parameterAsString(parameters, self.TITLE, context), layer, scene, acquired,
                           context.project())
        try:
            printed = print_chart(layer, scene, sheet, pdf, png, context.project())
        except chart.IceChartError as exc:
            raise QgsProcessingException(str(exc)) from None
        feedback.pushInfo(f"chart printed in {printed.seconds:.2f} s: {os.path.basename(pdf)}, {os.path.basename(png)}")
        return {self.PDF: pdf, self.PNG: png, self.SECONDS: printed.seconds}
