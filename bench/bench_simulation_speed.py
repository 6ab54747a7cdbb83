"""Patch simulation time with the Gamma quantile tables as they are (step ``_QUANTILE_STEP`` in
normal score, cell found by arithmetic) against the former tables (step 0.0012, looked up by
``np.interp``), in one process and on the same seeds. Speckle, noise and texture are all drawn
through these tables, and most patches build one of their own (the texture's shape parameter
follows each patch's wind).

Usage: python bench/bench_simulation_speed.py [--n 400] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time
from contextlib import contextmanager

import numpy as np

from icesight_backend.sar import simulation
from icesight_backend.sar.simulation import simulate_patches
from icesight_contract import AcquisitionMode

FORMER_STEP = 0.0012


def _interp_lookup(table: simulation._QuantileTable, z: np.ndarray) -> np.ndarray:
    grid = table.z0 + table.step * np.arange(table.last_cell + 2)
    return np.interp(z, grid, table.values)


@contextmanager
def _former_tables():
    step, lookup = simulation._QUANTILE_STEP, simulation._QuantileTable.__call__
    simulation._QUANTILE_STEP, simulation._QuantileTable.__call__ = FORMER_STEP, _interp_lookup
    simulation._gamma_quantile_table.cache_clear()
    try:
        yield
    finally:
        simulation._QUANTILE_STEP, simulation._QuantileTable.__call__ = step, lookup
        simulation._gamma_quantile_table.cache_clear()


def _best_time(n: int, repeats: int, mode: AcquisitionMode, randomise: bool) -> tuple[float, np.ndarray]:
    times = []
    for _ in range(repeats):
        simulation._gamma_quantile_table.cache_clear()
        start = time.perf_counter()
        patches = simulate_patches(n, seed=0, mode=mode, randomise=randomise)
        times.append(time.perf_counter() - start)
    return min(times), patches.band_1_db


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"table step now {simulation._QUANTILE_STEP} (arithmetic lookup), former {FORMER_STEP} (np.interp)")
    for mode in (AcquisitionMode.EW, AcquisitionMode.IW):
        for randomise in (False, True):
            now, now_db = _best_time(args.n, args.repeats, mode, randomise)
            with _former_tables():
                former, former_db = _best_time(args.n, args.repeats, mode, randomise)
            print(f"{mode.value} {'randomised' if randomise else 'nominal   '}: simulate_patches({args.n}) best of "
                  f"{args.repeats}: now {now:.2f} s, former {former:.2f} s, {former / now:.2f}x faster; "
                  f"largest pixel difference {np.max(np.abs(now_db - former_db)):.1e} dB")
