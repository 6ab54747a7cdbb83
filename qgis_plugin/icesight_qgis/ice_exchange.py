"""The ice services' exchange encodings of the chart's icebergs: a SIGRID-3 style point shapefile
and an S-411 GML dataset of ``icebrg`` features. What each follows, and where we had to choose:

SIGRID-3 (JCOMM Technical Report No. 23, WMO/TD-No. 1214, version 3.0, May 2014). Version 3
carries the features and attributes of the JCOMM Ice Objects Catalogue (IOC) in shapefiles, a
point shapefile for point features; the WMO/JCOMM S-411 conversion scripts
(github.com/wmo-im/S-41X-PS, ``sigrid3.py``) read the feature from ``POINT_TYPE`` (``ICEBRG``)
and IOC attribute columns by their acronyms. Fields, one row per iceberg:

=========  ======  ====================================================================
POINT_TYPE C(6)    ``ICEBRG``: the IOC object class "Iceberg" (IHO registry, WMO ICE domain)
ICEBSZ     N(2)    IOC "Iceberg Size": 1 growler, 2 bergy bit, 3 small, 4 medium, 5 large,
                   6 very large, 99 unknown (length not known)
IS_ID      C(80)   IceSight: the target id (detection or patch)
IS_PROB    N(8,5)  IceSight: iceberg probability
IS_CONF    N(8,5)  IceSight: confidence, max(p, 1 - p)
IS_UNC     N(8,5)  IceSight: uncertainty (spread over the 8 views); -9 when missing
IS_LEN_M   N(10,1) IceSight: horizontal SAR length (m) the size class is from; -9 when missing
IS_LSRC    C(12)   IceSight: where the length is from: detection, bright_area, none
IS_MODEL   C(80)   IceSight: model id
IS_SCENE   C(80)   IceSight: scene id
IS_JOB     C(40)   IceSight: job id
=========  ======  ====================================================================

Choices: the ``IS_`` fields are "additional variables", which SIGRID-3 allows beside its own;
-9 is SIGRID-3's "missing" value; the shapefile keeps the classification layer's CRS (with its
.prj), as SIGRID-3 charts do; the file name ``<stem>_sigrid3_icebergs.shp`` is ours (the SIGRID-3
naming convention of producer, date and region is left to the producing service). Not written:
the SIGRID-3 metadata XML, the polygon egg-code fields (CT, CA, SA, FA...; icebergs in an area
would be an IOC ``BRGARE`` polygon, not points), iceberg shape (IA_BFM), drift (ICEDSP, ICEDDR).

S-411 (JCOMM/IHO Ice Information Product Specification, edition 1.1.0, June 2014, on S-100 and
GML 3.2.1). A dataset ``ice:IceDataSet`` holds ``ice:IceFeatureMember`` elements, each with one
feature; an iceberg is ``ice:icebrg`` (gml:id ``icebrg.<n>``) with its IOC attributes as child
elements in lower case and its ``gml:Point`` after them (spec 4.2, 8.2, 8.3.3):

* ``gml:description``: IceSight's iceberg probability, confidence, uncertainty, SAR length and
  its source, model, scene and job, as text. The S-411/IOC feature catalogue has no confidence or
  probability attribute for ``icebrg``; gml:description is the standard GML property every GML
  object has, so the confidence travels without inventing an ``ice:`` element.
* ``ice:icebsz``: the size code, two digits as in S-411's portrayal table (01..06, 99).
* ``gml:Point`` (gml:id ``icebrg.<n>g``, srsDimension 2,
  srsName ``http://www.opengis.net/gml/srs/epsg.xml#4326``) with ``gml:pos`` "longitude latitude"
  in decimal degrees (spec 8.2.1; WGS 84 is mandatory for exchange, spec 4.7), 6 decimals
  (about 0.1 m; the spec leaves the number of decimals open).

Choices: the namespace. The spec's prose example declares ``http://www.iho.int/ice``, the
WMO/BSH conversion scripts that make operational S-411 files write ``http://www.jcomm.info/ice``;
we follow the scripts (:data:`S411_NAMESPACE`). Not written: the exchange set (``data/``,
``support/`` folders and the ISO 19139 metadata ``.gml.xml``), drift, shape and number-of-objects
attributes (``icedsp``, ``iceddr``, ``ia_bfm``, ``ia_obn``, ``ia_buh``). ``icebsz`` 09 "radar
target" would suit a service that charts unconfirmed SAR targets as such; we write the size class.

Checked (tests/plugin/test_ice_chart.py): the GML is well formed (xml.etree), has one ``icebrg``
per exported iceberg with the expected size code and position, and validates against
``schemas/s411_icebrg.xsd``, a small schema we wrote from the spec's text (the dataset, member and
``icebrg`` structure, the icebsz code list, a GML 3.2 Point subset). Not checked: validation
against the official S-411 XSD pack and the full GML 3.2.1 schemas (not available offline).
"""

from __future__ import annotations

import os
from xml.etree import ElementTree

from qgis.core import QgsCoordinateTransformContext
from qgis.PyQt.QtCore import QVariant

from .chart import IcebergRecord, IcebergSelection, make_fields, write_points

# -- SIGRID-3 ------------------------------------------------------------------------------------

SIGRID3_MISSING = -9
SIGRID3_ICEBERG = "ICEBRG"


def _or_missing(value: float | None) -> float:
    return SIGRID3_MISSING if value is None else value


#: (name, type, value of a record) in the order of the .dbf.
SIGRID3_FIELDS = (
    ("POINT_TYPE", QVariant.String, lambda b: SIGRID3_ICEBERG),
    ("ICEBSZ", QVariant.Int, lambda b: b.size.code),
    ("IS_ID", QVariant.String, lambda b: b.target_id),
    ("IS_PROB", QVariant.Double, lambda b: round(b.iceberg_probability, 5)),
    ("IS_CONF", QVariant.Double, lambda b: _or_missing(b.confidence)),
    ("IS_UNC", QVariant.Double, lambda b: _or_missing(b.uncertainty)),
    ("IS_LEN_M", QVariant.Double, lambda b: _or_missing(None if b.length_m is None else round(b.length_m, 1))),
    ("IS_LSRC", QVariant.String, lambda b: b.length_source.value),
    ("IS_MODEL", QVariant.String, lambda b: b.model_id),
    ("IS_SCENE", QVariant.String, lambda b: b.scene_id),
    ("IS_JOB", QVariant.String, lambda b: b.job_id),
)


#: dBase widths (length, decimals) of :data:`SIGRID3_FIELDS`, as in the module's table.
SIGRID3_WIDTHS = {"POINT_TYPE": (6, 0), "ICEBSZ": (2, 0), "IS_ID": (80, 0), "IS_PROB": (8, 5), "IS_CONF": (8, 5),
                  "IS_UNC": (8, 5), "IS_LEN_M": (10, 1), "IS_LSRC": (12, 0), "IS_MODEL": (80, 0),
                  "IS_SCENE": (80, 0), "IS_JOB": (40, 0)}


def write_sigrid3_shapefile(selection: IcebergSelection, folder: str, stem: str,
                            context: QgsCoordinateTransformContext) -> str:
    """The icebergs as a SIGRID-3 style point shapefile (see the module's table)."""
    rows = ((b.x, b.y, [value(b) for _, _, value in SIGRID3_FIELDS]) for b in selection.icebergs)
    name = f"{stem}_sigrid3_icebergs"
    return write_points(os.path.join(folder, f"{name}.shp"), "ESRI Shapefile", make_fields(SIGRID3_FIELDS, SIGRID3_WIDTHS), rows,
                        selection.crs, context, name)


# -- S-411 ---------------------------------------------------------------------------------------

S411_NAMESPACE = "http://www.jcomm.info/ice"
GML_NAMESPACE = "http://www.opengis.net/gml/3.2"
S411_SRS_NAME = "http://www.opengis.net/gml/srs/epsg.xml#4326"
#: Decimal places of longitude and latitude (1e-6 degree is about 0.1 m).
S411_DECIMALS = 6

_ICE = f"{{{S411_NAMESPACE}}}"
_GML = f"{{{GML_NAMESPACE}}}"


def s411_description(berg: IcebergRecord) -> str:
    def number(value: float | None, digits: int = 3) -> str:
        return "unknown" if value is None else f"{value:.{digits}f}"

    length = "unknown" if berg.length_m is None else f"{berg.length_m:.1f} m"
    return (
        f"IceSight SAR classification: iceberg probability {number(berg.iceberg_probability)}, "
        f"confidence {number(berg.confidence)}, uncertainty {number(berg.uncertainty)}; "
        f"WMO size class {berg.size.name} from the horizontal SAR length {length} ({berg.length_source.value}); "
        f"target {berg.target_id}, model {berg.model_id or 'unknown'}, scene {berg.scene_id or 'unknown'}, "
        f"job {berg.job_id or 'unknown'}"
    )


def s411_dataset(selection: IcebergSelection) -> ElementTree.ElementTree:
    """The S-411 dataset of ``icebrg`` features (see the module's notes)."""
    ElementTree.register_namespace("ice", S411_NAMESPACE)
    ElementTree.register_namespace("gml", GML_NAMESPACE)
    dataset = ElementTree.Element(f"{_ICE}IceDataSet")
    for number, berg in enumerate(selection.icebergs, start=1):
        member = ElementTree.SubElement(dataset, f"{_ICE}IceFeatureMember")
        feature = ElementTree.SubElement(member, f"{_ICE}icebrg", {f"{_GML}id": f"icebrg.{number}"})
        ElementTree.SubElement(feature, f"{_GML}description").text = s411_description(berg)
        ElementTree.SubElement(feature, f"{_ICE}icebsz").text = f"{berg.size.code:02d}"
        point = ElementTree.SubElement(feature, f"{_GML}Point", {
            f"{_GML}id": f"icebrg.{number}g", "srsDimension": "2", "srsName": S411_SRS_NAME,
        })
        ElementTree.SubElement(point, f"{_GML}pos").text = (
            f"{berg.lon:.{S411_DECIMALS}f} {berg.lat:.{S411_DECIMALS}f}"
        )
    ElementTree.indent(dataset)
    return ElementTree.ElementTree(dataset)


def write_s411_gml(selection: IcebergSelection, folder: str, stem: str,
                   context: QgsCoordinateTransformContext) -> str:
    """The S-411 dataset file ``S411_<stem>.gml`` (UTF-8, with the XML declaration)."""
    path = os.path.join(folder, f"S411_{stem}.gml")
    s411_dataset(selection).write(path, encoding="UTF-8", xml_declaration=True)
    return path
