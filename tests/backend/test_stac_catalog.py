"""Catalog items as STAC: built with pystac, validated offline against the STAC 1.1.0 item schema
(the JSON schemas pystac ships, resolved locally: nothing is fetched), their SAR and projection
extension fields read back through pystac, and STAC item search on ``GET /scenes``.

What is validated against a JSON schema here is the core item (STAC 1.1.0 item-spec, with its
GeoJSON Feature and Geometry schemas). The SAR (v1.0.0) and projection (v2.0.0) extension schemas
are not shipped by any package, so their fields are checked through pystac's extension classes
and by hand, not against those schemas."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pystac
import pytest
from affine import Affine
from jsonschema import Draft7Validator
from pystac.extensions.projection import ProjectionExtension
from pystac.extensions.sar import FrequencyBand, SarExtension
from pystac.validation.local_validator import get_local_schema_cache
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from icesight_backend.catalog import UNKNOWN_MODE, SceneCatalog, make_item, utc_time
from icesight_backend.sar.readers.geotiff import inspect_scene

ITEM_SCHEMA = "https://schemas.stacspec.org/v1.1.0/item-spec/json-schema/item.json"
SAR_SCHEMA = "https://stac-extensions.github.io/sar/v1.0.0/schema.json"
PROJECTION_SCHEMA = "https://stac-extensions.github.io/projection/v2.0.0/schema.json"


def _offline(uri: str):
    raise NoSuchResource(ref=uri)  # every schema must come from the local copies


@pytest.fixture(scope="module")
def item_validator() -> Draft7Validator:
    schemas = get_local_schema_cache()
    registry = Registry(retrieve=_offline).with_resources(
        (uri, Resource.from_contents(document)) for uri, document in schemas.items())
    return Draft7Validator(schemas[ITEM_SCHEMA], registry=registry)


@pytest.fixture
def scenes(tmp_path, write_tif, linear_bands):
    """Two rasters: UTM (an EPSG code) and a polar stereographic CRS that no authority names."""
    vv, vh, inc = linear_bands
    utm = inspect_scene(write_tif(tmp_path / "utm.tif", [vv, vh, inc], descriptions=["Sigma0_VV", "Sigma0_VH", "incidence"]))
    custom = "+proj=stere +lat_0=90 +lat_ts=70 +lon_0=-40 +datum=WGS84 +units=m +no_defs"
    polar = inspect_scene(write_tif(tmp_path / "polar.tif", [vv, vh, inc], crs=custom,
                                    transform=Affine(40.0, 0, -200000.0, 0, -40.0, -2000000.0)))
    return utm, polar


def test_items_are_valid_stac_items_offline(scenes, item_validator):
    utm, polar = scenes
    known = make_item("tromso-1", utm, "IW", "2026-03-01T08:15:00Z", "S1_tromso.tif")
    unknown = make_item("sim-1", polar, None, None, "simulate_scene job 1")
    for item in (known, unknown):
        errors = sorted(item_validator.iter_errors(item), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
        assert item["stac_version"] == "1.1.0" and set(item["stac_extensions"]) == {SAR_SCHEMA, PROJECTION_SCHEMA}
    # The validator is not a pass-through: a broken item fails it.
    broken = known | {"bbox": [1.0, 2.0], "properties": {k: v for k, v in known["properties"].items() if k != "datetime"}}
    assert len(list(item_validator.iter_errors(broken))) >= 2

    assert known["properties"]["datetime"] == "2026-03-01T08:15:00Z" and known["properties"]["icesight:acquired"] == "2026-03-01T08:15:00Z"
    # Without an acquisition time the item's time is when the scene was made; the acquisition stays unknown.
    assert unknown["properties"]["icesight:acquired"] is None
    assert utc_time(unknown["properties"]["datetime"]) == utc_time(unknown["properties"]["created"])


def test_extension_fields_read_back_through_pystac(scenes):
    utm, polar = scenes
    item = pystac.Item.from_dict(make_item("tromso-1", utm, "IW", "2026-03-01T08:15:00Z", "S1_tromso.tif"))
    sar = SarExtension.ext(item)
    assert (sar.instrument_mode, sar.frequency_band, sar.product_type) == ("IW", FrequencyBand.C, "GRD")
    assert [str(p) for p in sar.polarizations] == ["VV", "VH"] and sar.center_frequency == pytest.approx(5.405)
    projection = ProjectionExtension.ext(item)
    assert projection.code == "EPSG:32633" and projection.shape == [utm.height, utm.width]
    assert projection.transform == list(utm.transform) and "UTM zone 33N" in projection.wkt2
    west, south, east, north = item.bbox
    assert west < 15.1 < east and south < 70.3 < north
    assert item.datetime == datetime(2026, 3, 1, 8, 15, tzinfo=UTC)
    asset = item.assets["scene"]
    assert asset.href == "/api/v1/scenes/tromso-1/scene.tif" and asset.media_type == pystac.MediaType.COG

    other = pystac.Item.from_dict(make_item("sim-1", polar, None, None, "simulate_scene job 1"))
    assert SarExtension.ext(other).instrument_mode == UNKNOWN_MODE
    assert ProjectionExtension.ext(other).code is None and "Polar_Stereographic" in ProjectionExtension.ext(other).wkt2


def test_catalog_search_by_time_box_ids_and_pages(tmp_path, scenes):
    utm, polar = scenes
    catalog = SceneCatalog(tmp_path / "data")
    times = {"a": "2026-03-01T08:15:00Z", "b": "2026-03-02T08:15:00+00:00", "c": "2026-03-03T09:00:00.250000"}
    for scene_id, when in times.items():
        staged = tmp_path / f"{scene_id}.tif"
        shutil.copyfile(utm.path, staged)
        catalog.add(make_item(scene_id, utm, "IW", when, "test"), staged)
    staged = tmp_path / "p.tif"
    shutil.copyfile(polar.path, staged)
    catalog.add(make_item("p", polar, None, None, "test"), staged)  # made now: its time is today

    def ids(**query) -> list[str]:
        return [item["id"] for item in catalog.list(**query)[0]]

    assert ids() == ["p", "c", "b", "a"]  # newest first
    assert ids(start=utc_time("2026-03-02"), end=utc_time("2026-03-03T08:59:59Z")) == ["b"]
    assert ids(start=utc_time("2026-03-03T09:00:00.25Z"), end=utc_time("2026-03-03T09:00:00.25Z")) == ["c"]  # an instant
    assert ids(end=utc_time("2026-03-01T09:15:00+01:00")) == ["a"]  # offsets are converted to UTC
    assert ids(mode="IW", ids=["a", "p", "c"]) == ["c", "a"]
    north_of = polar.footprint_lonlat()["coordinates"][0][0]
    assert ids(bbox=(north_of[0] - 0.01, north_of[1] - 0.01, north_of[0] + 0.01, north_of[1] + 0.01)) == ["p"]
    page, matched = catalog.list(limit=3)
    rest, _ = catalog.list(limit=3, offset=3)
    assert matched == 4 and [i["id"] for i in page + rest] == ["p", "c", "b", "a"]


def test_get_scenes_answers_stac_item_search(api, item_validator):
    made = [api.wait(api.submit("simulate_scene", {"width_px": 128, "height_px": 128, "n_ships": 1, "n_icebergs": 1,
                                                   "seed": 70 + i})["id"]) for i in range(3)]
    assert all(m["state"] == "succeeded" for m in made), made
    wanted = [m["result"]["scene_id"] for m in made]
    first = api.get("/scenes", params={"ids": ",".join(wanted), "limit": 2})
    assert first.status_code == 200, first.text
    page = first.json()
    assert page["type"] == "FeatureCollection" and page["numberMatched"] == 3 and page["numberReturned"] == 2
    following = next(link for link in page["links"] if link["rel"] == "next")
    rest = _get_absolute(api, following["href"])
    assert rest["numberReturned"] == 1 and not [link for link in rest["links"] if link["rel"] == "next"]
    assert {f["id"] for f in page["features"] + rest["features"]} == set(wanted)
    for item in page["features"] + rest["features"]:  # as the running service stores and serves them
        assert not list(item_validator.iter_errors(item)), item["id"]

    now = datetime.now(UTC)
    before = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    after = (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    since = api.get("/scenes", params={"ids": ",".join(wanted), "datetime": f"{before}/.."}).json()
    assert since["numberMatched"] == 3
    assert api.get("/scenes", params={"ids": ",".join(wanted), "datetime": f"../{before}"}).json()["numberMatched"] == 0
    assert api.get("/scenes", params={"ids": ",".join(wanted), "datetime": f"{before}/{after}", "start": after}).json()["numberMatched"] == 0
    for query, field in (({"datetime": "yesterday"}, "datetime"), ({"limit": 0}, "limit"), ({"limit": "x"}, "limit"),
                         ({"start": "2026-13-01"}, "start"), ({"bbox": "1,2,3"}, "bbox")):
        response = api.get("/scenes", params=query)
        assert response.status_code == 422, (query, response.text)
        assert response.json()["error"]["field"].endswith(field)


def _get_absolute(api, href: str) -> dict:
    import requests

    response = requests.get(href, headers=api.headers, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def test_stac_clients_browse_and_search_the_catalog_with_the_token(api, item_validator):
    """pystac-client, as an analyst's script or a STAC browser would use it, against the real service."""
    import requests
    from pystac_client import Client
    from pystac_client.conformance import ConformanceClasses

    made = [api.wait(api.submit("simulate_scene", {"width_px": 128, "height_px": 128, "n_ships": 1, "n_icebergs": 0,
                                                   "seed": 90 + i})["id"]) for i in range(3)]
    assert all(m["state"] == "succeeded" for m in made), made
    wanted = {m["result"]["scene_id"] for m in made}
    client = Client.open(f"{api.url}/stac", headers=api.headers)
    assert client.conforms_to(ConformanceClasses.ITEM_SEARCH) and client.conforms_to(ConformanceClasses.COLLECTIONS)

    (collection,) = list(client.get_collections())
    assert collection.id == "sentinel-1-scenes"
    west, south, east, north = collection.extent.spatial.bboxes[0]
    for method in ("GET", "POST"):
        search = client.search(ids=sorted(wanted), limit=2, method=method)
        pages = list(search.pages())
        assert [len(p.items) for p in pages] == [2, 1], method  # followed the next link
        items = [i for p in pages for i in p.items]
        assert {i.id for i in items} == wanted and search.matched() == 3
    for item in items:
        assert item.collection_id == "sentinel-1-scenes"
        assert not list(item_validator.iter_errors(item.to_dict(transform_hrefs=False))), item.id
        i_west, i_south, i_east, i_north = item.bbox
        assert west <= i_west and south <= i_south and i_east <= east and i_north <= north
        scene = requests.get(item.assets["scene"].href, headers={**api.headers, "Range": "bytes=0-3"}, timeout=60)
        assert scene.status_code == 206 and scene.content[:2] == b"II"  # the COG, straight from the asset href
    one = next(iter(wanted))
    assert collection.get_item(one).id == one
    first = min(i.datetime for i in items)
    assert client.search(ids=sorted(wanted), datetime=f"../{first.isoformat()}", method="GET").matched() == 1
    assert client.search(ids=sorted(wanted), collections=["elsewhere"], method="POST").matched() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bbox": [1, 2, 3]}, "bbox"),
        ({"bbox": [0, 10, 1, 5]}, "bbox"),  # south of north (west > east is a box across the antimeridian)
        ({"bbox": [-200, 0, 10, 1]}, "bbox"),
        ({"bbox": [0, -95, 10, 1]}, "bbox"),
        ({"bbox": ["a", 0, 1, 1]}, "bbox"),
        ({"limit": 0}, "limit"),
        ({"limit": True}, "limit"),
        ({"offset": -1}, "offset"),
        ({"datetime": 5}, "datetime"),
        ({"datetime": "yesterday"}, "datetime"),
        ({"ids": [1]}, "ids"),
        ({"filter": {"op": "="}}, "filter"),
        ([1, 2], "body"),
    ],
)
def test_bad_stac_searches_are_refused_naming_the_field(api, body, field):
    response = api.post("/stac/search", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_stac_routes_need_the_token_and_name_the_one_collection(api):
    import requests

    assert requests.get(f"{api.url}/stac", timeout=60).status_code == 401
    missing = api.get("/stac/collections/other")
    assert missing.status_code == 404 and "sentinel-1-scenes" in missing.json()["error"]["message"]
    assert api.get("/stac/collections/sentinel-1-scenes/items/no-such-scene").json()["error"]["code"] == "unknown_scene"


def test_a_scene_across_the_antimeridian_is_cut_there_and_found_from_either_side(tmp_path, scenes, write_tif,
                                                                                 linear_bands, item_validator):
    """A Bering Sea or Ross Sea scene crosses 180 degrees: its footprint is cut into two polygons
    (RFC 7946), its box runs from west across the antimeridian to east (west > east), and a search
    finds it from either side, or with a box that crosses too, and not where it is not."""
    from pyproj import Transformer

    vv, vh, inc = linear_bands  # 300 x 400 px, here of 100 m: 30 x 40 km
    x, y = Transformer.from_crs(4326, 32760, always_xy=True).transform(180.0, -76.0)  # Ross Sea, UTM 60S
    crossing = inspect_scene(write_tif(tmp_path / "ross.tif", [vv, vh, inc], crs="EPSG:32760",
                                       transform=Affine(100.0, 0, x - 20000.0, 0, -100.0, y + 15000.0)))
    item = make_item("ross-1", crossing, "EW", "2026-01-10T12:00:00Z", "test")
    assert not list(item_validator.iter_errors(item))
    assert item["geometry"]["type"] == "MultiPolygon" and len(item["geometry"]["coordinates"]) == 2
    west, south, east, north = item["bbox"]
    assert 179.0 < west < 180.0 and -180.0 < east < -179.0 and south < -76.0 < north  # west > east

    utm, _ = scenes
    catalog = SceneCatalog(tmp_path / "data")
    for scene_id, raster in (("ross-1", crossing), ("tromso-1", utm)):
        staged = tmp_path / f"{scene_id}-staged.tif"
        shutil.copyfile(raster.path, staged)
        catalog.add(item if scene_id == "ross-1" else make_item(scene_id, raster, "IW", None, "test"), staged)

    def ids(bbox) -> list[str]:
        return sorted(found["id"] for found in catalog.list(bbox=bbox)[0])

    assert ids((179.9, -76.1, 179.95, -75.9)) == ["ross-1"]  # west of the antimeridian
    assert ids((-179.95, -76.1, -179.9, -75.9)) == ["ross-1"]  # east of it
    assert ids((179.0, -77.0, -179.0, -75.0)) == ["ross-1"]  # a search box across it
    assert ids((170.0, -77.0, 179.0, -75.0)) == [] and ids((-179.0, -77.0, -170.0, -75.0)) == []
    assert ids((179.0, 60.0, -179.0, 80.0)) == []  # across it, but in the Arctic
    assert ids((10.0, 60.0, -170.0, 80.0)) == ["tromso-1"]  # a box across it that reaches Tromso
    assert ids((-180.0, -90.0, 180.0, 90.0)) == ["ross-1", "tromso-1"]
    box, _, _ = catalog.extent()
    assert box[0] == -180.0 and box[2] == 180.0  # the catalog spans every longitude


def test_a_simulated_ross_sea_scene_is_served_and_searched_across_the_antimeridian(api, item_validator):
    made = api.wait(api.submit("simulate_scene", {"width_px": 256, "height_px": 256, "n_ships": 1, "n_icebergs": 2,
                                                  "seed": 81, "centre_lon": 180.0, "centre_lat": -76.0,
                                                  "crs_epsg": 3031})["id"])
    assert made["state"] == "succeeded", made["error"]
    scene_id = made["result"]["scene_id"]
    item = api.get(f"/scenes/{scene_id}").json()
    assert not list(item_validator.iter_errors(item))
    west, _, east, _ = item["bbox"]
    assert item["geometry"]["type"] == "MultiPolygon" and west > 179.0 and east < -179.0
    for bbox in ("179.5,-77,180,-75", "-180,-77,-179.5,-75", "179,-77,-179,-75"):
        found = api.get("/scenes", params={"bbox": bbox, "ids": scene_id})
        assert found.status_code == 200, found.text
        assert [f["id"] for f in found.json()["features"]] == [scene_id], bbox
    elsewhere = api.post("/stac/search", json={"bbox": [170.0, -77.0, 179.0, -75.0], "ids": [scene_id]}).json()
    assert elsewhere["numberMatched"] == 0



def test_a_scene_holding_a_pole_spans_every_longitude(tmp_path, write_tif, linear_bands, item_validator):
    """A polar stereographic scene around the North Pole: its footprint is closed through the pole,
    its box spans every longitude up to 90 N, and it is found there and not further south."""
    vv, vh, inc = linear_bands  # 300 x 400 px of 100 m around the pole
    polar = inspect_scene(write_tif(tmp_path / "pole.tif", [vv, vh, inc], crs="EPSG:3413",
                                    transform=Affine(100.0, 0, -20000.0, 0, -100.0, 15000.0)))
    item = make_item("pole-1", polar, "EW", "2026-04-01T06:00:00Z", "test")
    assert not list(item_validator.iter_errors(item))
    west, south, east, north = item["bbox"]
    assert (west, east, north) == (-180.0, 180.0, 90.0) and 89.7 < south < 89.8  # the corners, 25 km off
    catalog = SceneCatalog(tmp_path / "data")
    staged = tmp_path / "staged.tif"
    shutil.copyfile(polar.path, staged)
    catalog.add(item, staged)
    assert [i["id"] for i in catalog.list(bbox=(10.0, 89.95, 20.0, 90.0))[0]] == ["pole-1"]
    assert catalog.list(bbox=(10.0, 80.0, 20.0, 89.0))[0] == []
