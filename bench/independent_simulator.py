"""Sentinel-1 EW GRDM-like HH/HV scene simulator for ship / iceberg transfer tests.

Produces sigma0 images in dB (HH co-pol, HV cross-pol) on a 40 m grid with open sea, sea ice, ships and
icebergs, plus 75 x 75 px target patches in the layout used by ship/iceberg classifiers.  Built from published
physics and product figures only; every modelling choice is listed below with its source.

It imports nothing from IceSight, and wherever the physics leaves freedom its choices differ from those of
``icesight_backend.sar.simulation`` (impulse response, speckle model, ice types, target sizes and brightness laws,
moving ships), so data drawn from it was not made with the choices the product's models are trained on:
``bench_independent_data.py`` scores those models on it as a stand-in for data made by someone else.  Keep it that
way: do not tune it towards the product's simulator or the product towards it.

Public API
----------
- ``simulate_scene(seed, size_px=3000, n_ships=60, n_icebergs=60) -> Scene``
- ``cut_patches(scene, size=75) -> dict`` (hh_db, hv_db, inc_deg, label, in_ice, length_m)
- ``simulate_patches(n, seed) -> dict`` (same layout, one target per small tile)
- ``Scene`` / ``Target`` dataclasses.  ``Scene.inc_deg`` is PER COLUMN (shape ``(size_px,)``), rows are azimuth,
  columns are ground range (near range at column 0).

Modelling choices and sources
-----------------------------
Product and geometry
- Pixel spacing 40 m x 40 m, resolution 93 m (range) x 87 m (azimuth), ENL 10.7: ESA Sentinel-1 User Guide /
  Product Definition (S1-RS-MDA-52-7440), GRD product table, EW mode Medium Resolution (GRDM).
- Swath: incidence 19-47 deg over five sub-swaths EW1-EW5, boundaries at about 19 / 26.3 / 31.3 / 36.1 / 40.4 / 47 deg
  (ESA Sentinel-1 User Guide: EW swath 400 km, 5 sub-swaths, 20-46 deg; the exact boundaries are approximate and
  have no source).  Spherical Earth (R = 6371 km), orbit height 693 km (Sentinel-1 nominal); incidence computed from ground
  range.  In ``simulate_scene`` the columns span the WHOLE swath whatever ``size_px`` is (i.e. the angle gradient is
  compressed for size_px < 10,000); targets still use the 40 m pixel.  ``simulate_patches`` uses the true 40 m
  gradient of a 10,000 px swath at a random across-track position.  No source for the compression; it lets
  every scene cover all angles.
- Impulse response: separable, Hamming-type spectral weighting w(f) = 0.75 + 0.25 cos(2 pi f / B) (the generalised
  Hamming coefficient 0.75 used by the Sentinel-1 IPF for range/azimuth weighting, per the S1 Level-1 algorithm
  documentation; treat as approximate), bandwidth B set so that the -3 dB width of |h|^2 equals 93 m / 87 m.  The
  multi-looked GRDM response is modelled as this single intensity response at the final resolution, truncated at
  +/- 7 px (280 m) (no source).
  Sampled exactly at 40 m (band-limited, so the pixel sum of a point target is shift-invariant).  Point targets are
  added deterministically through this response (no speckle, no coherent interference with clutter: no source).
  Distributed surfaces (sea, ice, hulls, iceberg bodies) are mean-power maps convolved with the same response.
- Speckle: Gamma marginal with shape = ENL 10.7, unit mean (Sentinel-1 User Guide ENL; Gamma law: Ulaby & Dobson /
  Oliver & Quegan, "Understanding SAR Images", 1998).  Spatial correlation: intensity correlation |rho_h(tau)|^2
  of the amplitude response above at 40 m lags (Oliver & Quegan 1998, ch. 4), imposed through a Gaussian copula
  (correlated Gaussian field mapped to Gamma with the Wilson-Hilferty transform).  HH and HV speckle independent
  (reflection symmetry of distributed targets: no HH-HV correlation, Oliver & Quegan 1998).
- Thermal noise: additive noise-equivalent sigma0 (NESZ) in both channels before speckle (GRD products are
  distributed with noise NOT subtracted, noise vectors in the annotation: ESA Sentinel-1 technical guide, GRD).
  Signal + noise are both circular Gaussian, so one speckle multiplies their sum.  Profile per sub-swath: centre
  -23.5 (EW1), -27.0, -28.0, -28.5, -28.0 dB, rising parabolically by 3 dB towards each sub-swath edge, plus a 0.4 dB
  azimuth scalloping with a 25 km period and a per-scene offset N(0, 0.5 dB).  Sources: Sentinel-1 requirement
  NESZ <= -22 dB (ESA User Guide); EW1 noise highest and sub-swath-shaped HV noise: Park et al. 2018, "Efficient
  thermal noise removal for Sentinel-1 TOPSAR cross-polarization channel", IEEE TGRS 56(3).  Exact numbers within those
  bounds have no source.  Same NESZ in HH and HV (same receive chain: no source).
- Azimuth ambiguities of point scatterers: two ghosts at +/- lambda R PRF / (2 V) along azimuth (PRF 1.6 kHz,
  V = 7.1 km/s: no source; about 115-155 px) at -23 dB each, defocused over 3 px (Sentinel-1 azimuth ambiguity
  requirement better than -22 dB, ESA User Guide; defocus width: no source).

Open sea
- Co-pol level: VV(theta, U) = -15.2 - 0.45 (theta - 35) + 0.006 (theta - 35)^2 + 18 log10(U / 6) dB.  Shape and wind
  exponent (sigma0 ~ U^1.8) loosely follow CMOD5 (Hersbach, Stoffelen & de Haan 2007, JGR 112) averaged over wind
  direction; the absolute level is tied to the OpenSARShip chips: median sea VV measured -16.9 dB (IQR -17.9 to
  -15.4) at 31-45 deg (measured on data/opensarship, border pixels of the 50 GRDH chips), reproduced at about
  U = 6 m/s, 38 deg.
- HH = VV / PR with the Kirchhoff-Bragg polarisation ratio PR = ((1 + 2 tan^2 t) / (1 + tan^2 t))^2 (Thompson et al.
  1998, IGARSS, alpha = 1; consistent with the C-band PR observed by Mouche et al. 2005, IEEE TGRS 43(4)): 1.0 dB at
  20 deg, 2.5 dB at 35 deg, 3.7 dB at 47 deg.
- Cross-pol: HV = 0.580 U - 35.652 dB, incidence-independent (Vachon & Wolfe 2011, "C-band cross-polarization wind
  speed retrieval", IEEE GRSL 8(3)); e.g. -32.2 dB at 6 m/s, well under the NESZ, so HV over sea is noise-dominated
  as in the OpenSARShip VH chips (median -25 dB, close to the IW noise floor).
- Wind: scene mean U ~ Uniform(3, 11) m/s; spatial modulation exp(0.15 g_150 + 0.06 g_20) (g_s: Gaussian random field
  with kernel width s px, i.e. ~6 km and ~0.8 km structures).  No source (a free choice).
- Texture (K distribution: Ward, Tough & Watts, "Sea Clutter: Scattering, the K Distribution and Radar
  Performance", IET 2006): Gamma texture of shape nu, correlated over ~2 px (80 m; no source), mean 1.
  nu_HH(theta) = nu_ref ((90 - theta) / 52)^(2/3), nu_ref ~ 7 exp(N(0, 0.3)) per scene: grazing-angle exponent 2/3
  and HH spikier than VV by 10^0.39 from Ward's empirical shape model (Ward et al. 2006); nu_VV about 17 measured on
  the OpenSARShip chips (normalised 2nd moment of sea 1.30 vs 1.23 for pure ENL-4.4 speckle) -> nu_HH about 7 at
  38 deg.  HV texture = (HH texture)^0.7 (milder, same long waves: no source).  Texture is applied before the
  impulse response, which smooths it slightly (effective nu a little higher).

Sea ice (first-year, deformed, optional multi-year; at C-band, levels quoted at 35 deg)
- Regions: threshold of a very smooth random field (kernel N/8 px) plus edge roughness (0.30 g_40 + 0.12 g_8) set to
  an ice fraction ~ Uniform(0.2, 0.4) per scene: a few large irregular regions with ragged edges and floes in the
  marginal zone.  No source (a free choice).
- Level FYI HH -18.5 dB (slope -0.24 dB/deg), HV -28.5 dB (-0.11 dB/deg); deformed FYI HH -11.5 dB (-0.17 dB/deg),
  HV -21.0 dB (-0.09 dB/deg); multi-year (present in 30 % of scenes) HH -10.0 dB, HV -17.5 dB.  Ranges from Onstott
  1992 (in Carsey (ed.), "Microwave Remote Sensing of Sea Ice", AGU Monogr. 68) and Dierking 2013 ("Sea ice
  monitoring by synthetic aperture radar", Oceanography 26(2)); incidence slopes of the order reported for
  Sentinel-1 EW by Makynen & Karvonen 2017 (IEEE TGRS 55(11)).  Exact values within those ranges have no source.
- Mix of level/deformed by a smooth weight (kernel 40 px, per-scene bias), floe-scale +/-1.2 dB modulation (6 px),
  Gamma texture nu = 10 (level) to 3.5 (deformed) correlated over 1 px.  No source (a free choice).
- Ridges: narrow level-set lines of a 2.5 px random field, gated by deformation, up to +7.8 dB HH / +8.5 dB HV.
  Leads: level-set lines of a 30 px field, 1-4 px wide, filled with nilas (HH -22 dB, HV -33 dB) or, in 25 % of
  scenes, rafted/young ice with frost flowers (HH -13 dB, HV -24 dB).  Values from the same ice references; the
  geometry has no source.

Ships (length 30-350 m, log-uniform)
- Width = length / U(5.5, 8) (typical merchant L/B), heading uniform, hull with a tapered bow.
- Co-pol RCS (VV-equivalent) 43.5 + 25 log10(L / 140 m) + N(0, 2.5) dBsm.  The L^2.5 scaling sits between geometric
  (L^2) and Skolnik's low-grazing ship law sigma = 52 f^0.5 D^1.5 (Skolnik, Radar Handbook) ~ L^4.5; level, slope
  and scatter are calibrated on the OpenSARShip chips: rendered through an IW GRDH response (20 x 22 m, 10 m pixels,
  ENL 4.4, sea VV -17 dB, VH noise -25.5 dB) for lengths log-uniform in 63-304 m, the simulated peak VV percentiles
  10/25/50/75/90 are about 6/9/13/17/20 dB against 6.4/9.8/12.5/16.6/20.2 dB measured on the 50 GRDH chips.
  HH = VV + N(1, 1.5) dB (dihedral returns stronger in HH; no source).
- 70 % of the RCS in 2-9 point scatterers (one superstructure scatterer towards the stern carrying the largest share,
  Dirichlet(0.6) weights), 30 % spread over the hull area (speckled).  Per-scatterer HV/HH ~ N(-12.5, 4.5) dB clipped
  to [-25, -3]; hull HV/HH ~ N(-11, 2.5) dB.  Calibrated with the same IW rendering on the OpenSARShip peak VH/VV
  ratio: simulated median -10 dB (IQR about -12 to -8) against measured -10.2 dB (IQR -14.4 to -8.2).
- Motion: speed U(0, 8) m/s in open water (U(0, 3) in ice); the ship is imaged shifted in azimuth by -R v_r / V
  (Raney 1971, "Synthetic aperture imaging radar and moving targets", IEEE TAES); 60 % of open-water ships faster than
  2 m/s leave a dark turbulent wake (sea clutter x U(0.35, 0.7), length v x U(60, 300) s) at their true position.
  ``Target.row/col`` is the imaged (displaced) ship centre.

Icebergs (maximum horizontal extent 50-600 m, log-uniform)
- Shape: star-shaped outline with harmonics 2-7 (amplitude N(0, 0.25 / k)), aspect U(1, 1.8), random orientation.
  No source (a free choice).
- Body sigma0 HH N(-4, 3) dB at 35 deg, slope -0.1 dB/deg; HV/HH N(-7, 2) dB (volume scattering in glacial ice gives a
  higher cross/co ratio than ships); per-pixel Gamma texture nu = 2.5.  Range of C-band iceberg signatures in
  Dierking & Wesche 2014 ("C-band radar polarimetry - useful for detection of icebergs in sea ice?", IEEE TGRS 52(1))
  and Howell et al. 2008 (IGARSS, dual-polarisation detection of ships and icebergs); central values have no source.
- Bright facets: 60 % of bergs carry 1 + Poisson(D / 250 m) point facets on the near-range side, 33 + 15 log10(D / 100)
  + N(0, 3) dBsm, HV/HH N(-10, 3) dB (surface facets, more co-pol dominated than the body).  No source (a free choice).
- Radar shadow behind the berg in range: freeboard = D x U(0.04, 0.12) clipped to 5-70 m, shadow length
  freeboard x tan(theta); clutter removed there (noise remains).  Layover ignored.  No source (a free choice).

Targets never overlap (centre distance >= sum of radii + 4 px).  All randomness comes from one numpy Generator
seeded by the caller, so outputs are reproducible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

__all__ = ["Scene", "Target", "cut_patches", "simulate_patches", "simulate_scene"]

_trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2 has only the old name

# ----------------------------------------------------------------------------------------------------------------
# Constants
# ----------------------------------------------------------------------------------------------------------------
PIXEL_M = 40.0
RES_RG_M = 93.0
RES_AZ_M = 87.0
ENL = 10.7
WINDOW_ALPHA = 0.75
INC_NEAR_DEG = 19.0
INC_FAR_DEG = 47.0
SUBSWATH_BOUNDS_DEG = (19.0, 26.3, 31.3, 36.1, 40.4, 47.0)
NESZ_CENTRE_DB = (-23.5, -27.0, -28.0, -28.5, -28.0)
NESZ_EDGE_RISE_DB = 3.0
SCALLOP_DB = 0.4
SCALLOP_PERIOD_M = 25_000.0
EARTH_RADIUS_M = 6_371_000.0
ORBIT_HEIGHT_M = 693_000.0
WAVELENGTH_M = 0.05547
PRF_HZ = 1600.0
SAT_SPEED_MS = 7100.0
AMBIGUITY_DB = -23.0
SWATH_PX = 10_000  # virtual swath width used by simulate_patches
PATCH_PX = 75
TILE_MARGIN_PX = 12
SUB = 4  # sub-cells per pixel side for target rasterisation


# ----------------------------------------------------------------------------------------------------------------
# Public data classes
# ----------------------------------------------------------------------------------------------------------------
@dataclass
class Target:
    """One simulated target; ``row``/``col`` are float pixel coordinates of its imaged centre.

    ``length_m`` is the ship length or the iceberg's maximum horizontal extent; ``width_m`` is set for ships only.
    """

    row: float
    col: float
    kind: str  # "ship" or "iceberg"
    length_m: float
    in_ice: bool
    width_m: float = 0.0


@dataclass
class Scene:
    """Simulated EW GRDM-like scene.  ``inc_deg`` is per column (shape ``(n_cols,)``)."""

    hh_db: np.ndarray
    hv_db: np.ndarray
    inc_deg: np.ndarray
    ice_mask: np.ndarray
    pixel_size_m: float = PIXEL_M
    targets: list[Target] = field(default_factory=list)
    nesz_db: np.ndarray | None = None  # per column, without scalloping
    wind_speed_ms: float = 0.0  # scene-mean 10 m wind


# ----------------------------------------------------------------------------------------------------------------
# Geometry
# ----------------------------------------------------------------------------------------------------------------
def _ground_range_m(inc_deg: np.ndarray) -> np.ndarray:
    th = np.radians(inc_deg)
    look = np.arcsin(EARTH_RADIUS_M * np.sin(th) / (EARTH_RADIUS_M + ORBIT_HEIGHT_M))
    return EARTH_RADIUS_M * (th - look)


def _slant_range_m(inc_deg: np.ndarray) -> np.ndarray:
    th = np.radians(inc_deg)
    rs = EARTH_RADIUS_M + ORBIT_HEIGHT_M
    look = np.arcsin(EARTH_RADIUS_M * np.sin(th) / rs)
    gamma = th - look
    return np.sqrt(EARTH_RADIUS_M**2 + rs**2 - 2.0 * EARTH_RADIUS_M * rs * np.cos(gamma))


_INC_TABLE = np.linspace(10.0, 55.0, 4501)
_GR_TABLE = _ground_range_m(_INC_TABLE)
_GR_NEAR = float(_ground_range_m(np.array(INC_NEAR_DEG)))
_GR_FAR = float(_ground_range_m(np.array(INC_FAR_DEG)))


def _inc_from_ground(g_m: np.ndarray) -> np.ndarray:
    return np.interp(g_m, _GR_TABLE, _INC_TABLE)


def _nesz_db(inc_deg: np.ndarray, offset_db: float) -> np.ndarray:
    b = np.asarray(SUBSWATH_BOUNDS_DEG)
    k = _subswath_index(inc_deg)
    x = (inc_deg - b[k]) / (b[k + 1] - b[k])
    return np.asarray(NESZ_CENTRE_DB)[k] + NESZ_EDGE_RISE_DB * (2.0 * x - 1.0) ** 2 + offset_db


def _subswath_index(inc_deg: np.ndarray) -> np.ndarray:
    b = np.asarray(SUBSWATH_BOUNDS_DEG)
    return np.clip(np.searchsorted(b, inc_deg, side="right") - 1, 0, len(NESZ_CENTRE_DB) - 1)


# ----------------------------------------------------------------------------------------------------------------
# Impulse response
# ----------------------------------------------------------------------------------------------------------------
def _amp_u(u: np.ndarray) -> np.ndarray:
    """Amplitude response of the weighted band in units of 1/B."""
    a = WINDOW_ALPHA
    return a * np.sinc(u) + 0.5 * (1.0 - a) * (np.sinc(u - 1.0) + np.sinc(u + 1.0))


def _half_width_u() -> float:
    u = np.linspace(0.0, 1.5, 150_001)
    p = _amp_u(u) ** 2 / _amp_u(np.zeros(1))[0] ** 2
    return float(u[np.argmax(p < 0.5)])


_U_HALF = _half_width_u()
_P_INTEGRAL_U = WINDOW_ALPHA**2 + 0.5 * (1.0 - WINDOW_ALPHA) ** 2  # integral of |h(u)|^2 du


class _Psf:
    """Separable intensity impulse response sampled on the pixel grid."""

    def __init__(self, pixel_m: float = PIXEL_M, res_rg_m: float = RES_RG_M, res_az_m: float = RES_AZ_M, half: int = 7):
        self.pixel_m = pixel_m
        self.half = half
        self.b_rg = 2.0 * _U_HALF / res_rg_m  # cycles per metre
        self.b_az = 2.0 * _U_HALF / res_az_m
        lags = np.arange(-half, half + 1, dtype=np.float64)
        self.k_rg = self.profile(lags, self.b_rg)
        self.k_az = self.profile(lags, self.b_az)
        self.k_rg /= self.k_rg.sum()  # truncation at +/- half px loses ~1 %; keep distributed power exact
        self.k_az /= self.k_az.sum()
        self.s_rg = self._speckle_kernel(self.b_rg)
        self.s_az = self._speckle_kernel(self.b_az)

    def profile(self, lag_px: np.ndarray, b: float) -> np.ndarray:
        u = b * lag_px * self.pixel_m
        return _amp_u(u) ** 2 * (b * self.pixel_m) / _P_INTEGRAL_U

    def _speckle_kernel(self, b: float, nlag: int = 10, nfft: int = 128) -> np.ndarray:
        # amplitude correlation: Fourier transform of |W(f)|^2, f in [-1/2, 1/2] (units of B)
        f = np.linspace(-0.5, 0.5, 4001)
        w2 = (WINDOW_ALPHA + (1.0 - WINDOW_ALPHA) * np.cos(2.0 * np.pi * f)) ** 2
        lags = np.arange(-nlag, nlag + 1)
        tau_u = b * lags * self.pixel_m
        rho = _trapezoid(w2[None, :] * np.cos(2.0 * np.pi * f[None, :] * tau_u[:, None]), f, axis=1)
        rho /= _trapezoid(w2, f)
        c = rho**2  # intensity correlation
        circ = np.zeros(nfft)
        circ[: nlag + 1] = c[nlag:]
        circ[-nlag:] = c[:nlag]
        spec = np.maximum(np.fft.rfft(circ).real, 0.0)
        k = np.fft.irfft(np.sqrt(spec), nfft)
        k = np.concatenate([k[-nlag:], k[: nlag + 1]])
        return k / np.sqrt(np.sum(k**2))

    def blur(self, img: np.ndarray) -> np.ndarray:
        out = ndimage.convolve1d(img, self.k_rg.astype(np.float32), axis=1, mode="reflect")
        return ndimage.convolve1d(out, self.k_az.astype(np.float32), axis=0, mode="reflect")

    def speckle(self, rng: np.random.Generator, shape: tuple[int, int], enl: float) -> np.ndarray:
        z = rng.standard_normal(shape, dtype=np.float32)
        z = ndimage.convolve1d(z, self.s_rg.astype(np.float32), axis=1, mode="wrap")
        z = ndimage.convolve1d(z, self.s_az.astype(np.float32), axis=0, mode="wrap")
        return _gamma_unit_mean(z, enl)


# ----------------------------------------------------------------------------------------------------------------
# Random fields
# ----------------------------------------------------------------------------------------------------------------
def _kernel_sumsq(sigma: float) -> float:
    r = int(4.0 * sigma + 0.5)
    x = np.arange(-r, r + 1, dtype=np.float64)
    k = np.exp(-0.5 * (x / sigma) ** 2)
    k /= k.sum()
    return float(np.sum(k**2))


def _grf(rng: np.random.Generator, shape: tuple[int, int], sigma_px: float) -> np.ndarray:
    """Zero-mean, unit-variance Gaussian random field: white noise smoothed by a Gaussian of width sigma_px."""
    h, w = shape
    if sigma_px <= 4.0:
        z = rng.standard_normal(shape, dtype=np.float32)
        z = ndimage.gaussian_filter(z, sigma_px, mode="wrap")
        z /= np.float32(_kernel_sumsq(sigma_px))
        return z
    q = sigma_px / 3.0  # coarse spacing; coarse kernel width 3 cells
    pad = 13
    ch, cw = int(math.ceil(h / q)) + 2, int(math.ceil(w / q)) + 2
    z = rng.standard_normal((ch + 2 * pad, cw + 2 * pad))
    z = ndimage.gaussian_filter(z, 3.0, mode="wrap")[pad : pad + ch, pad : pad + cw]
    z /= _kernel_sumsq(3.0)
    out = ndimage.zoom(z.astype(np.float32), q, order=1, grid_mode=False)
    return np.ascontiguousarray(out[:h, :w])


def _gamma_unit_mean(z: np.ndarray, shape_k: np.ndarray | float) -> np.ndarray:
    """Map standard normal values to unit-mean Gamma(shape_k) values (Wilson-Hilferty)."""
    c = np.float32(1.0) / (np.float32(9.0) * np.asarray(shape_k, dtype=np.float32))
    x = (np.float32(1.0) - c + z * np.sqrt(c)) ** 3
    return np.maximum(x, np.float32(1e-3))


def _db(x: np.ndarray) -> np.ndarray:
    return (10.0 * np.log10(np.maximum(x, np.float32(1e-7)))).astype(np.float32)


def _lin(x_db: np.ndarray | float) -> np.ndarray:
    return np.power(np.float32(10.0), np.asarray(x_db, dtype=np.float32) / np.float32(10.0))


# ----------------------------------------------------------------------------------------------------------------
# Environment: sea and ice backscatter (mean power maps, before impulse response, speckle and noise)
# ----------------------------------------------------------------------------------------------------------------
@dataclass
class _Env:
    wind_ms: float
    nu_ref: float
    nesz_offset_db: float
    ice_bias: float
    has_myi: bool
    lead_hh_db: float
    lead_hv_db: float


def _draw_env(rng: np.random.Generator) -> _Env:
    bright_leads = rng.random() < 0.25
    return _Env(
        wind_ms=float(rng.uniform(3.0, 11.0)),
        nu_ref=float(np.clip(7.0 * math.exp(rng.normal(0.0, 0.3)), 2.0, 30.0)),
        nesz_offset_db=float(rng.normal(0.0, 0.5)),
        ice_bias=float(rng.normal(0.0, 0.8)),
        has_myi=bool(rng.random() < 0.3),
        lead_hh_db=-13.0 if bright_leads else -22.0,
        lead_hv_db=-24.0 if bright_leads else -33.0,
    )


def _sea_vv_db(inc: np.ndarray, wind: np.ndarray) -> np.ndarray:
    d = inc - 35.0
    return -15.2 - 0.45 * d + 0.006 * d**2 + 18.0 * np.log10(wind / 6.0)


def _pol_ratio_db(inc: np.ndarray) -> np.ndarray:
    t2 = np.tan(np.radians(inc)) ** 2
    return 20.0 * np.log10((1.0 + 2.0 * t2) / (1.0 + t2))


def _sea_maps(rng: np.random.Generator, shape: tuple[int, int], inc_cols: np.ndarray, env: _Env):
    wind = env.wind_ms * np.exp(0.15 * _grf(rng, shape, 150.0) + 0.06 * _grf(rng, shape, 20.0))
    wind = np.maximum(wind, np.float32(1.0)).astype(np.float32)
    inc = inc_cols[None, :].astype(np.float32)
    hh_db = _sea_vv_db(inc, wind) - _pol_ratio_db(inc)
    hv_db = 0.580 * wind - 35.652
    nu = env.nu_ref * ((90.0 - inc_cols) / 52.0) ** (2.0 / 3.0)
    tex = _gamma_unit_mean(_grf(rng, shape, 2.0), nu[None, :])
    hh = _lin(hh_db) * tex
    hv = _lin(hv_db) * tex**0.7
    return hh.astype(np.float32), hv.astype(np.float32)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _ice_maps(rng: np.random.Generator, shape: tuple[int, int], inc_cols: np.ndarray, env: _Env):
    d = (inc_cols[None, :] - 35.0).astype(np.float32)
    w = _sigmoid(1.6 * _grf(rng, shape, 40.0) + env.ice_bias).astype(np.float32)
    floe = 1.2 * _grf(rng, shape, 6.0)
    hh_db = (-18.5 - 0.24 * d) + w * ((-11.5 - 0.17 * d) - (-18.5 - 0.24 * d)) + floe
    hv_db = (-28.5 - 0.11 * d) + w * ((-21.0 - 0.09 * d) - (-28.5 - 0.11 * d)) + 0.8 * floe
    if env.has_myi:
        m = _sigmoid(6.0 * (_grf(rng, shape, 100.0) - 0.8))
        hh_db = hh_db * (1.0 - m) + m * (-10.0 - 0.12 * d + floe)
        hv_db = hv_db * (1.0 - m) + m * (-17.5 - 0.08 * d + 0.8 * floe)
    nu = 10.0 + w * (3.5 - 10.0)
    tex = _gamma_unit_mean(_grf(rng, shape, 1.0), nu)
    hh = _lin(hh_db) * tex
    hv = _lin(hv_db) * tex**0.9
    # ridges: narrow level-set lines, denser where deformed
    line = np.exp(-((_grf(rng, shape, 2.5) / 0.15) ** 2))
    gate = np.clip(w + 0.4 * _grf(rng, shape, 15.0) - 0.2, 0.0, 1.0)
    hh *= 1.0 + 5.0 * line * gate
    hv *= 1.0 + 6.0 * line * gate
    # leads: wider level-set lines of a smooth field, segmented
    lead = np.exp(-((_grf(rng, shape, 30.0) / 0.05) ** 2)) * (_grf(rng, shape, 60.0) > 0.2)
    lead_hh = _lin(env.lead_hh_db - 0.30 * d)
    lead_hv = _lin(env.lead_hv_db - 0.10 * d)
    hh = hh * (1.0 - lead) + lead * lead_hh
    hv = hv * (1.0 - lead) + lead * lead_hv
    return hh.astype(np.float32), hv.astype(np.float32)


def _scene_ice_mask(rng: np.random.Generator, shape: tuple[int, int], frac: float) -> np.ndarray:
    big = _grf(rng, shape, max(shape) / 8.0)
    f = big + 0.30 * _grf(rng, shape, 40.0) + 0.12 * _grf(rng, shape, 8.0)
    thr = np.quantile(f[::4, ::4], 1.0 - frac)
    return f > thr


# ----------------------------------------------------------------------------------------------------------------
# Canvas and target rendering
# ----------------------------------------------------------------------------------------------------------------
class _Canvas:
    def __init__(self, dist_hh: np.ndarray, dist_hv: np.ndarray, psf: _Psf, inc_cols: np.ndarray):
        self.dist_hh = dist_hh
        self.dist_hv = dist_hv
        self.pts_hh = np.zeros_like(dist_hh)
        self.pts_hv = np.zeros_like(dist_hv)
        self.psf = psf
        self.inc_cols = inc_cols
        self.amb_px = WAVELENGTH_M * _slant_range_m(inc_cols) * PRF_HZ / (2.0 * SAT_SPEED_MS) / psf.pixel_m

    @property
    def shape(self) -> tuple[int, int]:
        return self.dist_hh.shape

    def _clip(self, r0: int, c0: int, h: int, w: int):
        hh, ww = self.shape
        ra, rb, ca, cb = max(r0, 0), min(r0 + h, hh), max(c0, 0), min(c0 + w, ww)
        if ra >= rb or ca >= cb:
            return None
        return (slice(ra, rb), slice(ca, cb)), (slice(ra - r0, rb - r0), slice(ca - c0, cb - c0))

    def paste(self, r0: int, c0: int, keep: np.ndarray, add_hh: np.ndarray | None, add_hv: np.ndarray | None):
        """dist = dist * keep + add on the window whose top-left pixel is (r0, c0)."""
        cl = self._clip(r0, c0, *keep.shape)
        if cl is None:
            return
        g, loc = cl
        self.dist_hh[g] = self.dist_hh[g] * keep[loc] + (0.0 if add_hh is None else add_hh[loc])
        self.dist_hv[g] = self.dist_hv[g] * keep[loc] + (0.0 if add_hv is None else add_hv[loc])

    def _add_point_raw(self, row: float, col: float, rcs_hh: float, rcs_hv: float):
        p = self.psf
        ir, ic = int(math.floor(row + 0.5)), int(math.floor(col + 0.5))
        lags = np.arange(-p.half, p.half + 1, dtype=np.float64)
        pa = p.profile(lags - (row - ir), p.b_az)
        pr = p.profile(lags - (col - ic), p.b_rg)
        win = np.outer(pa, pr).astype(np.float32) / np.float32(p.pixel_m**2)
        cl = self._clip(ir - p.half, ic - p.half, *win.shape)
        if cl is None:
            return
        g, loc = cl
        self.pts_hh[g] += rcs_hh * win[loc]
        self.pts_hv[g] += rcs_hv * win[loc]

    def add_point(self, row: float, col: float, rcs_hh: float, rcs_hv: float):
        self._add_point_raw(row, col, rcs_hh, rcs_hv)
        ci = int(np.clip(round(col), 0, self.shape[1] - 1))
        shift = float(self.amb_px[ci])
        g = 10.0 ** (AMBIGUITY_DB / 10.0) / 3.0
        for sgn in (-1.0, 1.0):
            for d in (-1.5, 0.0, 1.5):
                self._add_point_raw(row + sgn * shift + d, col, g * rcs_hh, g * rcs_hv)


def _fine_coords(row: float, col: float, half: int, pixel_m: float):
    """Sub-cell coordinates (metres, relative to (row, col)) for a (2*half+1)^2 px window centred on the pixel."""
    ir, ic = int(math.floor(row + 0.5)), int(math.floor(col + 0.5))
    n = 2 * half + 1
    off = (np.arange(n * SUB) + 0.5) / SUB - 0.5 - half  # pixel units relative to centre pixel
    y = ((ir + off) - row) * pixel_m  # azimuth (rows)
    x = ((ic + off) - col) * pixel_m  # ground range (cols)
    yy, xx = np.meshgrid(y, x, indexing="ij")
    return ir - half, ic - half, n, yy, xx


def _block(a: np.ndarray, n: int) -> np.ndarray:
    return a.reshape(n, SUB, n, SUB).mean(axis=(1, 3)).astype(np.float32)


def _paint_wake(
    cv: _Canvas,
    rng: np.random.Generator,
    row: float,
    col: float,
    heading: float,
    length: float,
    width: float,
    wake_len: float,
):
    px = cv.psf.pixel_m
    half = int(math.ceil((wake_len + length) / px)) + 2
    r0, c0, n, yy, xx = _fine_coords(row, col, half, px)
    u = xx * math.cos(heading) + yy * math.sin(heading)
    v = -xx * math.sin(heading) + yy * math.cos(heading)
    back = -u - 0.5 * length
    wid = np.maximum(width, 15.0) * (1.0 + 1.5 * np.clip(back / wake_len, 0.0, 1.0))
    inside = (back >= 0.0) & (back <= wake_len) & (np.abs(v) <= 0.5 * wid)
    cov = _block(inside.astype(np.float32), n)
    dark = rng.uniform(0.35, 0.7)
    cv.paste(r0, c0, 1.0 - cov * (1.0 - dark), None, None)


def _draw_ship(rng: np.random.Generator) -> dict:
    length = float(math.exp(rng.uniform(math.log(30.0), math.log(350.0))))
    return {"kind": "ship", "length": length, "width": max(length / rng.uniform(5.5, 8.0), 5.0)}


def _draw_berg(rng: np.random.Generator) -> dict:
    return {"kind": "iceberg", "length": float(math.exp(rng.uniform(math.log(50.0), math.log(600.0)))), "width": 0.0}


def _paint_ship(cv: _Canvas, rng: np.random.Generator, spec: dict, row: float, col: float, in_ice: bool) -> float:
    """Render a ship imaged at (row, col); returns its width."""
    px = cv.psf.pixel_m
    length, width = spec["length"], spec["width"]
    heading = rng.uniform(0.0, 2.0 * math.pi)
    ci = int(np.clip(round(col), 0, cv.shape[1] - 1))
    inc = float(cv.inc_cols[ci])
    # motion: azimuth displacement of the imaged ship with respect to its true position (and wake)
    speed = rng.uniform(0.0, 3.0) if in_ice else rng.uniform(0.0, 8.0)
    v_r = speed * math.cos(heading) * math.sin(math.radians(inc))
    shift_px = -float(_slant_range_m(np.array(inc))) * v_r / SAT_SPEED_MS / px
    if not in_ice and speed > 2.0 and rng.random() < 0.6:
        _paint_wake(cv, rng, row - shift_px, col, heading, length, width, speed * rng.uniform(60.0, 300.0))
    rcs = _lin(43.5 + 25.0 * math.log10(length / 140.0) + rng.normal(0.0, 2.5) + rng.normal(1.0, 1.5))
    rcs = float(rcs)
    # distributed hull (30 %)
    half = int(math.ceil(0.5 * length / px)) + 2
    r0, c0, n, yy, xx = _fine_coords(row, col, half, px)
    u = xx * math.cos(heading) + yy * math.sin(heading)
    v = -xx * math.sin(heading) + yy * math.cos(heading)
    taper = np.clip((0.5 * length - u) / (0.25 * length), 0.0, 1.0)
    inside = (np.abs(u) <= 0.5 * length) & (np.abs(v) <= 0.5 * width * taper)
    cov = _block(inside.astype(np.float32), n)
    hull_rcs = 0.3 * rcs
    hull_ratio = _lin(float(np.clip(rng.normal(-11.0, 2.5), -20.0, -4.0)))
    if cov.sum() > 0:
        share = cov / cov.sum()
        add = share * np.float32(hull_rcs / px**2)
        cv.paste(r0, c0, 1.0 - cov, add, add * hull_ratio)
        pt_rcs = 0.7 * rcs
    else:
        pt_rcs = rcs
    # point scatterers (70 %)
    n_pts = int(np.clip(2 + rng.poisson(length / 70.0), 2, 9))
    weights = rng.dirichlet(np.full(n_pts, 0.6))
    weights[0] += weights.max()
    weights /= weights.sum()
    us = rng.uniform(-0.45, 0.45, n_pts) * length
    us[0] = -rng.uniform(0.2, 0.45) * length  # superstructure towards the stern
    vs = rng.normal(0.0, width / 6.0, n_pts)
    ch, sh = math.cos(heading), math.sin(heading)
    for k in range(n_pts):
        x = us[k] * ch - vs[k] * sh
        y = us[k] * sh + vs[k] * ch
        ratio = float(_lin(float(np.clip(rng.normal(-12.5, 4.5), -25.0, -3.0))))
        a = pt_rcs * weights[k]
        cv.add_point(row + y / px, col + x / px, a, a * ratio)
    return width


def _berg_outline(rng: np.random.Generator, size: float):
    ks = np.arange(2, 8)
    amp = rng.normal(0.0, 0.25 / ks)
    ph = rng.uniform(0.0, 2.0 * math.pi, ks.size)
    aspect = rng.uniform(1.0, 1.8)
    orient = rng.uniform(0.0, math.pi)

    def radius(psi):
        r = 1.0 + np.sum(amp[:, None] * np.cos(ks[:, None] * psi[None, :] + ph[:, None]), axis=0)
        return np.maximum(r, 0.35)

    psi = np.linspace(0.0, 2.0 * math.pi, 360, endpoint=False)
    r = radius(psi)
    bu, bv = aspect * r * np.cos(psi), r * np.sin(psi)
    dirs = np.linspace(0.0, math.pi, 36, endpoint=False)
    proj = bu[None, :] * np.cos(dirs)[:, None] + bv[None, :] * np.sin(dirs)[:, None]
    extent = float(np.max(proj.max(axis=1) - proj.min(axis=1)))
    r0 = size / extent
    return radius, aspect, orient, r0, bu * r0, bv * r0


def _paint_berg(cv: _Canvas, rng: np.random.Generator, spec: dict, row: float, col: float) -> float:
    px = cv.psf.pixel_m
    size = spec["length"]
    ci = int(np.clip(round(col), 0, cv.shape[1] - 1))
    inc = float(cv.inc_cols[ci])
    radius, aspect, orient, r0, bu, bv = _berg_outline(rng, size)
    co, so = math.cos(orient), math.sin(orient)
    freeboard = float(np.clip(size * rng.uniform(0.04, 0.12), 5.0, 70.0))
    shadow_len = freeboard * math.tan(math.radians(inc))
    half = int(math.ceil((0.5 * size + shadow_len) / px)) + 3
    rr0, cc0, n, yy, xx = _fine_coords(row, col, half, px)

    def inside_at(x, y):
        u = x * co + y * so
        v = -x * so + y * co
        ue = u / aspect
        return np.hypot(ue, v) <= r0 * radius(np.arctan2(v, ue).ravel()).reshape(x.shape)

    inside = inside_at(xx, yy)
    shadow = (inside_at(xx - shadow_len, yy) | inside_at(xx - 0.5 * shadow_len, yy)) & ~inside
    cov = _block(inside.astype(np.float32), n)
    scov = _block(shadow.astype(np.float32), n)
    hh0 = float(_lin(rng.normal(-4.0, 3.0) - 0.1 * (inc - 35.0)))
    ratio = float(_lin(rng.normal(-7.0, 2.0)))
    tex = rng.gamma(2.5, 1.0 / 2.5, size=cov.shape).astype(np.float32)
    add = cov * tex * np.float32(hh0)
    cv.paste(rr0, cc0, np.clip(1.0 - cov - scov, 0.0, 1.0), add, add * np.float32(ratio))
    if rng.random() < 0.6:
        # facets on the near-range side of the outline (x < 0 in world coordinates)
        wx = bu * co - bv * so
        wy = bu * so + bv * co
        cand = np.flatnonzero(wx < 0.0)
        n_f = 1 + rng.poisson(size / 250.0)
        for idx in rng.choice(cand, size=min(n_f, cand.size), replace=False):
            f_rcs = float(_lin(33.0 + 15.0 * math.log10(size / 100.0) + rng.normal(0.0, 3.0)))
            f_ratio = float(_lin(rng.normal(-10.0, 3.0)))
            shrink = max(0.0, 1.0 - 5.0 / max(np.hypot(wx[idx], wy[idx]), 1e-6))
            cv.add_point(row + wy[idx] * shrink / px, col + wx[idx] * shrink / px, f_rcs, f_rcs * f_ratio)
    return 0.0


def _finish(rng: np.random.Generator, cv: _Canvas, noise_hh: np.ndarray, noise_hv: np.ndarray, enl: float = ENL):
    out = []
    for dist, noise, pts in ((cv.dist_hh, noise_hh, cv.pts_hh), (cv.dist_hv, noise_hv, cv.pts_hv)):
        mean = cv.psf.blur(dist)
        mean += noise
        mean *= cv.psf.speckle(rng, mean.shape, enl)
        mean += pts
        out.append(_db(mean))
    return out[0], out[1]


def _noise_maps(inc_cols: np.ndarray, n_rows: int, row0: float, env: _Env, rng: np.random.Generator):
    nesz = _lin(_nesz_db(inc_cols, env.nesz_offset_db))
    sw = _subswath_index(inc_cols)
    phase = rng.uniform(0.0, 2.0 * math.pi, len(NESZ_CENTRE_DB))
    rows = (row0 + np.arange(n_rows)) * PIXEL_M / SCALLOP_PERIOD_M
    amp = 10.0 ** (SCALLOP_DB / 20.0) - 1.0
    scal = 1.0 + amp * np.cos(2.0 * math.pi * rows[:, None] + phase[None, :])
    noise = (scal[:, sw] * nesz[None, :]).astype(np.float32)
    return noise, noise.copy()


# ----------------------------------------------------------------------------------------------------------------
# Public functions
# ----------------------------------------------------------------------------------------------------------------
def simulate_scene(seed: int, size_px: int = 3000, n_ships: int = 60, n_icebergs: int = 60) -> Scene:
    """Simulate one EW GRDM-like HH/HV scene of ``size_px`` x ``size_px`` pixels (40 m)."""
    rng = np.random.default_rng(seed)
    shape = (size_px, size_px)
    g = _GR_NEAR + (np.arange(size_px) + 0.5) / size_px * (_GR_FAR - _GR_NEAR)
    inc_cols = _inc_from_ground(g).astype(np.float32)
    env = _draw_env(rng)
    ice_mask = _scene_ice_mask(rng, shape, float(rng.uniform(0.2, 0.4)))
    sea_hh, sea_hv = _sea_maps(rng, shape, inc_cols, env)
    ice_hh, ice_hv = _ice_maps(rng, shape, inc_cols, env)
    dist_hh = np.where(ice_mask, ice_hh, sea_hh)
    dist_hv = np.where(ice_mask, ice_hv, sea_hv)
    del sea_hh, sea_hv, ice_hh, ice_hv
    cv = _Canvas(dist_hh, dist_hv, _Psf(), inc_cols)

    specs = [_draw_ship(rng) for _ in range(n_ships)] + [_draw_berg(rng) for _ in range(n_icebergs)]
    order = rng.permutation(len(specs))
    placed: list[tuple[float, float, float]] = []
    targets: list[Target] = []
    for i in order:
        spec = specs[i]
        rad = 0.5 * spec["length"] / PIXEL_M + 2.0
        for _ in range(200):
            r = rng.uniform(rad + 2.0, size_px - rad - 2.0)
            c = rng.uniform(rad + 2.0, size_px - rad - 2.0)
            if all((r - pr) ** 2 + (c - pc) ** 2 >= (rad + prad + 4.0) ** 2 for pr, pc, prad in placed):
                break
        else:
            continue
        placed.append((r, c, rad))
        in_ice = bool(ice_mask[int(round(r)), int(round(c))])
        if spec["kind"] == "ship":
            width = _paint_ship(cv, rng, spec, r, c, in_ice)
        else:
            width = _paint_berg(cv, rng, spec, r, c)
        targets.append(Target(float(r), float(c), spec["kind"], float(spec["length"]), in_ice, float(width)))

    noise_hh, noise_hv = _noise_maps(inc_cols, size_px, 0.0, env, rng)
    hh_db, hv_db = _finish(rng, cv, noise_hh, noise_hv)
    return Scene(
        hh_db=hh_db,
        hv_db=hv_db,
        inc_deg=inc_cols,
        ice_mask=ice_mask,
        pixel_size_m=PIXEL_M,
        targets=targets,
        nesz_db=_nesz_db(inc_cols, env.nesz_offset_db).astype(np.float32),
        wind_speed_ms=env.wind_ms,
    )


def _empty_patches(n: int, size: int) -> dict:
    return {
        "hh_db": np.zeros((n, size, size), np.float32),
        "hv_db": np.zeros((n, size, size), np.float32),
        "inc_deg": np.zeros(n, np.float32),
        "label": np.zeros(n, np.int64),
        "in_ice": np.zeros(n, bool),
        "length_m": np.zeros(n, np.float32),
    }


def cut_patches(scene: Scene, size: int = PATCH_PX) -> dict:
    """Cut ``size`` x ``size`` patches centred on every target whose patch lies fully inside the scene.

    Returns hh_db, hv_db (n, size, size), inc_deg (n,) at the target column, label (0 ship, 1 iceberg), in_ice,
    and length_m (extra).
    """
    h, w = scene.hh_db.shape
    lo = size // 2
    keep = []
    for t in scene.targets:
        r, c = int(round(t.row)), int(round(t.col))
        if r - lo >= 0 and c - lo >= 0 and r - lo + size <= h and c - lo + size <= w:
            keep.append((t, r, c))
    out = _empty_patches(len(keep), size)
    inc = np.asarray(scene.inc_deg)
    for i, (t, r, c) in enumerate(keep):
        out["hh_db"][i] = scene.hh_db[r - lo : r - lo + size, c - lo : c - lo + size]
        out["hv_db"][i] = scene.hv_db[r - lo : r - lo + size, c - lo : c - lo + size]
        out["inc_deg"][i] = inc[c] if inc.ndim == 1 else inc[r, c]
        out["label"][i] = 0 if t.kind == "ship" else 1
        out["in_ice"][i] = t.in_ice
        out["length_m"][i] = t.length_m
    return out


def _tile_ice_mask(
    rng: np.random.Generator, shape: tuple[int, int], rc: float, cc: float, rad: float, in_ice: bool
) -> np.ndarray:
    if in_ice and rng.random() < 0.7:
        return np.ones(shape, bool)
    if not in_ice and rng.random() > 0.1:
        return np.zeros(shape, bool)
    ang = rng.uniform(0.0, 2.0 * math.pi)
    d0 = rng.uniform(rad + 4.0, 40.0)
    rr, cc_ = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    s = (rr - rc) * math.sin(ang) + (cc_ - cc) * math.cos(ang) - d0
    s += np.clip(3.0 * _grf(rng, shape, 6.0), -(d0 - rad - 1.0), d0 - rad - 1.0)
    return s < 0.0 if in_ice else s > 0.0


def simulate_patches(n: int, seed: int, size: int = PATCH_PX) -> dict:
    """Simulate ``n`` single-target patches (half ships, half icebergs, about a quarter in ice).

    Each patch is cut from a small independent tile rendered with the full scene model at a random across-track
    position of a 10,000 px EW swath (true 40 m incidence gradient).  Same layout as ``cut_patches``.
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 2)
    in_ice_all = rng.random(n) < 0.25
    out = _empty_patches(n, size)
    tile = size + 2 * TILE_MARGIN_PX
    shape = (tile, tile)
    psf = _Psf()
    lo = size // 2
    for i in range(n):
        env = _draw_env(rng)
        spec = _draw_ship(rng) if labels[i] == 0 else _draw_berg(rng)
        rad = 0.5 * spec["length"] / PIXEL_M + 2.0
        rc = tile // 2 + rng.uniform(-0.5, 0.5)
        cc = tile // 2 + rng.uniform(-0.5, 0.5)
        x = rng.uniform(0.0, 1.0) * (_GR_FAR - _GR_NEAR)
        g = _GR_NEAR + x + (np.arange(tile) - tile // 2) * PIXEL_M
        inc_cols = _inc_from_ground(np.clip(g, _GR_NEAR, _GR_FAR)).astype(np.float32)
        in_ice = bool(in_ice_all[i])
        mask = _tile_ice_mask(rng, shape, rc, cc, rad, in_ice)
        dist_hh, dist_hv = _sea_maps(rng, shape, inc_cols, env)
        if mask.any():
            ice_hh, ice_hv = _ice_maps(rng, shape, inc_cols, env)
            dist_hh = np.where(mask, ice_hh, dist_hh)
            dist_hv = np.where(mask, ice_hv, dist_hv)
        cv = _Canvas(dist_hh, dist_hv, psf, inc_cols)
        if spec["kind"] == "ship":
            _paint_ship(cv, rng, spec, rc, cc, in_ice)
        else:
            _paint_berg(cv, rng, spec, rc, cc)
        noise_hh, noise_hv = _noise_maps(inc_cols, tile, rng.uniform(0.0, 1000.0), env, rng)
        hh_db, hv_db = _finish(rng, cv, noise_hh, noise_hv)
        r, c = int(round(rc)), int(round(cc))
        out["hh_db"][i] = hh_db[r - lo : r - lo + size, c - lo : c - lo + size]
        out["hv_db"][i] = hv_db[r - lo : r - lo + size, c - lo : c - lo + size]
        out["inc_deg"][i] = inc_cols[c]
        out["label"][i] = labels[i]
        out["in_ice"][i] = in_ice
        out["length_m"][i] = spec["length"]
    return out
