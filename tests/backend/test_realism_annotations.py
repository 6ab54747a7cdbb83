"""The SAFE reader's calibration and noise parsers on real Sentinel-1 annotations (data/sentinel1_annotation,
shipped with the repository), and the simulator's noise floor across range and impulse response against
what they give."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from icesight_backend.sar.readers import SarFormatError
from icesight_backend.sar.readers.safe import read_annotation, thermal_noise
from icesight_backend.sar.realism import (
    annotation_noise,
    fit_beam_noise_profile,
    processing_windows,
    subswath_noise,
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


def _annotation(kind: str, swath: str) -> ET.Element:
    prefix = {"product": "", "calibration": "calibration-", "noise": "noise-"}[kind]
    (path,) = DATA.glob(f"{prefix}s1b-{swath}-slc-vh-*.xml.gz")
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
        subswath_noise(_annotation("product", "iw1"), _annotation("calibration", "iw1"), empty)
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
        subswath_noise(_annotation("product", "iw1"), calibration, _annotation("noise", "iw1"))


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
