"""Our SAFE reader against xarray-sentinel (B-Open's reader of Sentinel-1 SAFE products) on the
same product: the synthetic GRD product of ``test_safe_reader.py``.

As ``test_safe_reader.py`` builds it, xarray-sentinel cannot open that product, for three reasons
met one after the other:

1. its reader starts from ``manifest.safe`` (platform, orbit numbers, pass, data take, acquisition
   period and the data objects with their schema), and the fixture's manifest is an empty XFDU
   element (``ValueError: query='.//safe:platform/safe:familyName' returned None``);
2. with a manifest, the calibration group opens, but the geolocation grid gives every node the
   same slant range time, and xarray-sentinel indexes the grid by azimuth and slant range time
   (``InvalidIndexError`` on the non-unique index, for the gcp and the measurement groups);
3. with distinct slant range times, the gcp group opens, but the measurement group needs the
   annotation's ``productInformation`` (sampling rate, radar frequency, projection), the line
   timing of ``imageInformation`` and ``swathTiming`` (``AssertionError: <class 'NoneType'> is
   not dict``), which our reader does not read and the fixture does not write.

Here the product is completed with what a real product carries (values consistent with the
fixture's geometry) and both readers are compared: calibrated sigma0 pixel by pixel, the
thermal noise range LUT at its nodes, the geolocation grid node by node, and the incidence angle
interpolated between nodes."""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import xarray_sentinel
from rasterio.windows import Window

from icesight_backend.sar.readers.safe import (
    calibrated_block,
    geolocation_grid,
    incidence_interpolator,
    open_safe,
    sigma_nought_lut,
    thermal_noise,
)

_spec = importlib.util.spec_from_file_location("safe_fixture", Path(__file__).with_name("test_safe_reader.py"))
fixture = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixture)

START, LINE_INTERVAL_S = "2026-03-01T08:15:00.000000", 0.2
MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<xfdu:XFDU xmlns:xfdu="urn:ccsds:schema:xfdu:1" xmlns:safe="http://www.esa.int/safe/sentinel-1.0"
  xmlns:s1="http://www.esa.int/safe/sentinel-1.0/sentinel-1"
  xmlns:s1sarl1="http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar/level-1" xmlns:gml="http://www.opengis.net/gml">
 <metadataSection>
  <metadataObject ID="platform"><metadataWrap><xmlData><safe:platform>
   <safe:nssdcIdentifier>2014-016A</safe:nssdcIdentifier><safe:familyName>SENTINEL-1</safe:familyName><safe:number>A</safe:number>
   <safe:instrument><safe:familyName abbreviation="SAR">Synthetic Aperture Radar</safe:familyName><safe:extension>
    <s1sarl1:instrumentMode><s1sarl1:mode>EW</s1sarl1:mode><s1sarl1:swath>EW</s1sarl1:swath></s1sarl1:instrumentMode>
   </safe:extension></safe:instrument></safe:platform></xmlData></metadataWrap></metadataObject>
  <metadataObject ID="measurementOrbitReference"><metadataWrap><xmlData><safe:orbitReference>
   <safe:orbitNumber type="start">12345</safe:orbitNumber><safe:orbitNumber type="stop">12345</safe:orbitNumber>
   <safe:relativeOrbitNumber type="start">170</safe:relativeOrbitNumber><safe:relativeOrbitNumber type="stop">170</safe:relativeOrbitNumber>
   <safe:extension><s1:orbitProperties><s1:pass>DESCENDING</s1:pass>
    <s1:ascendingNodeTime>2026-03-01T07:40:00.000000</s1:ascendingNodeTime></s1:orbitProperties></safe:extension>
  </safe:orbitReference></xmlData></metadataWrap></metadataObject>
  <metadataObject ID="generalProductInformation"><metadataWrap><xmlData><s1sarl1:standAloneProductInformation>
   <s1sarl1:productType>GRD</s1sarl1:productType><s1sarl1:missionDataTakeID>703710</s1sarl1:missionDataTakeID>
   <s1sarl1:transmitterReceiverPolarisation>HH</s1sarl1:transmitterReceiverPolarisation>
   <s1sarl1:transmitterReceiverPolarisation>HV</s1sarl1:transmitterReceiverPolarisation>
  </s1sarl1:standAloneProductInformation></xmlData></metadataWrap></metadataObject>
  <metadataObject ID="acquisitionPeriod"><metadataWrap><xmlData><safe:acquisitionPeriod>
   <safe:startTime>2026-03-01T08:15:00.000000</safe:startTime><safe:stopTime>2026-03-01T08:16:00.000000</safe:stopTime>
  </safe:acquisitionPeriod></xmlData></metadataWrap></metadataObject>
 </metadataSection>
 <dataObjectSection>{objects}</dataObjectSection>
</xfdu:XFDU>
"""


def _element(tag: str, children: dict[str, str]) -> ET.Element:
    element = ET.Element(tag)
    for name, text in children.items():
        ET.SubElement(element, name).text = text
    return element


def complete_product(safe: Path) -> None:
    """Add to the fixture's product what xarray-sentinel needs and real products carry."""
    objects = []
    for kind, schema in (("annotation/*.xml", "s1Level1ProductSchema"),
                         ("annotation/calibration/calibration-*.xml", "s1Level1CalibrationSchema"),
                         ("annotation/calibration/noise-*.xml", "s1Level1NoiseSchema"),
                         ("measurement/*.tiff", "s1Level1MeasurementSchema")):
        for path in sorted(safe.glob(kind)):
            href = f"./{path.relative_to(safe)}"
            objects.append(f'<dataObject ID="{path.stem}" repID="{schema}"><byteStream mimeType="text/xml">'
                           f'<fileLocation locatorType="URL" href="{href}"/></byteStream></dataObject>')
    (safe / "manifest.safe").write_text(MANIFEST.format(objects="".join(objects)))
    last = np.datetime64(START) + np.timedelta64(int((fixture.LINES - 1) * LINE_INTERVAL_S * 1e6), "us")
    for path in safe.glob("annotation/*.xml"):
        tree = ET.parse(path)
        product = tree.getroot()
        info = product.find("imageAnnotation/imageInformation")
        known = {child.tag: child.text for child in info}
        info.clear()
        for name, text in (("productFirstLineUtcTime", START), ("productLastLineUtcTime", str(last)),
                           ("ascendingNodeTime", "2026-03-01T07:40:00.000000"), ("slantRangeTime", "5.3e-03"),
                           ("rangePixelSpacing", known["rangePixelSpacing"]),
                           ("azimuthPixelSpacing", known["azimuthPixelSpacing"]),
                           ("azimuthTimeInterval", str(LINE_INTERVAL_S)), ("numberOfSamples", known["numberOfSamples"]),
                           ("numberOfLines", known["numberOfLines"]), ("incidenceAngleMidSwath", "32.5")):
            ET.SubElement(info, name).text = text
        general = product.find("generalAnnotation")  # the fixture's radar timing, the product information completed
        if general is None:
            general = ET.Element("generalAnnotation")
            product.insert(list(product).index(product.find("imageAnnotation")), general)
        for old in general.findall("productInformation"):
            general.remove(old)
        general.insert(0, _element("productInformation", {"pass": "Descending", "timelinessCategory": "Fast-24h",
                                                           "platformHeading": "-168.0", "projection": "Ground Range",
                                                           "rangeSamplingRate": "2.5e+07", "radarFrequency": "5.405e+09",
                                                           "azimuthSteeringRate": "0"}))
        timing = _element("swathTiming", {"linesPerBurst": "0", "samplesPerBurst": "0"})
        ET.SubElement(timing, "burstList", count="0")
        product.insert(list(product).index(product.find("geolocationGrid")), timing)
        for point in product.iter("geolocationGridPoint"):  # one slant range time per grid column
            point.find("slantRangeTime").text = f"{5.3e-3 + float(point.findtext('pixel')) * 2.7e-8:.12e}"
        tree.write(path, xml_declaration=True, encoding="UTF-8")


@pytest.fixture(scope="module")
def product(tmp_path_factory) -> Path:
    safe, _ = fixture.build_safe(tmp_path_factory.mktemp("safe"))
    return safe


def test_xarray_sentinel_cannot_open_the_fixture_as_built(product):
    with pytest.raises(ValueError, match="familyName"):  # the manifest names no platform, nor anything else
        xarray_sentinel.open_sentinel1_dataset(str(product))


def test_both_readers_agree_on_sigma0_and_the_geolocation_grid(product, tmp_path):
    import shutil

    safe = tmp_path / product.name
    shutil.copytree(product, safe)
    complete_product(safe)
    ours = open_safe(safe)
    theirs = xarray_sentinel.open_sentinel1_dataset(str(safe))
    assert theirs.attrs["subgroups"][:2] == ["EW", "EW/HH"] and {"EW/HV/calibration", "EW/HH/gcp"} <= set(theirs.attrs["subgroups"])

    for pol in ("HH", "HV"):
        band = ours.bands[pol]
        sigma0 = calibrated_block(band, sigma_nought_lut(band.calibration), Window(0, 0, fixture.PIXELS, fixture.LINES))
        measurement = xarray_sentinel.open_sentinel1_dataset(str(safe), group=f"EW/{pol}").measurement
        calibration = xarray_sentinel.open_sentinel1_dataset(str(safe), group=f"EW/{pol}/calibration")
        reference = xarray_sentinel.calibrate_intensity(measurement, calibration.sigmaNought).values
        valid = measurement.values > 0
        assert valid.sum() == np.isfinite(sigma0).sum() > 0.9 * valid.size  # the same no-data pixels
        ratio_db = 10 * np.log10(sigma0[valid] / reference[valid])
        assert np.abs(ratio_db).max() < 1e-4  # float32 LUT in xarray-sentinel, float64 here

    # The range noise LUT at its nodes (xarray-sentinel reads the range vectors as a line x pixel
    # grid; its azimuth reader takes only the first block of a GRD, so only the range part is compared).
    noise = thermal_noise(ours.bands["HV"].noise)
    theirs_noise = xarray_sentinel.open_sentinel1_dataset(str(safe), group="EW/HV/noise_range")
    assert list(theirs_noise.line.values) == list(noise.range_lines)
    for row, (pixels, values) in enumerate(zip(noise.range_pixels, noise.range_values, strict=True)):
        assert list(theirs_noise.pixel.values) == list(pixels)
        np.testing.assert_allclose(theirs_noise.noiseRangeLut.values[row], values, rtol=1e-6)  # float32 there
    window = Window(0, 0, fixture.PIXELS, fixture.LINES)
    at_nodes = noise.power(window)[np.ix_(noise.range_lines.astype(int), noise.range_pixels[0].astype(int))]
    azimuth = np.ones_like(at_nodes)
    for first_line, last_line, first_sample, last_sample, lines, values in noise.azimuth_blocks:
        in_block = np.ix_((noise.range_lines >= first_line) & (noise.range_lines <= last_line),
                          (noise.range_pixels[0] >= first_sample) & (noise.range_pixels[0] <= last_sample))
        azimuth[in_block] = np.interp(noise.range_lines, lines, values)[:, None].repeat(at_nodes.shape[1], 1)[in_block]
    np.testing.assert_allclose(at_nodes / azimuth, theirs_noise.noiseRangeLut.values, rtol=1e-6)

    gcp = xarray_sentinel.open_sentinel1_dataset(str(safe), group="EW/HH/gcp")
    grid = geolocation_grid(ours.bands["HH"].annotation)  # line, pixel, lon, lat, incidence per node
    lines, pixels = gcp.line.values, gcp.pixel.values
    assert sorted(set(grid[:, 0])) == list(lines) and sorted(set(grid[:, 1])) == list(pixels)
    for line, pixel, lon, lat, inc in grid:
        node = {"azimuth_time": int(np.flatnonzero(lines == line)[0]), "slant_range_time": int(np.flatnonzero(pixels == pixel)[0])}
        assert (float(gcp.longitude[node]), float(gcp.latitude[node]), float(gcp.incidenceAngle[node])) == pytest.approx(
            (lon, lat, inc), abs=1e-9)

    # Between the nodes: our bilinear incidence against xarray's interpolation over lines and pixels.
    rng = np.random.default_rng(0)
    at = np.column_stack([rng.uniform(0, fixture.LINES - 1, 50), rng.uniform(0, fixture.PIXELS - 1, 50)])
    by_index = gcp.incidenceAngle.swap_dims({"azimuth_time": "line", "slant_range_time": "pixel"})
    expected = [float(by_index.interp(line=line, pixel=pixel)) for line, pixel in at]
    np.testing.assert_allclose(incidence_interpolator(grid)(at), expected, atol=1e-9)
