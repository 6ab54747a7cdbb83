"""The simulator checked against real Sentinel-1 data: OpenSARShip ship chips (IW GRDH, VV/VH).

Each real chip is paired with a simulated one of the same ship length (AIS), incidence angle
and chip size, in IW geometry with VV as co-pol, so that the two sets of statistics differ only
by what the simulator gets wrong. Statistics per chip, as the data's README measures them: the
median pixel (mostly open sea) per band, and the ship's peak pixel per band (and, over the set,
how far the peaks scatter about a law in the ship's length, and how steeply that law rises); how strongly
neighbouring sea pixels are correlated (a ground-range product's speckle is correlated over its
resolution cell, about two pixels); how strongly sea pixels 60 m apart are, which is the
texture's correlation alone (the long waves that modulate the sea's brightness); and the sea's
normalised intensity variance (speckle, texture, and how the noise floor joins them).

The noise floor across range is checked against a real product's annotation instead
(:func:`measurement_noise`): the noise and calibration vectors of a sub-swath give its
noise-equivalent sigma0, whose shape the simulator's beam profile is fitted to.
"""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

import numpy as np
from rasterio.windows import Window

from icesight_contract import AcquisitionMode, ClassName, CoPol

from .readers import SarFormatError
from .readers.opensarship import OpenSarShipChip
from .readers.safe import (
    CALIBRATION_PREFIX,
    NOISE_PREFIX,
    ThermalNoise,
    geolocation_grid,
    incidence_interpolator,
    noise_block,
    read_annotation,
    sigma_nought_lut,
    thermal_noise,
)
from .simulation import (
    MODES,
    SHIP_BRIGHTNESS_SLOPE_RANGE_DB,
    ClutterParams,
    PatchNuisance,
    check_hamming_coefficient,
    db_to_linear,
    draw_ship,
    linear_to_db,
    noise_floor_profile_db,
    simulate_patch,
)

#: A statistic of the whole set rather than a median over chips: how far the ships' co-pol peaks
#: scatter (standard deviation, dB) about a straight line in log10 of their AIS length. The real
#: chips' peaks scatter about 5.4 dB; ships alike in length differ that much in superstructure,
#: material and aspect, and a simulator that scatters them less teaches a model that a dim ship is
#: an iceberg. With eight simulated chips a real one (``repeats=8``, 400) the figure moves by about
#: 0.25 dB from one seed to the next, with the default three by up to 1 dB: judge it with eight.
#: Left out of the report when fewer than three chips carry an AIS length.
PEAK_SCATTER = "peak_co_scatter_about_length"
#: A statistic of the whole set too: how many dB the ships' co-pol peak rises per decade of their
#: AIS length (the slope of the line :data:`PEAK_SCATTER` is taken about). The real chips' 17.1 dB
#: per decade (63-304 m; bootstrap 5-95 % 10.0-24.7), which the simulator's ship brightness law
#: follows (``simulation.SHIP_BRIGHTNESS_SLOPE_DB``). Judged to within the
#: measurement's standard error (:data:`PEAK_SLOPE_TOLERANCE`); with eight simulated chips a real
#: one and only with at least three chips of known length, as :data:`PEAK_SCATTER`.
PEAK_SLOPE = "peak_co_rise_per_decade_of_length"
#: The chips' slope's standard error, dB per decade (about 4.5 with 50 chips, 5.4 dB of scatter and
#: their spread of lengths), from its bootstrap 5-95 % range, which spans 1.645 of them each way.
PEAK_SLOPE_TOLERANCE = (SHIP_BRIGHTNESS_SLOPE_RANGE_DB[1] - SHIP_BRIGHTNESS_SLOPE_RANGE_DB[0]) / (
    2 * NormalDist().inv_cdf(0.95))
#: A statistic of the whole set too, reported and not judged: how many dB the ships' cross-pol peak
#: rises per dB of their co-pol peak (least-squares slope over the chips). On the real chips 0.49
#: (correlation 0.67; its standard error with 50 chips about 0.08): the bright ones are bright in
#: co-pol more than in cross-pol, so a dim ship is more cross-polarised than a bright one. The
#: simulator's ships keep one cross-pol ratio whatever their brightness and rise 0.86-0.92 (eight
#: simulated chips a real one, seeds 0-2). A simulator that follows the chips was measured and not
#: adopted (docs/simulator.md, "Data from an independent simulator"), so the rise has no tolerance.
#: Left out of the report for fewer than three chips.
CROSS_RISE = "peak_cross_rise_per_peak_co"
#: A statistic of the whole set too: how far the ships' peak ratio (co-pol peak over cross-pol peak,
#: dB) scatters from chip to chip (standard deviation). The real chips' 4.6 dB: ships of one size and
#: brightness differ in how cross-polarised they are (aspect, superstructure). A simulator that makes
#: them alike teaches a model that a cross-polarised ship is an iceberg. Judged with eight simulated
#: chips a real one, as :data:`PEAK_SCATTER`; left out of the report for fewer than three chips.
RATIO_SCATTER = "peak_ratio_scatter"
#: Agreement required between simulated and real medians (and the set statistics): dB, except the
#: correlations and the normalised variances (no unit). A statistic without a tolerance is reported only.
TOLERANCE_DB = {"sea_median_co": 2.0, "sea_median_cross": 2.0, "peak_co": 3.0, "peak_cross": 3.0, "peak_ratio": 3.0,
                "sea_lag1_corr_co": 0.15, "sea_lag1_corr_cross": 0.15, "sea_lag6_corr_co": 0.05,
                "sea_norm_var_co": 0.06, "sea_norm_var_cross": 0.06, PEAK_SCATTER: 0.6, PEAK_SLOPE: PEAK_SLOPE_TOLERANCE,
                RATIO_SCATTER: 0.6}
SET_STATISTICS = (PEAK_SCATTER, PEAK_SLOPE, CROSS_RISE, RATIO_SCATTER)
#: Lag, in IW pixels (60 m), at which the correlation of the sea is the texture's alone: the
#: speckle's, about a resolution cell wide, has died out (below 0.01 at three pixels).
TEXTURE_LAG_PX = 6


def _sea_mask(shape: tuple[int, int]) -> np.ndarray:
    """A chip's sea: everything outside its middle half, where the ship is."""
    h, w = shape
    sea = np.ones((h, w), dtype=bool)
    sea[h // 4 : h - h // 4, w // 4 : w - w // 4] = False
    return sea


def sea_normalised_variance(intensity: np.ndarray, sea: np.ndarray) -> float:
    """Variance over squared mean of the sea's linear intensity below its 99.5th percentile (a stray
    bright pixel aside): slightly below 1/L for pure speckle of L looks (0.213 for L = 4.4), more with
    texture. It tells whether noise and echo share one speckle (they do: the noise is added before
    detection) or have two (smoother)."""
    values = intensity[sea]
    values = values[values <= np.percentile(values, 99.5)]
    return float(values.var() / values.mean() ** 2)


def sea_correlation(intensity: np.ndarray, sea: np.ndarray, lag: int = 1) -> float:
    """Correlation of the linear intensities of sea pixels ``lag`` apart (rows and columns pooled)."""
    first, second = [], []
    for a, b, ok in ((intensity[:-lag], intensity[lag:], sea[:-lag] & sea[lag:]),
                     (intensity[:, :-lag], intensity[:, lag:], sea[:, :-lag] & sea[:, lag:])):
        first.append(a[ok])
        second.append(b[ok])
    return float(np.corrcoef(np.concatenate(first), np.concatenate(second))[0, 1])


def peak_line_in_length(peaks_db: list[float], lengths_m: list[float]) -> tuple[float, float]:
    """Ship peaks' least-squares line in log10 of the length: (standard deviation about it, dB;
    its slope, dB per decade of length)."""
    log_length = np.log10(np.asarray(lengths_m, dtype=np.float64))
    peaks = np.asarray(peaks_db, dtype=np.float64)
    line = np.polyfit(log_length, peaks, 1)
    residuals = peaks - np.polyval(line, log_length)
    return float(np.std(residuals, ddof=2)), float(line[0])  # two parameters fitted


def cross_rise_per_co_db(peaks_co_db: list[float], peaks_cross_db: list[float]) -> float:
    """Least-squares slope of the ships' cross-pol peaks (dB) on their co-pol peaks (dB)."""
    return float(np.polyfit(np.asarray(peaks_co_db, dtype=np.float64), np.asarray(peaks_cross_db, dtype=np.float64), 1)[0])


def chip_statistics(co: np.ndarray, cross: np.ndarray) -> dict[str, float]:
    """The compared statistics of one chip, from its linear co- and cross-pol intensities."""
    co, cross = np.asarray(co, dtype=np.float64), np.asarray(cross, dtype=np.float64)
    sea = _sea_mask(co.shape)
    peak_co, peak_cross = float(linear_to_db(co.max())), float(linear_to_db(cross.max()))
    return {
        "sea_median_co": float(linear_to_db(np.median(co))),
        "sea_median_cross": float(linear_to_db(np.median(cross))),
        "peak_co": peak_co,
        "peak_cross": peak_cross,
        "peak_ratio": peak_co - peak_cross,
        "sea_lag1_corr_co": sea_correlation(co, sea),
        "sea_lag1_corr_cross": sea_correlation(cross, sea),
        "sea_lag6_corr_co": sea_correlation(co, sea, TEXTURE_LAG_PX),
        "sea_norm_var_co": sea_normalised_variance(co, sea),
        "sea_norm_var_cross": sea_normalised_variance(cross, sea),
    }


@dataclass
class RealismReport:
    n_chips: int
    incidence_range_deg: tuple[float, float]
    #: Medians over the chips of :func:`chip_statistics`, then the set's statistics
    #: (:data:`SET_STATISTICS`: :data:`PEAK_SCATTER` and :data:`PEAK_SLOPE` when at least three chips carry an AIS length,
    #: :data:`CROSS_RISE` and :data:`RATIO_SCATTER` when there are at least three chips).
    real_median: dict[str, float]
    simulated_median: dict[str, float]
    tolerance_db: dict[str, float] = field(default_factory=lambda: dict(TOLERANCE_DB))
    #: 10th and 90th percentiles over chips, for reading the spread (no tolerance: with 50 chips a
    #: tail percentile moves by about 1 dB from one sample to the next).
    real_tails: dict[str, tuple[float, float]] = field(default_factory=dict)
    simulated_tails: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def difference_db(self) -> dict[str, float]:
        return {k: self.simulated_median[k] - self.real_median[k] for k in self.real_median}

    @property
    def failures(self) -> list[str]:
        return [k for k, d in self.difference_db.items() if k in self.tolerance_db and abs(d) > self.tolerance_db[k]]

    def table(self) -> str:
        lines = [
            f"OpenSARShip comparison: {self.n_chips} IW GRDH chips, incidence "
            f"{self.incidence_range_deg[0]:.1f}-{self.incidence_range_deg[1]:.1f} deg, co-pol VV, cross-pol VH",
            f"{'statistic (median over chips)':32s} {'real':>8s} {'sim':>8s} {'diff':>6s} {'tol':>5s}"
            f"   {'real p10-p90':>13s} {'sim p10-p90':>13s}   (dB; correlations, normalised variances and the rise "
            "have no unit" + "".join(f"; {k}: the set's" for k in SET_STATISTICS if k in self.real_median) + ")",
        ]
        for key in self.real_median:  # the medians, then the set's statistics
            tolerance = f"{self.tolerance_db[key]:5.2f}" if key in self.tolerance_db else f"{'-':>5s}"  # reported only
            tails = "".join(
                f" {f'{t[key][0]:.2f}/{t[key][1]:.2f}':>13s}" if key in t else f" {'':>13s}"
                for t in (self.real_tails, self.simulated_tails)
            )
            lines.append(
                f"{key:32s} {self.real_median[key]:8.2f} {self.simulated_median[key]:8.2f} "
                f"{self.difference_db[key]:+6.2f} {tolerance}  {tails}"
            )
        return "\n".join(lines)


def compare_with_opensarship(
    chips: list[OpenSarShipChip], seed: int = 0, repeats: int = 3, family: str = "A",
    clutter: ClutterParams | None = None,
) -> RealismReport:
    """Pair every chip with ``repeats`` simulated ones (different speckle, wind and ship layout).

    The nominal simulator of ``family`` (no domain randomisation): its statistics are what the
    randomised ranges are centred on. ``clutter`` replaces the nominal sea (to see what the
    comparison tells apart).
    """
    chips = [c for c in chips if not c.slc and np.isfinite(c.incidence_deg)]
    if not chips:
        raise ValueError("no ground-range (GRD) chip with an incidence angle to compare with")
    rng = np.random.default_rng(seed)
    geometry = MODES[AcquisitionMode.IW]
    real, simulated = [], []
    real_lengths = []  # AIS length of each real chip (None: unknown); its simulated ones have it too
    for chip in chips:
        real.append(chip_statistics(chip.vv_linear, chip.vh_linear))
        length = chip.ais_length_m if chip.ais_length_m and chip.ais_length_m > 5 else None
        real_lengths.append(length)
        for _ in range(repeats):
            target = draw_ship(rng, length_m=length, family=family)
            co, cross, _, _, _ = simulate_patch(
                rng, ClassName.SHIP, geometry, CoPol.VV, inc_angle_deg=chip.incidence_deg, target=target,
                allow_sea_ice=False, nuisance=PatchNuisance(family=family, clutter=clutter or ClutterParams()),
            )
            h, w = chip.vv_linear.shape
            top, left = max((co.shape[0] - h) // 2, 0), max((co.shape[1] - w) // 2, 0)
            window = np.s_[top : top + h, left : left + w]
            simulated.append(chip_statistics(db_to_linear(co[window]), db_to_linear(cross[window])))
    keys = [k for k in TOLERANCE_DB if k not in SET_STATISTICS]  # the per-chip statistics
    incidences = [c.incidence_deg for c in chips]

    simulated_lengths = [length for length in real_lengths for _ in range(repeats)]
    judge_scatter = sum(length is not None for length in real_lengths) >= 3
    report_rise = len(chips) >= 3

    def statistics(rows: list[dict[str, float]], lengths: list[float | None]) -> dict[str, float]:
        found = {k: float(np.median([row[k] for row in rows])) for k in keys}
        if judge_scatter:
            known = [(row["peak_co"], length) for row, length in zip(rows, lengths, strict=True) if length is not None]
            found[PEAK_SCATTER], found[PEAK_SLOPE] = peak_line_in_length(*zip(*known, strict=True))
        if report_rise:
            found[CROSS_RISE] = cross_rise_per_co_db([row["peak_co"] for row in rows], [row["peak_cross"] for row in rows])
            found[RATIO_SCATTER] = float(np.std([row["peak_ratio"] for row in rows], ddof=1))
        return found

    return RealismReport(
        n_chips=len(chips),
        incidence_range_deg=(min(incidences), max(incidences)),
        real_median=statistics(real, real_lengths),
        simulated_median=statistics(simulated, simulated_lengths),
        real_tails={k: _tails([r[k] for r in real]) for k in keys},
        simulated_tails={k: _tails([s[k] for s in simulated]) for k in keys},
    )


def _tails(values: list[float]) -> tuple[float, float]:
    low, high = np.percentile(values, [10, 90])
    return float(low), float(high)


def fit_beam_noise_profile(nesz_db: np.ndarray) -> tuple[float, float, float]:
    """One beam's noise floor across range (dB, near to far, evenly sampled) fitted by least squares
    to the simulator's beam shape (:func:`noise_floor_profile_db` of one beam): the rise from the
    beam's centre to its edges, the beam's mean level and the fit's rms residual, all dB."""
    nesz_db = np.asarray(nesz_db, dtype=np.float64)
    if nesz_db.ndim != 1 or np.count_nonzero(np.isfinite(nesz_db)) < 3 or not np.all(np.isfinite(nesz_db)):
        raise ValueError(f"a beam's noise floor needs at least 3 samples, all finite; got {nesz_db.size} samples, "
                         f"{np.count_nonzero(~np.isfinite(nesz_db))} of them not finite")
    position = (np.arange(len(nesz_db)) + 0.5) / len(nesz_db)
    shape = noise_floor_profile_db(position, 1, 1.0, np.zeros(1))  # the profile of a 1 dB rise
    design = np.stack([shape, np.ones_like(shape)], axis=1)
    (rise, level), *_ = np.linalg.lstsq(design, nesz_db, rcond=None)
    rms = float(np.sqrt(np.mean((nesz_db - design @ np.array([rise, level])) ** 2)))
    return float(rise), float(level), rms


#: Lines of a sub-swath over which its noise floor is averaged (evenly spaced, first to last): a
#: TOPS sub-swath's floor also varies along azimuth within each burst (scalloping), so one line
#: would give a level that depends on where in a burst it falls.
NOISE_LINES = 128


@dataclass
class SubswathNoise:
    """A real sub-swath's noise floor across range (the mean over its lines), from its annotations."""

    swath: str
    polarisation: str
    ipf_layout: str  # "range and azimuth vectors" (IPF 2.9 and later) or "range vectors only"
    nesz_db: np.ndarray  # per sample across range, the linear mean over NOISE_LINES lines, in dB
    incidence_deg: tuple[float, float]  # near and far edge
    samples: tuple[int, int]  # first and last sample the sub-swath spans (the median over its lines)
    rise_db: float  # fitted as the simulator's beam (:func:`fit_beam_noise_profile`)
    level_db: float
    fit_rms_db: float
    along_azimuth_db: float  # spread (max - min) of the line means of the floor along azimuth

    @property
    def lowest_at(self) -> float:
        """Where across the sub-swath (0 near range, 1 far range) the floor is lowest."""
        return (int(np.argmin(self.nesz_db)) + 0.5) / len(self.nesz_db)


def _subswath_segments(floor: ThermalNoise, swath: str, lines: np.ndarray,
                       samples: int) -> list[tuple[str, list[tuple[int, int] | None]]]:
    """Each sub-swath of a measurement, near to far range, with its first and last sample on each of
    ``lines`` (None where none of its blocks covers the line).

    A GRD measurement's azimuth noise blocks tile its samples by sub-swath, each block over a run
    of lines; in EW the seams between sub-swaths move along azimuth from block to block. An SLC
    measurement, and a product of the range-only layout before IPF 2.9, is one sub-swath, named by
    the annotation."""
    names = list(dict.fromkeys(floor.block_swaths))
    if len(names) < 2:
        return [(swath, [(0, samples - 1)] * len(lines))]
    found = []
    for name in names:
        blocks = [block for block, owner in zip(floor.azimuth_blocks, floor.block_swaths, strict=True) if owner == name]
        for _, _, first, last, _, _ in blocks:
            if not 0 <= first <= last < samples:
                raise SarFormatError(f"{swath}: sub-swath {name} has a noise block over samples {first} - {last}, "
                                     f"not a run of samples inside the image's 0 - {samples - 1}; check that the noise annotation belongs "
                                     "to this product annotation")
        spans = [next(((first, last) for first_line, last_line, first, last, _, _ in blocks
                       if first_line <= line <= last_line), None) for line in lines]
        if all(span is None for span in spans):
            raise SarFormatError(f"{swath}: sub-swath {name}'s noise blocks cover none of the image's lines "
                                 f"(0 - {int(lines[-1])}); check that the noise annotation belongs to this product "
                                 "annotation")
        found.append((name, spans))
    found.sort(key=lambda item: np.median([span[0] for span in item[1] if span is not None] or [samples]))
    for (near, near_spans), (far, far_spans) in zip(found[:-1], found[1:], strict=True):
        for line, a, b in zip(lines, near_spans, far_spans, strict=True):
            if a is not None and b is not None and b[0] <= a[1]:
                raise SarFormatError(f"{swath}: sub-swaths {near} ({a[0]} - {a[1]}) and {far} ({b[0]} - {b[1]}) "
                                     f"overlap at line {int(line)}; check that the noise annotation belongs to this "
                                     "product annotation")
    return found


def _beam_profile(rows: np.ndarray, spans: list[tuple[int, int] | None]) -> tuple[np.ndarray, np.ndarray, int]:
    """A sub-swath's floor (linear) across the beam, from near to far edge, on each line it covers,
    resampled to the beam's median width so that lines whose seams moved line up by position across
    the beam: (profile per line, lines used, width). NaN where the line has no data."""
    used = [i for i, span in enumerate(spans) if span is not None]
    width = int(np.median([spans[i][1] - spans[i][0] + 1 for i in used]))
    grid = (np.arange(width) + 0.5) / width
    profiles = []
    for i in used:
        first, last = spans[i]
        segment = rows[i, first : last + 1]
        profiles.append(np.interp(grid, (np.arange(len(segment)) + 0.5) / len(segment), segment))
    return np.stack(profiles), np.asarray(used), width


def measurement_noise(annotation: ET.Element, calibration: ET.Element, noise: ET.Element) -> list[SubswathNoise]:
    """The noise-equivalent sigma0 across each sub-swath of one measurement (its product, calibration
    and noise annotations; an SLC measurement is one sub-swath, a GRD one holds them all), read with
    the SAFE reader's own functions and averaged over its lines, and its fit to the simulator's beam
    profile. Samples without data (the range vectors are 0 there) are left out."""
    swath = annotation.findtext("adsHeader/swath") or "?"
    floor = thermal_noise(noise)
    if floor is None:
        raise SarFormatError(f"{swath}: the noise annotation has no thermal noise vector with a positive value")
    try:
        n_lines = int(annotation.findtext("imageAnnotation/imageInformation/numberOfLines"))
        samples = int(annotation.findtext("imageAnnotation/imageInformation/numberOfSamples"))
    except (TypeError, ValueError):
        raise SarFormatError(f"{swath}: the product annotation gives no numberOfLines/numberOfSamples") from None
    lut = sigma_nought_lut(calibration)
    lines = np.linspace(0, n_lines - 1, NOISE_LINES).astype(int)
    rows = np.stack([noise_block(floor, lut, Window(0, int(line), samples, 1))[0] for line in lines])
    rows[floor.no_data(lines, samples)] = np.nan
    incidence = incidence_interpolator(geolocation_grid(annotation))
    found = []
    for name, spans in _subswath_segments(floor, swath, lines, samples):
        profiles, used, width = _beam_profile(rows, spans)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a position without data on any line: trimmed below
            mean = np.nanmean(profiles, axis=0)
            line_means_db = linear_to_db(np.nanmean(profiles, axis=1))
        valid = np.flatnonzero(np.isfinite(mean))
        nesz_db = np.asarray(linear_to_db(mean[valid[0] : valid[-1] + 1] if valid.size else mean), dtype=np.float64)
        try:
            rise, level, rms = fit_beam_noise_profile(nesz_db)
        except ValueError as exc:
            raise SarFormatError(f"{name}: {exc} (the noise or calibration vectors are zero or missing there)") from None
        first = int(np.median([spans[i][0] for i in used]))
        last = first + width - 1
        edges = [incidence(np.stack([lines[used], np.full(len(used), sample)], axis=1).astype(np.float64))
                 for sample in (first, last)]
        found.append(SubswathNoise(
            swath=name,
            polarisation=annotation.findtext("adsHeader/polarisation") or "?",
            ipf_layout="range and azimuth vectors" if floor.azimuth_blocks else "range vectors only",
            nesz_db=nesz_db,
            incidence_deg=(float(edges[0].min()), float(edges[1].max())),
            samples=(first, last),
            rise_db=rise,
            level_db=level,
            fit_rms_db=rms,
            along_azimuth_db=float(np.nanmax(line_means_db) - np.nanmin(line_means_db)),
        ))
    return found


def annotation_noise(folder: Path) -> list[SubswathNoise]:
    """:func:`measurement_noise` of every measurement whose three annotations are in ``folder``, as a
    SAFE product names them (``<name>.xml``, ``calibration-<name>.xml``, ``noise-<name>.xml``; each
    may be gzip-compressed), in name order: the sub-swaths of all of them, each near to far range."""
    folder = Path(folder)
    found = []
    for noise_path in sorted(folder.glob(f"{NOISE_PREFIX}*.xml*")):
        name = noise_path.name.removeprefix(NOISE_PREFIX)
        product, calibration = folder / name, folder / f"{CALIBRATION_PREFIX}{name}"
        missing = [p.name for p in (product, calibration) if not p.is_file()]
        if missing:
            raise SarFormatError(f"{noise_path.name} needs {product.name} and {calibration.name} in {folder}; missing: "
                                 f"{', '.join(missing)}. Copy them from the product's annotation/ and "
                                 "annotation/calibration/ folders")
        found.extend(measurement_noise(read_annotation(product), read_annotation(calibration),
                                       read_annotation(noise_path)))
    if not found:
        raise SarFormatError(f"no noise annotation ({NOISE_PREFIX}*.xml) in {folder}")
    return found


def processing_windows(annotation: ET.Element) -> list[tuple[str, float, float]]:
    """(swath, range coefficient, azimuth coefficient) of the spectral weighting the processor applied
    to each sub-swath, from a product annotation's ``swathProcParams``: generalised Hamming windows,
    whose sidelobe level :func:`~icesight_backend.sar.simulation.hamming_sidelobe_db` gives."""
    windows = []
    for params in annotation.iter("swathProcParams"):
        coefficients = []
        for direction in ("rangeProcessing", "azimuthProcessing"):
            kind, text = params.findtext(f"{direction}/windowType"), params.findtext(f"{direction}/windowCoefficient")
            try:
                if kind != "Hamming":
                    raise ValueError(f"the window is {kind!r}, not a generalised Hamming window")
                coefficients.append(float(text))
                check_hamming_coefficient(coefficients[-1])
            except (TypeError, ValueError) as exc:
                raise SarFormatError(f"swath {params.findtext('swath')}: {direction} window {kind!r} with coefficient "
                                     f"{text!r}: {exc}") from None
        windows.append((params.findtext("swath") or "?", *coefficients))
    if not windows:
        raise SarFormatError("the product annotation has no swathProcParams (processing windows)")
    return windows
