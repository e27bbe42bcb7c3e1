#!/usr/bin/python3
"""QGIS against a running `catchment serve`: usage check_server.py URL OUTDIR

- OGC API - Features: each collection added as QGIS's OAPIF layer is valid, has the collection's fields,
  and yields as many features as the server's numberMatched (QGIS pages through the items).
- Vector tiles: an XYZ vector tile layer with the server's MapLibre style (styleUrl) is valid, the style
  converts to one QGIS style per style layer, and networks are filled by their palette slot.
- Rendering: London at 1200x900 drawn from the vector tiles, and from the OAPIF layers, saved as PNG in
  OUTDIR; each is not blank, and the tiles' picture shows the network palette. Render times are printed.
"""
import json
import sys
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import qgis_headless as h
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDataSourceUri,
    QgsProject,
    QgsRectangle,
    QgsSymbolLayer,
    QgsVectorLayer,
    QgsVectorTileBasicRenderer,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtGui import QColor

# Every collection and the properties its features carry (server/feature_collections.cpp).
COLLECTIONS = {
    "networks": ["network_id", "network_name", "practice_codes", "practice_count", "hub_practice", "list_size",
                 "population", "cohesion", "polsby_popper", "status", "status_reason", "contiguous"],
    "practices": ["practice_code", "practice_name", "list_size", "network_id", "network_name", "network_status",
                  "reference_network", "excluded"],
    "gaps": ["area_code", "area_name", "population", "network_id", "constraint_group", "nearest_practice", "nearest_practice_m",
             "nearest_practice_min", "rural", "accessibility", "access_rank", "gap_criteria", "gap_reason"],
    "network_borders": ["network_a", "network_b", "length_m"],
    "catchments": ["practice_code", "practice_name", "method", "population", "registered", "share"],
    "areas": ["area_code", "area_name", "population", "network_id", "gap"],
}

# The MapLibre style's network palette (ColorBrewer Set3), drawn at fill-opacity 0.7 over its background.
PALETTE = ["#8dd3c7", "#ffffb3", "#bebada", "#e5d8bd", "#80b1d3", "#fdb462",
           "#b3de69", "#fccde5", "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f"]
STYLE_BACKGROUND = "#f8f7f4"


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def blend(colour, background, opacity):
    c, b = QColor(colour), QColor(background)
    return tuple(round(opacity * x + (1 - opacity) * y)
                 for x, y in ((c.red(), b.red()), (c.green(), b.green()), (c.blue(), b.blue())))


def check_oapif(base):
    layers = {}
    for collection, fields in COLLECTIONS.items():
        matched = get_json(f"{base}/collections/{collection}/items?limit=1")["numberMatched"]
        layer = QgsVectorLayer(f"url={base} typename={collection}", collection, "OAPIF")
        h.require(layer.isValid(), f"OAPIF layer '{collection}' is valid")
        names = layer.fields().names()
        missing = [f for f in fields if f not in names]
        h.check(not missing, f"OAPIF layer '{collection}' has the expected fields (missing: {missing})")
        count = sum(1 for _ in layer.getFeatures())
        h.check(matched > 0 and count == matched,
                f"OAPIF layer '{collection}': QGIS read {count} features, the server's numberMatched is {matched}")
        layers[collection] = layer
    return layers


# The sample's group names (lad11nm), which the style's group labels show.
LONDON_BOROUGHS = ["City of London", "Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "Croydon", "Ealing",
                   "Enfield", "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey", "Harrow", "Havering", "Hillingdon",
                   "Hounslow", "Islington", "Kensington and Chelsea", "Kingston upon Thames", "Lambeth", "Lewisham", "Merton",
                   "Newham", "Redbridge", "Richmond upon Thames", "Southwark", "Sutton", "Tower Hamlets", "Waltham Forest",
                   "Wandsworth", "Westminster"]


def check_vector_tiles(base):
    uri = QgsDataSourceUri()
    uri.setParam("type", "xyz")
    uri.setParam("url", f"{base}/tiles/{{z}}/{{x}}/{{y}}.mvt")
    uri.setParam("zmin", "0")
    uri.setParam("zmax", "14")
    uri.setParam("styleUrl", f"{base}/style.json")
    layer = QgsVectorTileLayer(bytes(uri.encodedUri()).decode(), "catchment")
    h.require(layer.isValid(), "vector tile layer is valid")
    # As QGIS does when a connection has a style URL: fetch /style.json and convert it (QgsMapBoxGlStyleConverter).
    message, loaded = layer.loadDefaultStyle()
    h.check(loaded, f"the style at /style.json loads into QGIS ('{message}')")
    renderer = layer.renderer()
    h.require(isinstance(renderer, QgsVectorTileBasicRenderer), "the vector tile layer has a basic renderer")
    style = get_json(f"{base}/style.json")
    style_ids = [l["id"] for l in style["layers"] if l["type"] != "symbol"]
    converted = {s.styleName(): s for s in renderer.styles()}
    h.check(sorted(converted) == sorted(style_ids), f"every MapLibre layer became a QGIS style: {sorted(converted)}")
    # Text layers become QGIS's labeling, one style each, drawn in the local DejaVu Sans (fonts-dejavu-core).
    label_ids = [l["id"] for l in style["layers"] if l["type"] == "symbol"]
    labeling = layer.labeling()
    h.require(labeling is not None, "the style's labels convert to QGIS vector tile labeling")
    label_styles = {s.styleName(): s for s in labeling.styles()}
    h.check(sorted(label_styles) == sorted(label_ids), f"every MapLibre text layer became a QGIS label style: {sorted(label_styles)}")
    for name, label_style in label_styles.items():
        field = label_style.labelSettings().fieldName
        h.check(any(f in field for f in ("group_name", "network_name", "practice_name")), f"QGIS label style {name} labels by a name field ({field})")
    for source_layer in ("networks", "network_borders", "gaps", "practices"):
        h.check(any(s.layerName() == source_layer for s in converted.values()), f"the style draws the '{source_layer}' tile layer")
    # QGIS 3.22 converts no data-driven circle radius (practices-circle gets size 0); practices-dot, sized by
    # zoom alone, is what keeps practices visible in QGIS.
    dot = converted["practices-dot"].symbol().symbolLayer(0)
    h.check(dot.size() > 0, f"practices are drawn as dots in QGIS (size {dot.size()})")
    # The networks' palette `match` on the colour property converts to a data-defined fill colour.
    fill = converted["networks-fill"].symbol().symbolLayer(0)
    colour = fill.dataDefinedProperties().property(QgsSymbolLayer.PropertyFillColor)
    h.check(colour.isActive() and '"colour"' in colour.expressionString(),
            f"networks are filled by their colour slot ({colour.expressionString()[:60]}...)")
    return layer


def check_empty_tiles(tiles, base, mercator, out_dir):
    """East of London (Kent, beyond Dartford) the tiles hold no feature. The server answers each with an empty
    200, which QGIS draws as nothing, without a render error, next to London's edge tiles that it draws."""
    with urllib.request.urlopen(f"{base}/tiles/12/2053/1362.mvt", timeout=30) as answer:
        h.check(answer.status == 200, f"an empty tile is a 200 (got {answer.status})")
        h.check(len(answer.read()) == 0, "an empty tile has an empty body")
    # Lon 0.2 to 0.6: London's eastern edge (Havering, Bexley) and the empty tiles beyond it.
    transform = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), mercator, QgsProject.instance())
    extent = transform.transformBoundingBox(QgsRectangle(0.2, 51.35, 0.6, 51.6))
    image, _ = h.render([tiles], mercator, f"{out_dir}/qgis-empty-tiles.png", QColor(STYLE_BACKGROUND), extent)
    h.check(len(h.colour_counts(image)) > 1, "London's edge tiles are drawn next to the empty ones")
    right = image.copy(int(h.WIDTH * 0.75), 0, h.WIDTH // 4, h.HEIGHT)  # lon 0.5 to 0.6: empty tiles only
    h.check(set(h.colour_counts(right)) == {QColor(STYLE_BACKGROUND).rgba()},
            "the empty tiles east of London are drawn as the background only")


# /gaps by each criterion, read by QGIS's OGR provider (GDAL's GeoJSON driver) as a layer.
GAP_QUERIES = [
    ("max_distance_m=800&criteria=distance", {"distance"}),
    ("criteria=accessibility&min_accessibility=700", {"accessibility"}),
    ("criteria=accessibility&accessibility_percentile=10", {"accessibility"}),
    ("criteria=distance,accessibility&max_distance_m=800&min_accessibility=700", {"distance", "accessibility"}),
]


def check_gaps(base):
    for query, criteria in GAP_QUERIES:
        url = f"{base}/gaps?{query}"
        matched = get_json(url)["numberMatched"]
        layer = QgsVectorLayer(url, "gaps", "ogr")
        h.require(layer.isValid(), f"QGIS opens /gaps?{query}")
        met = set()
        count = 0
        for feature in layer.getFeatures():
            count += 1
            met.update(feature["gap_criteria"].split(","))
        h.check(matched > 0 and count == matched, f"/gaps?{query}: QGIS read {count} gaps, numberMatched is {matched}")
        h.check(met == criteria, f"/gaps?{query}: the gaps meet {sorted(met)}, expected {sorted(criteria)}")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    base, out_dir = sys.argv[1].rstrip("/"), sys.argv[2]
    app = h.start_qgis()  # noqa: F841 (kept alive for the whole run)

    oapif = check_oapif(base)
    check_gaps(base)
    tiles = check_vector_tiles(base)

    mercator = QgsCoordinateReferenceSystem("EPSG:3857")
    labels = []
    image, seconds = h.render([tiles], mercator, f"{out_dir}/qgis-vector-tiles.png", QColor(STYLE_BACKGROUND), labels=labels)
    print(f"QGIS render time, London vector tiles {h.WIDTH}x{h.HEIGHT}: {seconds:.2f} s", flush=True)
    counts = h.colour_counts(image)
    h.check_not_blank(counts, STYLE_BACKGROUND, "vector tile render")
    shown = [c for c in PALETTE if h.has_colour(counts, blend(c, STYLE_BACKGROUND, 0.7))]
    h.check(len(shown) >= 10, f"vector tile render: {len(shown)} of the 12 network colours appear (at least 10)")
    # Practices show as dots. QGIS 3.22 converts no `match` for circle colours either, so they take the
    # style's fallback grey, #636363.
    h.check(h.has_colour(counts, (0x63, 0x63, 0x63), tolerance=6), "vector tile render: practices are drawn as grey dots")
    # The style's borough labels, placed by QGIS's labelling engine from the tiles' group_labels points.
    placed = {text.upper() for text in labels}
    known = placed & {name.upper() for name in LONDON_BOROUGHS}
    h.check(len(known) >= 10, f"vector tile render: QGIS draws borough labels ({len(known)}: {sorted(known)[:5]}...; all {len(placed)} labels)")

    ordered = [oapif[name] for name in ("practices", "gaps", "network_borders", "networks")]
    image, seconds = h.render(ordered, mercator, f"{out_dir}/qgis-oapif.png")
    print(f"QGIS render time, London OAPIF networks, borders, gaps and practices {h.WIDTH}x{h.HEIGHT}: {seconds:.2f} s",
          flush=True)
    h.check_not_blank(h.colour_counts(image), "#ffffff", "OAPIF render")

    check_empty_tiles(tiles, base, mercator, out_dir)
    h.finish()


if __name__ == "__main__":
    main()
