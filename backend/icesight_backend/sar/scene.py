"""Simulated Sentinel-1-like scenes with known targets, georeferenced in a polar or UTM CRS."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from affine import Affine
from pyproj import CRS, Transformer
from scipy import ndimage

from icesight_contract import ClassName, CoPol, SimulateSceneParams

from .simulation import MODES, Target, add_target, background, draw_target, linear_to_db, render_target

#: Default scene centre: Davis Strait off West Greenland, where icebergs meet shipping lanes.
DEFAULT_CENTRE_LON_LAT = (-56.0, 67.0)


@dataclass
class PlacedTarget:
    target: Target
    row: int
    col: int
    x: float
    y: float
    in_ice: bool


@dataclass
class SimulatedScene:
    """A scene held in memory: sigma0 in dB (NaN outside the swath), incidence, grid and truth."""

    hh_db: np.ndarray
    hv_db: np.ndarray
    inc_angle_deg: np.ndarray
    transform: Affine
    crs: CRS
    pixel_size_m: float
    ice_mask: np.ndarray
    targets: list[PlacedTarget] = field(default_factory=list)
    co_pol: CoPol = CoPol.HH

    @property
    def band_names(self) -> tuple[str, str, str]:
        cross = "HV" if self.co_pol is CoPol.HH else "VH"
        return (f"{self.co_pol.value}_sigma0_db", f"{cross}_sigma0_db", "incidence_angle_deg")

    @property
    def shape(self) -> tuple[int, int]:
        return self.hh_db.shape


def _smooth_field(rng: np.random.Generator, shape: tuple[int, int], scale_px: float) -> np.ndarray:
    """Unit-variance smooth random field, made on a coarse grid and zoomed (cheap for big scenes)."""
    factor = max(1, int(scale_px // 4))
    coarse_shape = (shape[0] // factor + 2, shape[1] // factor + 2)
    coarse = ndimage.gaussian_filter(rng.standard_normal(coarse_shape), scale_px / factor)
    fine = ndimage.zoom(coarse, factor, order=1)[: shape[0], : shape[1]]
    return (fine - fine.mean()) / (fine.std() + 1e-12)


def simulate_scene(params: SimulateSceneParams) -> SimulatedScene:
    rng = np.random.default_rng(params.seed)
    geometry = MODES[params.mode]
    height, width = params.height_px, params.width_px
    px = geometry.pixel_size_m

    # Incidence across range (columns): the scene is a part of the swath unless it spans it all.
    swath_px = int(round({"EW": 400_000.0, "IW": 250_000.0}[params.mode.value] / px))
    start = 0 if width >= swath_px else int(rng.integers(0, swath_px - width))
    cols = (start + np.arange(width)) / max(swath_px - 1, 1)
    inc_row = geometry.inc_near_deg + cols * (geometry.inc_far_deg - geometry.inc_near_deg)
    inc = np.broadcast_to(inc_row, (height, width)).astype(np.float64)

    # An ice edge: sea ice on one side, with a ragged boundary.
    ramp = np.linspace(-1.5, 1.5, height)[:, None] * rng.choice([-1, 1])
    ice_field = _smooth_field(rng, (height, width), 40.0) * 0.8 + ramp
    ice_mask = ice_field > 0.9

    wind = params.wind_speed_m_s * (1.0 + 0.15 * _smooth_field(rng, (height, width), 150.0))
    hh = np.empty((height, width))
    hv = np.empty((height, width))
    block = 512
    for r0 in range(0, height, block):
        rows = slice(r0, min(r0 + block, height))
        wind_block = float(np.mean(wind[rows]))
        hh[rows], hv[rows] = background(rng, inc[rows], wind_block, geometry, ice_mask[rows], params.co_pol)

    # Swath edge: a nodata wedge at near range, as in real GRD frames.
    edge_cols = (0.02 * width + 0.02 * width * np.linspace(0, 1, height)).astype(int)
    outside = np.arange(width)[None, :] < edge_cols[:, None]

    centre_x, centre_y = Transformer.from_crs(4326, params.crs_epsg, always_xy=True).transform(
        *DEFAULT_CENTRE_LON_LAT
    )
    transform = Affine.translation(centre_x - width / 2 * px, centre_y + height / 2 * px) * Affine.scale(px, -px)

    placed: list[PlacedTarget] = []
    kinds = [ClassName.SHIP] * params.n_ships + [ClassName.ICEBERG] * params.n_icebergs
    rng.shuffle(kinds)
    min_spacing_px = 45
    for kind in kinds:
        for _attempt in range(200):
            row = int(rng.integers(8, height - 8))
            col = int(rng.integers(int(edge_cols.max()) + 8, width - 8))
            if outside[row, col]:
                continue
            in_ice = bool(ice_mask[row, col])
            # Ships keep to open water (an icebreaker now and then); icebergs drift anywhere.
            if kind is ClassName.SHIP and in_ice and rng.random() > 0.1:
                continue
            if any(abs(p.row - row) < min_spacing_px and abs(p.col - col) < min_spacing_px for p in placed):
                continue
            break
        else:
            continue
        target = draw_target(rng, kind)
        t_hh, t_hv, _ = render_target(rng, target, geometry, co_pol=params.co_pol)
        add_target(hh, hv, t_hh, t_hv, row, col)
        if kind is ClassName.SHIP and target.peak_hh_db > 12.0:
            # Azimuth ambiguity: a faint ghost of a bright ship displaced along azimuth (rows).
            ghost_offset = int(round(5000.0 / px)) * int(rng.choice([-1, 1]))
            add_target(hh, hv, t_hh * 10 ** (-2.3), t_hv * 10 ** (-2.3), row + ghost_offset, col)
        x, y = transform * (col + 0.5, row + 0.5)
        placed.append(PlacedTarget(target, row, col, float(x), float(y), in_ice))

    hh_db = linear_to_db(hh).astype(np.float32)
    hv_db = linear_to_db(hv).astype(np.float32)
    hh_db[outside] = np.nan
    hv_db[outside] = np.nan
    inc32 = inc.astype(np.float32)
    inc32[outside] = np.nan
    return SimulatedScene(
        hh_db, hv_db, inc32, transform, CRS.from_epsg(params.crs_epsg), px, ice_mask, placed, params.co_pol
    )


def scene_id_for(params: SimulateSceneParams) -> str:
    """A stable, readable id: mode, size and seed identify a simulated scene."""
    return f"SIM_{params.mode.value}_{params.width_px}x{params.height_px}_s{params.seed}"


def mean_inc_range(scene: SimulatedScene) -> tuple[float, float]:
    valid = scene.inc_angle_deg[np.isfinite(scene.inc_angle_deg)]
    if not valid.size:
        return math.nan, math.nan
    return float(valid.min()), float(valid.max())
