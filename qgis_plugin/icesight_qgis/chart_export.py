"""Exporting the chart's icebergs: one table binds each format to its writer (adding a format is
one writer and one row here); the report says what was written and what was left out."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum

from qgis.core import QgsCoordinateTransformContext
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from .chart import IcebergSelection, IceChartError, write_geojson, write_gpkg
from .ice_exchange import write_s411_gml, write_sigrid3_shapefile


class ChartFormat(str, Enum):
    GPKG = "gpkg"
    GEOJSON = "geojson"
    SIGRID3 = "sigrid3"
    S411 = "s411"


Writer = Callable[[IcebergSelection, str, str, QgsCoordinateTransformContext], str]

#: Each format: the name the analyst sees, and its writer ``(selection, folder, stem, context) -> path``.
FORMATS: dict[ChartFormat, tuple[str, Writer]] = {
    ChartFormat.GPKG: (QT_TRANSLATE_NOOP("@default", "GeoPackage"), write_gpkg),
    ChartFormat.GEOJSON: (QT_TRANSLATE_NOOP("@default", "GeoJSON (WGS 84)"), write_geojson),
    ChartFormat.SIGRID3: (QT_TRANSLATE_NOOP("@default", "SIGRID-3 (shapefile)"), write_sigrid3_shapefile),
    ChartFormat.S411: (QT_TRANSLATE_NOOP("@default", "S-411 GML"), write_s411_gml),
}


@dataclass
class ExportReport:
    selection: IcebergSelection
    folder: str
    paths: dict[ChartFormat, str] = field(default_factory=dict)

    def summary(self) -> str:
        s = self.selection
        return (
            f"{len(s.icebergs)} iceberg(s) exported; left out: {s.n_ships} ship(s), {s.n_clutter} clutter, "
            f"{s.n_below_threshold} "
            f"iceberg(s) below probability {s.threshold:g}, {s.n_unclassified} unclassified, "
            f"{s.n_without_position} without position"
        )


def export_icebergs(selection: IcebergSelection, folder: str, formats: Iterable[ChartFormat], stem: str,
                    transform_context: QgsCoordinateTransformContext | None = None) -> ExportReport:
    """Write the chart's icebergs in each of ``formats`` into ``folder`` (made if missing).

    Plain values only: runs in a task's thread as well as on the main thread."""
    formats = [ChartFormat(f) for f in dict.fromkeys(formats)]
    if not formats:
        raise IceChartError("choose at least one format to export")
    os.makedirs(folder, exist_ok=True)
    context = transform_context or QgsCoordinateTransformContext()
    report = ExportReport(selection, folder)
    for chart_format in formats:
        report.paths[chart_format] = FORMATS[chart_format][1](selection, folder, stem, context)
    return report
