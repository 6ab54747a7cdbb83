"""The scene catalog as a STAC API, so that STAC clients (pystac-client, QGIS's STAC data source,
STAC Browser) can browse and search it with the service's token.

One collection holds every scene. The landing page, conformance classes, collection and the item
links are made here; the items themselves are the catalog's pystac-built documents
(:mod:`.catalog`), given their collection and absolute links when served. Search is
``GET``/``POST`` ``/stac/search`` (and ``GET /scenes``, the same search): ``bbox``, ``datetime``,
``ids``, ``collections``, ``limit``, with a ``next`` link while more items match.
"""

from __future__ import annotations

from typing import Any

from icesight_contract import API_PREFIX

STAC_VERSION = "1.1.0"
STAC_ROOT = f"{API_PREFIX}/stac"
COLLECTION_ID = "sentinel-1-scenes"
GEOJSON = "application/geo+json"
JSON = "application/json"

CONFORMANCE = [
    "https://api.stacspec.org/v1.0.0/core",
    "https://api.stacspec.org/v1.0.0/collections",
    "https://api.stacspec.org/v1.0.0/item-search",
    "https://api.stacspec.org/v1.0.0/ogcapi-features",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]


def _link(rel: str, href: str, media_type: str = JSON, **extra: Any) -> dict:
    return {"rel": rel, "href": href, "type": media_type, **extra}


def landing_page(base: str) -> dict:
    """The API's root catalog: what it conforms to and where collections and search are."""
    root = f"{base}{STAC_ROOT}"
    return {
        "type": "Catalog", "stac_version": STAC_VERSION, "id": "icesight",
        "title": "IceSight scenes",
        "description": "Sentinel-1 scenes ingested into this IceSight backend, as calibrated sigma0 "
                       "cloud-optimised GeoTIFFs (co-pol dB, cross-pol dB, incidence angle).",
        "conformsTo": CONFORMANCE,
        "links": [
            _link("self", root), _link("root", root),
            _link("conformance", f"{root}/conformance"),
            _link("data", f"{root}/collections"),
            _link("child", f"{root}/collections/{COLLECTION_ID}"),
            _link("search", f"{root}/search", GEOJSON, method="GET"),
            _link("search", f"{root}/search", GEOJSON, method="POST"),
            _link("service-desc", f"{base}/openapi.json", "application/vnd.oai.openapi+json;version=3.0"),
        ],
    }


def collection(base: str, extent: tuple[tuple[float, float, float, float] | None, str | None, str | None]) -> dict:
    """The one collection of scenes, with the extent of what the catalog holds now."""
    root = f"{base}{STAC_ROOT}"
    box, first, last = extent
    return {
        "type": "Collection", "stac_version": STAC_VERSION, "id": COLLECTION_ID,
        "title": "Sentinel-1 scenes",
        "description": "Every scene in the IceSight catalog: Sentinel-1 GRD (or simulated) scenes, "
                       "calibrated to sigma0 dB, with SAR and projection extension fields.",
        "license": "other",
        "stac_extensions": ["https://stac-extensions.github.io/sar/v1.0.0/schema.json",
                            "https://stac-extensions.github.io/projection/v2.0.0/schema.json"],
        "extent": {"spatial": {"bbox": [list(box) if box else [-180.0, -90.0, 180.0, 90.0]]},
                   "temporal": {"interval": [[first, last]]}},
        "links": [
            _link("self", f"{root}/collections/{COLLECTION_ID}"), _link("root", root), _link("parent", root),
            _link("items", f"{root}/collections/{COLLECTION_ID}/items", GEOJSON),
        ],
    }


def served_item(item: dict, base: str) -> dict:
    """A catalog item as the API serves it: in the collection, with absolute links and asset hrefs."""
    root = f"{base}{STAC_ROOT}"
    out = dict(item)  # the stored document stays as it is; only the top level and assets change
    out["collection"] = COLLECTION_ID
    out["links"] = [
        _link("self", f"{root}/collections/{COLLECTION_ID}/items/{item['id']}", GEOJSON),
        _link("parent", f"{root}/collections/{COLLECTION_ID}"),
        _link("collection", f"{root}/collections/{COLLECTION_ID}"),
        _link("root", root),
    ]
    out["assets"] = {name: asset | {"href": f"{base}{asset['href']}"} if asset.get("href", "").startswith("/") else asset
                     for name, asset in item.get("assets", {}).items()}
    return out


def item_collection(items: list[dict], matched: int, base: str, links: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": [served_item(i, base) for i in items],
            "numberMatched": matched, "numberReturned": len(items), "links": links}
