"""Sentinel-1 GRD SAFE products: calibration with the sigmaNought LUT and geocoding from the
geolocation grid, on a SAFE-layout fixture built here with the real annotation structure."""

from __future__ import annotations

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
from icesight_backend.sar.readers.safe import calibrated_block, open_safe, safe_to_cog, sigma_nought_lut

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


def _vector_text(values) -> str:
    return " ".join(f"{v:.6e}" for v in values)


def build_safe(root: Path, pols=("HH", "HV"), with_calibration=True) -> tuple[Path, dict[str, np.ndarray]]:
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
                    f"<slantRangeTime>5.3e-03</slantRangeTime><line>{line}</line><pixel>{pixel}</pixel>"
                    f"<latitude>{lat:.10f}</latitude><longitude>{lon:.10f}</longitude><height>0</height>"
                    f"<incidenceAngle>{incidence(line, pixel):.8f}</incidenceAngle><elevationAngle>30</elevationAngle>"
                    "</geolocationGridPoint>"
                )
        header = (f"<adsHeader><missionId>S1A</missionId><productType>GRD</productType><polarisation>{pol}</polarisation>"
                  "<mode>EW</mode><swath>EW</swath><startTime>2026-03-01T08:15:00.000000</startTime>"
                  "<stopTime>2026-03-01T08:16:00.000000</stopTime><absoluteOrbitNumber>12345</absoluteOrbitNumber>"
                  "<missionDataTakeId>703710</missionDataTakeId><imageNumber>001</imageNumber></adsHeader>")
        (safe / "annotation" / f"{stem}.xml").write_text(
            f"<?xml version='1.0' encoding='UTF-8'?><product>{header}<imageAnnotation><imageInformation>"
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
        (safe / "annotation" / "calibration" / f"noise-{stem}.xml").write_text("<noise/>")
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
        assert src.descriptions == ("HH_sigma0_db", "HV_sigma0_db", "incidence_angle_deg")
        assert src.tags()["mode"] == "EW"
        hh = src.read(1)
        peak_row, peak_col = np.unravel_index(np.nanargmax(hh), hh.shape)
        x, y = radar_to_map(*TARGET)
        expected_col, expected_row = ~src.transform * (x, y)
        assert abs(peak_col + 0.5 - expected_col) <= 1.5 and abs(peak_row + 0.5 - expected_row) <= 1.5
        inc = src.read(3)[peak_row, peak_col]
        assert inc == pytest.approx(incidence(*TARGET), abs=0.2)
        sea = np.nanmedian(hh)
        assert sea == pytest.approx(10 * np.log10(np.median(truth["HH"][:, 5:])), abs=0.5)


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
    detected = api.wait(api.submit("detect_targets", {"scene_id": "safe-ew", "chunk_px": 256})["id"])
    assert detected["state"] == "succeeded", detected["error"]
    assert detected["result"]["looks"] == 10.7
    assert detected["result"]["n_detections"] >= 1  # the bright target
    # The upload was consumed: ingesting it again is refused, naming the field.
    again = api.post("/jobs", json={"kind": "ingest_scene", "params": {"upload_id": upload.json()["upload_id"]}})
    assert again.status_code == 422 and again.json()["error"]["field"] == "params.upload_id"
