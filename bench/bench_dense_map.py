"""Dense iceberg-probability map of a whole EW scene: fully convolutional against per-window.

Simulates (once, cached under out/bench/) an EW GRDM-like scene with known ships and icebergs,
trains (once, cached) a LeNet-like CNN briefly on simulated labelled patches, then in separate
processes (so each peak resident memory is its own):

- dense: ``learning.dense.probability_map`` over the whole scene (Dask chunks on local threads),
  written as a COG: wall time and peak RSS;
- per-window: ``classify_arrays(tta=False)`` on the 75 x 75 crop centred at every pixel of a
  small crop (default 48 x 48 px) in the middle of the scene, extrapolated to the scene as
  seconds per pixel; the dense map at the same pixels is compared with it (equal at the window
  grid, interpolated between).

Usage: python bench/bench_dense_map.py [--size 10000] [--crop 48] [--chunk 2048] [--random-weights]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def simulate(size: int, targets: int, out: Path) -> None:
    from icesight_backend.sar.io import write_simulated_scene_cog
    from icesight_backend.sar.scene import scene_layout
    from icesight_contract import SimulateSceneParams

    started = time.perf_counter()
    layout = scene_layout(SimulateSceneParams(width_px=size, height_px=size, n_ships=targets, n_icebergs=targets, seed=42))
    write_simulated_scene_cog(layout, out / "scene.tif", tags={"mode": "EW", "scene_id": f"BENCH_{size}"})
    print(f"simulated a {size} x {size} px EW scene block by block in {time.perf_counter() - started:.0f} s, "
          f"peak RSS {peak_rss_mb():.0f} MB")


def train(random_weights: bool, out: Path) -> None:
    import torch

    from icesight_backend.learning.data import Normalisation, arrays_from_simulation
    from icesight_backend.learning.models import ModelSpec, build_model
    from icesight_backend.learning.training import TrainedModel, TrainingConfig, train_model
    from icesight_backend.sar.simulation import simulate_patches
    from icesight_contract import ModelArchitecture, ModelMetrics

    started = time.perf_counter()
    arrays = arrays_from_simulation(simulate_patches(600, seed=7))
    if random_weights:
        torch.manual_seed(0)
        spec = ModelSpec(ModelArchitecture.LENET)
        untrained = ModelMetrics(val_log_loss=float("nan"), val_accuracy=float("nan"), val_roc_auc=float("nan"),
                                 n_train=0, n_validation=0)
        trained = TrainedModel(ModelArchitecture.LENET, build_model(spec).state_dict(), Normalisation.fit(arrays),
                               untrained, spec=spec)
        what = "LeNet with random weights (PyTorch default initialisation), normalisation of 600 simulated patches"
    else:
        trained = train_model(arrays, TrainingConfig(epochs=4, seed=1))
        what = (f"LeNet trained {trained.epochs_run} epochs on 480 of 600 simulated EW patches "
                f"(validation accuracy {trained.metrics.val_accuracy:.2f}, ROC AUC {trained.metrics.val_roc_auc:.2f})")
    (out / "model.pt").write_bytes(trained.to_bytes())
    (out / "model.txt").write_text(what)
    print(f"{what}, in {time.perf_counter() - started:.0f} s")


def load_model(out: Path):
    from icesight_backend.learning.training import LoadedModel

    return LoadedModel.from_bytes((out / "model.pt").read_bytes())


def dense(out: Path, chunk_px: int) -> None:
    from icesight_backend.learning.dense import probability_map

    model = load_model(out)
    baseline_mb = peak_rss_mb()
    started = time.perf_counter()
    result = probability_map(out / "scene.tif", model, out / "probability.tif", chunk_px=chunk_px,
                             tags={"model_id": "bench"})
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_rss_mb(), "rss_before_mb": baseline_mb,
                      "stride_px": result.stride_px, "chunk_px": result.chunk_px, "n_chunks": result.n_chunks,
                      "device": result.device}))


def per_window(out: Path, crop_px: int) -> None:
    import numpy as np
    import rasterio
    from rasterio.windows import Window

    from icesight_backend.learning.data import PatchArrays, stack_channels
    from icesight_backend.learning.dense import WINDOW_HALF_PX, DenseGrid
    from icesight_backend.learning.training import classify_arrays
    from icesight_contract import PATCH_SIZE_PX

    model = load_model(out)
    with rasterio.open(out / "scene.tif") as src:
        top = left = src.height // 2 - crop_px // 2
        side = crop_px + PATCH_SIZE_PX - 1
        co, cross, inc = src.read(window=Window(left - WINDOW_HALF_PX, top - WINDOW_HALF_PX, side, side))
    with rasterio.open(out / "probability.tif") as src:
        dense_values = src.read(1, window=Window(left, top, crop_px, crop_px))
    started = time.perf_counter()
    windows = np.lib.stride_tricks.sliding_window_view
    images = stack_channels(windows(co, (PATCH_SIZE_PX, PATCH_SIZE_PX)).reshape(-1, PATCH_SIZE_PX, PATCH_SIZE_PX),
                            windows(cross, (PATCH_SIZE_PX, PATCH_SIZE_PX)).reshape(-1, PATCH_SIZE_PX, PATCH_SIZE_PX))
    centre_inc = inc[WINDOW_HALF_PX : WINDOW_HALF_PX + crop_px, WINDOW_HALF_PX : WINDOW_HALF_PX + crop_px]
    arrays = PatchArrays([str(i) for i in range(len(images))], images, centre_inc.reshape(-1).astype(np.float32))
    probabilities = classify_arrays(model, arrays, tta=False).reshape(crop_px, crop_px)
    seconds = time.perf_counter() - started
    stride = int(json.loads((out / "dense.json").read_text())["stride_px"])
    grid = DenseGrid(stride)
    rows = np.arange(top, top + crop_px)
    on_grid = np.isclose(grid.position(rows) % 1, 0)
    difference = np.abs(dense_values - probabilities)
    print(json.dumps({
        "seconds": seconds, "pixels": crop_px * crop_px, "peak_rss_mb": peak_rss_mb(),
        "max_abs_diff_on_grid": float(difference[np.ix_(on_grid, on_grid)].max()),
        "max_abs_diff": float(difference.max()), "mean_abs_diff": float(difference.mean()),
        "probability_range": [float(probabilities.min()), float(probabilities.max())],
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10000, help="scene side in pixels")
    parser.add_argument("--targets", type=int, default=400, help="ships and icebergs each")
    parser.add_argument("--crop", type=int, default=48, help="side of the per-window crop in pixels")
    parser.add_argument("--chunk", type=int, default=2048, help="dense map chunk side in pixels")
    parser.add_argument("--random-weights", action="store_true", help="skip training: LeNet with random weights")
    parser.add_argument("--stage", choices=["simulate", "train", "dense", "window"])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or ROOT / "out" / "bench" / f"dense_{args.size}_{args.targets}"
    if args.stage == "simulate":
        return simulate(args.size, args.targets, out)
    if args.stage == "train":
        return train(args.random_weights, out)
    if args.stage == "dense":
        return dense(out, args.chunk)
    if args.stage == "window":
        return per_window(out, args.crop)

    out.mkdir(parents=True, exist_ok=True)
    me = [sys.executable, __file__, "--size", str(args.size), "--targets", str(args.targets), "--crop", str(args.crop),
          "--chunk", str(args.chunk), "--out", str(out)] + (["--random-weights"] if args.random_weights else [])
    if not (out / "scene.tif").exists():
        subprocess.run([*me, "--stage", "simulate"], check=True)
    model_kind = "random" if args.random_weights else "trained"
    if not (out / "model.pt").exists() or (out / "model.kind").read_text() != model_kind:
        subprocess.run([*me, "--stage", "train"], check=True)
        (out / "model.kind").write_text(model_kind)
    results = {}
    for stage in ("dense", "window"):
        line = subprocess.run([*me, "--stage", stage], check=True, capture_output=True, text=True,
                              env=os.environ).stdout.strip().splitlines()[-1]
        results[stage] = json.loads(line)
        if stage == "dense":
            (out / "dense.json").write_text(line)
    d, w = results["dense"], results["window"]
    pixels = args.size * args.size
    window_s_per_px = w["seconds"] / w["pixels"]
    extrapolated = window_s_per_px * pixels
    cores = os.cpu_count()
    print(f"Dense iceberg-probability map of a {args.size} x {args.size} px simulated EW scene "
          f"({(args.size * 40 / 1000) ** 2:,.0f} km^2 at 40 m) on {cores} CPU core(s), {d['device']}")
    print(f"  model: {(out / 'model.txt').read_text()}")
    print(f"  scene: {out / 'scene.tif'}; map: {out / 'probability.tif'}")
    print(f"  dense (fully convolutional, stride {d['stride_px']} px, {d['n_chunks']} chunks of {d['chunk_px']} px): "
          f"{d['seconds']:.1f} s = {d['seconds'] / pixels * 1e6:.2f} us/px, peak RSS {d['peak_rss_mb']:.0f} MB "
          f"({d['rss_before_mb']:.0f} MB before the map)")
    print(f"  per-window (classify_arrays, no TTA) on a {args.crop} x {args.crop} px crop: {w['seconds']:.1f} s = "
          f"{window_s_per_px * 1e6:.0f} us/px -> {extrapolated:,.0f} s ({extrapolated / 3600:.1f} h) for the scene, "
          f"peak RSS {w['peak_rss_mb']:.0f} MB")
    print(f"  speed-up: {extrapolated / d['seconds']:,.0f}x")
    print(f"  dense vs per-window on the crop: max |dp| {w['max_abs_diff_on_grid']:.1e} at window-grid pixels, "
          f"{w['max_abs_diff']:.3f} anywhere (bilinear between grid pixels), mean {w['mean_abs_diff']:.4f}; "
          f"per-window p in [{w['probability_range'][0]:.2f}, {w['probability_range'][1]:.2f}]")


if __name__ == "__main__":
    main()
