"""Simulator radiometry against the real OpenSARShip chips (IW GRDH, VV/VH): prints the table.

Both simulator families (A, B) are compared, three seeds each.

Usage: python bench/bench_simulator_realism.py [--data data/opensarship]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from icesight_backend.sar.readers.opensarship import read_opensarship
from icesight_backend.sar.realism import compare_with_opensarship
from icesight_backend.sar.simulation import FAMILIES

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "opensarship")
    args = parser.parse_args()
    chips = read_opensarship(args.data)
    print(f"real chips: {args.data} (OpenSARShip, IW GRDH, VV as co-pol, VH as cross-pol); simulated: the nominal "
          "simulator of each family (no domain randomisation), paired chip by chip")
    for family in FAMILIES:
        for seed in (0, 1, 2):
            report = compare_with_opensarship(chips, seed=seed, family=family)
            verdict = "within tolerance" if not report.failures else "OUT: " + ", ".join(report.failures)
            print(f"family {family}, seed {seed}: {verdict}")
            print(report.table())
