"""Scene catalog: one STAC-style item per ingested or simulated scene, with its COG on disk.

Items live in SQLite (``<data_dir>/catalog.sqlite3``) with their footprint's bounding box and
time for filtering; the normalised COG in ``<data_dir>/scenes/<scene_id>/scene.tif``. A scene
enters the catalog only after its COG is complete, so nothing half-ingested is ever listed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import threading
from pathlib import Path

from icesight_contract import API_PREFIX

from .sar.readers.geotiff import SceneRaster
from .store import utc_now

_SCENE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class UnknownSceneId(LookupError):
    pass


def make_item(scene_id: str, raster: SceneRaster, mode: str | None, acquired: str | None, source: str) -> dict:
    footprint = raster.footprint_lonlat()
    lons = [p[0] for p in footprint["coordinates"][0]]
    lats = [p[1] for p in footprint["coordinates"][0]]
    return {
        "type": "Feature",
        "stac_version": "1.0.0",
        "stac_extensions": [],
        "id": scene_id,
        "geometry": footprint,
        "bbox": [min(lons), min(lats), max(lons), max(lats)],
        "properties": {
            "datetime": acquired,
            "created": utc_now(),
            "constellation": "sentinel-1",
            "sar:instrument_mode": mode,
            "sar:polarizations": list(raster.polarisations),
            "proj:wkt2": raster.crs_wkt,
            "proj:code": raster.crs_authid,
            "proj:shape": [raster.height, raster.width],
            "proj:transform": list(raster.transform),
            "icesight:pixel_size_m": raster.pixel_size_m,
            "icesight:source": source,
            "icesight:source_units": raster.units,
        },
        "assets": {
            "scene": {
                "href": f"{API_PREFIX}/scenes/{scene_id}/scene.tif",
                "type": "image/tiff; application=geotiff; profile=cloud-optimized",
                "roles": ["data"],
                "title": "co-pol dB, cross-pol dB, incidence angle (degrees)",
            }
        },
    }


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
        if not isinstance(scene_id, str) or not _SCENE_ID.fullmatch(scene_id):
            raise ValueError(
                f"scene id {scene_id!r} must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
        return scene_id

    def staging_dir(self, token: str) -> Path:
        return self.root / f".staging-{token}"

    def add(self, item: dict, staged_cog: Path) -> dict:
        """Move a complete COG into place and list the item (replacing a scene of the same id)."""
        scene_id = self.check_id(item["id"])
        final_dir = self.root / scene_id
        incoming = self.root / f".incoming-{scene_id}"
        shutil.rmtree(incoming, ignore_errors=True)
        incoming.mkdir()
        os.replace(staged_cog, incoming / "scene.tif")
        with self._lock:
            if final_dir.exists():
                shutil.rmtree(final_dir)
            os.replace(incoming, final_dir)
            west, south, east, north = item["bbox"]
            self._db.execute(
                "INSERT OR REPLACE INTO scenes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (scene_id, json.dumps(item), item["properties"].get("datetime"),
                 item["properties"].get("sar:instrument_mode"), west, south, east, north),
            )
        return item

    def get(self, scene_id: str) -> dict:
        with self._lock:
            row = self._db.execute("SELECT item FROM scenes WHERE id = ?", (scene_id,)).fetchone()
        if row is None:
            raise UnknownSceneId(f"no scene {scene_id!r} in the catalog; list scenes at {API_PREFIX}/scenes")
        return json.loads(row[0])

    def cog_path(self, scene_id: str) -> Path:
        self.get(scene_id)
        return self.root / scene_id / "scene.tif"

    def list(
        self,
        start: str | None = None,
        end: str | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        mode: str | None = None,
    ) -> list[dict]:
        query, args = "SELECT item FROM scenes WHERE 1=1", []
        if start:
            query += " AND acquired >= ?"
            args.append(start)
        if end:
            query += " AND acquired <= ?"
            args.append(end)
        if mode:
            query += " AND mode = ?"
            args.append(mode)
        if bbox:
            west, south, east, north = bbox
            query += " AND max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?"
            args += [west, east, south, north]
        with self._lock:
            rows = self._db.execute(query + " ORDER BY acquired DESC, id", args).fetchall()
        return [json.loads(r[0]) for r in rows]
