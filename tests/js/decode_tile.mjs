#!/usr/bin/env node
// Decodes Mapbox Vector Tiles with @mapbox/vector-tile, an encoder-independent reader, so that the C++
// tests can check what catchment's MVT encoder wrote.
//
//   node decode_tile.mjs FILE.mvt [FILE2.mvt ...]
//
// Each FILE may be raw protobuf or gzip-compressed (detected by the 1f 8b magic bytes). Prints one line of
// JSON to stdout: an array with one entry per FILE, in argument order:
//
//   { "file": FILE, "gzipped": bool, "bytes": size of the decompressed tile,
//     "layers": [                       // every layer in file order, empty and repeated names included
//       { "name", "version", "extent", "feature_count",
//         "keys": [string, ...],        // the layer's key table, in file order
//         "values": [{"type": "string"|"float"|"double"|"int"|"uint"|"sint"|"bool", "value": ...}, ...],
//         "features": [
//           { "id": number or null,     // null when the feature has no id
//             "type": 0|1|2|3,          // 1 point, 2 line, 3 polygon (0 unknown)
//             "properties": {key: value, ...},   // in the feature's tag order
//             "geometry": [[[x, y], ...], ...] or null,  // loadGeometry(): one array per MoveTo, in tile
//                                                          // coordinates (y down); ClosePath repeats the
//                                                          // ring's first point at its end
//             // polygons only:
//             "ring_area": [number, ...],  // per ring, 0.5 * sum(x_i*y_{i+1} - x_{i+1}*y_i): with y down,
//                                          // > 0 is clockwise on screen, an exterior ring per MVT 2.1
//                                          // section 4.3.4.4; < 0 is an interior ring (hole)
//             "polygons": [[ring index, ...], ...]  // classifyRings(): each polygon's exterior ring then its
//                                                    // holes, as indexes into "geometry"; rings with zero
//                                                    // area are left out, as the library does
//           } ] } ] }
//
// Exit status: 0 on success, 1 when a file cannot be read or decoded (message on stderr), 2 on bad usage.
import {VectorTileLayer, classifyRings} from '@mapbox/vector-tile';
import Pbf from 'pbf';
import {readFileSync} from 'node:fs';
import {gunzipSync} from 'node:zlib';

const kTileLayerTag = 26;   // Tile.layers, field 3, length-delimited
const kLayerValueTag = 34;  // Layer.values, field 4, length-delimited

function ringArea(ring) {
    let twice = 0;
    for (let i = 0; i + 1 < ring.length; i++) {
        twice += ring[i].x * ring[i + 1].y - ring[i + 1].x * ring[i].y;
    }
    // A ring that was not closed by ClosePath still has its closing edge.
    const first = ring[0];
    const last = ring[ring.length - 1];
    if (ring.length > 1 && (first.x !== last.x || first.y !== last.y)) twice += last.x * first.y - first.x * last.y;
    return twice / 2;
}

// The library turns values into plain JS values; the typed table shows which protobuf type was written
// (e.g. that a count went out as an integer, not as a double).
function readTypedValues(pbf, layerEnd) {
    const values = [];
    while (pbf.pos < layerEnd) {
        const tag = pbf.readVarint();
        if (tag !== kLayerValueTag) {
            pbf.skip(tag);
            continue;
        }
        const end = pbf.readVarint() + pbf.pos;
        let typed = null;
        while (pbf.pos < end) {
            const valueTag = pbf.readVarint();
            if (valueTag === 10) typed = {type: 'string', value: pbf.readString()};
            else if (valueTag === 21) typed = {type: 'float', value: pbf.readFloat()};
            else if (valueTag === 25) typed = {type: 'double', value: pbf.readDouble()};
            else if (valueTag === 32) typed = {type: 'int', value: pbf.readVarint(true)};
            else if (valueTag === 40) typed = {type: 'uint', value: pbf.readVarint()};
            else if (valueTag === 48) typed = {type: 'sint', value: pbf.readSVarint()};
            else if (valueTag === 56) typed = {type: 'bool', value: pbf.readBoolean()};
            else pbf.skip(valueTag);
        }
        values.push(typed);
    }
    return values;
}

function decodeFeature(feature) {
    let rings = null;
    try {
        rings = feature.loadGeometry();
    } catch {
        rings = null;  // a feature without a geometry field
    }
    const decoded = {
        id: feature.id === undefined ? null : feature.id,
        type: feature.type,
        properties: {...feature.properties},
        geometry: rings === null ? null : rings.map((ring) => ring.map((p) => [p.x, p.y])),
    };
    if (feature.type === 3 && rings !== null) {
        decoded.ring_area = rings.map(ringArea);
        decoded.polygons = classifyRings(rings).map((polygon) => polygon.map((ring) => rings.indexOf(ring)));
    }
    return decoded;
}

function decodeLayer(pbf, end) {
    const start = pbf.pos;
    const layer = new VectorTileLayer(pbf, end);
    pbf.pos = start;
    const values = readTypedValues(pbf, end);
    const features = [];
    for (let i = 0; i < layer.length; i++) features.push(decodeFeature(layer.feature(i)));
    pbf.pos = end;
    return {
        name: layer.name,
        version: layer.version,
        extent: layer.extent,
        feature_count: layer.length,
        keys: [...layer._keys],
        values,
        features,
    };
}

function decodeFile(file) {
    let bytes = readFileSync(file);
    const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
    if (gzipped) bytes = gunzipSync(bytes);
    // VectorTile keeps only the non-empty layers, by name; walking the tile ourselves keeps every layer.
    // A fresh copy: Node may hand back a Buffer at an offset inside a shared pool, and pbf 4 reads floats and
    // doubles through a DataView over the whole underlying ArrayBuffer, ignoring that offset.
    const pbf = new Pbf(new Uint8Array(bytes));
    const layers = [];
    while (pbf.pos < pbf.length) {
        const tag = pbf.readVarint();
        if (tag === kTileLayerTag) {
            const end = pbf.readVarint() + pbf.pos;
            layers.push(decodeLayer(pbf, end));
        } else {
            pbf.skip(tag);
        }
    }
    return {file, gzipped, bytes: bytes.length, layers};
}

const files = process.argv.slice(2);
if (files.length === 0 || files.some((f) => f === '-h' || f === '--help')) {
    process.stderr.write('usage: node decode_tile.mjs FILE.mvt [FILE2.mvt ...]\n');
    process.exit(2);
}
const decoded = [];
for (const file of files) {
    try {
        decoded.push(decodeFile(file));
    } catch (error) {
        process.stderr.write(`decode_tile: ${file}: ${error.message}\n`);
        process.exit(1);
    }
}
process.stdout.write(`${JSON.stringify(decoded)}\n`);
