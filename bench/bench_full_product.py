"""A whole Sentinel-1 IW GRDH product through ingest and detection: time and peak memory of each
stage, as the service's jobs run them, against reading the product's digital numbers once.

Data: the annotations of the real Sentinel-1A IW GRDH product in ``data/sentinel1_annotation``
(19 January 2021; 25,931 x 16,854 samples of 10 m; geolocation grid, sigmaNought LUT, noise
vectors), moved 7.5 degrees east from land onto the sea. The product has no image data there, so the bench writes measurement TIFFs of the
product's full size: open sea (VV -18 dB, VH -26 dB over the annotation's noise, gamma speckle of
4.4 looks; no source beyond the mission's typical levels) with ``--targets`` bright point targets.
VV uses the VH annotation's calibration and geolocation (same grid; the VV LUT of a real product
differs by a constant). The folder is zipped as ESA distributes products (deflate), because that
is what ``POST /uploads`` takes.

Stages, each in its own process (peak resident memory is that process's):

- ``read DN`` (baseline): both measurements read once from the zip, 1024 lines at a time;
- ``ingest``: the ``ingest_scene`` job as a worker runs it (``run_job``: calibrate, noise floor, incidence, geocode with the thin-plate
  spline, write the scene COG);
- ``detect``: the ``detect_targets`` job (``run_job``) on that COG with the default settings.

    python bench/bench_full_product.py [--decimation 1] [--targets 200] [--workdir DIR] [--keep]

``--decimation 4`` writes a 40 m product of the same footprint (EW's spacing, 16x fewer pixels) in
about a minute. The product needs about 2 GB of disk per 10 m band and the stages some 10 GB more.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gzip
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
GRD = next((ROOT / "data" / "sentinel1_annotation").glob("S1A_IW_GRDH_1SDV_20210119*"))
ENL = 4.4
SEA_DB = {"vv": -18.0, "vh": -26.0}
#: The product's footprint (17-19 S, 32-35 E) is land in Mozambique, which the built-in land mask
#: leaves out whole; moved this far east it lies in the Mozambique Channel, clear of both coasts.
LONGITUDE_SHIFT_DEG = 7.5


def _annotation_text(kind: str) -> str:
    prefix = {"annotation": "s1a", "calibration": "calibration-s1a", "noise": "noise-s1a"}[kind]
    return gzip.decompress(next(GRD.glob(f"{prefix}-iw-grd-vh-*.xml.gz")).read_bytes()).decode()


def _edited(text: str, decimation: int) -> str:
    """The annotation moved :data:`LONGITUDE_SHIFT_DEG` east, at ``decimation`` times the pixel
    spacing: sizes, node positions and spacings scaled, everything else as it is."""
    root = ET.fromstring(text)
    for node in root.iter("longitude"):
        node.text = f"{float(node.text) + LONGITUDE_SHIFT_DEG:.9f}"
    info = root.find("imageAnnotation/imageInformation")
    if info is not None and decimation > 1:
        for tag in ("numberOfSamples", "numberOfLines"):
            node = info.find(tag)
            node.text = str(-(-int(node.text) // decimation))
        for tag in ("rangePixelSpacing", "azimuthPixelSpacing"):
            node = info.find(tag)
            node.text = repr(float(node.text) * decimation)
    for node in root.iter() if decimation > 1 else ():
        if node.tag in ("line", "pixel") and node.text and len(node.text.split()) > 1:
            # A vector's node positions, kept apart as fractions (rounded, neighbours could meet).
            node.text = " ".join(f"{float(v) / decimation:.3f}" for v in node.text.split())
        elif node.tag in ("line", "pixel") and node.text:
            node.text = str(round(int(node.text) / decimation))
        elif node.tag in ("firstAzimuthLine", "lastAzimuthLine", "firstRangeSample", "lastRangeSample") and node.text:
            node.text = str(int(node.text) // decimation)
    return ET.tostring(root, encoding="unicode")


def _map_positions(annotation: ET.Element, rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Where the centres of measurement pixels (``rows``, ``cols``) lie on the map grid the SAFE
    reader puts the product on: (x, y) per pixel, through the same spline and control points."""
    from rasterio.transform import GCPTransformer

    from icesight_backend.sar.readers.geocoding import middle_crs, projected_gcps
    from icesight_backend.sar.readers.safe import WGS84, annotation_gcps, geolocation_grid

    lonlat = annotation_gcps(geolocation_grid(annotation))
    gcps = projected_gcps(lonlat, WGS84, middle_crs(lonlat, WGS84, shape[1], shape[0]))
    x, y = GCPTransformer(gcps, tps=True).xy(rows, cols, offset="center")
    return np.column_stack([x, y])


def build_product(folder: Path, decimation: int, targets: int, seed: int = 0) -> tuple[Path, tuple[int, int], np.ndarray]:
    """A zipped SAFE product on the real annotations, with measurement TIFFs of open sea and up to
    ``targets`` point targets (those drawn where the product has samples); returns the zip, the
    measurement's (height, width) and the targets' map positions (:func:`_map_positions`)."""
    import rasterio
    from rasterio.windows import Window

    from icesight_backend.sar.readers.safe import sigma_nought_lut, thermal_noise

    name = GRD.name + ".SAFE"
    safe = folder / name
    (safe / "annotation" / "calibration").mkdir(parents=True)
    (safe / "measurement").mkdir()
    texts = {kind: _edited(_annotation_text(kind), decimation) for kind in ("annotation", "calibration", "noise")}
    annotation = ET.fromstring(texts["annotation"])
    width = int(annotation.findtext("imageAnnotation/imageInformation/numberOfSamples"))
    height = int(annotation.findtext("imageAnnotation/imageInformation/numberOfLines"))
    lut = sigma_nought_lut(ET.fromstring(texts["calibration"]))
    noise = thermal_noise(ET.fromstring(texts["noise"]))
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(50, height - 50, targets), rng.integers(50, width - 50, targets)
    if noise is not None:  # none in the swath's no-data margins, where the product has no samples
        inside = ~np.array([noise.no_data(np.array([float(r)]), width)[0, c] for r, c in zip(rows, cols, strict=True)])
        rows, cols = rows[inside], cols[inside]
    stem = "iw-grd-{pol}-20210119t031653-20210119t031718-036201-043ed0-00{n}"
    for n, pol in ((1, "vv"), (2, "vh")):
        base = stem.format(pol=pol, n=n)
        (safe / "annotation" / f"s1a-{base}.xml").write_text(texts["annotation"])
        (safe / "annotation" / "calibration" / f"calibration-s1a-{base}.xml").write_text(texts["calibration"])
        (safe / "annotation" / "calibration" / f"noise-s1a-{base}.xml").write_text(texts["noise"])
        profile = {"driver": "GTiff", "width": width, "height": height, "count": 1, "dtype": "uint16"}
        with rasterio.open(safe / "measurement" / f"s1a-{base}.tiff", "w", **profile) as dst:
            for row in range(0, height, 1024):
                window = Window(0, row, width, min(1024, height - row))
                lines = np.arange(row, row + window.height, dtype=np.float64)
                a = lut.block(window)
                sigma0 = 10 ** (SEA_DB[pol] / 10) * rng.gamma(ENL, 1 / ENL, (window.height, width))
                near = (rows + 1 >= row) & (rows - 1 < row + window.height)  # 3 x 3 px, across blocks too
                for r, c in zip(rows[near] - row, cols[near], strict=True):
                    sigma0[max(r - 1, 0):max(r + 2, 0), c - 1:c + 2] = 10 ** ((SEA_DB[pol] + 25) / 10)
                power = sigma0 * a**2
                if pol == "vh" and noise is not None:
                    power += noise.power(window)
                power[noise.no_data(lines, width)] = 0
                dst.write(np.clip(np.sqrt(power), 0, 65535).round().astype(np.uint16), 1, window=window)
    zipped = folder / (GRD.name + ".zip")
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path in sorted(safe.rglob("*")):
            if path.is_file():
                archive.write(path, f"{name}/{path.relative_to(safe)}")
    shutil.rmtree(safe)
    return zipped, (height, width), _map_positions(annotation, rows, cols, (height, width))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _read_dn(zipped: str) -> dict:
    import rasterio
    from rasterio.windows import Window

    from icesight_backend.sar.readers.safe import open_safe

    product = open_safe(zipped)
    total = 0
    for band in product.bands.values():
        with rasterio.open(band.measurement) as src:
            for row in range(0, src.height, 1024):
                total += int(src.read(1, window=Window(0, row, src.width, min(1024, src.height - row))).size)
    return {"pixels": total, "peak_mb": _peak_mb()}


def _ingest(zipped: str, staging: str) -> dict:
    from icesight_backend.jobs import run_job
    from icesight_backend.jobs.base import SceneLimits

    out = run_job("bench-ingest", "ingest_scene", {"upload_id": "bench"},
                  {"upload_path": zipped, "staging_dir": staging, "scene_limits": SceneLimits()})
    result = out["result"]
    return {"cog": out["staged_cog"], "size": f"{result['width_px']} x {result['height_px']} px, {result['crs']}",
            "peak_mb": _peak_mb()}


def _detect(cog: str) -> dict:
    import io

    import geopandas as gpd

    from icesight_backend.jobs import run_job

    out = run_job("bench-detect", "detect_targets", {"scene_id": "bench"}, {"scene_path": cog})
    layer = gpd.read_file(io.BytesIO(next(a["data"] for a in out["artifacts"] if a["role"] == "detections")),
                          layer="detections")
    return {"at": np.column_stack([layer.geometry.x, layer.geometry.y]), "pixel_m": out["result"]["pixel_size_m"],
            "peak_mb": _peak_mb()}


#: How far, pixels, a detection may lie from a target's map position and find it.
MATCH_PX = 2


def _matched(targets: np.ndarray, detections: np.ndarray, reach_m: float) -> tuple[int, int, list[float]]:
    """How many targets a detection finds (:func:`~icesight_backend.sar.detection.nearest_match`,
    within ``reach_m``), how many detections find none, and how far the nearest detection lies from
    each target not found (metres)."""
    from icesight_backend.sar.detection import nearest_match

    reach = np.full(len(targets), reach_m)
    finds = [nearest_match(x, y, targets[:, 0], targets[:, 1], reach) for x, y in detections]
    found = {index for index in finds if index is not None}
    missed = [round(float(np.hypot(*(detections - targets[index]).T).min()), 1) if len(detections) else float("inf")
              for index in range(len(targets)) if index not in found]
    return len(found), finds.count(None), missed


def _stage(function, *args) -> tuple[float, dict]:
    """Run ``function(*args)`` in a fresh process; its wall time and what it returns."""
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        started = time.perf_counter()
        info = pool.submit(function, *args).result()
        return time.perf_counter() - started, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decimation", type=int, default=1, help="product samples of 10 m per pixel")
    parser.add_argument("--targets", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=None, help="where the product and scene are written")
    parser.add_argument("--keep", action="store_true", help="keep the product and the scene")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="icesight-full-", dir=args.workdir))
    try:
        started = time.perf_counter()
        zipped, (height, width), targets = build_product(workdir, args.decimation, args.targets)
        placed = len(targets)
        print(f"product: {GRD.name} annotations, {width} x {height} samples of {10 * args.decimation} m, "
              f"{placed} targets, zip {zipped.stat().st_size / 1e9:.2f} GB, built in "
              f"{time.perf_counter() - started:.0f} s")
        base_s, base = _stage(_read_dn, str(zipped))
        print(f"  read DN (baseline) {base_s:7.1f} s   peak {base['peak_mb']:7.0f} MB   "
              f"{base['pixels'] / 1e6:.0f} Mpx")
        ingest_s, ingest = _stage(_ingest, str(zipped), str(workdir / "staging"))
        print(f"  ingest             {ingest_s:7.1f} s   peak {ingest['peak_mb']:7.0f} MB   "
              f"{ingest_s / base_s:5.1f} x the baseline; scene {ingest['size']}")
        detect_s, detect = _stage(_detect, ingest["cog"])
        found, others, missed = _matched(targets, detect["at"], MATCH_PX * detect["pixel_m"])
        print(f"  detect             {detect_s:7.1f} s   peak {detect['peak_mb']:7.0f} MB   "
              f"{detect_s / base_s:5.1f} x the baseline; {found} of {placed} targets found within {MATCH_PX} px, "
              f"{others} other detections"
              + (f"; the nearest detection to each target missed lies {missed} m from it" if missed else ""))
        if args.keep:
            print(f"kept in {workdir}")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "backend"))
    main()
