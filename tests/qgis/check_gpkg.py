#!/usr/bin/python3
"""QGIS opens a `catchment plan` GeoPackage: usage check_gpkg.py PLAN.gpkg OUTDIR

Each layer is added as QGIS adds it (the OGR provider, default style loaded), and must come up with the
style catchment stored in the GeoPackage's layer_styles table rather than QGIS's random single symbol:
networks categorised by network_id in the palette, practices categorised by status with circles sized by
list size, gaps hatched, outlines for the rest. London is rendered to OUTDIR/qgis-plan-gpkg.png; the
picture must show the network palette and the practices' status colours. The render time is printed.
"""
import sqlite3
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import qgis_headless as h
from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsLinePatternFillSymbolLayer,
    QgsSingleSymbolRenderer,
    QgsSymbolLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor

# The palette of data/qgis_styles.cpp and the MapLibre style (ColorBrewer Set3).
PALETTE = ["#8dd3c7", "#ffffb3", "#bebada", "#e5d8bd", "#80b1d3", "#fdb462",
           "#b3de69", "#fccde5", "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f"]
IN_BAND = "#08306b"


def open_layer(path, name):
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    h.require(layer.isValid(), f"GeoPackage layer '{name}' is valid")
    return layer


def check_networks(layer):
    renderer = layer.renderer()
    h.require(isinstance(renderer, QgsCategorizedSymbolRenderer),
              f"networks: categorised renderer from layer_styles (got {renderer.type()})")
    h.check(renderer.classAttribute() == "network_id", f"networks: categorised by '{renderer.classAttribute()}'")
    ids = {f["network_id"] for f in layer.getFeatures()}
    values = {c.value() for c in renderer.categories()}
    h.check(values == ids, f"networks: one category per network ({len(values)} categories, {len(ids)} networks)")
    fills = {c.symbol().color().name() for c in renderer.categories()}
    h.check(fills <= set(PALETTE) and len(fills) == len(PALETTE), f"networks: the 12 palette colours are used ({sorted(fills)})")


def check_practices(layer):
    renderer = layer.renderer()
    h.require(isinstance(renderer, QgsCategorizedSymbolRenderer),
              f"practices: categorised renderer (got {renderer.type()})")
    h.check(renderer.classAttribute() == "network_status", f"practices: categorised by '{renderer.classAttribute()}'")
    h.check(renderer.orderByEnabled(), "practices: drawn largest first (order by list_size)")
    for category in renderer.categories():
        marker = category.symbol().symbolLayer(0)
        size = marker.dataDefinedProperties().property(QgsSymbolLayer.PropertySize)
        h.check(size.isActive() and "list_size" in size.expressionString(),
                f"practices '{category.value()}': circle size from list_size ({size.expressionString()})")


def check_single(layer, what):
    renderer = layer.renderer()
    h.require(isinstance(renderer, QgsSingleSymbolRenderer), f"{what}: single symbol renderer")
    return renderer.symbol()


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    path, out_dir = sys.argv[1], sys.argv[2]
    with sqlite3.connect(path) as db:
        styled = dict(db.execute("SELECT f_table_name, useAsDefault FROM layer_styles"))
        registered = db.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone()
    h.check(registered == ("attributes",), f"layer_styles is registered in gpkg_contents as attributes ({registered})")
    app = h.start_qgis()  # noqa: F841 (kept alive for the whole run)

    layers = {name: open_layer(path, name) for name in
              ("practices", "gaps", "network_borders", "networks", "catchments", "core_catchments", "areas")}
    h.check(set(styled) == set(layers) and all(styled.values()),
            f"every layer has a default style in layer_styles ({sorted(styled)})")
    check_networks(layers["networks"])
    check_practices(layers["practices"])
    gaps = check_single(layers["gaps"], "gaps")
    h.check(any(isinstance(l, QgsLinePatternFillSymbolLayer) for l in gaps.symbolLayers()), "gaps: hatched")
    h.check(check_single(layers["network_borders"], "network_borders").type() == 1, "network_borders: a line symbol")
    for name in ("catchments", "core_catchments", "areas"):
        fill = check_single(layers[name], name).symbolLayer(0)
        h.check(fill.brushStyle() == Qt.NoBrush, f"{name}: outlines only")

    drawn = [layers[name] for name in ("practices", "gaps", "network_borders", "networks")]
    image, seconds = h.render(drawn, QgsCoordinateReferenceSystem("EPSG:27700"), f"{out_dir}/qgis-plan-gpkg.png")
    print(f"QGIS render time, London plan GeoPackage (networks, borders, gaps, practices) {h.WIDTH}x{h.HEIGHT}: "
          f"{seconds:.2f} s", flush=True)
    counts = h.colour_counts(image)
    h.check_not_blank(counts, "#ffffff", "GeoPackage render")
    shown = [c for c in PALETTE if h.has_colour(counts, QColor(c).getRgb()[:3], tolerance=0, min_pixels=200)]
    h.check(len(shown) == len(PALETTE), f"GeoPackage render: {len(shown)} of the 12 network colours appear")
    h.check(h.has_colour(counts, QColor(IN_BAND).getRgb()[:3], tolerance=8),
            "GeoPackage render: practices in in-band networks are drawn in their colour")
    h.finish()


if __name__ == "__main__":
    main()
