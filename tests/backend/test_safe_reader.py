"""Sentinel-1 GRD SAFE products: calibration with the sigmaNought LUT, the thermal noise floor from
the noise annotation and geocoding from the geolocation grid, on a SAFE-layout fixture built here
with the real annotation structure."""

from __future__ import annotations

import io
import json
import math
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from rasterio.windows import Window

from icesight_backend.sar.readers import SarFormatError
from icesight_backend.sar.readers.safe import (
    GridLut,
    calibrated_block,
    noise_block,
    open_safe,
    safe_to_cog,
    sigma_nought_lut,
    thermal_noise,
)

LINES, PIXELS, SPACING_M = 300, 400, 40.0
HEADING = math.radians(12.0)
ORIGIN = Transformer.from_crs(4326, 3413, always_xy=True).transform(-56.0, 67.0)
TARGET = (150, 200)  # line, pixel of a bright target


def radar_to_map(line, pixel):
    """The fixture's acquisition geometry: a grid rotated 12 degrees from map north, 40 m cells."""
    x = ORIGIN[0] + pixel * SPACING_M * math.cos(HEADING) + line * SPACING_M * math.sin(HEADING)
    y = ORIGIN[1] - line * SPACING_M * math.cos(HEADING) + pixel * SPACING_M * math.sin(HEADING)
    return x, y


def lut(line, pixel):
    return 2000.0 + 1.5 * pixel + 0.8 * line  # smooth, so bilinear interpolation is exact


def incidence(line, pixel):
    return 20.0 + 25.0 * pixel / (PIXELS - 1) + 0.001 * line


#: Two sub-swaths of 200 pixels, and the line where the azimuth blocks of each sub-swath meet.
SUBSWATH_PX, AZIMUTH_SPLIT = 200, 140

#: The radar's timing in the annotation: C band, the sub-swaths' PRFs, the platform's speed, and a
#: slant range growing 30 m a pixel from 800 km. The first azimuth ambiguity lies lambda R PRF / 2V
#: along track: 4.29-4.32 km in EW1 and 5.66-5.71 km in EW2, both outside 5 km +- 300 m.
RADAR_FREQUENCY_HZ, PRF_HZ, SPEED_M_S = 5.405e9, {"EW1": 1450.0, "EW2": 1900.0}, 7500.0


def slant_range_m(pixel):
    return 800_000.0 + 30.0 * pixel


def ambiguity_m(pixel):
    swath = "EW1" if pixel < SUBSWATH_PX else "EW2"
    return 299_792_458.0 / RADAR_FREQUENCY_HZ * slant_range_m(pixel) * PRF_HZ[swath] / (2 * SPEED_M_S)


#: Two bright point targets, one in each sub-swath (line, pixel), and their ghosts 15 dB dimmer one
#: ambiguity distance further along track, where the annotation's timing puts them.
SOURCES = ((40, 100), (40, 300))
GHOSTS = tuple((line + round(ambiguity_m(pixel) / SPACING_M), pixel) for line, pixel in SOURCES)
GHOST_GAIN = 10 ** -1.5


def noise_range(line, pixel):
    """Range noise LUT, DN^2: lowest mid-sub-swath, rising 60 % to its edges (kinks fall on the LUT's
    pixel nodes, and it is linear in line, so the reader's interpolation reproduces it exactly)."""
    across = np.abs(np.asarray(pixel, dtype=float) % SUBSWATH_PX - SUBSWATH_PX / 2) / (SUBSWATH_PX / 2)
    return 1.0e4 * (1.0 + 0.6 * across) * (1.0 + 0.001 * np.asarray(line, dtype=float))


def noise_azimuth(line, pixel):
    """Azimuth noise LUT: per sub-swath and block of lines, linear in line."""
    line, pixel = np.asarray(line, dtype=float), np.asarray(pixel, dtype=float)
    second_swath, second_block = pixel >= SUBSWATH_PX, line > AZIMUTH_SPLIT
    return 1.0 + 0.3 * second_swath - 0.2 * second_block + 0.0005 * line


def expected_nesz(line, pixel, layout):
    """The noise-equivalent sigma0 the annotation describes: eta / A^2."""
    eta = noise_range(line, pixel) * (noise_azimuth(line, pixel) if layout == "ipf29" else 1.0)
    return eta / lut(line, pixel) ** 2


def noise_xml(layout: str, header: str, lines_grid, pixels_grid) -> str:
    """A noise annotation in the IPF 2.9+ layout (range and azimuth vectors) or the earlier one."""
    if layout == "empty":
        return "<noise/>"
    tag, lut_tag = ("noiseRangeVector", "noiseRangeLut") if layout == "ipf29" else ("noiseVector", "noiseLut")
    vectors = "".join(
        f"<{tag}><azimuthTime>2026-03-01T08:15:10.000000</azimuthTime><line>{line}</line>"
        f"<pixel count='{len(pixels_grid)}'>{' '.join(map(str, pixels_grid))}</pixel>"
        f"<{lut_tag} count='{len(pixels_grid)}'>{_vector_text(noise_range(line, np.asarray(pixels_grid)))}</{lut_tag}>"
        f"</{tag}>" for line in lines_grid)
    body = f"<{tag}List count='{len(lines_grid)}'>{vectors}</{tag}List>"
    if layout == "ipf29":
        blocks = []
        for swath, (first_sample, last_sample) in enumerate(((0, SUBSWATH_PX - 1), (SUBSWATH_PX, PIXELS - 1)), start=1):
            for first_line, last_line in ((0, AZIMUTH_SPLIT), (AZIMUTH_SPLIT + 1, LINES - 1)):
                lines = [first_line, (first_line + last_line) // 2, last_line]
                values = noise_azimuth(np.asarray(lines), first_sample)
                blocks.append(
                    f"<noiseAzimuthVector><swath>EW{swath}</swath><firstAzimuthLine>{first_line}</firstAzimuthLine>"
                    f"<firstRangeSample>{first_sample}</firstRangeSample><lastAzimuthLine>{last_line}</lastAzimuthLine>"
                    f"<lastRangeSample>{last_sample}</lastRangeSample><line count='3'>{' '.join(map(str, lines))}</line>"
                    f"<noiseAzimuthLut count='3'>{_vector_text(values)}</noiseAzimuthLut></noiseAzimuthVector>")
        body += f"<noiseAzimuthVectorList count='{len(blocks)}'>{''.join(blocks)}</noiseAzimuthVectorList>"
    return f"<?xml version='1.0' encoding='UTF-8'?><noise>{header}{body}</noise>"


def timing_xml() -> str:
    """The product annotation's radar frequency, sub-swath PRFs and orbit state vectors (velocity
    components of :data:`SPEED_M_S` in all)."""
    downlinks = "".join(f"<downlinkInformation><swath>{swath}</swath><prf>{prf:.9e}</prf></downlinkInformation>"
                        for swath, prf in PRF_HZ.items())
    vx, vy, vz = SPEED_M_S * 0.6, SPEED_M_S * 0.0, SPEED_M_S * 0.8
    orbits = "".join(f"<orbit><time>2026-03-01T08:15:{t:02d}.000000</time><position><x>1</x><y>2</y><z>3</z></position>"
                     f"<velocity><x>{vx}</x><y>{vy}</y><z>{vz}</z></velocity></orbit>" for t in (0, 10, 20))
    return (f"<generalAnnotation><productInformation><radarFrequency>{RADAR_FREQUENCY_HZ:e}</radarFrequency>"
            f"</productInformation><downlinkInformationList count='{len(PRF_HZ)}'>{downlinks}</downlinkInformationList>"
            f"<orbitList count='3'>{orbits}</orbitList></generalAnnotation>")


def _vector_text(values) -> str:
    return " ".join(f"{v:.6e}" for v in values)


def build_safe(root: Path, pols=("HH", "HV"), with_calibration=True, noise="ipf29") -> tuple[Path, dict[str, np.ndarray]]:
    rng = np.random.default_rng(3)
    safe = root / "S1A_EW_GRDM_1SDH_20260301T081500_20260301T081600_012345_0ABCDE_1A2B.SAFE"
    for sub in ("measurement", "annotation/calibration"):
        (safe / sub).mkdir(parents=True, exist_ok=True)
    (safe / "manifest.safe").write_text("<xfdu:XFDU xmlns:xfdu='urn:ccsds:schema:xfdu:1'/>")
    lines_grid = list(range(0, LINES, 50)) + [LINES - 1]
    pixels_grid = list(range(0, PIXELS, 50)) + [PIXELS - 1]
    to_lonlat = Transformer.from_crs(3413, 4326, always_xy=True)
    truth = {}
    for index, pol in enumerate(pols, start=1):
        level = 0.02 if pol in ("HH", "VV") else 0.002
        sigma0 = level * rng.gamma(10.7, 1 / 10.7, (LINES, PIXELS))
        sigma0[TARGET[0] - 1 : TARGET[0] + 2, TARGET[1] - 1 : TARGET[1] + 2] = 10.0 if pol in ("HH", "VV") else 1.0
        sigma0[TARGET] = 30.0 if pol in ("HH", "VV") else 3.0
        for (line, pixel), (ghost_line, _) in zip(SOURCES, GHOSTS, strict=True):
            for row, gain in ((line, 1.0), (ghost_line, GHOST_GAIN)):
                sigma0[row - 1 : row + 2, pixel - 1 : pixel + 2] = gain * (8.0 if pol in ("HH", "VV") else 0.8)
                sigma0[row, pixel] = gain * (20.0 if pol in ("HH", "VV") else 2.0)
        sigma0[:, :5] = 0.0  # no data at the swath edge
        truth[pol] = sigma0
        ll, pp = np.meshgrid(np.arange(LINES), np.arange(PIXELS), indexing="ij")
        dn = np.round(np.sqrt(sigma0) * lut(ll, pp)).astype(np.uint16)
        stem = f"s1a-ew-grd-{pol.lower()}-20260301t081500-20260301t081600-012345-0abcde-00{index}"
        with rasterio.open(safe / "measurement" / f"{stem}.tiff", "w", driver="GTiff", width=PIXELS, height=LINES,
                           count=1, dtype="uint16") as dst:
            dst.write(dn, 1)
        points = []
        for line in lines_grid:
            for pixel in pixels_grid:
                lon, lat = to_lonlat.transform(*radar_to_map(line, pixel))
                points.append(
                    f"<geolocationGridPoint><azimuthTime>2026-03-01T08:15:{10 + line / 100:09.6f}</azimuthTime>"
                    f"<slantRangeTime>{2 * slant_range_m(pixel) / 299_792_458.0:.12e}</slantRangeTime>"
                    f"<line>{line}</line><pixel>{pixel}</pixel>"
                    f"<latitude>{lat:.10f}</latitude><longitude>{lon:.10f}</longitude><height>0</height>"
                    f"<incidenceAngle>{incidence(line, pixel):.8f}</incidenceAngle><elevationAngle>30</elevationAngle>"
                    "</geolocationGridPoint>"
                )
        header = (f"<adsHeader><missionId>S1A</missionId><productType>GRD</productType><polarisation>{pol}</polarisation>"
                  "<mode>EW</mode><swath>EW</swath><startTime>2026-03-01T08:15:00.000000</startTime>"
                  "<stopTime>2026-03-01T08:16:00.000000</stopTime><absoluteOrbitNumber>12345</absoluteOrbitNumber>"
                  "<missionDataTakeId>703710</missionDataTakeId><imageNumber>001</imageNumber></adsHeader>")
        (safe / "annotation" / f"{stem}.xml").write_text(
            f"<?xml version='1.0' encoding='UTF-8'?><product>{header}{timing_xml()}<imageAnnotation><imageInformation>"
            f"<rangePixelSpacing>{SPACING_M:e}</rangePixelSpacing><azimuthPixelSpacing>{SPACING_M:e}</azimuthPixelSpacing>"
            f"<numberOfSamples>{PIXELS}</numberOfSamples><numberOfLines>{LINES}</numberOfLines></imageInformation>"
            f"</imageAnnotation><geolocationGrid><geolocationGridPointList count='{len(points)}'>{''.join(points)}"
            "</geolocationGridPointList></geolocationGrid></product>"
        )
        vectors = []
        for line in lines_grid:
            values = [lut(line, p) for p in pixels_grid]
            count = len(pixels_grid)
            vectors.append(
                f"<calibrationVector><azimuthTime>2026-03-01T08:15:10.000000</azimuthTime><line>{line}</line>"
                f"<pixel count='{count}'>{' '.join(map(str, pixels_grid))}</pixel>"
                f"<sigmaNought count='{count}'>{_vector_text(values)}</sigmaNought>"
                f"<betaNought count='{count}'>{_vector_text([2000.0] * count)}</betaNought>"
                f"<gamma count='{count}'>{_vector_text(values)}</gamma>"
                f"<dn count='{count}'>{_vector_text([2000.0] * count)}</dn></calibrationVector>"
            )
        if with_calibration:
            (safe / "annotation" / "calibration" / f"calibration-{stem}.xml").write_text(
                f"<?xml version='1.0' encoding='UTF-8'?><calibration>{header}<calibrationInformation>"
                "<absoluteCalibrationConstant>1.0</absoluteCalibrationConstant></calibrationInformation>"
                f"<calibrationVectorList count='{len(vectors)}'>{''.join(vectors)}</calibrationVectorList></calibration>"
            )
        (safe / "annotation" / "calibration" / f"noise-{stem}.xml").write_text(
            noise_xml(noise, header, lines_grid, pixels_grid))
    return safe, truth


def test_calibration_recovers_sigma0_from_digital_numbers(tmp_path):
    safe, truth = build_safe(tmp_path)
    product = open_safe(safe)
    assert (product.mode, product.polarisations, product.pixel_spacing_m) == ("EW", ("HH", "HV"), 40.0)
    band = product.bands["HH"]
    sigma0 = calibrated_block(band, sigma_nought_lut(band.calibration), Window(0, 0, PIXELS, LINES))
    valid = truth["HH"] > 0
    error_db = 10 * np.log10(sigma0[valid]) - 10 * np.log10(truth["HH"][valid])
    assert np.abs(error_db).max() < 0.1  # DN quantisation only
    assert np.isnan(sigma0[:, :5]).all()


def test_a_lut_is_bilinear_between_its_nodes_and_linear_beyond_them_over_a_block_and_at_points():
    from scipy.interpolate import RegularGridInterpolator

    # Unevenly spaced nodes, as a product's last calibration vector and node are; values not
    # separable in line and pixel, so that an interpolation along the wrong axis first would show.
    lines, pixels = np.array([-3.0, 0.0, 10.0, 35.0, 80.0]), np.array([0.0, 7.0, 40.0, 41.0, 100.0])
    values = np.random.default_rng(0).normal(size=(5, 5)) + np.outer(lines, pixels) / 100
    lut = GridLut(lines, pixels, values)
    reference = RegularGridInterpolator((lines, pixels), values, bounds_error=False, fill_value=None)
    window = Window(-5, -9, 120, 100)  # beyond the first and the last node on both axes
    at_lines, at_pixels = np.meshgrid(np.arange(-9.0, 91.0), np.arange(-5.0, 115.0), indexing="ij")
    points = np.stack([at_lines.ravel(), at_pixels.ravel()], axis=1)
    np.testing.assert_allclose(lut.block(window), reference(points).reshape(100, 120), rtol=0, atol=1e-12)
    np.testing.assert_allclose(lut(points), reference(points), rtol=0, atol=1e-12)
    assert lut(np.array([[10.0, 40.0]]))[0] == values[2, 2]  # at a node, the node's value


@pytest.mark.parametrize("lines, pixels", [([0.0, 5.0, 5.0], [0.0, 1.0]), ([0.0, 5.0, 9.0], [3.0, 1.0])])
def test_a_lut_whose_nodes_do_not_increase_is_refused(lines, pixels):
    with pytest.raises(SarFormatError, match="must increase"):
        GridLut(np.array(lines), np.array(pixels), np.ones((len(lines), len(pixels))))


@pytest.mark.parametrize("zipped", [False, True])
def test_geocoded_cog_puts_the_target_where_the_annotation_says(tmp_path, zipped):
    safe, truth = build_safe(tmp_path)
    source = safe
    if zipped:
        source = tmp_path / (safe.stem + ".zip")
        with zipfile.ZipFile(source, "w") as archive:
            for path in safe.rglob("*"):
                archive.write(path, str(path.relative_to(tmp_path)))
        shutil.rmtree(safe)
    cog = safe_to_cog(open_safe(source), tmp_path / "scene.tif", rows_per_block=64)
    with rasterio.open(cog) as src:
        assert src.crs.to_epsg() == 3413  # 67 degrees north: polar stereographic
        assert abs(src.transform.a) == pytest.approx(SPACING_M, rel=0.02)
        assert src.descriptions == ("HH_sigma0_db", "HV_sigma0_db", "incidence_angle_deg", "HV_nesz_db")
        assert src.tags()["mode"] == "EW"
        # The flight track runs 12 degrees off the map's north-south (line by line: east sin 12, south
        # cos 12), which the detector's ghost search follows.
        assert float(src.tags()["azimuth_bearing_deg"]) == pytest.approx(180.0 - math.degrees(HEADING), abs=0.05)
        hh = src.read(1)
        peak_row, peak_col = np.unravel_index(np.nanargmax(hh), hh.shape)
        x, y = radar_to_map(*TARGET)
        expected_col, expected_row = ~src.transform * (x, y)
        assert abs(peak_col + 0.5 - expected_col) <= 1.5 and abs(peak_row + 0.5 - expected_row) <= 1.5
        inc = src.read(3)[peak_row, peak_col]
        assert inc == pytest.approx(incidence(*TARGET), abs=0.2)
        sea = np.nanmedian(hh)
        assert sea == pytest.approx(10 * np.log10(np.median(truth["HH"][:, 5:])), abs=0.5)


@pytest.mark.parametrize("layout", ["ipf29", "before_ipf29"])
def test_the_scene_says_where_its_ghosts_lie_and_the_detector_drops_them_there(tmp_path, layout):
    """The annotation's timing puts each sub-swath's first azimuth ambiguity at its own distance
    (4.3 km in EW1, 5.7 km in EW2); the scene carries it, and the detector finds the three targets
    and drops the two ghosts. Searched at the nominal 5 km (a scene without the tag), both ghosts
    stay. Without the sub-swath blocks (IPF before 2.9) each node spans both PRFs' distances."""
    from icesight_backend.sar.ambiguity import AmbiguityNodes, scene_ambiguity_field, tagged_azimuth_bearing
    from icesight_backend.sar.detection import CfarParams, detect

    safe, _ = build_safe(tmp_path, noise=layout)
    cog = safe_to_cog(open_safe(safe), tmp_path / "scene.tif", rows_per_block=64)
    with rasterio.open(cog) as src:
        tags, transform, crs = src.tags(), src.transform, src.crs
        co, cross = src.read(1), src.read(2)
        noise = src.read(4) if src.count == 4 else None
    nodes = AmbiguityNodes.from_tags(tags)
    if layout == "ipf29":
        np.testing.assert_array_equal(nodes.shortest_m, nodes.longest_m)
        # The boundary's both sides are nodes: the grid's pixel 199's distance and pixel 200's.
        assert {round(ambiguity_m(199)), round(ambiguity_m(200))} <= set(np.round(nodes.shortest_m))
    else:
        np.testing.assert_allclose(nodes.longest_m / nodes.shortest_m, PRF_HZ["EW2"] / PRF_HZ["EW1"], rtol=1e-3)
    field = scene_ambiguity_field(tags, transform, crs)
    params = CfarParams(pixel_size_m=40.0, azimuth_bearing_deg=tagged_azimuth_bearing(tags))
    found = detect(co, cross, params, 256, noise_db=noise, ambiguity=field)
    nominal = detect(co, cross, params, 256, noise_db=noise)

    def at(detections, line, pixel):
        col, row = ~transform * radar_to_map(line, pixel)  # the sample's centre (its node)
        return [d for d in detections if math.hypot(d.row + 0.5 - row, d.col + 0.5 - col) <= 2.5]

    for line, pixel in (TARGET, *SOURCES):
        assert len(at(found, line, pixel)) == 1
    for line, pixel in GHOSTS:
        assert at(found, line, pixel) == [] and len(at(nominal, line, pixel)) == 1
    assert len(found) == 3 and len(nominal) == 5


@pytest.mark.parametrize("layout", ["ipf29", "before_ipf29"])
def test_the_noise_floor_is_the_annotations_noise_over_the_calibration(tmp_path, layout):
    safe, _ = build_safe(tmp_path, noise=layout)
    band = open_safe(safe).bands["HV"]
    noise = thermal_noise(band.noise)
    assert len(noise.azimuth_blocks) == (4 if layout == "ipf29" else 0)
    window = Window(0, 0, PIXELS, LINES)
    nesz = noise_block(noise, sigma_nought_lut(band.calibration), window)
    ll, pp = np.meshgrid(np.arange(LINES), np.arange(PIXELS), indexing="ij")
    np.testing.assert_allclose(nesz, expected_nesz(ll, pp, layout), rtol=1e-6)
    # In the IPF 2.9 layout the second sub-swath's azimuth gain lifts its floor by 30 % over the range LUT's.
    range_only = noise_range(10, 250) / lut(10, 250) ** 2
    assert nesz[10, 250] / range_only == pytest.approx(1.3 + 0.005 if layout == "ipf29" else 1.0, rel=1e-6)
    # A block of rows far from the first one interpolates the same (blocks are independent).
    part = noise_block(noise, sigma_nought_lut(band.calibration), Window(150, 137, 60, 9))
    np.testing.assert_allclose(part, nesz[137:146, 150:210], rtol=1e-9)


def test_noise_vectors_in_any_order_or_a_single_one_give_the_same_floor(tmp_path):
    import xml.etree.ElementTree as ET

    safe, _ = build_safe(tmp_path)
    band = open_safe(safe).bands["HV"]
    window = Window(0, 0, PIXELS, LINES)
    expected = thermal_noise(band.noise).power(window)
    shuffled = ET.fromstring(ET.tostring(band.noise))
    vectors = shuffled.find("noiseRangeVectorList")
    items = list(vectors)
    for item in items:
        vectors.remove(item)
    for item in items[::-1]:
        vectors.append(item)
    np.testing.assert_allclose(thermal_noise(shuffled).power(window), expected, rtol=1e-12)
    for item in items[1:]:
        vectors.remove(item)
    single = thermal_noise(shuffled).power(window)  # held over every line: the first vector's LUT
    np.testing.assert_allclose(single / noise_azimuth(*np.meshgrid(np.arange(LINES), np.arange(PIXELS), indexing="ij")),
                               np.broadcast_to(noise_range(0, np.arange(PIXELS)), (LINES, PIXELS)), rtol=1e-6)


def test_the_geocoded_scene_carries_the_cross_pol_noise_floor_as_band_4(tmp_path):
    safe, _ = build_safe(tmp_path)
    cog = safe_to_cog(open_safe(safe), tmp_path / "scene.tif", rows_per_block=64)
    with rasterio.open(cog) as src:
        assert src.descriptions[3] == "HV_nesz_db"
        assert "noise-equivalent" in src.tags()["units"]
        hv, nesz = src.read(2), src.read(4)
        assert np.array_equal(np.isnan(hv), np.isnan(nesz))  # the floor where the data are, nowhere else
        for line, pixel in ((40, 30), (40, 100), (250, 300), (TARGET[0], TARGET[1])):
            col, row = ~src.transform * radar_to_map(line, pixel)  # the sample's centre (its node)
            value = nesz[int(row), int(col)]
            assert value == pytest.approx(10 * np.log10(expected_nesz(line, pixel, "ipf29")), abs=0.15)


def test_a_product_without_noise_vectors_ingests_without_the_noise_band(tmp_path):
    safe, _ = build_safe(tmp_path, noise="empty")
    cog = safe_to_cog(open_safe(safe), tmp_path / "scene.tif", rows_per_block=64)
    with rasterio.open(cog) as src:
        assert src.count == 3 and src.descriptions[2] == "incidence_angle_deg"


def test_a_noise_annotation_of_zeros_gives_no_noise_floor(tmp_path):
    """Products whose noise was zeroed (noise removed upstream) carry no floor: no band 4, which
    would otherwise be empty and silently turn off the cross-pol CFAR that judges over it."""
    import xml.etree.ElementTree as ET

    safe, _ = build_safe(tmp_path)
    zeroed = ET.fromstring(ET.tostring(open_safe(safe).bands["HV"].noise))
    luts = zeroed.findall("noiseRangeVectorList/noiseRangeVector/noiseRangeLut")
    assert luts and thermal_noise(zeroed) is not None
    for lut in luts:
        lut.text = " ".join("0" for _ in lut.text.split())
    assert thermal_noise(zeroed) is None


@pytest.mark.parametrize(("damage", "message"), [
    (lambda text: text.replace("<noiseRangeLut count='9'>", "<noiseRangeLut count='10'>1.0 ", 1),
     "9 pixel positions but 10 values"),
    (lambda text: text.replace("<pixel count='9'>0 50", "<pixel count='9'>50 0", 1), "do not increase"),
    (lambda text: text.replace("<noiseRangeLut count='9'>", "<noiseRangeLut count='9'>abc", 1), "not a number"),
    (lambda text: text.replace("<firstAzimuthLine>0</firstAzimuthLine>", "", 1), "first/last line or sample"),
])
def test_a_damaged_noise_annotation_is_refused_naming_the_product_and_the_fault(tmp_path, damage, message):
    safe, _ = build_safe(tmp_path)
    path = next((safe / "annotation" / "calibration").glob("noise-*-hv-*.xml"))
    path.write_text(damage(path.read_text()))
    destination = tmp_path / "scene.tif"
    with pytest.raises(SarFormatError, match=message) as raised:
        safe_to_cog(open_safe(safe), destination)
    assert safe.name in str(raised.value) and "HV" in str(raised.value)
    assert not destination.exists()


def test_a_product_has_the_looks_of_its_resolution_class(tmp_path):
    safe, _ = build_safe(tmp_path)
    assert (open_safe(safe).mode, open_safe(safe).looks) == ("EW", 10.7)  # EW GRDM
    # EW GRDH has about 3 looks, not GRDM's 10.7, which the CFAR would otherwise assume for EW.
    grdh = safe.rename(safe.with_name(safe.name.replace("_GRDM_", "_GRDH_")))
    assert (open_safe(grdh).mode, open_safe(grdh).looks) == ("EW", 2.7)
    zipped = shutil.make_archive(str(tmp_path / "upload"), "zip", grdh.parent, grdh.name)
    assert open_safe(zipped).looks == 2.7  # the SAFE folder's name inside the zip says it too
    # Renamed so that no name says the class: the pixel spacing does (40 m: EW GRDM).
    bare = grdh.rename(grdh.with_name("product.SAFE"))
    assert SPACING_M == 40.0 and open_safe(bare).looks == 10.7


def test_incomplete_or_wrong_products_are_refused(tmp_path):
    safe, _ = build_safe(tmp_path / "a", with_calibration=False)
    with pytest.raises(SarFormatError, match="calibration annotation .* is missing"):
        open_safe(safe)
    single, _ = build_safe(tmp_path / "b", pols=("HH",))
    with pytest.raises(SarFormatError, match="dual-pol"):
        open_safe(single)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(SarFormatError, match="readable zip"):
        open_safe(broken)
    empty = tmp_path / "c" / "X.SAFE"
    empty.mkdir(parents=True)
    with pytest.raises(SarFormatError, match="no GRD measurement"):
        open_safe(empty)


def test_a_zipped_safe_product_uploads_ingests_and_is_detected_on(api, tmp_path):
    safe, _ = build_safe(tmp_path)
    archive = tmp_path / (safe.stem + ".zip")
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in safe.rglob("*"):
            zipped.write(path, str(path.relative_to(tmp_path)))
    upload = api.post("/uploads", data=archive.read_bytes())
    assert upload.status_code == 201
    final = api.wait(api.submit("ingest_scene", {"upload_id": upload.json()["upload_id"], "scene_id": "safe-ew"})["id"])
    assert final["state"] == "succeeded", final["error"]
    item = api.get("/scenes/safe-ew").json()
    assert item["properties"]["sar:instrument_mode"] == "EW"
    assert item["properties"]["datetime"].startswith("2026-03-01T08:15:00")
    assert item["properties"]["sar:polarizations"] == ["HH", "HV"]
    with rasterio.open(io.BytesIO(api.get("/scenes/safe-ew/scene.tif").content)) as catalog:
        # The reader's own COG is the catalog's scene: the product's layout, the job's tags.
        assert catalog.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert catalog.descriptions == ("HH_sigma0_db", "HV_sigma0_db", "incidence_angle_deg", "HV_nesz_db")
        assert catalog.tags()["scene_id"] == "safe-ew" and catalog.tags()["mode"] == "EW"
        assert catalog.tags()["looks"] == "10.7" and item["properties"]["sar:looks_equivalent_number"] == 10.7
        # The catalog's scene keeps the flight track's bearing and its ghosts' distances, which the
        # detector's ghost search reads.
        assert float(catalog.tags()["azimuth_bearing_deg"]) == pytest.approx(180.0 - math.degrees(HEADING), abs=0.05)
        distances = json.loads(catalog.tags()["azimuth_ambiguity_m"])["shortest_m"]
        assert min(distances) == round(ambiguity_m(0)) and max(distances) == round(ambiguity_m(PIXELS - 1))
    detected = api.wait(api.submit("detect_targets", {"scene_id": "safe-ew", "chunk_px": 256})["id"])
    assert detected["state"] == "succeeded", detected["error"]
    assert detected["result"]["looks"] == 10.7
    assert detected["result"]["noise_floor_band"] is True  # the noise annotation's floor, band 4
    assert detected["result"]["n_detections"] == 3  # the bright targets, their ghosts dropped
    # The upload was consumed: ingesting it again is refused, naming the field.
    again = api.post("/jobs", json={"kind": "ingest_scene", "params": {"upload_id": upload.json()["upload_id"]}})
    assert again.status_code == 422 and again.json()["error"]["field"] == "params.upload_id"


def test_a_safe_product_larger_than_the_service_takes_is_refused_at_submission(api, tmp_path):
    safe, _ = build_safe(tmp_path)
    for measurement in (safe / "measurement").iterdir():  # declares 200,000 x 200,000 samples; sparse
        with rasterio.open(measurement, "w", driver="GTiff", width=200_000, height=200_000, count=1, dtype="uint16",
                           tiled=True, blockxsize=1024, blockysize=1024, SPARSE_OK=True, BIGTIFF="YES"):
            pass
    archive = tmp_path / (safe.stem + ".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in safe.rglob("*"):
            zipped.write(path, str(path.relative_to(tmp_path)))
    assert archive.stat().st_size < 5_000_000
    upload = api.post("/uploads", data=archive.read_bytes()).json()
    response = api.post("/jobs", json={"kind": "ingest_scene", "params": {"upload_id": upload["upload_id"]}})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == "params.upload_id" and "200000 x 200000" in error["message"]
    assert "--max-scene-side-px" in error["message"]


@pytest.mark.parametrize("tag, kept", [("168.25", "168.250"), ("-12", "348.000"), ("north", None), ("nan", None), (None, None)])
def test_ingest_keeps_a_scenes_azimuth_bearing_when_it_is_a_number(tmp_path, tag, kept):
    from icesight_backend.jobs.scenes import _geometry_tags

    path = tmp_path / "tagged.tif"
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="float32") as dst:
        dst.write(np.zeros((1, 4, 4), dtype=np.float32))
        if tag is not None:
            dst.update_tags(azimuth_bearing_deg=tag)
    assert _geometry_tags(path) == ({} if kept is None else {"azimuth_bearing_deg": kept})
