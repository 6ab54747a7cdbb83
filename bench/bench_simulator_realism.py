"""Simulator radiometry against the real OpenSARShip chips (IW GRDH, VV/VH): prints the table.
Then the simulator's noise floor across range against a real product's noise annotation.

Both simulator families (A, B) are compared, three seeds each. The noise floor: the noise-equivalent
sigma0 across each sub-swath of the real annotations in data/sentinel1_annotation and its product
folders (IW SLC sub-swaths IW1-IW2 and a whole IW GRDH swath IW1-IW3, VH), read with the SAFE reader
and averaged over the sub-swath's lines, and the simulator's beam profile fitted to it, next to the
simulator's nominal rise, step and level.

Usage: python bench/bench_simulator_realism.py [--data data/opensarship] [--annotations data/sentinel1_annotation]
       [--noise-only]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from icesight_backend.sar.readers import SarFormatError
from icesight_backend.sar.readers.opensarship import read_opensarship
from icesight_backend.sar.realism import annotation_noise, compare_with_opensarship
from icesight_backend.sar.simulation import FAMILIES, MODES
from icesight_contract import AcquisitionMode, SimulateSceneParams

ROOT = Path(__file__).resolve().parents[1]


def noise_floor(folder: Path) -> None:
    rise = SimulateSceneParams().noise_rise_db
    iw = MODES[AcquisitionMode.IW]
    print(f"\nnoise floor across range: real annotations in {folder} and its product folders (read with the SAFE "
          f"reader) against the simulator (IW NESZ {iw.nesz_db:.1f} dB, {iw.subswaths} equally wide beams, nominal "
          f"rise {rise:.1f} dB, steps between beams up to {rise:.1f} dB)")
    for product in [folder, *sorted(p for p in folder.iterdir() if p.is_dir())]:
        print(f" {product.name}:")
        try:
            found = annotation_noise(product)
        except SarFormatError as exc:
            print(f"   not measured: {exc}")
            continue
        for sub in found:
            n = len(sub.nesz_db)
            print(f"   {sub.swath} {sub.polarisation} ({sub.ipf_layout}), samples {sub.samples[0]}-{sub.samples[1]}, "
                  f"incidence {sub.incidence_deg[0]:.1f}-{sub.incidence_deg[1]:.1f} deg: NESZ {sub.nesz_db.min():.1f} "
                  f"to {sub.nesz_db.max():.1f} dB (near edge {sub.nesz_db[: n // 20].mean():.1f}, far edge "
                  f"{sub.nesz_db[-n // 20 :].mean():.1f}); lowest {sub.lowest_at:.0%} across; fitted rise "
                  f"{sub.rise_db:.2f} dB about {sub.level_db:.2f} dB, rms residual {sub.fit_rms_db:.2f} dB; along "
                  f"azimuth the line means span {sub.along_azimuth_db:.2f} dB")
        for near, far in zip(found[:-1], found[1:], strict=True):
            print(f"   step {near.swath} -> {far.swath}: {far.level_db - near.level_db:+.2f} dB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "opensarship")
    parser.add_argument("--annotations", type=Path, default=ROOT / "data" / "sentinel1_annotation")
    parser.add_argument("--noise-only", action="store_true", help="only the noise floor across range")
    args = parser.parse_args()
    if args.noise_only:
        noise_floor(args.annotations)
        raise SystemExit(0)
    chips = read_opensarship(args.data)
    print(f"real chips: {args.data} (OpenSARShip, IW GRDH, VV as co-pol, VH as cross-pol); simulated: the nominal "
          "simulator of each family (no domain randomisation), eight paired with each chip")
    for family in FAMILIES:
        for seed in (0, 1, 2):
            report = compare_with_opensarship(chips, seed=seed, family=family, repeats=8)
            verdict = "within tolerance" if not report.failures else "OUT: " + ", ".join(report.failures)
            print(f"family {family}, seed {seed}: {verdict}")
            print(report.table())
    noise_floor(args.annotations)
