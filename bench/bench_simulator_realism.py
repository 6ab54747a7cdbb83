"""Simulator radiometry against the real OpenSARShip chips (IW GRDH, VV/VH): prints the table.

Usage: python bench/bench_simulator_realism.py [--data data/opensarship]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from icesight_backend.sar.readers.opensarship import read_opensarship
from icesight_backend.sar.realism import compare_with_opensarship

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "opensarship")
    args = parser.parse_args()
    chips = read_opensarship(args.data)
    for seed in (0, 1, 2):
        report = compare_with_opensarship(chips, seed=seed)
        print(f"seed {seed}: {'within tolerance' if not report.failures else 'OUT: ' + ', '.join(report.failures)}")
        print(report.table())
