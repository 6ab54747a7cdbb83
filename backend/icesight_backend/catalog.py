"""Scene catalog: one STAC item per ingested or simulated scene, with its COG on disk.

Items are built with pystac (STAC 1.1 with the SAR and projection extensions) and live in SQLite
(``<data_dir>/catalog.sqlite3``) with their footprint's bounding box and time for filtering; the
normalised COG in ``<data_dir>/scenes/<scene_id>/scene.tif``. A scene enters the catalog only
after its COG is complete, so nothing half-ingested is ever listed.

An item's ``datetime`` is the acquisition time when it is known, else the time the scene was made
(simulated or ingested); ``icesight:acquired`` keeps the acquisition time alone (null when unknown).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from icesight_contract import API_PREFIX, shown

from .sar.readers.geotiff import SceneRaster
from .store import RECORD_ID, utc_now

#: A CRS named by an authority and a code (``proj:code``); anything else has only its WKT2.
_AUTHORITY_CODE = re.compile(r"^[A-Z]+:[0-9A-Za-z.]+$")
#: Sentinel-1's C-band centre frequency in GHz (``sar:center_frequency``).
SENTINEL1_CENTRE_GHZ = 5.405
#: ``sar:instrument_mode`` of a scene whose acquisition mode nobody gave.
UNKNOWN_MODE = "unknown"
#: Items (and ids asked for) in one answer of a search unless it asks for fewer, and at most.
DEFAULT_LIMIT, MAX_LIMIT = 1000, 10000
#: The farthest a search may page (SQLite counts rows in 64-bit integers).
MAX_OFFSET = 2**62


class UnknownSceneId(LookupError):
    pass


def utc_time(text: str) -> datetime:
    """An ISO 8601 time (``Z``, an offset, or none for UTC; a date alone is its midnight) in UTC;
    ValueError when it is not one."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def sortable(moment: datetime) -> str:
    """One fixed-width UTC form, so that times compare as text in the catalog's index."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _polygons(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def lonlat_bbox(geometry: dict) -> list[float]:
    """West, south, east, north of a GeoJSON Polygon or MultiPolygon in degrees. A footprint cut at
    the antimeridian (a MultiPolygon reaching 180 and -180) gets west > east, as RFC 7946 (section
    5.2) and STAC put it: its box runs eastwards from west across 180 to east. One holding a pole
    spans every longitude."""
    points = [point for polygon in _polygons(geometry) for ring in polygon for point in ring]
    lons, lats = [float(p[0]) for p in points], [float(p[1]) for p in points]
    if max(abs(lat) for lat in lats) >= 90.0 - 1e-9:  # it holds a pole: every longitude
        return [-180.0, min(lats), 180.0, max(lats)]
    west, east = min(lons), max(lons)
    if west <= -180.0 + 1e-9 and east >= 180.0 - 1e-9:
        eastern = [lon for lon in lons if lon > 0.0]  # the part west of the antimeridian starts the box
        western = [lon for lon in lons if lon < 0.0]
        if eastern and western and min(eastern) > max(western):
            west, east = min(eastern), max(western)
    return [west, min(lats), east, max(lats)]


def make_item(scene_id: str, raster: SceneRaster, mode: str | None, acquired: str | None, source: str,
              looks: float | None = None) -> dict:
    """The STAC item of a scene (a GeoJSON Feature) as a plain document; ``looks``: its product's
    equivalent number of looks, where known."""
    import pystac
    from pystac.extensions.projection import ProjectionExtension
    from pystac.extensions.sar import FrequencyBand, Polarization, SarExtension

    footprint = json.loads(json.dumps(raster.footprint_lonlat()))  # GeoJSON arrays, not tuples
    created = utc_now()
    item = pystac.Item(
        id=scene_id, geometry=footprint, bbox=lonlat_bbox(footprint),
        datetime=utc_time(acquired or created),
        properties={
            "created": created,
            "constellation": "sentinel-1",
            "icesight:acquired": acquired,
            "icesight:pixel_size_m": raster.pixel_size_m,
            "icesight:source": source,
            "icesight:source_units": raster.units,
        },
    )
    SarExtension.ext(item, add_if_missing=True).apply(
        instrument_mode=mode or UNKNOWN_MODE, frequency_band=FrequencyBand.C,
        polarizations=[Polarization(p) for p in raster.polarisations],
        product_type="GRD", center_frequency=SENTINEL1_CENTRE_GHZ, looks_equivalent_number=looks,
    )
    ProjectionExtension.ext(item, add_if_missing=True).apply(
        code=raster.crs_authid if _AUTHORITY_CODE.fullmatch(raster.crs_authid) else None, wkt2=raster.crs_wkt,
        shape=[raster.height, raster.width], transform=list(raster.transform),
    )
    item.add_asset("scene", pystac.Asset(
        href=f"{API_PREFIX}/scenes/{scene_id}/scene.tif", media_type=pystac.MediaType.COG, roles=["data"],
        title="co-pol dB, cross-pol dB, incidence angle (degrees)",
    ))
    return item.to_dict(include_self_link=False, transform_hrefs=False)


class SceneIdTaken(ValueError):
    """A scene id asked for is the id of a scene the catalog holds already."""


class SceneCatalog:
    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "scenes"
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(Path(data_dir) / "catalog.sqlite3", check_same_thread=False, isolation_level=None)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS scenes (id TEXT PRIMARY KEY, item TEXT NOT NULL, acquired TEXT, mode TEXT,"
            " min_lon REAL, min_lat REAL, max_lon REAL, max_lat REAL)"
        )

    @staticmethod
    def check_id(scene_id: str) -> str:
        if not isinstance(scene_id, str) or not RECORD_ID.fullmatch(scene_id):
            raise ValueError(
                f"scene id {shown(scene_id)} must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
        return scene_id

    def staging_dir(self, token: str) -> Path:
        return self.root / f".staging-{token}"

    def taken_message(self, scene_id: str) -> str:
        return (f"scene id {shown(scene_id)} is the id of a scene in the catalog already; give another scene_id, or "
                "none and the service names the scene")

    def has(self, scene_id: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM scenes WHERE id = ?", (scene_id,)).fetchone() is not None

    def add(self, item: dict, staged_cog: Path, replace: bool = True) -> dict:
        """Move a complete COG into place and list the item. A scene of the same id is replaced
        (a simulation made again), unless ``replace`` is False (an ingest: the analyst's scenes are
        never overwritten), which raises :class:`SceneIdTaken` and leaves the staged COG where it was."""
        scene_id = self.check_id(item["id"])
        final_dir = self.root / scene_id
        incoming = self.root / f".incoming-{scene_id}"
        if not replace and self.has(scene_id):
            raise SceneIdTaken(self.taken_message(scene_id))
        shutil.rmtree(incoming, ignore_errors=True)
        incoming.mkdir()
        os.replace(staged_cog, incoming / "scene.tif")
        with self._lock:
            if not replace and (final_dir.exists() or self._db.execute(
                    "SELECT 1 FROM scenes WHERE id = ?", (scene_id,)).fetchone() is not None):
                os.replace(incoming / "scene.tif", staged_cog)  # taken meanwhile: back where it was
                shutil.rmtree(incoming, ignore_errors=True)
                raise SceneIdTaken(self.taken_message(scene_id))
            if final_dir.exists():
                shutil.rmtree(final_dir)
            os.replace(incoming, final_dir)
            west, south, east, north = item["bbox"]
            self._db.execute(
                "INSERT OR REPLACE INTO scenes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (scene_id, json.dumps(item), sortable(utc_time(item["properties"]["datetime"])),
                 item["properties"].get("sar:instrument_mode"), west, south, east, north),
            )
        return item

    def get(self, scene_id: str) -> dict:
        with self._lock:
            row = self._db.execute("SELECT item FROM scenes WHERE id = ?", (scene_id,)).fetchone()
        if row is None:
            raise UnknownSceneId(f"no scene {shown(scene_id)} in the catalog; list scenes at {API_PREFIX}/scenes")
        return json.loads(row[0])

    def cog_path(self, scene_id: str) -> Path:
        self.get(scene_id)
        return self.root / scene_id / "scene.tif"

    def extent(self) -> tuple[tuple[float, float, float, float] | None, str | None, str | None]:
        """The box around every scene (west, south, east, north) and the first and last acquisition
        times (RFC 3339); Nones for an empty catalog."""
        with self._lock:
            row = self._db.execute("SELECT MIN(min_lon), MIN(min_lat), MAX(max_lon), MAX(max_lat), MIN(acquired),"
                                   " MAX(acquired), MAX(min_lon > max_lon) FROM scenes").fetchone()
        box = None if row[0] is None else (row[0], row[1], row[2], row[3])
        if row[6]:  # a scene across the antimeridian: every longitude
            box = (-180.0, row[1], 180.0, row[3])
        return box, row[4], row[5]  # stored in the sortable form, which is RFC 3339

    def list(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        mode: str | None = None,
        ids: list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[list[dict], int]:
        """Items whose ``datetime`` lies in ``start..end`` (inclusive; either may be open), whose
        bounding box touches ``bbox`` (west > east: a box across the antimeridian), of ``mode`` and among ``ids``, newest first: at most ``limit``
        of them from ``offset`` on, and how many match in all."""
        where, args = " WHERE 1=1", []
        if start:
            where += " AND acquired >= ?"
            args.append(sortable(start))
        if end:
            where += " AND acquired <= ?"
            args.append(sortable(end))
        if mode:
            where += " AND mode = ?"
            args.append(mode)
        if bbox:
            west, south, east, north = bbox
            # Longitudes are a circle: a box with west > east (the scene's or the search's) crosses
            # the antimeridian, and two boxes that both do always meet there.
            if west <= east:
                where += (" AND ((min_lon <= max_lon AND max_lon >= ? AND min_lon <= ?)"
                          " OR (min_lon > max_lon AND (min_lon <= ? OR max_lon >= ?)))")
                args += [west, east, east, west]
            else:
                where += " AND (min_lon > max_lon OR max_lon >= ? OR min_lon <= ?)"
                args += [west, east]
            where += " AND max_lat >= ? AND min_lat <= ?"
            args += [south, north]
        if ids:
            where += f" AND id IN ({','.join('?' * len(ids))})"
            args += ids
        with self._lock:
            matched = self._db.execute("SELECT COUNT(*) FROM scenes" + where, args).fetchone()[0]
            rows = self._db.execute("SELECT item FROM scenes" + where + " ORDER BY acquired DESC, id LIMIT ? OFFSET ?",
                                    [*args, -1 if limit is None else limit, offset]).fetchall()
        return [json.loads(r[0]) for r in rows], matched
