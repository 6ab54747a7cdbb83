"""Where a scene's azimuth ambiguities ("ghosts") lie: which way azimuth runs on its grid and how far
along it the first ambiguity is displaced.

A SAR samples the Doppler spectrum at the pulse repetition frequency (PRF), so a bright target's
energy aliased by one PRF is focused a second time, displaced along the flight track by

    dx = lambda * R * PRF / (2 * V)

(``lambda`` the wavelength, ``R`` the slant range, ``V`` the platform's velocity; the Doppler rate
2 V_r^2 / (lambda R) with V_r^2 ~ V * V_ground, times the ground speed; Curlander and McDonough,
"Synthetic Aperture Radar: Systems and Signal Processing", 1991, ch. 6). For Sentinel-1 the
displacement grows with slant range within a sub-swath and jumps between sub-swaths, whose PRFs
differ: the real IW GRDH annotation in ``data/sentinel1_annotation`` gives 5.03-5.33 km across IW1
(PRF 1717 Hz), 4.50-4.80 km across IW2 (1452 Hz) and 5.57-5.93 km across IW3 (1686 Hz), and the EW1
annotation there 4.50-4.79 km (1648 Hz). A fixed 5 km searched within 300 m misses the ghosts of
IW3, of most of IW2 and of the near half of EW1.

The SAFE reader computes the displacement at the geolocation grid's nodes (and on both sides of
each sub-swath boundary) from the annotation's radar frequency, sub-swath PRFs, orbit velocities
and slant range times, and tags the scene with it (:data:`AZIMUTH_AMBIGUITY_TAG`, nodes in
longitude and latitude, so the tag survives a re-gridding of the scene). Where a node's sub-swath is
not known (a product without the noise annotation's sub-swath blocks, IPF before 2.9), the node
carries the shortest and the longest displacement of the sub-swaths' PRFs and the ghost search
covers that interval. A scene without the tag (simulated, or a GeoTIFF of unknown geometry) is
searched at :data:`NOMINAL_AZIMUTH_AMBIGUITY_M` along its rows.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Speed of light in vacuum, m/s.
SPEED_OF_LIGHT_M_S = 299_792_458.0

#: The first azimuth ambiguity's displacement the detector assumes when a scene does not say (and
#: the simulator draws its ghosts at): about 5 km for Sentinel-1 EW and IW (see the module's text).
NOMINAL_AZIMUTH_AMBIGUITY_M = 5000.0

#: Scene tag: which way azimuth (the flight track) runs in a geocoded scene's grid, degrees clockwise
#: from the grid's up; the detector looks for azimuth ambiguities along it.
AZIMUTH_BEARING_TAG = "azimuth_bearing_deg"

#: Scene tag: the first azimuth ambiguity's displacement over the scene (:class:`AmbiguityNodes`).
AZIMUTH_AMBIGUITY_TAG = "azimuth_ambiguity_m"

#: A displacement outside this range is not a Sentinel-1-like radar's; a tag holding one is ignored.
PLAUSIBLE_AMBIGUITY_M = (500.0, 50_000.0)


def azimuth_ambiguity_m(slant_range_m, prf_hz, radar_frequency_hz: float, velocity_m_s: float):
    """The first azimuth ambiguity's displacement along track, metres (see the module's text)."""
    wavelength = SPEED_OF_LIGHT_M_S / radar_frequency_hz
    return wavelength * np.asarray(slant_range_m, dtype=np.float64) * np.asarray(prf_hz, dtype=np.float64) \
        / (2.0 * velocity_m_s)


def tagged_azimuth_bearing(tags: dict) -> float | None:
    """A scene's :data:`AZIMUTH_BEARING_TAG` in [0, 360), or None when it has none that is a number."""
    try:
        value = float(tags.get(AZIMUTH_BEARING_TAG, "nan"))
    except (TypeError, ValueError):
        return None
    return value % 360.0 if np.isfinite(value) else None


@dataclass(frozen=True)
class AmbiguityNodes:
    """The first azimuth ambiguity's displacement at points of a scene: at each (``lon``, ``lat``),
    degrees, it lies between ``shortest_m`` and ``longest_m`` (equal where the sub-swath is known)."""

    lon: np.ndarray
    lat: np.ndarray
    shortest_m: np.ndarray
    longest_m: np.ndarray

    def to_tag(self) -> str:
        """The scene tag's text (compact JSON; positions to about a metre, distances to a metre)."""
        return json.dumps({"lon": [round(float(v), 5) for v in self.lon], "lat": [round(float(v), 5) for v in self.lat],
                           "shortest_m": [round(float(v)) for v in self.shortest_m],
                           "longest_m": [round(float(v)) for v in self.longest_m]}, separators=(",", ":"))

    @classmethod
    def from_tags(cls, tags: dict) -> AmbiguityNodes | None:
        """A scene's :data:`AZIMUTH_AMBIGUITY_TAG`, or None when it has none, or one that is not
        four equally long lists of finite numbers with plausible distances (the scene is then
        searched at the nominal distance, as one without the tag)."""
        text = tags.get(AZIMUTH_AMBIGUITY_TAG)
        if not isinstance(text, str):
            return None
        try:
            data = json.loads(text)
            arrays = [np.asarray(data[key], dtype=np.float64) for key in ("lon", "lat", "shortest_m", "longest_m")]
        except (ValueError, TypeError, KeyError):
            return None
        lon, lat, shortest, longest = arrays
        low, high = PLAUSIBLE_AMBIGUITY_M
        if (any(a.ndim != 1 or len(a) != len(lon) for a in arrays) or len(lon) == 0
                or not all(np.all(np.isfinite(a)) for a in arrays)
                or np.any(np.abs(lon) > 180) or np.any(np.abs(lat) > 90)
                or np.any(shortest < low) or np.any(longest > high) or np.any(shortest > longest)):
            return None
        return cls(lon, lat, shortest, longest)

    def in_grid(self, transform, crs) -> AmbiguityField | None:
        """The nodes on a scene's pixel grid (``transform``, ``crs``), their distances in the grid's
        map metres; None for a scene without a CRS."""
        if crs is None:
            return None
        from pyproj import Proj, Transformer

        x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(self.lon, self.lat)
        cols, rows = ~transform * (np.asarray(x), np.asarray(y))
        # The distances are on the ground; the grid's metres are the map's, which a polar
        # stereographic grid stretches by up to 4 % (3413 at 60 N: 1.039).
        scale = np.asarray(Proj(crs).get_factors(self.lon, self.lat).meridional_scale, dtype=np.float64)
        # Pixel centres are at half-integers of the transform's grid; the detector's rows and cols are not.
        return AmbiguityField(np.asarray(rows) - 0.5, np.asarray(cols) - 0.5, self.shortest_m * scale,
                              self.longest_m * scale)


@dataclass(frozen=True)
class AmbiguityField:
    """The first azimuth ambiguity's displacement over a scene's pixel grid: known at nodes (``rows``,
    ``cols``), interpolated linearly between them and taken from the nearest outside them."""

    rows: np.ndarray
    cols: np.ndarray
    shortest_m: np.ndarray
    longest_m: np.ndarray

    @functools.cached_property
    def _interpolators(self) -> tuple[Any, Any | None]:
        """Nearest-node and (where the nodes span an area) linear interpolators of the distances,
        built once: the detector asks for them once per ghost filter."""
        from scipy.interpolate import LinearNDInterpolator, NearestNDInterpolator

        points = np.column_stack([self.rows, self.cols])
        values = np.column_stack([self.shortest_m, self.longest_m])
        spans_area = len(points) >= 3 and np.linalg.matrix_rank(points - points.mean(axis=0)) == 2
        return NearestNDInterpolator(points, values), LinearNDInterpolator(points, values) if spans_area else None

    def at(self, rows, cols) -> tuple[np.ndarray, np.ndarray]:
        """The shortest and longest displacement, metres, at pixel positions (``rows``, ``cols``)."""
        nearest_of, linear_of = self._interpolators
        query = np.column_stack([np.asarray(rows, dtype=np.float64), np.asarray(cols, dtype=np.float64)])
        result = nearest_of(query)
        if linear_of is not None:  # else too few nodes, or all on a line: no triangles
            linear = linear_of(query)
            result = np.where(np.isfinite(linear).all(axis=1)[:, None], linear, result)
        return result[:, 0], result[:, 1]


def scene_ambiguity_field(tags: dict, transform, crs) -> AmbiguityField | None:
    """A scene's ambiguity displacement on its grid, from its tag; None when it has no usable tag."""
    nodes = AmbiguityNodes.from_tags(tags)
    return None if nodes is None else nodes.in_grid(transform, crs)


def geometry_tags(tags: dict) -> dict[str, str]:
    """The acquisition-geometry tags of a scene file that a scene copied from it keeps (its SAFE
    reader's or an earlier IceSight export's), when they hold what they should."""
    kept = {}
    bearing = tagged_azimuth_bearing(tags)
    if bearing is not None:
        kept[AZIMUTH_BEARING_TAG] = f"{bearing:.3f}"
    nodes = AmbiguityNodes.from_tags(tags)
    if nodes is not None:
        kept[AZIMUTH_AMBIGUITY_TAG] = nodes.to_tag()
    return kept
