"""Target job kinds: CFAR detection over a scene, and 75 x 75 patches cut around points."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from .codec import ContractError
from .common import MapPoint, lonlat_polygons

#: The equivalent numbers of looks a scene may have: from a single look to a heavily multilooked
#: product (Sentinel-1 IW GRDM has about 80).
LOOKS_RANGE = (1.0, 100.0)


@dataclass
class DetectTargetsParams:
    """CFAR detection over a whole scene (windows in metres, as in ESA SNAP's ship detector).

    The scene is a catalog scene (``scene_id``) or the scene of a finished ``simulate_scene`` job
    (``scene_job_id``): give exactly one.
    """

    scene_job_id: str | None = None
    scene_id: str | None = None
    target_window_m: float = 50.0
    guard_window_m: float = 500.0
    background_window_m: float = 800.0
    pfa: float = 10**-6.5
    min_area_px: int = 2
    looks: float | None = None  # equivalent number of looks; None: the scene's product's, else its mode's
    chunk_px: int = 2048
    #: Also run CFAR on the cross-pol band (icebergs stand out there against open water).
    cross_pol_cfar: bool = True
    #: Classify open water / sea ice and keep a detection in ice only when it clears the K
    #: threshold of its own ice background at ``ice_pfa`` by ``ice_margin_db``.
    sea_ice_aware: bool = True
    ice_pfa: float = 1e-9
    ice_margin_db: float = 2.0
    #: In open water, hold what only the co-pol CFAR flagged to the same test (sea spikes are
    #: co-pol only; ships over open water show in cross-pol too). Needs ``cross_pol_cfar``.
    co_only_background_test: bool = True
    #: In open water, judge what only the cross-pol CFAR flagged. A cluster of at most
    #: ``min_area_px`` is kept when its peak clears the K threshold of its 2 km background at
    #: ``ice_pfa`` (no margin): clusters of noise-floor speckle do not. A larger one is kept when
    #: its peak clears the K threshold of the ring just around it at ``pfa``: ridges of level ice
    #: that passes for open water run on through that ring, an iceberg's cross-pol does not.
    cross_only_background_test: bool = True
    #: Also keep a target in sea ice that falls short of its 2 km background by less than
    #: ``ice_margin_db`` when it stands out from the ring just around it: in cross-pol, when it is
    #: more cross-polarised than that background (small icebergs in bright, deformed ice), or in
    #: co-pol by a wider margin (ships).
    local_ice_test: bool = True
    #: Also look for objects too large for the guard window (icebergs of 500 m and more, which
    #: brighten the background ring until the pixel CFAR misses them) with a CFAR on the mean of
    #: 200 m boxes; what it finds must stand 9 dB above its background in both bands. Islets smaller
    #: than the land mask's cells (about 1 km) come back through it: give them as ``land_polygons``.
    extended_target_cfar: bool = True
    #: Mask land before detecting: nothing is detected on it and no land pixel enters a background
    #: window. The built-in mask is NOAA's GLOBE land cells (30 arc-seconds, about 1 km; public
    #: domain), whose coastline is that of the 1990s: glacier fronts that have retreated since are
    #: land in it, and islands smaller than a cell are missing from it.
    land_mask: bool = True
    #: Land given by the analyst (a detailed coastline layer, say): GeoJSON polygons in longitude and
    #: latitude (EPSG:4326), masked together with the built-in mask, or alone with ``land_mask`` false.
    land_polygons: dict[str, Any] | None = None
    #: Land grows seaward by this much before it is masked, metres (the built-in mask's cell: its
    #: coastline's error; also piers, moored ships and rocks along the shore).
    land_buffer_m: float = 1000.0

    def __post_init__(self) -> None:
        if (self.scene_job_id is None) == (self.scene_id is None):
            raise ContractError("scene_id", "give exactly one of 'scene_id' (catalog) or 'scene_job_id'")
        check_detector_settings(self)
        check_land_settings(self)
        if not 256 <= self.chunk_px <= 8192:
            raise ContractError("chunk_px", f"must be between 256 and 8192, got {self.chunk_px}")


#: The fields of :class:`DetectTargetsParams` that are settings of the detector itself: the
#: backend's detector takes its defaults from them and checks them with the same rules.
DETECTOR_SETTINGS = (
    "target_window_m", "guard_window_m", "background_window_m", "pfa", "min_area_px", "cross_pol_cfar",
    "sea_ice_aware", "ice_pfa", "ice_margin_db", "co_only_background_test", "cross_only_background_test",
    "local_ice_test", "extended_target_cfar",
)
#: The detector settings that are switches (true or false), from their declared types.
_SWITCHES = tuple(f.name for f in fields(DetectTargetsParams) if f.name in DETECTOR_SETTINGS and f.type == "bool")


def check_detector_settings(settings: object) -> None:
    """The rules of the detector settings (:data:`DETECTOR_SETTINGS`, and ``looks`` unless None),
    read from ``settings``' attributes: a :class:`ContractError` naming the first one broken."""
    for name in _SWITCHES:
        if not isinstance(getattr(settings, name), bool):
            raise ContractError(name, f"must be true or false, got {getattr(settings, name)!r}")
    target, guard, background = settings.target_window_m, settings.guard_window_m, settings.background_window_m
    if not 0.0 < target < guard < background:
        raise ContractError(
            "guard_window_m",
            "windows must grow: target_window_m < guard_window_m < background_window_m "
            f"(got {target:g}, {guard:g}, {background:g})",
        )
    if not 0.0 < settings.pfa < 0.01:
        raise ContractError("pfa", f"must be in (0, 0.01), got {settings.pfa:g}")
    if not 0.0 < settings.ice_pfa <= settings.pfa:
        raise ContractError("ice_pfa", f"must be in (0, pfa = {settings.pfa:g}], got {settings.ice_pfa:g}")
    if not 0.0 <= settings.ice_margin_db <= 20.0:
        raise ContractError("ice_margin_db", f"must be between 0 and 20 dB, got {settings.ice_margin_db:g}")
    if settings.min_area_px < 1:
        raise ContractError("min_area_px", f"must be at least 1, got {settings.min_area_px}")
    if settings.looks is not None and not LOOKS_RANGE[0] <= settings.looks <= LOOKS_RANGE[1]:
        raise ContractError("looks", f"must be between {LOOKS_RANGE[0]:g} and {LOOKS_RANGE[1]:g}, got {settings.looks:g}")


#: The fields of :class:`DetectTargetsParams` that say where land is (applied to the scene before the
#: detector runs; a chart takes them too).
LAND_SETTINGS = ("land_mask", "land_polygons", "land_buffer_m")

#: Largest ``land_buffer_m``, metres.
MAX_LAND_BUFFER_M = 20000.0
#: The layer of a detections GeoPackage that holds the land the detection left out (buffer
#: included), beside the layer ``detections``; absent when no land was asked for.
LAND_MASK_LAYER = "land_mask"


def check_land_settings(settings: object) -> None:
    """The rules of :data:`LAND_SETTINGS`, read from ``settings``' attributes."""
    if not isinstance(settings.land_mask, bool):
        raise ContractError("land_mask", f"must be true or false, got {settings.land_mask!r}")
    if not 0.0 <= settings.land_buffer_m <= MAX_LAND_BUFFER_M:
        raise ContractError("land_buffer_m", f"must be from 0 to {MAX_LAND_BUFFER_M:g} m, got {settings.land_buffer_m:g}")
    if settings.land_polygons is not None:
        lonlat_polygons(settings.land_polygons, "land_polygons")


@dataclass
class CutPatchesParams:
    """75 x 75 patches from a scene around points, or around every detection of a detect_targets job.

    The scene is a catalog scene (``scene_id``) or a ``simulate_scene`` job's (``scene_job_id``).
    """

    scene_id: str | None = None
    scene_job_id: str | None = None
    points: list[MapPoint] | None = None
    crs: str = "EPSG:4326"
    detections_job_id: str | None = None

    def __post_init__(self) -> None:
        if (self.scene_id is None) == (self.scene_job_id is None):
            raise ContractError("scene_id", "give exactly one of 'scene_id' (catalog) or 'scene_job_id'")
        if (self.points is None) == (self.detections_job_id is None):
            raise ContractError("points", "give exactly one of 'points' or 'detections_job_id'")
        if self.points is not None:
            if not self.points:
                raise ContractError("points", "is empty; give at least one point")
            if len(self.points) > 20000:
                raise ContractError("points", f"at most 20000 points a job, got {len(self.points)}")
            ids = [p.id for p in self.points]
            if len(set(ids)) != len(ids):
                raise ContractError("points", "point ids must be unique")


@dataclass
class DetectTargetsResult:
    scene_id: str
    n_detections: int
    crs: str
    pixel_size_m: float
    looks: float
    pfa: float
    #: Whether the scene's own cross-pol noise floor (its band 4, from the product's noise
    #: annotation) was used: open water and sea ice told apart against it rather than one level
    #: estimated from the scene, and the cross-pol CFAR run on the cross-pol over it.
    noise_floor_band: bool = False
    #: Share of the scene's pixels masked as land (buffer included) before detection; None when no
    #: land was asked for (``land_mask`` false and no ``land_polygons``).
    land_fraction: float | None = None


@dataclass
class CutPatchesResult:
    scene_id: str
    n_patches: int
    n_padded: int
    skipped: dict[str, str] = field(default_factory=dict)  # point id -> reason
