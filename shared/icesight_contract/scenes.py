"""Scene job kinds: simulate a scene, ingest an uploaded one into the catalog."""

from __future__ import annotations

from dataclasses import dataclass

from .codec import ContractError, Seed, shown
from .common import AcquisitionMode, CoPol
from .constants import INC_ANGLE_MAX_DEG, INC_ANGLE_MIN_DEG


@dataclass
class SimulateSceneParams:
    """A simulated Sentinel-1-like scene with known targets (the test bed, see the simulator)."""

    mode: AcquisitionMode = AcquisitionMode.EW
    width_px: int = 1024
    height_px: int = 1024
    n_ships: int = 12
    n_icebergs: int = 12
    wind_speed_m_s: float = 7.0
    crs_epsg: int = 3413
    co_pol: CoPol = CoPol.HH
    seed: Seed = 0
    #: Rise of the thermal noise floor from each sub-swath's centre to its edges, dB; the
    #: sub-swaths also step against each other by up to this much (0: one flat floor).
    noise_rise_db: float = 3.0
    #: Where the scene's centre lies, degrees (EPSG:4326; ``crs_epsg`` must be able to project it).
    #: Land there (the detector's built-in land mask) is rendered as land and holds no target. The
    #: default is open sea in Davis Strait, off West Greenland, where icebergs meet shipping lanes.
    centre_lon: float = -56.0
    centre_lat: float = 67.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.noise_rise_db <= 10.0:
            raise ContractError("noise_rise_db", f"must be between 0 and 10 dB, got {self.noise_rise_db:g}")
        for name in ("width_px", "height_px"):
            value = getattr(self, name)
            if not 128 <= value <= 12000:
                raise ContractError(name, f"must be between 128 and 12000 pixels, got {value}")
        for name in ("n_ships", "n_icebergs"):
            value = getattr(self, name)
            if not 0 <= value <= 5000:
                raise ContractError(name, f"must be between 0 and 5000, got {value}")
        if not 0.0 <= self.wind_speed_m_s <= 30.0:
            raise ContractError("wind_speed_m_s", f"must be between 0 and 30 m/s, got {self.wind_speed_m_s:g}")
        if not -180.0 <= self.centre_lon <= 180.0:
            raise ContractError("centre_lon", f"must be between -180 and 180 degrees, got {self.centre_lon:g}")
        if not -90.0 <= self.centre_lat <= 90.0:
            raise ContractError("centre_lat", f"must be between -90 and 90 degrees, got {self.centre_lat:g}")


SOURCE_UNITS = ("auto", "dB", "linear")


@dataclass
class IngestSceneParams:
    """Check an uploaded GeoTIFF/COG scene and add it to the catalog in the product's layout.

    ``upload_id`` comes from ``POST /uploads``. Bands are 1-based. Without ``co_band`` and
    ``cross_band`` the sigma0 pair is the co- and cross-pol band the descriptions name (HH and HV, or
    VV and VH, in any order: SNAP writes VH before VV), else bands 1 and 2 with the brighter the
    co-pol (over sea and ice the co-pol is the brighter by 5-20 dB). Without ``inc_band`` the
    incidence band is found by its description or as a third band of plausible angles, else from the
    swath of the original product a file SNAP wrote keeps in its metadata (the annotation's
    geolocation grid); else give ``inc_angle_deg``. ``acquired`` is ISO 8601 UTC (``2026-03-01T08:15:00Z``).
    Where the uploaded file's name, or the product SNAP's metadata names, is a Sentinel-1 product
    name (``S1A_EW_GRDM_1SDH_20210403T122536_..._Cal_TC.tif``), it gives ``mode`` and ``acquired``
    when they are not given, and the channels when the band descriptions do not name them.
    """

    upload_id: str
    scene_id: str | None = None
    mode: AcquisitionMode | None = None
    acquired: str | None = None
    units: str = "auto"
    co_band: int | None = None
    cross_band: int | None = None
    inc_band: int | None = None
    inc_angle_deg: float | None = None

    def __post_init__(self) -> None:
        if self.units not in SOURCE_UNITS:
            raise ContractError("units", f"must be one of {', '.join(SOURCE_UNITS)}, got {shown(self.units)}")
        for name in ("co_band", "cross_band", "inc_band"):
            band = getattr(self, name)
            if band is not None and (isinstance(band, bool) or not isinstance(band, int) or band < 1):
                raise ContractError(name, f"must be a band number from 1, got {band!r}")
        if self.co_band is not None and self.co_band == self.cross_band:
            raise ContractError("cross_band", "must differ from co_band")
        if self.inc_band is not None and self.inc_band in (self.co_band, self.cross_band):
            raise ContractError("inc_band", "must differ from co_band and cross_band")
        if self.inc_angle_deg is not None and (
                isinstance(self.inc_angle_deg, bool) or not isinstance(self.inc_angle_deg, int | float)
                or not INC_ANGLE_MIN_DEG <= self.inc_angle_deg <= INC_ANGLE_MAX_DEG):
            raise ContractError("inc_angle_deg", f"must be an incidence angle from {INC_ANGLE_MIN_DEG:g} to "
                                                 f"{INC_ANGLE_MAX_DEG:g} degrees (Sentinel-1 EW and IW span about "
                                                 f"19-47), got {self.inc_angle_deg!r}")
        if self.acquired is not None:
            from datetime import datetime

            try:
                datetime.fromisoformat(self.acquired.replace("Z", "+00:00"))
            except ValueError:
                raise ContractError("acquired", f"{shown(self.acquired)} is not an ISO 8601 time such as 2026-03-01T08:15:00Z") from None


@dataclass
class SimulateSceneResult:
    scene_id: str
    mode: AcquisitionMode
    width_px: int
    height_px: int
    pixel_size_m: float
    crs: str
    n_ships: int
    n_icebergs: int
    inc_angle_near_deg: float
    inc_angle_far_deg: float


@dataclass
class IngestSceneResult:
    scene_id: str
    width_px: int
    height_px: int
    pixel_size_m: float
    crs: str
    polarisations: list[str]
    source_units: str
    bbox: list[float]
