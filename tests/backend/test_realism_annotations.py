"""The SAFE reader's calibration and noise parsers on real Sentinel-1 annotations (data/sentinel1_annotation,
shipped with the repository), and the simulator's noise floor across range and impulse response against
what they give."""

from __future__ import annotations

import copy
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from rasterio.windows import Window

from icesight_backend.sar.readers import SarFormatError
from icesight_backend.sar.readers.safe import (
    ThermalNoise,
    noise_block,
    read_annotation,
    sigma_nought_lut,
    thermal_noise,
)
from icesight_backend.sar.realism import (
    annotation_noise,
    fit_beam_noise_profile,
    measurement_noise,
    processing_windows,
)
from icesight_backend.sar.simulation import (
    MODES,
    hamming_sidelobe_db,
    noise_floor_profile_db,
    nominal_impulse_response,
    response_lobes,
)
from icesight_contract import AcquisitionMode, SimulateSceneParams

DATA = Path(__file__).resolve().parents[2] / "data" / "sentinel1_annotation"
#: A whole IW GRDH product's VH annotations (IPF 3.31): the product type the SAFE reader ingests.
GRD = DATA / "S1A_IW_GRDH_1SDV_20210119T031653_20210119T031718_036201_043ED0_8255"
#: The VH noise annotation of an IW GRDH product of IPF 2.36 (February 2015): the range-only layout.
GRD_IPF_2 = DATA / "S1A_IW_GRDH_1SDV_20150222T170750_20150222T170815_004739_005DD8_3768"


def _annotation(kind: str, swath: str, folder: Path = DATA) -> ET.Element:
    prefix = {"product": "", "calibration": "calibration-", "noise": "noise-"}[kind]
    (path,) = folder.glob(f"{prefix}s1?-{swath}-*-vh-*.xml.gz")
    return read_annotation(path)


@pytest.fixture(scope="module")
def subswaths():
    assert DATA.is_dir(), f"real Sentinel-1 annotations not found at {DATA}"
    found = annotation_noise(DATA)
    assert [sub.swath for sub in found] == ["IW1", "IW2"]
    return {sub.swath.lower(): sub for sub in found}


def test_real_ipf_3_noise_annotations_parse_in_their_range_and_azimuth_layout():
    for swath, n_range in (("iw1", 10), ("iw2", 11)):
        floor = thermal_noise(_annotation("noise", swath))
        assert len(floor.range_lines) == n_range and np.all(np.diff(floor.range_lines) > 0)
        # One azimuth block per sub-swath of an SLC product, spanning its samples.
        ((first_line, last_line, first_sample, last_sample, lines, values),) = floor.azimuth_blocks
        assert first_line == 0 and last_line > 10000 and first_sample == 0 and last_sample > 20000
        assert len(lines) == len(values) and np.all(values > 0)


def test_the_real_noise_equivalent_sigma0_is_in_the_mission_range_and_lowest_inside_each_beam(subswaths):
    for sub in subswaths.values():
        assert sub.swath in ("IW1", "IW2") and sub.polarisation == "VH"
        assert sub.ipf_layout == "range and azimuth vectors"
        # Sentinel-1 specifies an NESZ better than -22 dB; the floor is calibrated like sigma0 (eta / A^2).
        assert np.all(np.isfinite(sub.nesz_db))
        assert -29.0 < sub.nesz_db.min() and sub.nesz_db.max() < -22.0
        # The antenna's elevation pattern: lowest inside the beam, higher at both edges.
        assert 0.2 < sub.lowest_at < 0.8
        n = len(sub.nesz_db)
        assert sub.nesz_db[: n // 20].mean() > sub.nesz_db.min() + 1.0
        assert sub.nesz_db[-n // 20 :].mean() > sub.nesz_db.min() + 1.0


def test_the_simulators_noise_floor_across_range_matches_the_real_annotation(subswaths):
    nominal = SimulateSceneParams().noise_rise_db
    iw = MODES[AcquisitionMode.IW]
    for sub in subswaths.values():
        # The simulator's parabola describes a real beam to a few tenths of a dB ...
        assert sub.fit_rms_db < 0.6
        # (bursts scallop the floor along azimuth, by under a dB, which the simulator leaves out)
        assert 0.1 < sub.along_azimuth_db < 1.5
        # ... with a rise near the nominal one and inside the randomised range (0 - 10 dB).
        assert 1.0 < sub.rise_db < 6.0 and abs(sub.rise_db - nominal) < 2.0
        assert abs(sub.level_db - iw.nesz_db) < 3.0
        # The mode's incidence range holds each sub-swath.
        assert iw.inc_near_deg - 1.5 < sub.incidence_deg[0] < sub.incidence_deg[1] < iw.inc_far_deg
    # Neighbouring beams step by less than the nominal rise (the simulator draws steps up to it).
    assert 0.5 < abs(subswaths["iw1"].level_db - subswaths["iw2"].level_db) < nominal


def test_fit_recovers_a_known_beam_and_bad_annotation_folders_are_refused_by_name(tmp_path):
    position = (np.arange(500) + 0.5) / 500
    rise, level, rms = fit_beam_noise_profile(noise_floor_profile_db(position, 1, 2.7, np.array([-25.0])))
    assert rise == pytest.approx(2.7, abs=1e-9) and level == pytest.approx(-25.0, abs=1e-9) and rms < 1e-9
    for bad in (np.array([-25.0, -24.0]), np.array([-25.0, np.nan, -24.0, -23.0])):
        with pytest.raises(ValueError, match="at least 3 samples, all finite"):
            fit_beam_noise_profile(bad)
    empty = ET.fromstring("<noise><noiseRangeVectorList count='0'/></noise>")
    with pytest.raises(SarFormatError, match="no thermal noise vector"):
        measurement_noise(_annotation("product", "iw1"), _annotation("calibration", "iw1"), empty)
    with pytest.raises(SarFormatError, match="no noise annotation"):
        annotation_noise(tmp_path)
    (noise,) = DATA.glob("noise-s1b-iw1-*.xml.gz")
    shutil.copy(noise, tmp_path / noise.name)
    with pytest.raises(SarFormatError, match="missing: s1b-iw1.*, calibration-s1b-iw1.*Copy them from the product"):
        annotation_noise(tmp_path)
    (tmp_path / noise.name.removeprefix("noise-")).write_bytes(b"not gzip")
    (tmp_path / f"calibration-{noise.name.removeprefix('noise-')}").write_bytes(b"not gzip")
    with pytest.raises(SarFormatError, match="not a readable annotation XML"):
        annotation_noise(tmp_path)
    truncated = tmp_path / "truncated.xml.gz"
    truncated.write_bytes(noise.read_bytes()[:5000])
    with pytest.raises(SarFormatError, match="truncated.xml.gz: not a readable annotation XML"):
        read_annotation(truncated)
    # A sub-swath whose calibration gives no finite floor is refused by name.
    calibration = _annotation("calibration", "iw1")
    for vector in calibration.iter("sigmaNought"):
        vector.text = " ".join("0" for _ in vector.text.split())
    with pytest.raises(SarFormatError, match="IW1: a beam's noise floor needs at least 3 samples"):
        measurement_noise(_annotation("product", "iw1"), calibration, _annotation("noise", "iw1"))


def test_the_simulators_impulse_response_has_the_sidelobes_of_the_real_processing_windows():
    seen = {}
    for path in sorted(DATA.glob("s1*.xml.gz")):
        annotation = read_annotation(path)
        mode = AcquisitionMode(annotation.findtext("adsHeader/mode"))
        for swath, range_weight, azimuth_weight in processing_windows(annotation):
            seen[swath] = (range_weight, azimuth_weight)
            real = [hamming_sidelobe_db(range_weight), hamming_sidelobe_db(azimuth_weight)]
            geometry = MODES[mode]
            assert min(real) - 1.0 <= geometry.psf_sidelobe_db <= max(real) + 1.0, (swath, real, geometry)
            # The response the simulator renders with has that level and the mode's -3 dB width.
            fine = np.linspace(0, 12, 4801)
            measured_db, width = response_lobes(fine, nominal_impulse_response(geometry).response(fine))
            assert measured_db == pytest.approx(geometry.psf_sidelobe_db, abs=0.5)
            assert width == pytest.approx(geometry.psf_width_px, abs=0.02)
    # IW: 0.75 / 0.70 and 0.75 / 0.75 (about -21 to -24 dB); EW: 0.60 / 0.50 (-31.5 dB either way).
    assert seen == {"IW1": (0.75, 0.70), "IW2": (0.75, 0.75), "EW1": (0.60, 0.50)}
    assert hamming_sidelobe_db(0.5) == pytest.approx(-31.5, abs=0.1)
    assert hamming_sidelobe_db(1.0) == pytest.approx(-13.26, abs=0.05)
    for coefficient in (1.5, 0.3):
        with pytest.raises(ValueError, match=r"coefficient lies in \[0.5, 1.0\]"):
            hamming_sidelobe_db(coefficient)
    bad = read_annotation(next(DATA.glob("s1a-ew1-*.xml.gz")))
    bad.find(".//swathProcParams/rangeProcessing/windowType").text = "Kaiser"
    with pytest.raises(SarFormatError, match="rangeProcessing window 'Kaiser'"):
        processing_windows(bad)


@pytest.fixture(scope="module")
def grd_subswaths():
    return annotation_noise(GRD)


def test_a_real_grd_measurement_splits_into_its_three_sub_swaths_of_nearly_equal_width(grd_subswaths):
    assert [sub.swath for sub in grd_subswaths] == ["IW1", "IW2", "IW3"]
    annotation = _annotation("product", "iw", GRD)
    samples = int(annotation.findtext("imageAnnotation/imageInformation/numberOfSamples"))
    # The azimuth noise blocks tile the image's samples, near to far range, without gap or overlap ...
    spans = [sub.samples for sub in grd_subswaths]
    assert spans[0][0] == 0 and spans[-1][1] == samples - 1
    assert all(far[0] == near[1] + 1 for near, far in zip(spans[:-1], spans[1:], strict=True))
    # ... in beams of nearly equal width on the ground, as the simulator takes them.
    widths = np.array([last - first + 1 for first, last in spans])
    assert widths.max() / widths.min() < 1.06
    # Incidence runs on across the seams; the mode's incidence range holds the swath.
    iw = MODES[AcquisitionMode.IW]
    for near, far in zip(grd_subswaths[:-1], grd_subswaths[1:], strict=True):
        assert abs(far.incidence_deg[0] - near.incidence_deg[1]) < 1.0
    # (The far edge reaches 46.02 deg: ESA gives IW's range as 29.1 - 46.0 deg.)
    assert iw.inc_near_deg < grd_subswaths[0].incidence_deg[0] and grd_subswaths[-1].incidence_deg[1] < iw.inc_far_deg + 0.1
    # Damaged blocks, whose samples leave the image, are refused by sub-swath.
    noise = _annotation("noise", "iw", GRD)
    for vector in noise.iter("noiseAzimuthVector"):
        if vector.findtext("swath") == "IW2":
            vector.find("firstRangeSample").text = str(samples + 10)
    with pytest.raises(SarFormatError, match="sub-swath IW2 has a noise block over samples 25941 - 17561, not a run of samples inside the image's 0 - 25930; check that the noise annotation belongs"):
        measurement_noise(annotation, _annotation("calibration", "iw", GRD), noise)


def test_the_simulators_noise_floor_matches_a_real_grd_swath_and_where_it_does_not(grd_subswaths):
    nominal = SimulateSceneParams().noise_rise_db
    iw = MODES[AcquisitionMode.IW]
    for sub in grd_subswaths:
        assert sub.ipf_layout == "range and azimuth vectors" and np.all(np.isfinite(sub.nesz_db))
        # (IW3's far edge reaches -21.8 dB, just above the -22 dB the mission specifies)
        assert -30.0 < sub.nesz_db.min() and sub.nesz_db.max() < -21.5
        assert 0.2 < sub.lowest_at < 0.8 and 0.0 < sub.rise_db < 10.0  # inside the randomised range
        assert abs(sub.level_db - iw.nesz_db) < 3.5
    # The near beams fit the simulator's parabola within a few tenths of a dB; the far beam's floor
    # climbs more steeply towards far range than towards near range, which a symmetric parabola
    # misses by about a dB (docs/simulator.md).
    assert [sub.fit_rms_db < 0.6 for sub in grd_subswaths] == [True, True, False]
    assert grd_subswaths[-1].fit_rms_db < 1.5
    # The floor falls from beam to beam towards far range, by steps smaller than the nominal rise.
    steps = np.diff([sub.level_db for sub in grd_subswaths])
    assert np.all(steps < -0.5) and np.all(np.abs(steps) < nominal)


def test_zero_noise_beyond_a_grd_swaths_far_edge_marks_no_data_and_does_not_pull_the_floor_down():
    noise = _annotation("noise", "iw", GRD)
    floor = thermal_noise(noise)
    lut = sigma_nought_lut(_annotation("calibration", "iw", GRD))
    vector = noise.find("noiseRangeVectorList/noiseRangeVector")  # the first, as the annotation has it
    first = float(vector.findtext("line"))
    pixels, values = (np.array(vector.findtext(tag).split(), dtype=np.float64) for tag in ("pixel", "noiseRangeLut"))
    assert values[-1] == 0.0 and values[0] > 0.0  # the vector's far end lies outside the valid data
    # The reader keeps the positive nodes only.
    assert first == floor.range_lines[0] and np.array_equal(floor.range_pixels[0], pixels[values > 0])
    last_valid = int(pixels[values > 0][-1])
    next_node = int(pixels[pixels > last_valid][0])
    nesz_db = 10 * np.log10(noise_block(floor, lut, Window(last_valid - 400, int(first), 800, 1))[0])
    # Between the last positive node and the first zero one the floor holds its level: no ramp towards
    # zero over samples that may still hold data.
    assert np.all(np.isfinite(nesz_db))
    assert np.ptp(nesz_db[400 : 400 + next_node - last_valid + 1]) < 0.05
    # Samples beyond the last positive node of the vectors around a line are marked as without data.
    beyond = floor.no_data(np.array([first]), last_valid + 50)[0]
    assert not beyond[: last_valid + 1].any() and beyond[last_valid + 1 :].all()


def test_a_real_ipf_2_noise_annotation_parses_in_its_range_only_layout():
    noise = read_annotation(next(GRD_IPF_2.glob("noise-s1a-iw-grd-vh-*.xml.gz")))
    assert noise.find("noiseRangeVectorList") is None and len(noise.findall("noiseVectorList/noiseVector")) == 27
    # This product's noise LUT is zero throughout as distributed: no floor, so no noise band.
    assert thermal_noise(noise) is None
    # A vector of zeros marks lines without data: it is left out, not interpolated towards.
    first = next(noise.iter("noiseLut"))
    first.text = " ".join("1e3" for _ in first.text.split())
    alone = thermal_noise(noise)
    assert len(alone.range_lines) == 1 and np.allclose(alone.power(Window(0, 5000, 300, 2)), 1e3)
    for lut in noise.iter("noiseLut"):
        lut.text = " ".join("1e3" for _ in lut.text.split())
    floor = thermal_noise(noise)
    assert len(floor.range_lines) == 27 and {len(p) for p in floor.range_pixels} == {636}
    assert floor.azimuth_blocks == [] and floor.block_swaths == []
    with pytest.raises(SarFormatError, match="a range vector has no positive value"):
        ThermalNoise(floor.range_lines, floor.range_pixels, [np.zeros(636), *floor.range_values[1:]], [], [])
    assert np.allclose(floor.power(Window(0, 0, 300, 2)), 1e3)


def test_the_grd_products_processing_windows_give_iws_sidelobe_level():
    windows = processing_windows(_annotation("product", "iw", GRD))
    # GRDH weights range 0.70 / 0.73 / 0.75 and azimuth 0.70 / 0.75 / 0.75: -24 to -21 dB.
    assert windows == [("IW1", 0.70, 0.70), ("IW2", 0.73, 0.75), ("IW3", 0.75, 0.75)]
    levels = [hamming_sidelobe_db(weight) for _, *weights in windows for weight in weights]
    assert min(levels) - 1.0 <= MODES[AcquisitionMode.IW].psf_sidelobe_db <= max(levels) + 1.0


def _grd_noise_with_seams_at(seams: dict[str, tuple[int, int]]) -> ET.Element:
    """The GRD's noise annotation with each named sub-swath's block split at the middle line, the
    second half spanning the given samples: seams that move along azimuth, as in EW products."""
    noise = _annotation("noise", "iw", GRD)
    vectors = noise.find("noiseAzimuthVectorList")
    for vector in list(vectors):
        name = vector.findtext("swath")
        if name not in seams:
            continue
        second = copy.deepcopy(vector)
        middle = int(vector.findtext("lastAzimuthLine")) // 2
        vector.find("lastAzimuthLine").text = str(middle)
        second.find("firstAzimuthLine").text = str(middle + 1)
        second.find("firstRangeSample").text, second.find("lastRangeSample").text = map(str, seams[name])
        vectors.append(second)
    return noise


def test_seams_that_move_along_azimuth_are_followed_line_by_line(grd_subswaths):
    annotation, calibration = _annotation("product", "iw", GRD), _annotation("calibration", "iw", GRD)
    moved = measurement_noise(annotation, calibration, _grd_noise_with_seams_at({"IW1": (0, 8500),
                                                                                  "IW2": (8501, 17561)}))
    assert [sub.swath for sub in moved] == ["IW1", "IW2", "IW3"]
    # Each line's beam is resampled to the beam's median width: the profile keeps its shape.
    for before, after in zip(grd_subswaths, moved, strict=True):
        assert after.rise_db == pytest.approx(before.rise_db, abs=0.5)
        assert after.level_db == pytest.approx(before.level_db, abs=0.3)
    # Half the lines end IW1 at 8500, half at 8742: the beam's median width is the mean of the two.
    assert moved[0].samples == (0, 8621) and moved[1].samples[1] == 17561
    with pytest.raises(SarFormatError, match=r"sub-swaths IW1 \(0 - 9000\) and IW2 \(8743 - 17561\) overlap at line"):
        measurement_noise(annotation, calibration, _grd_noise_with_seams_at({"IW1": (0, 9000)}))
    # Blocks over lines the image does not have are refused by sub-swath.
    noise = _annotation("noise", "iw", GRD)
    for vector in noise.iter("noiseAzimuthVector"):
        if vector.findtext("swath") == "IW3":
            vector.find("firstAzimuthLine").text, vector.find("lastAzimuthLine").text = "90000", "99999"
    with pytest.raises(SarFormatError, match="sub-swath IW3's noise blocks cover none of the image's lines"):
        measurement_noise(annotation, calibration, noise)
