"""Sentinel-1-like SAR simulation: sea clutter, sea ice, ships and icebergs, in sigma0.

The simulator is the test bed of the whole product (no labelled iceberg imagery can be shipped),
so it follows the physics rather than producing a separable toy:

* Sea clutter is K-distributed: intensity = mean(incidence, wind) x texture x speckle, with
  texture ~ Gamma(nu) (spatially correlated) and speckle ~ Gamma(L) for L looks (ENL of the mode).
  The co-pol mean falls with incidence angle and rises with wind; the cross-pol return sits near
  the noise floor (NESZ), well below co-pol.
* Sea ice is brighter and textured, with a higher cross-pol return than open water.
* Ships are compact bright oriented hulls made of a few strong point scatterers (dihedrals), with
  strong co-pol, cross-pol about 10 dB lower, and the impulse response's range/azimuth sidelobes.
* Icebergs are irregular blobs of distributed scatterers (speckled), dimmer peaks and a higher
  cross-/co-pol ratio.
* Class-conditional distributions overlap (small fibreglass boats, bright pinnacled bergs) as in
  real data, so a good classifier reaches about 90 %, not 100 %.

Every function takes a ``numpy.random.Generator`` (or a seed) so outputs are reproducible.
All radiometry here is linear power unless a name ends in ``_db``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from icesight_contract import PATCH_SIZE_PX, AcquisitionMode, ClassName, CoPol


@dataclass(frozen=True)
class ModeGeometry:
    """Pixel spacing, incidence-angle span and speckle of a Sentinel-1 ground-range product."""

    pixel_size_m: float
    inc_near_deg: float
    inc_far_deg: float
    looks: float  # equivalent number of looks of the GRD product
    nesz_db: float  # noise-equivalent sigma zero, mid swath
    psf_width_px: float  # -3 dB width of the impulse response in pixels


MODES: dict[AcquisitionMode, ModeGeometry] = {
    AcquisitionMode.EW: ModeGeometry(40.0, 18.9, 47.0, 10.7, -26.0, 1.1),
    AcquisitionMode.IW: ModeGeometry(10.0, 29.1, 46.0, 4.4, -26.5, 1.2),
}


def db_to_linear(value_db: np.ndarray | float) -> np.ndarray | float:
    return np.power(10.0, np.asarray(value_db) / 10.0)


def linear_to_db(value_linear: np.ndarray | float, floor_linear: float = 1e-8) -> np.ndarray | float:
    return 10.0 * np.log10(np.maximum(value_linear, floor_linear))


# ---------------------------------------------------------------------------------------------
# Backgrounds


def polarisation_ratio_db(inc_angle_deg: np.ndarray | float) -> np.ndarray:
    """VV/HH of open water in dB: near 0 at 20 degrees, growing with incidence (Bragg scattering)."""
    inc = np.asarray(inc_angle_deg, dtype=np.float64)
    return np.clip(0.1 * (inc - 20.0), 0.0, None)


def sea_sigma0_db(
    inc_angle_deg: np.ndarray | float, wind_speed_m_s: float, co_pol: CoPol = CoPol.HH
) -> tuple[np.ndarray, np.ndarray]:
    """Mean open-water sigma0 (co-pol, cross-pol) in dB for incidence angle and wind speed.

    A compact fit in the spirit of CMOD5 at moderate wind: VV falls about 0.55 dB per degree over
    20-45 degrees and rises with wind as U**1.6; HH is VV less the polarisation ratio. The
    cross-pol return (HV or VH) is weak and wind-driven; the noise floor is added elsewhere.
    """
    inc = np.asarray(inc_angle_deg, dtype=np.float64)
    wind = np.maximum(np.asarray(wind_speed_m_s, dtype=np.float64), 0.5)
    wind_term_db = 16.0 * np.log10(wind / 7.0)
    vv_db = -6.5 - 0.55 * (inc - 20.0) - 0.003 * (inc - 20.0) ** 2 + wind_term_db
    co_db = vv_db if co_pol is CoPol.VV else vv_db - polarisation_ratio_db(inc)
    cross_db = -30.5 + 0.6 * wind_term_db + 0.0 * inc
    return co_db, cross_db


def ice_sigma0_db(inc_angle_deg: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Mean sigma0 (HH, HV) in dB of first-year/young sea ice: brighter than calm water, weak angle trend."""
    inc = np.asarray(inc_angle_deg, dtype=np.float64)
    hh_db = -11.0 - 0.18 * (inc - 30.0)
    hv_db = -22.0 - 0.10 * (inc - 30.0)
    return hh_db, hv_db


def _filtered_noise_std(corr_px: float, truncate: float = 4.0) -> float:
    """Standard deviation of unit white noise after scipy's 2-D Gaussian filter of sigma ``corr_px``."""
    radius = int(truncate * corr_px + 0.5)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (x / corr_px) ** 2)
    kernel /= kernel.sum()
    return float(np.sum(kernel**2))  # separable: variance (sum k^2)^2, so std = sum k^2


def correlated_gamma(
    rng: np.random.Generator,
    shape: tuple[int, int],
    shape_param: float,
    corr_px: float,
    white: np.ndarray | None = None,
) -> np.ndarray:
    """Unit-mean Gamma(shape_param) texture with spatial correlation length ``corr_px`` pixels.

    ``white`` may supply the underlying white noise with extra rows above and below (a halo):
    scene blocks drawn from per-row seeds then join without seams.
    """
    if corr_px <= 0.3:
        return rng.gamma(shape_param, 1.0 / shape_param, size=shape)
    # Smooth white noise, map it through the normal CDF to uniform, then to Gamma by inversion.
    from scipy import special, stats

    if white is None:
        noise = ndimage.gaussian_filter(rng.standard_normal(shape), corr_px, mode="reflect")
    else:
        halo = (white.shape[0] - shape[0]) // 2
        noise = ndimage.gaussian_filter(white, corr_px, mode="reflect")[halo : halo + shape[0]]
    noise /= _filtered_noise_std(corr_px)
    uniform = np.clip(special.ndtr(noise), 1e-6, 1 - 1e-6)
    return stats.gamma.ppf(uniform, shape_param, scale=1.0 / shape_param)


def speckle(rng: np.random.Generator, shape: tuple[int, ...], looks: float) -> np.ndarray:
    """Unit-mean multi-look intensity speckle, Gamma(L, 1/L)."""
    return rng.gamma(looks, 1.0 / looks, size=shape)


def background(
    rng: np.random.Generator,
    inc_angle_deg: np.ndarray,
    wind_speed_m_s: float | np.ndarray,
    geometry: ModeGeometry,
    ice_mask: np.ndarray | None = None,
    co_pol: CoPol = CoPol.HH,
    texture_wind_m_s: float | None = None,
    white_sea: np.ndarray | None = None,
    white_ice: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Clutter (co-pol, cross-pol) in linear sigma0 over a grid whose incidence angle is ``inc_angle_deg``.

    Sea: K-distributed with texture order nu rising with wind (calm seas are spikier); the wind
    may vary per pixel. Ice (where ``ice_mask`` is true): brighter Gamma texture with longer
    correlation. ``white_sea``/``white_ice`` supply the texture noise with a row halo (scene blocks).
    """
    shape = inc_angle_deg.shape
    hh_db, hv_db = sea_sigma0_db(inc_angle_deg, wind_speed_m_s, co_pol)
    nominal_wind = float(np.mean(wind_speed_m_s)) if texture_wind_m_s is None else texture_wind_m_s
    nu = float(np.clip(2.0 + 1.2 * nominal_wind, 3.0, 25.0))
    texture = correlated_gamma(rng, shape, nu, corr_px=1.5, white=white_sea)
    hh = db_to_linear(hh_db) * texture
    hv = db_to_linear(hv_db) * (0.5 + 0.5 * texture)
    if ice_mask is not None and ice_mask.any():
        ice_hh_db, ice_hv_db = ice_sigma0_db(inc_angle_deg)
        ice_texture = correlated_gamma(rng, shape, 2.5, corr_px=4.0, white=white_ice)
        hh = np.where(ice_mask, db_to_linear(ice_hh_db) * ice_texture, hh)
        hv = np.where(ice_mask, db_to_linear(ice_hv_db) * (0.4 + 0.6 * ice_texture), hv)
    nesz = db_to_linear(geometry.nesz_db)
    hh = hh * speckle(rng, shape, geometry.looks) + nesz * speckle(rng, shape, geometry.looks)
    hv = hv * speckle(rng, shape, geometry.looks) + nesz * speckle(rng, shape, geometry.looks)
    return hh, hv


# ---------------------------------------------------------------------------------------------
# Targets


@dataclass(frozen=True)
class Target:
    """A simulated ship or iceberg: what the truth GeoPackage records for each target."""

    kind: ClassName
    length_m: float
    width_m: float
    heading_deg: float  # orientation of the long axis, clockwise from image "up" (azimuth)
    peak_hh_db: float  # brightest scatterer, before the impulse response
    cross_ratio_db: float  # HV/HH of the target's own return


def draw_ship(rng: np.random.Generator, length_m: float | None = None) -> Target:
    # Ship lengths: log-normal, median about 90 m, clipped to 20-300 m (fishing vessels to tankers).
    length = float(np.clip(rng.lognormal(math.log(90.0), 0.6), 20.0, 300.0)) if length_m is None else length_m
    width = length / rng.uniform(5.5, 8.0)
    # Metal superstructure makes strong dihedrals; about one ship in eight is a weak
    # (small, fibreglass or wooden) scatterer that looks like a growler.
    weak = rng.random() < 0.10
    peak = 7.5 + 11.0 * math.log10(length / 20.0) + rng.normal(0.0, 3.0) - (9.0 if weak else 0.0)
    ratio = rng.normal(-11.0, 2.5) + (3.0 if weak else 0.0)
    return Target(ClassName.SHIP, length, width, float(rng.uniform(0, 180)), peak, ratio)


def draw_iceberg(rng: np.random.Generator) -> Target:
    # Iceberg sizes: growlers and bergy bits to large bergs, a heavy-tailed distribution.
    size = float(np.clip(rng.lognormal(math.log(70.0), 0.65), 10.0, 600.0))
    aspect = rng.uniform(1.0, 2.0)
    # Pinnacled or tabular bergs can give bright specular facets (one in ten).
    bright = rng.random() < 0.10
    peak = 1.0 + 6.0 * math.log10(size / 50.0) + rng.normal(0.0, 3.0) + (7.0 if bright else 0.0)
    ratio = rng.normal(-5.5, 2.0) - (3.0 if bright else 0.0)
    return Target(ClassName.ICEBERG, size, size / aspect, float(rng.uniform(0, 180)), peak, ratio)


def draw_target(rng: np.random.Generator, kind: ClassName) -> Target:
    return draw_ship(rng) if kind is ClassName.SHIP else draw_iceberg(rng)


def _impulse_response(geometry: ModeGeometry, half_px: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Separable 1-D amplitude-weighted (Hamming-like) sinc^2 responses in range and azimuth."""
    x = np.arange(-half_px, half_px + 1, dtype=np.float64)
    scale = geometry.psf_width_px / 0.886
    main = np.sinc(x / scale) ** 2
    # A Hamming-weighted response keeps sidelobes near -30 dB; strong targets still show them.
    sidelobes = 10 ** (-2.6) * np.exp(-np.abs(x) / 4.0) * (np.abs(x) > scale)
    kernel = main + sidelobes
    return kernel / kernel.sum(), kernel / kernel.sum()


def render_target(
    rng: np.random.Generator,
    target: Target,
    geometry: ModeGeometry,
    offset_px: tuple[float, float] = (0.0, 0.0),
    looks: float | None = None,
    co_pol: CoPol = CoPol.HH,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Linear sigma0 (HH, HV) of one target on a square window centred on it.

    Returns the two arrays and the window half-size; the target centre is at the window centre
    plus ``offset_px`` (row, col). The return is drawn on a 4x supersampled grid, averaged to
    pixels (so sub-pixel growlers fade as they should), then blurred by the impulse response.
    """
    looks = geometry.looks if looks is None else looks
    px = geometry.pixel_size_m
    extent_px = max(target.length_m, target.width_m) / px
    half = int(math.ceil(extent_px / 2 + 8))
    size = 2 * half + 1
    sup = 4
    coords = (np.arange(size * sup) + 0.5) / sup - size / 2.0
    rows, cols = np.meshgrid(coords - offset_px[0], coords - offset_px[1], indexing="ij")
    theta = math.radians(target.heading_deg)
    # Along- and across-track coordinates in metres.
    along = (rows * math.cos(theta) + cols * math.sin(theta)) * px
    across = (-rows * math.sin(theta) + cols * math.cos(theta)) * px
    half_len, half_wid = target.length_m / 2.0, target.width_m / 2.0

    if target.kind is ClassName.SHIP:
        hull = (np.abs(along) <= half_len) & (np.abs(across) <= half_wid)
        # Pointed bow: trim the last 15 % of the hull to a wedge.
        bow = along > 0.7 * half_len
        hull &= ~bow | (np.abs(across) <= half_wid * (half_len - along) / (0.3 * half_len + 1e-9))
        refl = hull * 0.05
        # Dominant scatterers: superstructure aft, cranes/containers along the deck.
        n_scat = int(rng.integers(2, 6))
        positions = np.concatenate([[-0.55], rng.uniform(-0.8, 0.8, n_scat - 1)])
        weights = np.concatenate([[1.0], rng.uniform(0.1, 0.6, n_scat - 1)])
        sigma_m = max(px * 0.35, 4.0)
        for pos, w in zip(positions, weights, strict=True):
            refl = refl + w * np.exp(-((along - pos * half_len) ** 2 + across**2) / (2 * sigma_m**2))
        fluct_looks = 12.0  # point scatterers: little speckle
    else:
        # Irregular outline: radius modulated by a few random harmonics.
        angle = np.arctan2(across / max(half_wid, 1e-6), along / max(half_len, 1e-6))
        radius = np.hypot(along / max(half_len, 1e-6), across / max(half_wid, 1e-6))
        edge = 1.0
        for k in range(2, 6):
            edge = edge + rng.normal(0, 0.12 / k * 2) * np.cos(k * angle + rng.uniform(0, 2 * np.pi))
        body = radius <= edge
        # Volume scattering fills the body fairly evenly; the brightest facet faces the radar.
        facet = np.exp(-((along - 0.3 * half_len) ** 2 + across**2) / (2 * (0.5 * half_len + px) ** 2))
        refl = body * (0.35 + 0.65 * facet)
        fluct_looks = looks

    pixels = refl.reshape(size, sup, size, sup).mean(axis=(1, 3))
    if pixels.max() <= 0:
        return np.zeros((size, size)), np.zeros((size, size)), half
    # The brightest sub-pixel scatterer sets the peak: scale so that a target filling a pixel has
    # the drawn peak; smaller-than-pixel targets come out dimmer, as they do in real data.
    sub_peak = refl.max()
    peak_db = target.peak_hh_db
    if co_pol is CoPol.VV and target.kind is ClassName.SHIP:
        peak_db -= 1.5  # dihedral (double-bounce) returns favour HH over VV
    pixels = pixels / sub_peak * db_to_linear(peak_db)
    row_kernel, col_kernel = _impulse_response(geometry)
    hh = ndimage.convolve1d(ndimage.convolve1d(pixels, row_kernel, axis=0), col_kernel, axis=1)
    hh = np.maximum(hh, 0.0)
    hh *= pixels.max() / max(hh.max(), 1e-30)  # the response spreads energy, the peak stays
    hv = hh * db_to_linear(target.cross_ratio_db)
    hh = hh * speckle(rng, hh.shape, fluct_looks)
    hv = hv * speckle(rng, hv.shape, fluct_looks)
    return hh, hv, half


def add_target(
    hh: np.ndarray, hv: np.ndarray, target_hh: np.ndarray, target_hv: np.ndarray, row: int, col: int
) -> None:
    """Add a rendered target (centred window) into scene arrays at (row, col), clipped at edges."""
    half = target_hh.shape[0] // 2
    r0, c0 = row - half, col - half
    r1, c1 = r0 + target_hh.shape[0], c0 + target_hh.shape[1]
    rr0, cc0 = max(r0, 0), max(c0, 0)
    rr1, cc1 = min(r1, hh.shape[0]), min(c1, hh.shape[1])
    if rr0 >= rr1 or cc0 >= cc1:
        return
    window = (slice(rr0, rr1), slice(cc0, cc1))
    local = (slice(rr0 - r0, rr1 - r0), slice(cc0 - c0, cc1 - c0))
    hh[window] += target_hh[local]
    hv[window] += target_hv[local]


# ---------------------------------------------------------------------------------------------
# Labelled patch sets in the Kaggle record layout


@dataclass
class SimulatedPatches:
    """A labelled patch set: arrays in dB plus the truth behind each patch."""

    band_1_db: np.ndarray  # (n, 75, 75) HH
    band_2_db: np.ndarray  # (n, 75, 75) HV
    inc_angle_deg: np.ndarray  # (n,)
    is_iceberg: np.ndarray  # (n,) 0/1
    targets: list[Target]


def simulate_patch(
    rng: np.random.Generator,
    kind: ClassName,
    geometry: ModeGeometry,
    co_pol: CoPol = CoPol.HH,
    inc_angle_deg: float | None = None,
    target: Target | None = None,
    wind_speed_m_s: float | None = None,
    allow_sea_ice: bool = True,
) -> tuple[np.ndarray, np.ndarray, float, Target]:
    """One 75 x 75 patch (co-pol dB, cross-pol dB, incidence, target) centred on a target.

    Incidence, target and wind are drawn unless given (the realism check pins them to a real chip).
    """
    size = PATCH_SIZE_PX
    inc_centre = (
        float(rng.uniform(geometry.inc_near_deg, geometry.inc_far_deg)) if inc_angle_deg is None else inc_angle_deg
    )
    # The incidence angle changes across range (columns) within the patch too.
    span = (geometry.inc_far_deg - geometry.inc_near_deg) * size / 10000.0 * (40.0 / geometry.pixel_size_m)
    inc_grid = np.broadcast_to(inc_centre + np.linspace(-span / 2, span / 2, size), (size, size))
    wind = float(rng.weibull(2.2) * 8.0 + 1.0) if wind_speed_m_s is None else wind_speed_m_s
    # Icebergs are often found in or beside sea ice; ships mostly in open water.
    in_ice = allow_sea_ice and rng.random() < (0.35 if kind is ClassName.ICEBERG else 0.08)
    ice_mask = None
    if in_ice:
        ice_field = ndimage.gaussian_filter(rng.standard_normal((size, size)), 12.0)
        ice_mask = ice_field > np.quantile(ice_field, rng.uniform(0.0, 0.7))
    co, cross = background(rng, inc_grid, wind, geometry, ice_mask, co_pol)
    target = target or draw_target(rng, kind)
    t_co, t_cross, _ = render_target(rng, target, geometry, offset_px=tuple(rng.uniform(-0.5, 0.5, 2)), co_pol=co_pol)
    centre = size // 2 + rng.integers(-2, 3, size=2)
    add_target(co, cross, t_co, t_cross, int(centre[0]), int(centre[1]))
    return linear_to_db(co), linear_to_db(cross), inc_centre, target


def simulate_patches(
    n_patches: int,
    mode: AcquisitionMode = AcquisitionMode.EW,
    iceberg_fraction: float = 0.47,
    seed: int = 0,
    co_pol: CoPol = CoPol.HH,
) -> SimulatedPatches:
    """Draw ``n_patches`` labelled 75 x 75 patches centred on a ship or an iceberg."""
    rng = np.random.default_rng(seed)
    geometry = MODES[mode]
    size = PATCH_SIZE_PX
    b1 = np.empty((n_patches, size, size), dtype=np.float32)
    b2 = np.empty_like(b1)
    inc = np.empty(n_patches, dtype=np.float32)
    labels = (rng.random(n_patches) < iceberg_fraction).astype(np.int64)
    targets: list[Target] = []
    for i in range(n_patches):
        kind = ClassName.ICEBERG if labels[i] else ClassName.SHIP
        b1[i], b2[i], inc[i], target = simulate_patch(rng, kind, geometry, co_pol)
        targets.append(target)
    return SimulatedPatches(b1, b2, inc, labels, targets)
