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
* Radar cross-section is conserved across resolution: a point scatterer's sigma0 is its RCS over
  the cell area, and the impulse response (unit sum) spreads it, so EW ships peak lower than IW.
* Labelled training sets are half domain-randomised by default (:func:`draw_nuisance`): in those
  patches every parameter that does not decide the class is drawn, from one of two simulator
  families; the others are nominal.
  Sources for every choice: ``docs/simulator.md``.

Every function takes a ``numpy.random.Generator`` (or a seed) so outputs are reproducible.
All radiometry here is linear power unless a name ends in ``_db``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
from scipy import ndimage

from icesight_contract import PATCH_SIZE_PX, AcquisitionMode, ClassName, CoPol, SimulatedPatchSet

from .readers import PRODUCT_LOOKS, PRODUCT_PIXEL_SPACING_M


@dataclass(frozen=True)
class ModeGeometry:
    """Pixel spacing, incidence-angle span and speckle of a Sentinel-1 ground-range product."""

    pixel_size_m: float
    inc_near_deg: float
    inc_far_deg: float
    looks: float  # equivalent number of looks of the GRD product
    nesz_db: float  # noise-equivalent sigma zero: the swath's level, about which its sub-swaths step
    psf_width_px: float  # -3 dB width of the impulse response in pixels
    subswaths: int  # sub-swaths across the swath (TOPS: EW1-EW5, IW1-IW3)
    psf_sidelobe_db: float  # peak sidelobe level of the impulse response, dB below its peak


#: ESA product figures (pixel spacing and looks from :data:`~.readers.PRODUCT_LOOKS`' source): EW GRDM
#: 40 m pixels, resolution about 93 x 87 m, ENL 10.7; IW GRDH 10 m pixels, resolution 20 x 22 m, ENL
#: 4.4. The impulse-response width is resolution / pixel spacing.
#: The sidelobe level is that of the processor's spectral weighting as real product annotations give
#: it (``data/sentinel1_annotation``): IW1/IW2 generalised Hamming 0.75 in range, 0.70/0.75 in
#: azimuth, -24 to -21 dB; EW1 0.60 in range and 0.50 in azimuth, -31.5 dB either way
#: (:func:`hamming_sidelobe_db`), read from an SLC annotation and taken to hold for EW GRDM.
MODES: dict[AcquisitionMode, ModeGeometry] = {
    AcquisitionMode.EW: ModeGeometry(PRODUCT_PIXEL_SPACING_M[("EW", "M")], 18.9, 47.0, PRODUCT_LOOKS[("EW", "M")],
                                     -26.0, 2.25, 5, -31.5),
    AcquisitionMode.IW: ModeGeometry(PRODUCT_PIXEL_SPACING_M[("IW", "H")], 29.1, 46.0, PRODUCT_LOOKS[("IW", "H")],
                                     -26.5, 2.1, 3, -21.0),
}


def noise_floor_profile_db(swath_position: np.ndarray, subswaths: int, rise_db: float,
                           offsets_db: np.ndarray) -> np.ndarray:
    """The noise floor across range relative to the mode's NESZ, in dB.

    ``swath_position`` runs from 0 (near range) to 1 (far range). A TOPS swath is ``subswaths``
    beams side by side (taken here as equally wide on the ground). Each beam's elevation antenna
    gain is highest at its centre, so the noise-equivalent sigma0 is lowest there and rises by
    ``rise_db`` towards its edges (a parabola, the main lobe's shape near its peak, centred so
    that its average over the beam is 0 dB); each beam also sits ``offsets_db[k]`` above or below
    the others, so the floor steps at the seams. This is the
    pattern of the Sentinel-1 noise annotation's range vectors (ESA MPC-0392; Park et al. 2018,
    IEEE TGRS 56(3), on EW cross-pol). It is checked against real IW annotations
    (``data/sentinel1_annotation``, :func:`icesight_backend.sar.realism.annotation_noise`; the
    figures are in docs/simulator.md, "The noise floor across range"); EW's has no measured source.
    The rise and the steps are drawn per scene (see ``SimulateSceneParams.noise_rise_db``).
    """
    position = np.clip(np.asarray(swath_position, dtype=np.float64), 0.0, 1.0) * subswaths
    beam = np.minimum(position.astype(int), subswaths - 1)
    across = 2.0 * (position - beam) - 1.0  # -1 .. 1 across the beam
    return rise_db * (across**2 - 1.0 / 3.0) + np.asarray(offsets_db, dtype=np.float64)[beam]


def noise_floor_db(geometry: ModeGeometry, clutter: ClutterParams | None = None) -> float:
    """The level of the thermal noise floor, dB: the mode's NESZ and the clutter's offset from it
    (a scene's floor varies about this level across range, :func:`noise_floor_profile_db`)."""
    return geometry.nesz_db + (clutter.nesz_offset_db if clutter is not None else 0.0)


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


#: Reach of the Gaussian filters that correlate noise, in sigmas (scipy's default).
_FILTER_TRUNCATE = 4.0


def _filtered_noise_std(corr_px: float, truncate: float = _FILTER_TRUNCATE) -> float:
    """Standard deviation of unit white noise after scipy's 2-D Gaussian filter of sigma ``corr_px``."""
    radius = int(truncate * corr_px + 0.5)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (x / corr_px) ** 2)
    kernel /= kernel.sum()
    return float(np.sum(kernel**2))  # separable: variance (sum k^2)^2, so std = sum k^2


#: Normal scores beyond which the Gamma texture is clipped (probability 1e-6 in each tail).
_Z_LIMIT = 4.753424308822899
#: The same for speckle, whose tail the detector's false-alarm rates (1e-6.5 to 1e-9 a pixel) probe:
#: a probability of 1.3e-12 in each tail.
_SPECKLE_Z_LIMIT = 7.0


def correlated_gamma(
    rng: np.random.Generator,
    shape: tuple[int, int],
    shape_param: float,
    corr_px: float,
    white: np.ndarray | None = None,
    z_limit: float = _Z_LIMIT,
) -> np.ndarray:
    """Unit-mean Gamma(shape_param) field with spatial correlation length ``corr_px`` pixels
    (white at 0.3 px or less).

    ``white`` may supply the underlying white noise with extra rows above and below (a halo):
    scene blocks drawn from per-row seeds then join without seams. ``z_limit``: the normal score
    at which the law is clipped (the default is enough for a texture).
    """
    if corr_px <= 0.3:
        return rng.gamma(shape_param, 1.0 / shape_param, size=shape)
    # Smooth white noise, map it through the normal CDF to uniform, then to Gamma by inversion.
    return _gamma_quantile_table(float(shape_param), z_limit)(correlated_normal(rng, shape, corr_px, white))


def correlated_normal(rng: np.random.Generator, shape: tuple[int, int], corr_px: float,
                      white: np.ndarray | None = None) -> np.ndarray:
    """Unit-variance Gaussian noise smoothed to correlation length ``corr_px`` pixels; ``white``
    may supply the white noise with a row halo, as for :func:`correlated_gamma`."""
    if white is None:
        # Filter a field wider by the filter's reach on every side, then crop: filtering the patch
        # alone would reflect it at its edges and, for a length that is a fair part of the patch
        # (IW ice), raise the variance well above the one the normalisation below assumes.
        pad = int(math.ceil(_FILTER_TRUNCATE * corr_px))
        padded = rng.standard_normal((shape[0] + 2 * pad, shape[1] + 2 * pad))
        noise = ndimage.gaussian_filter(padded, corr_px, truncate=_FILTER_TRUNCATE)[pad : pad + shape[0], pad : pad + shape[1]]
    else:
        halo = (white.shape[0] - shape[0]) // 2
        noise = ndimage.gaussian_filter(white, corr_px, mode="reflect", truncate=_FILTER_TRUNCATE)[halo : halo + shape[0]]
    return noise / _filtered_noise_std(corr_px)


class _QuantileTable:
    """A monotone law tabulated at equally spaced normal scores; calling it maps normal scores to
    the law by linear interpolation (clipped to the table). The grid is uniform, so a score's cell
    is found by arithmetic instead of ``np.interp``'s binary search (about 12 times faster on a
    75 x 75 patch, the same values to 1e-12)."""

    def __init__(self, z: np.ndarray, values: np.ndarray) -> None:
        self.z0, self.z1, self.step, self.values = float(z[0]), float(z[-1]), float(z[1] - z[0]), values
        self.slopes = np.diff(values)
        self.last_cell = len(z) - 2

    def __call__(self, z: np.ndarray) -> np.ndarray:
        u = (np.clip(z, self.z0, self.z1) - self.z0) / self.step
        cell = np.minimum(u.astype(np.intp), self.last_cell)
        return self.values[cell] + (u - cell) * self.slopes[cell]


#: Step in normal score of the Gamma quantile tables. Linear interpolation between the points is
#: within 2e-4 of the exact quantile (relative, 0.001 dB) for shape parameters from 1 up. The
#: texture's shape parameter follows each patch's wind, so most patches build a table of their own:
#: building it is most of a patch's simulation time, and it scales with the number of points.
_QUANTILE_STEP = 0.005


@lru_cache(maxsize=64)
def _gamma_quantile_table(shape_param: float, z_limit: float = _Z_LIMIT) -> _QuantileTable:
    """Unit-mean Gamma quantiles at normal scores z in [-z_limit, z_limit] (steps of at most
    ``_QUANTILE_STEP``), for mapping Gaussian noise to Gamma by interpolation: the exact inverse CDF
    of every pixel would cost many times more. The upper half uses the survival function, exact far
    into the tail."""
    from scipy import special, stats

    z = np.linspace(-z_limit, z_limit, 2 * int(math.ceil(z_limit / _QUANTILE_STEP)) + 1)
    gamma = stats.gamma(shape_param, scale=1.0 / shape_param)
    return _QuantileTable(z, np.where(z < 0, gamma.ppf(special.ndtr(z)), gamma.isf(special.ndtr(-z))))


def speckle(rng: np.random.Generator, shape: tuple[int, int], looks: float, corr_px: float = 0.0) -> np.ndarray:
    """Unit-mean multi-look intensity speckle, Gamma(L, 1/L), spatially correlated over ``corr_px``
    (a Gaussian filter's sigma, see :func:`speckle_correlation_px`; 0: white)."""
    return correlated_gamma(rng, shape, looks, corr_px, z_limit=_SPECKLE_Z_LIMIT)


#: Land in a scene (no source: chosen to be what a sea-clutter CFAR meets on a coast, brighter and far
#: more textured than the sea). Co-pol sigma0 of bare rock, tundra and glaciers: a mean of -8 dB,
#: varying over hundreds of metres by this many dB (sd) and over tens by half as much; cross-pol 7 dB
#: below it; one pixel in a hundred a bright facet (slopes facing the radar, buildings) 10 dB up.
LAND_CO_DB, LAND_RELIEF_DB, LAND_CROSS_RATIO_DB = -8.0, 4.0, -7.0
LAND_FACET_SHARE, LAND_FACET_DB = 0.01, 10.0


def land_clutter(rng: np.random.Generator, relief: np.ndarray, detail: np.ndarray, looks: float,
                 corr_px: float) -> tuple[np.ndarray, np.ndarray]:
    """Linear sigma0 (co-pol, cross-pol) of land from two unit-variance smooth fields of the terrain,
    ``relief`` (hundreds of metres) and ``detail`` (tens), with facets and speckle drawn from ``rng``."""
    co_db = LAND_CO_DB + LAND_RELIEF_DB * relief + LAND_RELIEF_DB / 2 * detail
    co_db = co_db + LAND_FACET_DB * (rng.random(relief.shape) < LAND_FACET_SHARE)
    co = db_to_linear(co_db) * speckle(rng, relief.shape, looks, corr_px)
    cross = db_to_linear(co_db + LAND_CROSS_RATIO_DB) * speckle(rng, relief.shape, looks, corr_px)
    return co, cross


def speckle_correlation_px(psf_width_px: float) -> float:
    """How far the speckle of a ground-range product is correlated: the sigma, in pixels, of the
    Gaussian filter that gives speckle the correlation of an impulse response whose -3 dB width is
    ``psf_width_px``.

    The complex field is white noise seen through the impulse response, so the intensity
    correlation at a lag of d pixels is the squared, normalised autocorrelation of the response:
    exp(-2 ln 2 d^2 / w^2) for a Gaussian main lobe of -3 dB intensity width w. Filtering white
    noise with sigma w / sqrt(8 ln 2) gives that correlation. At IW's 2.1 px it is 0.73 at one
    pixel and 0.28 at two. The sea around the OpenSARShip chips measures 0.66 (VV) and 0.60 (VH)
    at one pixel, the simulator 0.75 and 0.72 (:mod:`sar.realism`).
    """
    return psf_width_px / math.sqrt(8.0 * math.log(2.0))


#: Correlation length of the sea's texture on the ground (the sigma of the Gaussian filter of its
#: copula), metres. Measured on the sea around the 50 OpenSARShip IW chips: past the speckle's
#: reach the VV intensity correlation falls 0.075, 0.039, 0.015 at 6, 8, 10 px, the fall of a
#: Gaussian-filtered field of sigma 3.0-3.3 px. The simulator gives 0.087, 0.043, 0.009 with 30 m
#: (15 m: 0.008 at 6 px; 60 m: 0.21). Domain randomisation draws it from 15-120 m.
SEA_TEXTURE_CORR_M = 30.0
#: The same for sea ice: no measurement of ours (floes and ridges of 100-400 m); randomised 60-400 m.
ICE_TEXTURE_CORR_M = 160.0


@dataclass(frozen=True)
class ClutterParams:
    """Nuisance parameters of the background; the defaults are the nominal models.

    ``texture_law``: ``"gamma"`` (K-distributed sea, family A) or ``"lognormal"`` (family B), both
    unit mean with the normalised variance 1/nu. ``texture_nu``: None ties nu to the wind.
    Offsets shift the mean sigma0 of sea and ice (dB); ``looks`` overrides the mode's ENL.
    ``sea_corr_m``, ``ice_corr_m``: correlation lengths of the textures on the ground (a Gaussian
    filter's sigma), so that a sea or an ice cover looks the same in IW's 10 m pixels as in EW's
    40 m ones (see :meth:`corr_px`).
    """

    texture_law: str = "gamma"
    texture_nu: float | None = None
    sea_co_offset_db: float = 0.0
    sea_cross_offset_db: float = 0.0
    ice_co_offset_db: float = 0.0
    ice_cross_offset_db: float = 0.0
    ice_nu: float = 2.5
    sea_corr_m: float = SEA_TEXTURE_CORR_M
    ice_corr_m: float = ICE_TEXTURE_CORR_M
    nesz_offset_db: float = 0.0
    looks: float | None = None

    def corr_px(self, pixel_size_m: float, psf_width_px: float) -> tuple[float, float]:
        """The sea's and the ice's texture correlation lengths (Gaussian sigmas) in pixels of
        ``pixel_size_m``, as a sensor whose impulse response is ``psf_width_px`` wide sees them: the
        response averages the texture over its cell, so the sigmas add in quadrature (EW's 2.25 px
        response turns the sea's 30 m into 48 m, IW's 2.1 px into 31 m). The texture's variance is
        the one the sensor sees (its shape nu is set per product, see ``texture_nu``)."""
        response = speckle_correlation_px(psf_width_px)
        return (math.hypot(self.sea_corr_m / pixel_size_m, response),
                math.hypot(self.ice_corr_m / pixel_size_m, response))


def _texture(rng: np.random.Generator, shape: tuple[int, int], nu: float, corr_px: float, law: str,
             white: np.ndarray | None = None) -> np.ndarray:
    if law == "gamma":
        return correlated_gamma(rng, shape, nu, corr_px, white=white)
    # Log-normal with the same mean (1) and normalised variance (1/nu) as Gamma(nu).
    s = math.sqrt(math.log1p(1.0 / nu))
    return np.exp(s * correlated_normal(rng, shape, corr_px, white) - s * s / 2.0)


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
    clutter: ClutterParams | None = None,
    psf_width_px: float | None = None,
    nesz_db: np.ndarray | float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Clutter (co-pol, cross-pol) in linear sigma0 over a grid whose incidence angle is ``inc_angle_deg``.

    Sea: K-distributed with texture order nu rising with wind (calm seas are spikier); the wind
    may vary per pixel. Ice (where ``ice_mask`` is true): brighter Gamma texture with longer
    correlation. ``white_sea``/``white_ice`` supply the texture noise with a row halo (scene blocks).
    ``clutter`` draws the nuisance parameters away from the nominal models (patch sets). Speckle
    and noise are correlated like an impulse response ``psf_width_px`` wide (None: the mode's).
    ``nesz_db`` is the noise floor, per pixel or constant (None: :func:`noise_floor_db` of the
    mode and ``clutter``).
    """
    clutter = clutter or ClutterParams()
    psf_width_px = geometry.psf_width_px if psf_width_px is None else psf_width_px
    corr_px = speckle_correlation_px(psf_width_px)
    shape = inc_angle_deg.shape
    looks = geometry.looks if clutter.looks is None else clutter.looks
    hh_db, hv_db = sea_sigma0_db(inc_angle_deg, wind_speed_m_s, co_pol)
    hh_db, hv_db = hh_db + clutter.sea_co_offset_db, hv_db + clutter.sea_cross_offset_db
    nominal_wind = float(np.mean(wind_speed_m_s)) if texture_wind_m_s is None else texture_wind_m_s
    nu = float(np.clip(2.0 + 1.2 * nominal_wind, 3.0, 25.0)) if clutter.texture_nu is None else clutter.texture_nu
    sea_corr_px, ice_corr_px = clutter.corr_px(geometry.pixel_size_m, psf_width_px)
    texture = _texture(rng, shape, nu, sea_corr_px, clutter.texture_law, white=white_sea)
    hh = db_to_linear(hh_db) * texture
    hv = db_to_linear(hv_db) * (0.5 + 0.5 * texture)
    if ice_mask is not None and ice_mask.any():
        ice_hh_db, ice_hv_db = ice_sigma0_db(inc_angle_deg)
        ice_hh_db, ice_hv_db = ice_hh_db + clutter.ice_co_offset_db, ice_hv_db + clutter.ice_cross_offset_db
        ice_texture = correlated_gamma(rng, shape, clutter.ice_nu, corr_px=ice_corr_px, white=white_ice)
        hh = np.where(ice_mask, db_to_linear(ice_hh_db) * ice_texture, hh)
        hv = np.where(ice_mask, db_to_linear(ice_hv_db) * (0.4 + 0.6 * ice_texture), hv)
    nesz = db_to_linear(noise_floor_db(geometry, clutter) if nesz_db is None else nesz_db)
    # Thermal noise adds to the echo's complex field before detection, so the two share one speckle:
    # Gamma(L) about their summed mean, not two independent speckles (whose sum is smoother).
    hh = (hh + nesz) * speckle(rng, shape, looks, corr_px)
    hv = (hv + nesz) * speckle(rng, shape, looks, corr_px)
    return hh, hv


# ---------------------------------------------------------------------------------------------
# Targets

#: Side of the reference resolution cell, metres: a target's ``peak_hh_db`` is the sigma0 of its
#: brightest scatterer (ships) or of its body (icebergs, a distributed target) in a cell this size,
#: so its radar cross-section is ``db_to_linear(peak_hh_db) * REFERENCE_CELL_M**2`` m^2.
REFERENCE_CELL_M = 10.0

#: Simulator families: two independently chosen sets of modelling choices (impulse response shape,
#: sea texture law, ship brightness law and layout, iceberg outline). Each is plausible physics;
#: leaving one out of training measures how much a classifier leans on one simulator's choices.
FAMILIES = ("A", "B")


@lru_cache(maxsize=1)
def _hamming_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Peak sidelobe level (dB) and -3 dB width of |h|^2 for generalised Hamming weights alpha from
    0.54 (the lowest sidelobes, -42.7 dB) to 1 (none: -13.3 dB), over which the level rises monotonically."""
    alphas = np.linspace(0.54, 1.0, 47)
    pslr, width = zip(*(_hamming_lobes(alpha) for alpha in alphas), strict=True)
    return alphas, np.asarray(pslr), np.asarray(width)


def response_lobes(offsets: np.ndarray, power: np.ndarray) -> tuple[float, float]:
    """Peak sidelobe level, dB (the highest power beyond the first null, over the peak), and -3 dB
    width of the main lobe (in the units of ``offsets``) of a symmetric response's power sampled
    at ``offsets`` from its peak (0) outwards."""
    offsets, power = np.asarray(offsets, dtype=np.float64), np.asarray(power, dtype=np.float64)
    first_null = int(np.argmax(np.diff(power) > 0))  # power falls until the first null
    sidelobe_db = float(10 * np.log10(power[first_null:].max() / power[0]))
    return sidelobe_db, float(2 * offsets[int(np.argmax(power < 0.5 * power[0]))])


def _hamming_lobes(alpha: float) -> tuple[float, float]:
    """Peak sidelobe level (dB) and -3 dB width (in 1/bandwidth) of |h|^2 for a generalised Hamming weight."""
    u = np.linspace(0.0, 8.0, 8001)
    return response_lobes(u, _hamming_amplitude(u, alpha) ** 2)


#: Generalised Hamming weights that are windows (non-negative): 0.5 (Hann) to 1 (no weighting).
HAMMING_RANGE = (0.5, 1.0)


def check_hamming_coefficient(alpha: float) -> None:
    """A ValueError unless ``alpha`` is a generalised Hamming window's coefficient (:data:`HAMMING_RANGE`)."""
    if not HAMMING_RANGE[0] <= alpha <= HAMMING_RANGE[1]:
        raise ValueError(f"a generalised Hamming window's coefficient lies in [{HAMMING_RANGE[0]}, {HAMMING_RANGE[1]}] "
                         f"(below 0.5 the weight goes negative), got {alpha}")


def hamming_sidelobe_db(alpha: float) -> float:
    """Peak sidelobe level, dB, of the response of a spectrum weighted by the generalised Hamming
    window ``alpha + (1 - alpha) cos(2 pi f)``: about -13 dB unweighted (1), -21 dB at 0.75, -31.5 dB
    at 0.5 (Hann) and at 0.6, -43 dB near 0.54 (Hamming's own)."""
    check_hamming_coefficient(alpha)
    return _hamming_lobes(alpha)[0]


def _hamming_amplitude(u: np.ndarray, alpha: float) -> np.ndarray:
    """Amplitude response of a spectrum weighted by alpha + (1 - alpha) cos(2 pi f), u in 1/bandwidth."""
    return alpha * np.sinc(u) + (1 - alpha) / 2 * (np.sinc(u - 1) + np.sinc(u + 1))


@dataclass(frozen=True)
class ImpulseResponse:
    """Separable intensity impulse response of the focused, multilooked ground-range product.

    ``width_px``: -3 dB width of the main lobe in pixels (resolution / pixel spacing).
    ``sidelobe_db``: peak sidelobe level relative to the peak. ``shape``: ``"sinc"`` is the
    response of a band-limited system whose spectrum is weighted by a generalised Hamming window
    (what the Sentinel-1 processor does; the weight is chosen to give ``sidelobe_db``);
    ``"gauss"`` is a Gaussian main lobe with exponential sidelobe tails (a cruder, common choice).
    The kernel sums to one: it moves energy between pixels and neither adds nor removes any.
    """

    width_px: float
    sidelobe_db: float = -21.0  # IW's level; each mode's is ModeGeometry.psf_sidelobe_db
    shape: str = "sinc"

    def __post_init__(self) -> None:
        if self.shape not in ("sinc", "gauss"):
            raise ValueError(f"impulse response shape {self.shape!r} is not 'sinc' or 'gauss'")
        if not self.width_px > 0:
            raise ValueError(f"impulse response width must be positive, got {self.width_px}")

    @property
    def half_px(self) -> int:
        return int(math.ceil(4.0 * self.width_px)) + 1

    def response(self, offsets_px: np.ndarray) -> np.ndarray:
        if self.shape == "sinc":
            alphas, pslr, width = _hamming_table()
            order = np.argsort(pslr)
            level = float(np.clip(self.sidelobe_db, pslr.min(), pslr.max()))
            alpha = float(np.interp(level, pslr[order], alphas[order]))
            u = offsets_px * (float(np.interp(alpha, alphas, width)) / self.width_px)
            return _hamming_amplitude(u, alpha) ** 2
        sigma = self.width_px / 2.3548
        distance = np.abs(offsets_px)
        tail = db_to_linear(self.sidelobe_db) * np.exp(-(distance - self.width_px) / (1.5 * self.width_px))
        return np.exp(-0.5 * (offsets_px / sigma) ** 2) + tail * (distance > self.width_px)

    def kernel(self, shift_px: float = 0.0) -> np.ndarray:
        """1-D kernel on integer offsets -half..half for a scatterer ``shift_px`` off the centre; sums to 1."""
        k = self.response(np.arange(-self.half_px, self.half_px + 1, dtype=np.float64) - shift_px)
        return k / k.sum()


def nominal_impulse_response(geometry: ModeGeometry, family: str = "A") -> ImpulseResponse:
    """The mode's impulse response: Hamming-weighted sinc (family A) or Gaussian with tails (B), with
    the mode's sidelobe level."""
    return ImpulseResponse(geometry.psf_width_px, geometry.psf_sidelobe_db, "sinc" if family == "A" else "gauss")


@dataclass(frozen=True)
class Target:
    """A simulated ship or iceberg: what the truth GeoPackage records for each target."""

    kind: ClassName
    length_m: float
    width_m: float
    heading_deg: float  # orientation of the long axis, clockwise from image "up" (azimuth)
    peak_hh_db: float  # brightest scatterer's RCS as sigma0 in a REFERENCE_CELL_M cell (see there)
    cross_ratio_db: float  # HV/HH of the target's own return

    @property
    def peak_rcs_dbsm(self) -> float:
        """Radar cross-section of the brightest scatterer (ships) or body sigma0 x 100 m^2 (icebergs), dBsm."""
        return self.peak_hh_db + 10 * math.log10(REFERENCE_CELL_M**2)


#: Length at which both families' ship brightness laws give the median peak measured on the
#: OpenSARShip chips (IW, VV), and about which a randomised patch turns the law's slope.
SHIP_BRIGHTNESS_PIVOT_M = 90.0
#: dB per decade of length by which a ship's brightest scatterer rises. **Measured**: the peak VV
#: of the 50 OpenSARShip GRDH chips with an AIS length (63-304 m) rises 17.1 dB per decade (least
#: squares; bootstrap 5-95 % 10.0-24.7 dB). Family A follows it, family B keeps 14 (no source, a
#: second choice within the range), and a randomised patch draws its slope from the bootstrap range,
#: so that neither a ship's brightness at a given length nor its fall towards small ships is a cue
#: the chips cannot vouch for.
SHIP_BRIGHTNESS_SLOPE_DB = {"A": 17.1, "B": 14.0}
SHIP_BRIGHTNESS_SLOPE_RANGE_DB = (10.0, 24.7)
#: The families' brightest-scatterer sigma0 at the pivot length, dB in a REFERENCE_CELL_M cell.
_SHIP_PEAK_AT_PIVOT_DB = {"A": 18.2, "B": 17.95}
#: Spread (dB, one sigma) of a ship's brightest scatterer about its family's length law. **Measured**:
#: the peak VV of the 50 OpenSARShip GRDH chips with an AIS length scatters 5.4 dB (sd) about a
#: straight line in log length; the simulated chips, rendered at the same length and incidence
#: and measured the same way (``sar/realism.py``, ``PEAK_SCATTER``), scatter 5.1-5.5 dB with this
#: spread and 3.9-4.4 dB with 3 dB (the speckle, layout and weak ships add the rest).
SHIP_PEAK_SPREAD_DB = 4.5
#: Spread (dB, one sigma) of a ship's cross-pol ratio (HV/HH of its own return) about -11 dB.
#: **Measured**: the peak VV/VH ratio of the 50 OpenSARShip GRDH chips scatters 4.6 dB (sd; IQR 6.2
#: dB), the simulated chips, measured the same way (``sar/realism.py``, ``RATIO_SCATTER``), 4.4-4.7
#: dB (IQR 5.9-6.3) with this spread and 3.0-3.2 dB with 2.5 dB (speckle and layout add the rest).
#: Aspect and superstructure make a ship's dihedrals come and go in co-pol more than its cross-pol.
SHIP_CROSS_RATIO_SPREAD_DB = 4.2
#: Spread (dB, one sigma) of an iceberg's body sigma0 about its size law: no source.
ICEBERG_PEAK_SPREAD_DB = 3.0


def ship_peak_law_db(length_m: float, family: str = "A", slope_db: float | None = None) -> float:
    """A ship's brightest scatterer by its length, before its spread: the family's law, or one of
    ``slope_db`` per decade through the same value at :data:`SHIP_BRIGHTNESS_PIVOT_M`."""
    slope = SHIP_BRIGHTNESS_SLOPE_DB[family] if slope_db is None else slope_db
    return _SHIP_PEAK_AT_PIVOT_DB[family] + slope * math.log10(length_m / SHIP_BRIGHTNESS_PIVOT_M)


def draw_ship(rng: np.random.Generator, length_m: float | None = None, family: str = "A",
              slope_db: float | None = None) -> Target:
    # Ship lengths: log-normal, median about 90 m, clipped to 20-300 m (fishing vessels to tankers).
    length = float(np.clip(rng.lognormal(math.log(90.0), 0.6), 20.0, 300.0)) if length_m is None else length_m
    width = length / rng.uniform(5.5, 8.0)
    # Metal superstructure makes strong dihedrals; about one ship in ten is a weak
    # (small, fibreglass or wooden) scatterer that looks like a growler.
    weak = rng.random() < 0.10
    peak = ship_peak_law_db(length, family, slope_db) + rng.normal(0.0, SHIP_PEAK_SPREAD_DB) - (9.0 if weak else 0.0)
    ratio = rng.normal(-11.0, SHIP_CROSS_RATIO_SPREAD_DB) + (3.0 if weak else 0.0)
    return Target(ClassName.SHIP, length, width, float(rng.uniform(0, 180)), peak, ratio)


def draw_iceberg(rng: np.random.Generator, family: str = "A") -> Target:
    # Iceberg sizes: growlers and bergy bits to large bergs, a heavy-tailed distribution.
    size = float(np.clip(rng.lognormal(math.log(70.0), 0.65), 10.0, 600.0))
    aspect = rng.uniform(1.0, 2.0)
    # Pinnacled or tabular bergs can give bright specular facets (one in ten).
    bright = rng.random() < 0.10
    peak = 1.0 + 6.0 * math.log10(size / 50.0) + rng.normal(0.0, ICEBERG_PEAK_SPREAD_DB) + (7.0 if bright else 0.0)
    ratio = rng.normal(-5.5, 2.0) - (3.0 if bright else 0.0)
    return Target(ClassName.ICEBERG, size, size / aspect, float(rng.uniform(0, 180)), peak, ratio)


def draw_target(rng: np.random.Generator, kind: ClassName, family: str = "A", ship_slope_db: float | None = None) -> Target:
    return draw_ship(rng, family=family, slope_db=ship_slope_db) if kind is ClassName.SHIP else draw_iceberg(rng, family)


def _ship_layout(
    rng: np.random.Generator, target: Target, family: str, scatterer_density: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Along-track positions (fractions of the half length) and relative RCS of a ship's dominant scatterers."""
    if scatterer_density is None:
        n_scat = int(rng.integers(2, 6))
    else:  # scatterers per 50 m of hull
        n_scat = int(np.clip(1 + rng.poisson(scatterer_density * target.length_m / 50.0), 1, 14))
    if family == "A":
        # Superstructure aft, cranes and containers anywhere along the deck.
        positions = np.concatenate([[-0.55], rng.uniform(-0.8, 0.8, n_scat - 1)])
    else:
        # Superstructure aft or amidships; the others cluster at bow, midship and stern.
        positions = np.concatenate([[rng.choice([-0.7, 0.0])], rng.choice([-0.75, 0.0, 0.75], n_scat - 1)
                                    + rng.normal(0.0, 0.08, n_scat - 1)])
    weights = np.concatenate([[1.0], rng.uniform(0.1, 0.6, n_scat - 1)])
    return positions, weights


def _iceberg_body(
    rng: np.random.Generator, along: np.ndarray, across: np.ndarray, target: Target, family: str,
    scatterer_density: float | None,
) -> np.ndarray:
    """Relative sigma0 (brightest part about 1) of an iceberg over the fine grid's along/across metres."""
    half_len, half_wid = target.length_m / 2.0, target.width_m / 2.0
    angle = np.arctan2(across / max(half_wid, 1e-6), along / max(half_len, 1e-6))
    radius = np.hypot(along / max(half_len, 1e-6), across / max(half_wid, 1e-6))
    if family == "A":
        # Irregular outline: radius modulated by a few random harmonics; one facet facing the radar.
        edge = 1.0
        for k in range(2, 6):
            edge = edge + rng.normal(0, 0.12 / k * 2) * np.cos(k * angle + rng.uniform(0, 2 * np.pi))
        facet = np.exp(-((along - 0.3 * half_len) ** 2 + across**2) / (2 * (0.5 * half_len + 5.0) ** 2))
        return (radius <= edge) * (0.35 + 0.65 * facet)
    # Family B: a star-shaped polygon of 5-10 vertices, even volume return plus a few facet spots.
    n_vertices = int(rng.integers(5, 11))
    vertex_angles = np.sort(rng.uniform(-np.pi, np.pi, n_vertices))
    edge = np.interp(angle, vertex_angles, rng.uniform(0.65, 1.0, n_vertices), period=2 * np.pi)
    body = (radius <= edge).astype(np.float64)
    n_facets = int(rng.poisson(1.5 if scatterer_density is None else scatterer_density * 1.5))
    spots = np.zeros_like(body)
    for _ in range(n_facets):
        r, a = rng.uniform(0, 0.8), rng.uniform(-np.pi, np.pi)
        spot_m = rng.uniform(0.1, 0.3) * half_len + 2.5
        spots = np.maximum(spots, np.exp(-((along - r * half_len * np.cos(a)) ** 2
                                           + (across - r * half_wid * np.sin(a)) ** 2) / (2 * spot_m**2)))
    return body * (0.45 + 0.55 * spots)


def render_target(
    rng: np.random.Generator,
    target: Target,
    geometry: ModeGeometry,
    offset_px: tuple[float, float] = (0.0, 0.0),
    looks: float | None = None,
    co_pol: CoPol = CoPol.HH,
    impulse: ImpulseResponse | None = None,
    family: str = "A",
    scatterer_density: float | None = None,
    scatterer_looks: float = 12.0,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Linear sigma0 (HH, HV) of one target on a square window centred on it.

    Returns the two arrays and the window half-size; the target centre is at the window centre
    plus ``offset_px`` (row, col). Radar cross-section is conserved across resolutions: distributed
    returns (hull, iceberg body) are sigma0 densities integrated over the resolution cell on a fine
    grid (cells of at most 5 m), the ship's dominant scatterers are points whose RCS (m^2) falls into the
    cell as RCS / cell area; the impulse response (unit sum) then spreads that energy. So the sum of
    sigma0 x pixel area is the same at 10 m and 40 m, and coarser pixels have dimmer point targets.
    """
    looks = geometry.looks if looks is None else looks
    impulse = impulse or nominal_impulse_response(geometry, family)
    px = geometry.pixel_size_m
    extent_px = max(target.length_m, target.width_m) / px
    inner_half = int(math.ceil(extent_px / 2 + 2))  # the fine grid covers the target only
    half = inner_half + impulse.half_px
    inner = 2 * inner_half + 1
    # Fine cells of at most 5 m and small against the target's width, so partial cover is counted
    # (the weak hull of a ship matters less than the outline of an iceberg).
    fine_m = min(5.0, min(target.length_m, target.width_m) / (4.0 if target.kind is ClassName.SHIP else 12.0))
    sup = int(np.clip(math.ceil(px / fine_m), 4, 96))
    coords = (np.arange(inner * sup) + 0.5) / sup - inner / 2.0
    rows, cols = np.meshgrid(coords - offset_px[0], coords - offset_px[1], indexing="ij")
    theta = math.radians(target.heading_deg)
    # Along- and across-track coordinates in metres.
    along = (rows * math.cos(theta) + cols * math.sin(theta)) * px
    across = (-rows * math.sin(theta) + cols * math.cos(theta)) * px
    half_len, half_wid = target.length_m / 2.0, target.width_m / 2.0
    peak_db = target.peak_hh_db
    if co_pol is CoPol.VV and target.kind is ClassName.SHIP:
        peak_db -= 1.5  # dihedral (double-bounce) returns favour HH over VV
    peak_sigma0 = float(db_to_linear(peak_db))
    reference_rcs_m2 = peak_sigma0 * REFERENCE_CELL_M**2

    points: list[tuple[float, float, float]] = []  # (row px, col px, RCS m^2) about the window centre
    if target.kind is ClassName.SHIP:
        hull = (np.abs(along) <= half_len) & (np.abs(across) <= half_wid)
        if family == "A":
            # Pointed bow: trim the last 15 % of the hull to a wedge.
            bow = along > 0.7 * half_len
            hull &= ~bow | (np.abs(across) <= half_wid * (half_len - along) / (0.3 * half_len + 1e-9))
        density = hull * (0.05 * peak_sigma0)  # the hull's own (weak) sigma0
        positions, weights = _ship_layout(rng, target, family, scatterer_density)
        for pos, weight in zip(positions, weights, strict=True):
            along_m = pos * half_len
            points.append((offset_px[0] + along_m * math.cos(theta) / px, offset_px[1] + along_m * math.sin(theta) / px,
                           weight * reference_rcs_m2))
        fluct_looks = scatterer_looks  # point scatterers: little speckle
    else:
        density = _iceberg_body(rng, along, across, target, family, scatterer_density) * peak_sigma0
        fluct_looks = looks

    # sigma0 of each pixel: mean density over the cell (distributed) ...
    sigma0 = np.pad(density.reshape(inner, sup, inner, sup).mean(axis=(1, 3)), impulse.half_px)
    row_kernel, col_kernel = impulse.kernel(), impulse.kernel()
    hh = ndimage.convolve1d(ndimage.convolve1d(sigma0, row_kernel, axis=0, mode="constant"), col_kernel, axis=1,
                            mode="constant")
    # ... plus point scatterers: RCS / cell area, spread by the response sampled at their sub-pixel position.
    cell_area_m2 = px * px
    k = impulse.half_px
    for row_px, col_px, rcs_m2 in points:
        r0, c0 = int(round(row_px)), int(round(col_px))
        if abs(r0) > half - k or abs(c0) > half - k:
            continue
        block = np.outer(impulse.kernel(row_px - r0), impulse.kernel(col_px - c0)) * (rcs_m2 / cell_area_m2)
        hh[half + r0 - k : half + r0 + k + 1, half + c0 - k : half + c0 + k + 1] += block
    hh = np.maximum(hh, 0.0)
    hv = hh * db_to_linear(target.cross_ratio_db)
    corr_px = speckle_correlation_px(impulse.width_px)  # one return seen through the response
    hh = hh * speckle(rng, hh.shape, fluct_looks, corr_px)
    hv = hv * speckle(rng, hv.shape, fluct_looks, corr_px)
    return hh, hv, half


def integrated_rcs_m2(sigma0_linear: np.ndarray, pixel_size_m: float, clutter_linear: float = 0.0) -> float:
    """Sum over a window of (sigma0 - clutter) x pixel area: a target's radar cross-section in m^2."""
    return float(np.sum(np.asarray(sigma0_linear) - clutter_linear) * pixel_size_m**2)


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
    labels: np.ndarray  # (n,) class index (ClassName order): 0 ship, 1 iceberg, 2 clutter
    targets: list[Target | None]  # None for clutter patches
    centre_px: np.ndarray | None = None  # (n, 2) row, col of each target in its patch
    families: list[str] = field(default_factory=list)
    randomised: np.ndarray | None = None  # (n,) bool: the patch drew its nuisance parameters (domain randomisation)
    randomised_share: float = 0.0  # the share of patches the set asked to randomise

    @property
    def warm_up(self) -> np.ndarray | None:
        """The patches training starts on: the nominal ones of a partly randomised set. An
        all-nominal or all-randomised set marks none (None), so patches added to it later are never
        left out of a warm-up."""
        if self.randomised is None or not 0.0 < self.randomised_share < 1.0:
            return None
        return ~self.randomised


@dataclass(frozen=True)
class PatchNuisance:
    """Everything about a patch that does not decide its class; the defaults are the nominal simulator."""

    family: str = "A"
    clutter: ClutterParams = field(default_factory=ClutterParams)
    impulse: ImpulseResponse | None = None  # None: the mode's nominal response for the family
    brightness_db: float = 0.0  # added to the target's RCS
    ship_slope_db: float | None = None  # ships' brightness per decade of length (None: the family's)
    scatterer_density: float | None = None  # ships: dominant scatterers per 50 m; bergs: facets
    scatterer_looks: float = 12.0  # fluctuation of a ship's point scatterers (looks)
    wind_speed_m_s: float | None = None  # None: Weibull(2.2) x 8 + 1 m/s
    ice_probability: tuple[float, float] = (0.08, 0.35)  # of an ice background: ships, icebergs
    max_offset_px: int = 2  # target centre off the patch centre, pixels, each axis

    @property
    def psf_width_px(self) -> float | None:
        """Width of this patch's impulse response, pixels (None: the mode's)."""
        return self.impulse.width_px if self.impulse is not None else None

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"simulator family {self.family!r} is not one of {', '.join(FAMILIES)}")


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(math.exp(rng.uniform(math.log(low), math.log(high))))


def draw_nuisance(rng: np.random.Generator, geometry: ModeGeometry, family: str) -> PatchNuisance:
    """Domain randomisation: every nuisance parameter drawn from a range wide enough that no value is a cue.

    The same ranges for ships and icebergs (ice background included), so only the class-defining
    physics (compact bright dihedrals vs dimmer rounder volume scatterers with more cross-pol)
    separates them.
    """
    clutter = ClutterParams(
        texture_law="gamma" if family == "A" else "lognormal",
        texture_nu=None if rng.random() < 0.5 else _log_uniform(rng, 1.5, 30.0),
        sea_co_offset_db=float(rng.uniform(-3.0, 3.0)),
        sea_cross_offset_db=float(rng.uniform(-3.0, 3.0)),
        ice_co_offset_db=float(rng.uniform(-4.0, 4.0)),
        ice_cross_offset_db=float(rng.uniform(-4.0, 4.0)),
        ice_nu=_log_uniform(rng, 1.2, 10.0),
        sea_corr_m=_log_uniform(rng, 15.0, 120.0),
        ice_corr_m=float(rng.uniform(60.0, 400.0)),
        nesz_offset_db=float(rng.uniform(-4.0, 5.0)),
        looks=geometry.looks * _log_uniform(rng, 0.6, 1.6),
    )
    impulse = ImpulseResponse(
        geometry.psf_width_px * float(rng.uniform(0.75, 1.5)), float(rng.uniform(-35.0, -13.0)),
        "sinc" if family == "A" else "gauss",
    )
    return PatchNuisance(
        family=family, clutter=clutter, impulse=impulse, brightness_db=float(rng.uniform(-4.0, 4.0)),
        scatterer_density=_log_uniform(rng, 0.3, 3.0), scatterer_looks=_log_uniform(rng, 3.0, 30.0),
        wind_speed_m_s=float(rng.uniform(1.0, 18.0)), ice_probability=(0.3, 0.3), max_offset_px=10,
        ship_slope_db=float(rng.uniform(*SHIP_BRIGHTNESS_SLOPE_RANGE_DB)),
    )


def _incidence_grid(geometry: ModeGeometry, inc_centre_deg: float, side_px: int) -> np.ndarray:
    """Incidence of a square patch around ``inc_centre_deg``: it changes across range (columns) too."""
    span = (geometry.inc_far_deg - geometry.inc_near_deg) * side_px / 10000.0 * (40.0 / geometry.pixel_size_m)
    return np.broadcast_to(inc_centre_deg + np.linspace(-span / 2, span / 2, side_px), (side_px, side_px))


def _wind(rng: np.random.Generator, wind_speed_m_s: float | None) -> float:
    """The given wind, else one drawn from Weibull(2.2) x 8 + 1 m/s."""
    return float(rng.weibull(2.2) * 8.0 + 1.0) if wind_speed_m_s is None else wind_speed_m_s


#: Scale (a Gaussian filter's sigma) of the floe edges in a patch with sea ice, metres. No source.
PATCH_FLOE_SCALE_M = 480.0


def _ice_mask(rng: np.random.Generator, side_px: int, max_open_water: float, pixel_size_m: float) -> np.ndarray:
    """Smooth floes covering between 1 - ``max_open_water`` and all of a square patch."""
    ice_field = ndimage.gaussian_filter(rng.standard_normal((side_px, side_px)), PATCH_FLOE_SCALE_M / pixel_size_m)
    return ice_field > np.quantile(ice_field, rng.uniform(0.0, max_open_water))


def simulate_patch(
    rng: np.random.Generator,
    kind: ClassName,
    geometry: ModeGeometry,
    co_pol: CoPol = CoPol.HH,
    inc_angle_deg: float | None = None,
    target: Target | None = None,
    wind_speed_m_s: float | None = None,
    allow_sea_ice: bool = True,
    nuisance: PatchNuisance | None = None,
) -> tuple[np.ndarray, np.ndarray, float, Target, tuple[int, int]]:
    """One 75 x 75 patch (co-pol dB, cross-pol dB, incidence, target, target row/col) around a target.

    Incidence, target and wind are drawn unless given (the realism check pins them to a real chip);
    ``nuisance`` sets everything that does not decide the class (default: the nominal simulator).
    """
    nuisance = nuisance or PatchNuisance()
    size = PATCH_SIZE_PX
    inc_centre = (
        float(rng.uniform(geometry.inc_near_deg, geometry.inc_far_deg)) if inc_angle_deg is None else inc_angle_deg
    )
    inc_grid = _incidence_grid(geometry, inc_centre, size)
    wind = _wind(rng, nuisance.wind_speed_m_s if wind_speed_m_s is None else wind_speed_m_s)
    # Icebergs are often found in or beside sea ice; ships mostly in open water.
    ice_probability = nuisance.ice_probability[1 if kind is ClassName.ICEBERG else 0]
    in_ice = allow_sea_ice and rng.random() < ice_probability
    ice_mask = _ice_mask(rng, size, 0.7, geometry.pixel_size_m) if in_ice else None
    co, cross = background(rng, inc_grid, wind, geometry, ice_mask, co_pol, clutter=nuisance.clutter,
                           psf_width_px=nuisance.psf_width_px)
    target = target or draw_target(rng, kind, nuisance.family, nuisance.ship_slope_db)
    if nuisance.brightness_db:
        target = replace(target, peak_hh_db=target.peak_hh_db + nuisance.brightness_db)
    t_co, t_cross, _ = render_target(
        rng, target, geometry, offset_px=tuple(rng.uniform(-0.5, 0.5, 2)), looks=nuisance.clutter.looks,
        co_pol=co_pol, impulse=nuisance.impulse, family=nuisance.family,
        scatterer_density=nuisance.scatterer_density, scatterer_looks=nuisance.scatterer_looks,
    )
    reach = nuisance.max_offset_px
    centre = size // 2 + rng.integers(-reach, reach + 1, size=2)
    add_target(co, cross, t_co, t_cross, int(centre[0]), int(centre[1]))
    return linear_to_db(co), linear_to_db(cross), inc_centre, target, (int(centre[0]), int(centre[1]))


#: Kinds of target-free clutter patch and how often each is drawn: sea-ice texture (with a pressure
#: ridge in part of them), spiky open sea, and a ship's azimuth ambiguity.
CLUTTER_KINDS = {"ice": 0.45, "ridge": 0.25, "sea": 0.15, "ambiguity": 0.15}

#: An azimuth ambiguity's power relative to its ship, dB: Sentinel-1's azimuth ambiguity ratio is
#: specified better than -22 dB (EW) to -25 dB (IW) (ESA, Sentinel-1 User Handbook); the scene
#: simulator uses -23 dB. Drawn over a range either side.
AMBIGUITY_RATIO_DB = (-28.0, -18.0)


def local_contrast(intensity_linear: np.ndarray) -> np.ndarray:
    """3 x 3 mean over the 31 x 31 mean around each pixel: what a cell-averaging CFAR thresholds."""
    return ndimage.uniform_filter(intensity_linear, 3) / ndimage.uniform_filter(intensity_linear, 31)


def simulate_clutter_patch(
    rng: np.random.Generator,
    geometry: ModeGeometry,
    co_pol: CoPol = CoPol.HH,
    nuisance: PatchNuisance | None = None,
) -> tuple[np.ndarray, np.ndarray, float, tuple[int, int]]:
    """One 75 x 75 patch with no target (co-pol dB, cross-pol dB, incidence, centre row/col), centred
    on its brightest spot, as a detector's false alarm would be.

    Kinds (:data:`CLUTTER_KINDS`): level sea ice with its correlated texture; sea ice with a pressure
    ridge (a line 1-2 px wide, 3-8 dB brighter in co-pol and 2-6 dB in cross-pol than the ice around
    it, a few hundred metres to 2 km long; no published Sentinel-1 statistics, so drawn wide); open
    sea with spiky K texture (order 1.2-4); a ship's azimuth ambiguity (:data:`AMBIGUITY_RATIO_DB`)
    over sea or ice.
    """
    nuisance = nuisance or PatchNuisance()
    size, margin = PATCH_SIZE_PX, 12
    side = size + 2 * margin
    kind = str(rng.choice(list(CLUTTER_KINDS), p=list(CLUTTER_KINDS.values())))
    inc_centre = float(rng.uniform(geometry.inc_near_deg, geometry.inc_far_deg))
    inc_grid = _incidence_grid(geometry, inc_centre, side)
    wind = _wind(rng, nuisance.wind_speed_m_s)
    in_ice = kind in ("ice", "ridge") or (kind == "ambiguity" and rng.random() < 0.4)
    ice_mask = _ice_mask(rng, side, 0.4, geometry.pixel_size_m) if in_ice else None
    clutter = nuisance.clutter
    if kind == "sea":
        clutter = replace(clutter, texture_nu=float(rng.uniform(1.2, 4.0)))
    co, cross = background(rng, inc_grid, wind, geometry, ice_mask, co_pol, clutter=clutter,
                           psf_width_px=nuisance.psf_width_px)
    if kind == "ridge":
        length_px = rng.uniform(300.0, 2000.0) / geometry.pixel_size_m
        angle = rng.uniform(0, np.pi)
        rows, cols = np.mgrid[0:side, 0:side] - (side - 1) / 2.0 - rng.uniform(-4, 4, size=(2, 1, 1))
        along = rows * np.cos(angle) + cols * np.sin(angle)
        across = -rows * np.sin(angle) + cols * np.cos(angle)
        line = ndimage.gaussian_filter(((np.abs(across) < rng.uniform(0.5, 1.0)) & (np.abs(along) < length_px / 2)).astype(float), 0.6)
        co *= 1.0 + (db_to_linear(rng.uniform(3.0, 8.0)) - 1.0) * line
        cross *= 1.0 + (db_to_linear(rng.uniform(2.0, 6.0)) - 1.0) * line
    elif kind == "ambiguity":
        ship = draw_ship(rng, family=nuisance.family, slope_db=nuisance.ship_slope_db)
        t_co, t_cross, _ = render_target(rng, ship, geometry, offset_px=tuple(rng.uniform(-0.5, 0.5, 2)),
                                         looks=clutter.looks, co_pol=co_pol, impulse=nuisance.impulse,
                                         family=nuisance.family)
        gain = db_to_linear(rng.uniform(*AMBIGUITY_RATIO_DB))
        centre = side // 2 + rng.integers(-4, 5, size=2)
        add_target(co, cross, t_co * gain, t_cross * gain, int(centre[0]), int(centre[1]))
    # Where a CFAR detector would fire: the highest contrast of a 3 x 3 mean over the 31 x 31 mean
    # around it, within ``margin`` of the middle.
    half = size // 2
    contrast = local_contrast(co)[half : half + 2 * margin + 1, half : half + 2 * margin + 1]
    peak = np.array(np.unravel_index(int(np.argmax(contrast)), contrast.shape)) + half
    jitter = rng.integers(-nuisance.max_offset_px, nuisance.max_offset_px + 1, size=2)
    top = np.clip(peak - half - jitter, 0, 2 * margin)
    window = (slice(top[0], top[0] + size), slice(top[1], top[1] + size))
    centre_px = (int(peak[0] - top[0]), int(peak[1] - top[1]))
    return linear_to_db(co[window]), linear_to_db(cross[window]), inc_centre, centre_px


def simulate_patches(
    n_patches: int,
    mode: AcquisitionMode = AcquisitionMode.EW,
    iceberg_fraction: float = 0.47,
    seed: int = 0,
    co_pol: CoPol = CoPol.HH,
    randomise: bool | float = False,
    family: str | None = None,
    clutter_fraction: float = 0.0,
    nuisance: PatchNuisance | None = None,
) -> SimulatedPatches:
    """Draw ``n_patches`` labelled 75 x 75 patches: a share ``clutter_fraction`` with no target
    (:func:`simulate_clutter_patch`), the others around an iceberg (``iceberg_fraction`` of them)
    or a ship.

    ``nuisance`` fixes every patch's nuisance parameters (its family included) instead of the
    nominal ones: a set with one of them pushed to a chosen value, to see how a model copes. Such a
    set reports no patch as randomised (none drew its parameters).

    ``randomise`` draws every nuisance parameter per patch (:func:`draw_nuisance`): True for every
    patch, False for none (the nominal simulator), a number for that share of the patches, chosen
    per patch (see :class:`icesight_contract.SimulatedPatchSet` for the default share). ``family`` pins the simulator family
    (``"A"`` or ``"B"``); None draws it per patch when randomising and uses ``"A"`` otherwise.
    """
    if family is not None and family not in FAMILIES:
        raise ValueError(f"simulator family {family!r} is not one of {', '.join(FAMILIES)}")
    if nuisance is not None and (randomise or family is not None):
        raise ValueError("a fixed nuisance sets every patch's parameters and family: leave randomise and family unset")
    rng = np.random.default_rng(seed)
    geometry = MODES[mode]
    size = PATCH_SIZE_PX
    b1 = np.empty((n_patches, size, size), dtype=np.float32)
    b2 = np.empty_like(b1)
    inc = np.empty(n_patches, dtype=np.float32)
    centres = np.empty((n_patches, 2), dtype=np.int64)
    labels = (rng.random(n_patches) < iceberg_fraction).astype(np.int64)
    share = float(randomise)
    if not 0 <= share <= 1:
        raise ValueError(f"randomise must be True, False or a share between 0 and 1, got {randomise!r}")
    # A stream of its own, as for clutter, so the main stream's draws do not depend on the share
    # (random() < 1 always: a share of 1 randomises every patch, 0 none).
    randomised = np.random.default_rng([seed, 11]).random(n_patches) < share
    if clutter_fraction:
        # A stream of its own: each patch's ship/iceberg draw is the same whatever the clutter share.
        clutter_draw = np.random.default_rng([seed, 7]).random(n_patches) < clutter_fraction
        labels[clutter_draw] = ClassName.CLUTTER.index
    targets: list[Target | None] = []
    families: list[str] = []
    for i in range(n_patches):
        kind = list(ClassName)[labels[i]]
        if nuisance is not None:
            patch = nuisance
        else:
            patch_family = family or (str(rng.choice(FAMILIES)) if randomised[i] else "A")
            patch = draw_nuisance(rng, geometry, patch_family) if randomised[i] else PatchNuisance(family=patch_family)
        if kind is ClassName.CLUTTER:
            target = None
            b1[i], b2[i], inc[i], centres[i] = simulate_clutter_patch(rng, geometry, co_pol, nuisance=patch)
        else:
            b1[i], b2[i], inc[i], target, centres[i] = simulate_patch(rng, kind, geometry, co_pol, nuisance=patch)
        targets.append(target)
        families.append(patch.family)
    return SimulatedPatches(b1, b2, inc, labels, targets, centres, families, randomised, share)


def simulate_part(spec: SimulatedPatchSet, n_patches: int, index: int) -> SimulatedPatches:
    """Part ``index`` (``n_patches`` patches) of a requested patch set, seeded from the set's seed and
    the index, so parts can be drawn on different workers and a set is the same however it is drawn."""
    seed = int(np.random.SeedSequence([spec.seed, index]).generate_state(1)[0])
    return simulate_patches(n_patches, spec.mode, spec.iceberg_fraction, seed, spec.co_pol, spec.randomised_share,
                            clutter_fraction=spec.clutter_fraction)
