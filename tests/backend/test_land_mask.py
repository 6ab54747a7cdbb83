"""Land is masked before detection: the built-in GLOBE land cells and the analyst's own polygons,
grown by a buffer; simulated scenes near a coast carry land; the API takes and checks the settings."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import CRS, Transformer

from icesight_backend.sar.detection import CfarParams, Detection, drop_ghosts_of_masked_sources
from icesight_backend.sar.land import BUILTIN_SOURCE, POLYGON_SOURCE, LandMask, LandMaskedBand, is_land
from icesight_backend.sar.scene import TARGET_LAND_CLEARANCE_M, scene_id_for, scene_layout, simulate_scene
from icesight_contract import (
    ChartSceneParams,
    ContractError,
    DetectTargetsParams,
    SimulateSceneParams,
    from_dict,
)

#: A simulated EW scene on the south coast of Disko Island, West Greenland (about a third land).
DISKO = {"centre_lon": -53.0, "centre_lat": 69.3}


@pytest.mark.parametrize("lon, lat, land", [
    (-40.0, 72.0, True),      # the Greenland ice sheet
    (15.63, 78.22, True),     # Longyearbyen, Svalbard
    (-52.71, 47.56, True),    # St. John's, Newfoundland
    (-53.5, 69.8, True),      # Disko Island
    (-56.0, 67.0, False),     # Davis Strait
    (-55.0, 58.0, False),     # Labrador Sea
    (0.0, 90.0, False),       # the North Pole
    (-30.0, 50.0, False),     # mid North Atlantic
])
def test_the_built_in_mask_knows_land_from_sea(lon, lat, land):
    assert bool(is_land(np.array([lon]), np.array([lat]))[0]) is land


def _square_scene(size_px=400, pixel_m=40.0, lon=-56.0, lat=67.0):
    """A transform for a ``size_px`` square scene centred on (lon, lat) in EPSG:3413."""
    x, y = Transformer.from_crs(4326, 3413, always_xy=True).transform(lon, lat)
    half = size_px * pixel_m / 2
    return Affine(pixel_m, 0, x - half, 0, -pixel_m, y + half), CRS.from_epsg(3413)


def _lonlat_polygon(transform, rows, cols):
    """A GeoJSON polygon in lon/lat over the pixel box rows x cols of a scene in EPSG:3413."""
    to_lonlat = Transformer.from_crs(3413, 4326, always_xy=True)
    # Densified edges: a straight line in the scene's CRS stays (nearly) one after the round trip.
    edge = np.linspace(0, 1, 50)
    r0, r1, c0, c1 = rows[0], rows[1], cols[0], cols[1]
    path = ([(r0, c0 + t * (c1 - c0)) for t in edge] + [(r0 + t * (r1 - r0), c1) for t in edge]
            + [(r1, c1 - t * (c1 - c0)) for t in edge] + [(r1 - t * (r1 - r0), c0) for t in edge])
    ring = [list(to_lonlat.transform(*(transform * (c, r)))) for r, c in path]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def test_polygons_are_masked_with_their_buffer_and_nothing_else():
    transform, crs = _square_scene()
    polygon = _lonlat_polygon(transform, (100, 200), (100, 200))  # 4 x 4 km
    land = LandMask.for_scene(transform, crs, (400, 400), 1000.0, builtin=False, polygons=polygon)
    assert land.sources == (POLYGON_SOURCE,)
    assert land.window(slice(150, 151), slice(150, 151))[0, 0]  # inside
    # 700 m off the edge is within the 1 km buffer; 1,300 m is not (cells of about 100 m).
    assert land.window(slice(150, 151), slice(217, 218))[0, 0]
    assert not land.window(slice(150, 151), slice(233, 234))[0, 0]
    assert not land.window(slice(350, 400), slice(0, 400)).any()
    whole = land.window(slice(0, 400), slice(0, 400))
    assert land.fraction() == pytest.approx(whole.mean())
    # (4 + 2 x 1 km)^2 less the buffer's rounded corners, of a 16 x 16 km scene.
    assert 30 / 256 < land.fraction() < 36 / 256
    without_buffer = LandMask.for_scene(transform, crs, (400, 400), 0.0, builtin=False, polygons=polygon)
    assert without_buffer.fraction() == pytest.approx(100 * 100 / 400**2, rel=0.06)
    # Nothing asked for, nothing masked; open sea has no built-in land.
    assert LandMask.for_scene(transform, crs, (400, 400), 1000.0, builtin=False) is None
    assert not LandMask.for_scene(transform, crs, (400, 400), 1000.0).cells.any()


def test_land_just_outside_the_scene_still_grows_into_it():
    transform, crs = _square_scene()
    beside = _lonlat_polygon(transform, (0, 400), (-100, -10))  # ends 400 m west of the scene's edge
    land = LandMask.for_scene(transform, crs, (400, 400), 1000.0, builtin=False, polygons=beside)
    assert land.window(slice(200, 201), slice(0, 8)).all()  # up to about 600 m into the scene
    assert not land.window(slice(200, 201), slice(20, 400)).any()


def test_a_masked_band_reads_nan_on_land_and_the_scene_elsewhere():
    transform, crs = _square_scene()
    land = LandMask.for_scene(transform, crs, (400, 400), 0.0, builtin=False,
                              polygons=_lonlat_polygon(transform, (0, 100), (0, 400)))
    band = np.random.default_rng(0).normal(-20, 1, (400, 400)).astype(np.float32)
    masked = LandMaskedBand(band, land)
    window = masked[50:150, 10:20]
    assert np.isnan(window[:45]).all() and np.array_equal(window[55:], band[105:150, 10:20])
    with pytest.raises(ValueError, match="land mask is for a"):
        LandMaskedBand(band[:300], land)


def test_a_scene_without_georeferencing_in_metres_cannot_be_masked():
    with pytest.raises(ValueError, match="no coordinate reference system.*set land_mask to false"):
        LandMask.for_scene(Affine.identity(), None, (100, 100), 1000.0)
    with pytest.raises(ValueError, match="not projected.*set land_mask to false"):
        LandMask.for_scene(Affine(0.001, 0, 15, 0, -0.001, 70), CRS.from_epsg(4326), (100, 100), 1000.0)


def test_a_simulated_scene_near_a_coast_has_land_and_no_target_on_it():
    params = SimulateSceneParams(width_px=640, height_px=640, n_ships=30, n_icebergs=30, seed=2, **DISKO)
    scene = simulate_scene(params)
    land = scene_layout(params).land[0]
    on_land = land.window(slice(0, 640), slice(0, 640)) & np.isfinite(scene.hh_db)
    assert 0.1 < on_land.mean() < 0.6
    sea = ~land.window(slice(0, 640), slice(0, 640)) & np.isfinite(scene.hh_db) & ~scene.ice_mask
    # Land is brighter than the sea, in both channels, and far more textured.
    assert np.median(scene.hh_db[on_land]) > np.median(scene.hh_db[sea]) + 8
    assert np.median(scene.hv_db[on_land]) > np.median(scene.hv_db[sea]) + 5
    assert np.std(scene.hh_db[on_land]) > 2 * np.std(scene.hh_db[sea])
    assert not (scene.ice_mask & on_land).any()
    clear = LandMask.for_scene(scene.transform, scene.crs, scene.shape, TARGET_LAND_CLEARANCE_M - 200.0)
    assert len(scene.targets) >= 40
    assert not any(clear.window(slice(t.row, t.row + 1), slice(t.col, t.col + 1))[0, 0] for t in scene.targets)
    # The default scene is open sea; a scene elsewhere gets an id of its own.
    assert scene_layout(SimulateSceneParams(width_px=640, height_px=640)).land is None
    assert scene_id_for(params) != scene_id_for(SimulateSceneParams(width_px=640, height_px=640, seed=2))
    with pytest.raises(ValueError, match="cannot project the scene's centre"):
        scene_layout(SimulateSceneParams(width_px=256, height_px=256, centre_lon=0.0, centre_lat=-90.0))


def _layers(api, job_id):
    data = api.get(f"/jobs/{job_id}/artifacts/detections.gpkg").content
    return (gpd.read_file(io.BytesIO(data), layer="detections"),
            gpd.read_file(io.BytesIO(data), layer="land_mask"))


@pytest.fixture(scope="module")
def coastal_scene(api) -> dict:
    """The Disko scene, simulated by the backend."""
    scene = api.wait(api.submit("simulate_scene", {"width_px": 640, "height_px": 640, "n_ships": 30, "n_icebergs": 30,
                                                   "seed": 2, **DISKO})["id"])
    assert scene["state"] == "succeeded", scene["error"]
    return scene


def test_detection_masks_land_by_default_and_keeps_the_targets_at_sea(api, coastal_scene):
    scene = coastal_scene
    truth = gpd.read_file(io.BytesIO(api.get(f"/jobs/{scene['id']}/artifacts/truth.gpkg").content))
    masked = api.wait(api.submit("detect_targets", {"scene_job_id": scene["id"], "chunk_px": 256})["id"])
    bare = api.wait(api.submit("detect_targets", {"scene_job_id": scene["id"], "chunk_px": 256, "land_mask": False})["id"])
    assert masked["state"] == bare["state"] == "succeeded", (masked["error"], bare["error"])
    assert 0.1 < masked["result"]["land_fraction"] < 0.7 and bare["result"]["land_fraction"] is None
    found, land = _layers(api, masked["id"])
    assert set(land["source"]) == {BUILTIN_SOURCE} and (land["buffer_m"] == 1000.0).all()
    land_area = land.union_all()
    assert land_area.area / (640 * 640 * 40.0**2) == pytest.approx(masked["result"]["land_fraction"], rel=0.02)
    # Without the mask the land's texture and facets come back as targets; with it nothing does.
    unmasked = gpd.read_file(io.BytesIO(api.get(f"/jobs/{bare['id']}/artifacts/detections.gpkg").content))
    assert unmasked.within(land_area).sum() >= 5
    assert found.within(land_area).sum() == 0
    # Every target at sea longer than two pixels is found with the mask as without it.
    big = truth[truth["length_m"] > 80.0]
    for frame in (found, unmasked):
        nearest = [frame.distance(point).min() for point in big.geometry]
        assert len(big) >= 15 and max(nearest) <= 150.0


def test_the_probability_map_leaves_land_out(api, coastal_scene, trained_model):
    masked = api.wait(api.submit("map_scene", {"scene_job_id": coastal_scene["id"], "model_id": trained_model["model_id"],
                                               "chunk_px": 256})["id"])
    assert masked["state"] == "succeeded", masked["error"]
    detected = api.wait(api.submit("detect_targets", {"scene_job_id": coastal_scene["id"], "chunk_px": 256})["id"])
    assert masked["result"]["land_fraction"] == detected["result"]["land_fraction"] > 0.1
    with rasterio.open(io.BytesIO(api.get(f"/jobs/{masked['id']}/artifacts/probability.tif").content)) as src:
        probability = src.read(1, masked=True)
        transform = src.transform
    _, land = _layers(api, detected["id"])
    inside = land.union_all().buffer(-200.0)  # away from the cells' edges
    rows, cols = np.mgrid[0:640:8, 0:640:8]
    xs, ys = transform * (cols + 0.5, rows + 0.5)
    on_land = gpd.GeoSeries(gpd.points_from_xy(xs.ravel(), ys.ravel())).within(inside).to_numpy().reshape(rows.shape)
    sampled = probability[::8, ::8]
    assert on_land.sum() > 100
    assert np.ma.getmaskarray(sampled)[on_land].all()  # nodata on land
    assert (~np.ma.getmaskarray(sampled)[~on_land]).mean() > 0.9  # the sea keeps its probabilities


def test_the_analysts_own_land_polygons_are_masked(api):
    scene = api.wait(api.submit("simulate_scene", {"width_px": 480, "height_px": 480, "n_ships": 20, "n_icebergs": 20,
                                                   "seed": 8})["id"])
    truth = gpd.read_file(io.BytesIO(api.get(f"/jobs/{scene['id']}/artifacts/truth.gpkg").content))
    with rasterio.open(io.BytesIO(api.get(f"/jobs/{scene['id']}/artifacts/scene.tif").content)) as src:
        transform = src.transform
    polygon = _lonlat_polygon(transform, (0, 160), (0, 480))  # the northern third
    job = api.wait(api.submit("detect_targets", {"scene_job_id": scene["id"], "land_mask": False, "land_buffer_m": 0,
                                                 "land_polygons": {"type": "FeatureCollection", "features": [
                                                     {"type": "Feature", "properties": {}, "geometry": polygon}]}})["id"])
    assert job["state"] == "succeeded", job["error"]
    assert job["result"]["land_fraction"] == pytest.approx(1 / 3, abs=0.02)
    found, land = _layers(api, job["id"])
    assert set(land["source"]) == {POLYGON_SOURCE}
    edge_y = transform.f - 160 * 40.0
    north = truth[truth.geometry.y > edge_y + 500]
    south = truth[(truth.geometry.y < edge_y - 2500) & (truth["length_m"] > 80.0)]
    assert len(north) >= 3 and len(south) >= 3
    assert len(found) and min(found.distance(point).min() for point in north.geometry) > 400.0
    assert max(found.distance(point).min() for point in south.geometry) <= 150.0


def _nested(depth: int) -> dict:
    doc = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    for _ in range(depth):
        doc = {"type": "GeometryCollection", "geometries": [doc]}
    return doc


@pytest.mark.parametrize("params, field", [
    ({"land_buffer_m": -5}, "params.land_buffer_m"),
    ({"land_buffer_m": 50_000}, "params.land_buffer_m"),
    ({"land_mask": "yes"}, "params.land_mask"),
    ({"land_polygons": {"type": "Point", "coordinates": [0, 0]}}, "params.land_polygons.type"),
    ({"land_polygons": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}},
     "params.land_polygons.coordinates[0]"),
    ({"land_polygons": {"type": "Polygon", "coordinates": [[[0, 0], [1, 95], [1, 1], [0, 0]]]}},
     "params.land_polygons.coordinates[0][1]"),
    ({"land_polygons": {"type": "FeatureCollection", "features": []}}, "params.land_polygons"),
    ({"land_polygons": [1, 2]}, "params.land_polygons"),
    ({"land_polygons": {"type": "Polygon", "coordinates": [[[10**400, 0], [1, 0], [1, 1], [10**400, 0]]]}},
     "params.land_polygons.coordinates[0][0]"),
    ({"land_polygons": {"type": "Feature", "geometry": None}}, "params.land_polygons.geometry"),
    ({"land_polygons": _nested(20)}, "params.land_polygons" + ".geometries[0]" * 9),
])
def test_bad_land_settings_are_refused_naming_the_field(api, params, field):
    response = api.post("/jobs", json={"kind": "detect_targets", "params": {"scene_job_id": "any", **params}})
    assert response.status_code in (400, 422), response.text
    error = response.json()["error"]
    assert error["field"] == field, error
    assert error["code"] == "invalid_parameter"


def test_a_chart_passes_its_land_settings_to_detection():
    polygon = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    chart = from_dict(ChartSceneParams, {"scene_id": "s", "land_mask": False, "land_buffer_m": 250.0,
                                         "land_polygons": polygon})
    request = chart.detection_request("s")
    assert (request.land_mask, request.land_buffer_m, request.land_polygons) == (False, 250.0, polygon)
    assert DetectTargetsParams(scene_id="s").land_mask is True
    with pytest.raises(ContractError, match="land_buffer_m"):
        from_dict(ChartSceneParams, {"scene_id": "s", "land_buffer_m": -1.0})


@pytest.mark.parametrize("bearing", [0.0, 40.0])
def test_ghosts_of_bright_land_on_the_sea_are_dropped(bearing):
    """A harbour 30 dB bright on land casts its first azimuth ambiguity 5 km along the track onto the
    sea; land is masked, so it is no detection the ghost could be matched with."""
    import math

    co_db = np.full((400, 400), -20.0)
    land = np.zeros((400, 400), dtype=bool)
    land[:120] = True  # the coast runs east-west
    along = (-math.cos(math.radians(bearing)), math.sin(math.radians(bearing)))
    source = (60, 200)
    co_db[source] = 30.0
    ghost_at = (source[0] - 125 * along[0], source[1] - 125 * along[1])  # 5 km at 40 m, down the track
    ghost = Detection(*ghost_at, 3, 80.0, 5.0, 0.0, -12.0, 0, 0)
    ship = Detection(ghost_at[0], ghost_at[1] + 40, 6, 120.0, 22.0, 15.0, 5.0, 0, 0)  # same offset, other range
    bright = Detection(*ghost_at, 6, 120.0, 22.0, 15.0, 5.0, 0, 0)  # a real target where a ghost could be
    params = CfarParams(pixel_size_m=40.0, azimuth_bearing_deg=bearing)
    masked = lambda rows, cols: land[rows, cols]  # noqa: E731
    assert drop_ghosts_of_masked_sources([ghost, ship, bright], co_db, masked, params) == [ship, bright]
    # Bright, textured terrain is no point source: a dim target where its ghost would lie stays.
    terrain = np.where(land, np.random.default_rng(1).normal(-8.0, 4.0, land.shape), -20.0)
    dim = Detection(*ghost_at, 3, 80.0, -10.0, -14.0, -24.0, 0, 0)
    assert drop_ghosts_of_masked_sources([dim], terrain, masked, params) == [dim]
    # Where the source was not masked, it was seen as a detection and the other filter judges it.
    assert drop_ghosts_of_masked_sources([ghost], co_db, lambda rows, cols: np.zeros_like(land[rows, cols]),
                                         params) == [ghost]
    assert drop_ghosts_of_masked_sources([ghost], co_db, masked, CfarParams(pixel_size_m=40.0, azimuth_ambiguity_m=0.0)) \
        == [ghost]


@pytest.mark.parametrize(("params", "message"), [
    ({"centre_lon": 180.0, "centre_lat": -76.0}, "EPSG:3413 cannot project the scene's centre .*3031 south"),
    ({"crs_epsg": 999999}, "EPSG:999999 is not a coordinate reference system"),
    ({"crs_epsg": 4326}, "EPSG:4326 .* is not projected"),
])
def test_a_simulation_the_crs_cannot_hold_is_refused_at_submission(api, params, message):
    """Before anything is queued, with the field to fix, rather than as a failed job."""
    import re

    answer = api.post("/jobs", json={"kind": "simulate_scene", "params": {"width_px": 128, "height_px": 128, **params}})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["field"] == "params.crs_epsg" and re.search(message, error["message"]), error
    # The same centre with a CRS that holds it runs: test_stac_catalog's Ross Sea scene.
