"""Simulated Sentinel-1-like scenes with known targets, georeferenced in a polar or UTM CRS."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from affine import Affine
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from scipy import ndimage

from icesight_contract import ClassName, CoPol, SimulateSceneParams
from icesight_contract.scene_files import CROSS_POL

from .ambiguity import NOMINAL_AZIMUTH_AMBIGUITY_M
from .land import LandMask, land_grid
from .readers import scene_band_names
from .simulation import (
    MODES,
    ClutterParams,
    Target,
    add_target,
    background,
    draw_target,
    land_clutter,
    linear_to_db,
    noise_floor_db,
    noise_floor_profile_db,
    render_target,
    speckle_correlation_px,
)

#: Rows simulated at a time; the random draws are seeded per block, so this is part of the seed.
#: A job checks for cancellation between blocks: a 256-row block of a 10,000 px wide EW scene takes
#: about 2 s on one CPU core.
SCENE_BLOCK_ROWS = 256
#: Scales on the ground (a Gaussian filter's sigma) of the smooth fields that draw the ice edge and
#: the wind: floes and leads of kilometres, weather of tens. No source; in metres so that an IW
#: scene's ice cover looks like an EW scene's, not like floes four times smaller.
ICE_FIELD_SCALE_M = 1600.0
WIND_FIELD_SCALE_M = 6000.0
#: The same for land's relief and its detail (no source).
LAND_RELIEF_SCALE_M, LAND_DETAIL_SCALE_M = 600.0, 120.0
#: No target is placed nearer land than this, metres.
TARGET_LAND_CLEARANCE_M = 1500.0


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
    """A scene held in memory: sigma0 in dB (NaN outside the swath), incidence, noise floor, grid and truth."""

    hh_db: np.ndarray
    hv_db: np.ndarray
    inc_angle_deg: np.ndarray
    nesz_db: np.ndarray  # the thermal noise floor (both channels), dB
    transform: Affine
    crs: CRS
    pixel_size_m: float
    ice_mask: np.ndarray
    targets: list[PlacedTarget] = field(default_factory=list)
    co_pol: CoPol = CoPol.HH

    @property
    def band_names(self) -> tuple[str, ...]:
        return scene_band_names(self.co_pol.value, CROSS_POL[self.co_pol.value], with_noise=True)

    @property
    def shape(self) -> tuple[int, int]:
        return self.hh_db.shape


class _SmoothField:
    """A unit-variance smooth random field defined everywhere by a coarse grid.

    Values at any pixel come from bilinear interpolation of the coarse grid, so a block of the
    scene, a single target position and the whole scene all see the same field.
    """

    def __init__(self, rng: np.random.Generator, shape: tuple[int, int], scale_px: float):
        self.factor = max(1, int(scale_px // 4))
        coarse_shape = (shape[0] // self.factor + 3, shape[1] // self.factor + 3)
        coarse = ndimage.gaussian_filter(rng.standard_normal(coarse_shape), scale_px / self.factor)
        self.coarse = (coarse - coarse.mean()) / (coarse.std() + 1e-12)

    def at(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return ndimage.map_coordinates(self.coarse, [rows / self.factor, cols / self.factor], order=1, mode="nearest")

    def block(self, r0: int, r1: int, width: int) -> np.ndarray:
        rows, cols = np.meshgrid(np.arange(r0, r1, dtype=np.float64), np.arange(width, dtype=np.float64), indexing="ij")
        return self.at(rows, cols)


@dataclass
class SceneLayout:
    """Everything about a simulated scene except its pixels: grid, fields, targets. Small."""

    params: SimulateSceneParams
    geometry: object
    inc_row: np.ndarray
    nesz_row: np.ndarray  # the noise floor across range (columns), dB: what the scene is made with and carries
    ice: _SmoothField
    ice_sign: float
    wind: _SmoothField
    edge_cols: np.ndarray
    transform: Affine
    targets: list[PlacedTarget]
    #: Sea and ice away from the nominal models (detection robustness benches); None: nominal.
    clutter: ClutterParams | None = None
    #: Land in the scene (the built-in land mask) with its relief and detail fields; None: all sea.
    land: tuple[LandMask, _SmoothField, _SmoothField] | None = None

    @property
    def crs(self) -> CRS:
        return CRS.from_epsg(self.params.crs_epsg)

    @property
    def band_names(self) -> tuple[str, ...]:
        co = self.params.co_pol.value
        return scene_band_names(co, CROSS_POL[co], with_noise=True)

    def blocks(self, block_rows: int = SCENE_BLOCK_ROWS):
        """(row offset, co dB, cross dB, incidence, noise floor dB) for each row block, made one at a time."""
        for r0 in range(0, self.params.height_px, block_rows):
            co, cross, inc, nesz, _ = render_block(self, r0, min(r0 + block_rows, self.params.height_px))
            yield r0, co, cross, inc, nesz

    def ice_mask(self, r0: int, r1: int) -> np.ndarray:
        height, width = self.params.height_px, self.params.width_px
        ramp = (np.linspace(-1.5, 1.5, height)[r0:r1, None]) * self.ice_sign
        ice = self.ice.block(r0, r1, width) * 0.8 + ramp > 0.9
        return ice if self.land is None else ice & ~self.land_mask(r0, r1)

    def land_mask(self, r0: int, r1: int) -> np.ndarray:
        if self.land is None:
            return np.zeros((r1 - r0, self.params.width_px), dtype=bool)
        return self.land[0].window(slice(r0, r1), slice(0, self.params.width_px))

    def ice_at(self, row: int, col: int) -> bool:
        ramp = (-1.5 + 3.0 * row / max(self.params.height_px - 1, 1)) * self.ice_sign
        return bool(self.ice.at(np.array([float(row)]), np.array([float(col)]))[0] * 0.8 + ramp > 0.9)


def scene_centre(params: SimulateSceneParams) -> tuple[CRS, float, float]:
    """The scene's CRS and its centre's map coordinates there; a ValueError saying what to give
    when ``crs_epsg`` names no projected CRS or cannot project the centre."""
    try:
        crs = CRS.from_epsg(params.crs_epsg)
    except CRSError:
        raise ValueError(f"EPSG:{params.crs_epsg} is not a coordinate reference system this service knows; give "
                         "the EPSG code of a projected CRS (3413 north, 3031 south, or the scene's UTM zone)") from None
    if not crs.is_projected:
        raise ValueError(f"EPSG:{params.crs_epsg} ({crs.name}) is not projected: the scene's pixels are metres; give "
                         "a projected CRS (3413 north, 3031 south, or the scene's UTM zone)")
    centre_x, centre_y = Transformer.from_crs(4326, crs, always_xy=True).transform(params.centre_lon, params.centre_lat)
    back = Transformer.from_crs(crs, 4326, always_xy=True).transform(centre_x, centre_y)
    if not (math.isfinite(centre_x) and math.isfinite(centre_y) and math.hypot(centre_x, centre_y) < 2.0e7
            and math.isclose(back[1], params.centre_lat, abs_tol=1e-6)):
        raise ValueError(f"EPSG:{params.crs_epsg} cannot project the scene's centre ({params.centre_lon:g}, "
                         f"{params.centre_lat:g}); give a crs_epsg for that part of the world (3413 north, 3031 south)")
    return crs, float(centre_x), float(centre_y)


def scene_layout(params: SimulateSceneParams, clutter: ClutterParams | None = None) -> SceneLayout:
    rng = np.random.default_rng([params.seed, 0])
    geometry = MODES[params.mode]
    height, width = params.height_px, params.width_px
    px = geometry.pixel_size_m
    # Incidence across range (columns): the scene is a part of the swath unless it spans it all.
    swath_px = int(round({"EW": 400_000.0, "IW": 250_000.0}[params.mode.value] / px))
    start = 0 if width >= swath_px else int(rng.integers(0, swath_px - width))
    cols = (start + np.arange(width)) / max(swath_px - 1, 1)
    inc_row = geometry.inc_near_deg + cols * (geometry.inc_far_deg - geometry.inc_near_deg)
    # The noise floor across range: sub-swath beams, drawn apart from the scene's other draws so
    # that a scene's targets and clutter do not depend on it.
    steps_db = np.random.default_rng([params.seed, 5]).uniform(-0.5, 0.5, geometry.subswaths) * params.noise_rise_db
    nesz_row = noise_floor_db(geometry, clutter) + noise_floor_profile_db(cols, geometry.subswaths,
                                                                         params.noise_rise_db, steps_db)
    # An ice edge: sea ice on one side, with a ragged boundary; wind varying over tens of km.
    ice = _SmoothField(rng, (height, width), ICE_FIELD_SCALE_M / px)
    ice_sign = float(rng.choice([-1, 1]))
    wind = _SmoothField(rng, (height, width), WIND_FIELD_SCALE_M / px)
    # Swath edge: a nodata wedge at near range, as in real GRD frames.
    edge_cols = (0.02 * width + 0.02 * width * np.linspace(0, 1, height)).astype(int)
    crs, centre_x, centre_y = scene_centre(params)
    transform = Affine.translation(centre_x - width / 2 * px, centre_y + height / 2 * px) * Affine.scale(px, -px)
    # One lookup of the built-in mask serves the land itself and the targets' clearance from it.
    grid = land_grid(transform, crs, (height, width), TARGET_LAND_CLEARANCE_M)
    land, clearance = None, None
    if grid.cells.any():
        # The terrain's fields are drawn apart from the scene's other draws: a scene's sea and targets
        # do not depend on whether land is near.
        land_rng = np.random.default_rng([params.seed, 6])
        land = (grid.grown(0.0), _SmoothField(land_rng, (height, width), LAND_RELIEF_SCALE_M / px),
                _SmoothField(land_rng, (height, width), LAND_DETAIL_SCALE_M / px))
        clearance = grid.grown(TARGET_LAND_CLEARANCE_M)
    layout = SceneLayout(params, geometry, inc_row, nesz_row, ice, ice_sign, wind, edge_cols, transform, [], clutter, land)

    kinds = [ClassName.SHIP] * params.n_ships + [ClassName.ICEBERG] * params.n_icebergs
    rng.shuffle(kinds)
    min_spacing_px = 45
    occupied: dict[tuple[int, int], list[tuple[int, int]]] = {}  # spatial hash for the spacing test
    for kind in kinds:
        for _attempt in range(200):
            row = int(rng.integers(8, height - 8))
            col = int(rng.integers(int(edge_cols.max()) + 8, width - 8))
            if clearance is not None and clearance.window(slice(row, row + 1), slice(col, col + 1))[0, 0]:
                continue
            in_ice = layout.ice_at(row, col)
            # Ships keep to open water (an icebreaker now and then); icebergs drift anywhere.
            if kind is ClassName.SHIP and in_ice and rng.random() > 0.1:
                continue
            cell = (row // min_spacing_px, col // min_spacing_px)
            near = [p for dr in (-1, 0, 1) for dc in (-1, 0, 1) for p in occupied.get((cell[0] + dr, cell[1] + dc), [])]
            if any(abs(r - row) < min_spacing_px and abs(c - col) < min_spacing_px for r, c in near):
                continue
            occupied.setdefault(cell, []).append((row, col))
            break
        else:
            continue
        x, y = transform * (col + 0.5, row + 0.5)
        layout.targets.append(PlacedTarget(draw_target(rng, kind), row, col, float(x), float(y), in_ice))
    return layout


def render_block(layout: SceneLayout, r0: int, r1: int) -> tuple[np.ndarray, ...]:
    """Rows r0:r1 of the scene: co-pol dB, cross-pol dB, incidence, noise floor dB (NaN off-swath)
    and the ice mask.

    Every random draw is seeded by the block or the target, so blocks can be made in any order,
    one at a time, and agree with the whole scene made at once.
    """
    params, geometry = layout.params, layout.geometry
    width = params.width_px
    rng = np.random.default_rng([params.seed, 1, r0])
    inc = np.broadcast_to(layout.inc_row, (r1 - r0, width)).astype(np.float64)
    ice_mask = layout.ice_mask(r0, r1)
    wind = params.wind_speed_m_s * (1.0 + 0.15 * layout.wind.block(r0, r1, width))
    # Texture noise from per-row seeds with a halo as deep as the texture filter reaches (4 sigma):
    # blocks join without seams. Speckle is drawn per block: its correlation, about a pixel, breaks
    # at a block's first row, which no statistic of the scene notices.
    corr_px = (layout.clutter or ClutterParams()).corr_px(geometry.pixel_size_m, geometry.psf_width_px)
    halo = max(20, math.ceil(4 * max(corr_px)))
    rows = range(r0 - halo, r1 + halo)
    white_sea = np.stack([np.random.default_rng([params.seed, 3, r % (1 << 31)]).standard_normal(width) for r in rows])
    white_ice = np.stack([np.random.default_rng([params.seed, 4, r % (1 << 31)]).standard_normal(width) for r in rows])
    co, cross = background(
        rng, inc, wind, geometry, ice_mask, params.co_pol, texture_wind_m_s=params.wind_speed_m_s,
        white_sea=white_sea, white_ice=white_ice, clutter=layout.clutter, nesz_db=layout.nesz_row,
    )
    land = layout.land_mask(r0, r1)
    if land.any():
        _, relief, detail = layout.land
        land_co, land_cross = land_clutter(np.random.default_rng([params.seed, 7, r0]), relief.block(r0, r1, width),
                                           detail.block(r0, r1, width), geometry.looks, speckle_correlation_px(geometry.psf_width_px))
        co[land], cross[land] = land_co[land], land_cross[land]
    ghost_px = int(round(NOMINAL_AZIMUTH_AMBIGUITY_M / geometry.pixel_size_m))
    for index, placed in enumerate(layout.targets):
        # A target's window is at most about 620 m / pixel + 8 px from its centre; skip far ones.
        reach = int(math.ceil(max(placed.target.length_m, placed.target.width_m) / geometry.pixel_size_m / 2 + 9))
        ghost = placed.target.kind is ClassName.SHIP and placed.target.peak_hh_db > 12.0
        ghost_sign = 1 if (params.seed + index) % 2 else -1
        centres = [(placed.row, 1.0)] + ([(placed.row + ghost_sign * ghost_px, 10 ** (-2.3))] if ghost else [])
        if not any(r0 - reach <= row < r1 + reach for row, _ in centres):
            continue
        target_rng = np.random.default_rng([params.seed, 2, index])
        t_co, t_cross, _ = render_target(target_rng, placed.target, geometry, co_pol=params.co_pol)
        for row, gain in centres:
            # Azimuth ambiguity: a faint ghost of a bright ship displaced along azimuth (rows).
            add_target(co, cross, t_co * gain, t_cross * gain, row - r0, placed.col)
    outside = np.arange(width)[None, :] < layout.edge_cols[r0:r1, None]
    co_db = linear_to_db(co).astype(np.float32)
    cross_db = linear_to_db(cross).astype(np.float32)
    inc32 = inc.astype(np.float32)
    nesz32 = np.broadcast_to(layout.nesz_row, (r1 - r0, width)).astype(np.float32)
    for band in (co_db, cross_db, inc32, nesz32):
        band[outside] = np.nan
    return co_db, cross_db, inc32, nesz32, ice_mask


def simulate_scene(params: SimulateSceneParams, block_rows: int = SCENE_BLOCK_ROWS,
                   clutter: ClutterParams | None = None) -> SimulatedScene:
    """The whole scene in memory (tests, small scenes). Large scenes: :func:`simulate_scene_blocks`."""
    layout = scene_layout(params, clutter)
    parts = [render_block(layout, r0, min(r0 + block_rows, params.height_px)) for r0 in range(0, params.height_px, block_rows)]
    co, cross, inc, nesz, ice = (np.concatenate(p) for p in zip(*parts, strict=True))
    return SimulatedScene(
        co, cross, inc, nesz, layout.transform, CRS.from_epsg(params.crs_epsg), layout.geometry.pixel_size_m, ice,
        layout.targets, params.co_pol,
    )


def scene_id_for(params: SimulateSceneParams) -> str:
    """A stable, readable id: mode, size and seed identify a simulated scene, and its centre where
    that is not the default one."""
    centre = (params.centre_lon, params.centre_lat)
    where = "" if centre == (SimulateSceneParams.centre_lon, SimulateSceneParams.centre_lat) else \
        f"_{abs(params.centre_lat):.3f}{'N' if params.centre_lat >= 0 else 'S'}{abs(params.centre_lon):.3f}{'E' if params.centre_lon >= 0 else 'W'}"
    return f"SIM_{params.mode.value}_{params.width_px}x{params.height_px}_s{params.seed}{where}"
