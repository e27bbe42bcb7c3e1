#!/usr/bin/env node
// Reads a PMTiles v3 archive with the `pmtiles` package (Protomaps' own reader, independent of catchment's
// writer) so that the C++ tests can check what tilesets/pmtiles_writer.cpp wrote.
//
//   node read_pmtiles.mjs FILE.pmtiles            every tile the directories address
//   node read_pmtiles.mjs FILE.pmtiles Z/X/Y ...  only those tiles (a missing one is reported as missing)
//
// Prints one line of JSON to stdout:
//
//   { "header": {...},        // PMTiles.getHeader(): minZoom, maxZoom, tileType (1 = MVT),
//                             // tileCompression and internalCompression (2 = gzip), minLon ... centerLat,
//                             // numAddressedTiles, numTileEntries, numTileContents, leafDirectoryLength, ...
//     "metadata": {...},      // PMTiles.getMetadata(): the JSON metadata object
//     "directories": { "root_entries": n, "leaf_directories": n },
//     "tiles": [              // in TileID order when enumerated, else in argument order
//       { "z", "x", "y",
//         "tile_id": n,       // zxyToTileId(z, x, y)
//         "offset": n,        // the tile's offset in the tile data section (enumerated tiles only)
//         "length": n, "sha1": hex,   // of the tile bytes after the reader's decompression
//         "layers": [{"name", "version", "extent",
//                     "features": [{"id", "type", "properties"}]}] }  // @mapbox/vector-tile's reading
//       or { "z", "x", "y", "tile_id", "missing": true } ] }
//
// Exit status: 0 on success, 1 when the archive cannot be read, 2 on bad usage.
import {PMTiles, tileIdToZxy, zxyToTileId} from 'pmtiles';
import {VectorTile} from '@mapbox/vector-tile';
import Pbf from 'pbf';
import {createHash} from 'node:crypto';
import {closeSync, openSync, readSync} from 'node:fs';

// The pmtiles Source interface over a local file (the package's FileSource wraps a browser File).
class NodeFileSource {
    constructor(path) {
        this.path = path;
        this.fd = openSync(path, 'r');
    }

    getKey() {
        return this.path;
    }

    async getBytes(offset, length) {
        const buffer = Buffer.alloc(length);
        let read = 0;
        while (read < length) {
            const n = readSync(this.fd, buffer, read, length - read, offset + read);
            if (n === 0) break;  // the reader asks for 16 KiB up front, even of a smaller file
            read += n;
        }
        return {data: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + read)};
    }

    close() {
        closeSync(this.fd);
    }
}

function decodeLayers(bytes) {
    // A fresh Uint8Array: pbf reads through the whole underlying ArrayBuffer.
    const tile = new VectorTile(new Pbf(new Uint8Array(bytes)));
    return Object.values(tile.layers).map((layer) => {
        const features = [];
        for (let i = 0; i < layer.length; i++) {
            const feature = layer.feature(i);
            features.push({id: feature.id === undefined ? null : feature.id, type: feature.type,
                           properties: {...feature.properties}});
        }
        return {name: layer.name, version: layer.version, extent: layer.extent, features};
    });
}

// Every tile entry, walking the root and its leaf directories with the package's own directory decoder.
async function enumerate(archive, header) {
    const tiles = [];
    let leafDirectories = 0;
    const root = await archive.cache.getDirectory(archive.source, header.rootDirectoryOffset,
                                                  header.rootDirectoryLength, header);
    const walk = async (entries) => {
        for (const entry of entries) {
            if (entry.runLength === 0) {
                leafDirectories++;
                await walk(await archive.cache.getDirectory(archive.source, header.leafDirectoryOffset + entry.offset,
                                                            entry.length, header));
                continue;
            }
            for (let i = 0; i < entry.runLength; i++) {
                const [z, x, y] = tileIdToZxy(entry.tileId + i);
                tiles.push({z, x, y, offset: entry.offset});
            }
        }
    };
    await walk(root);
    return {tiles, directories: {root_entries: root.length, leaf_directories: leafDirectories}};
}

async function read(file, requested) {
    const source = new NodeFileSource(file);
    try {
        const archive = new PMTiles(source);
        const header = await archive.getHeader();
        const metadata = await archive.getMetadata();
        const listed = await enumerate(archive, header);
        const wanted = requested.length > 0 ? requested : listed.tiles;
        const tiles = [];
        for (const tile of wanted) {
            const result = {...tile, tile_id: zxyToTileId(tile.z, tile.x, tile.y)};
            const response = await archive.getZxy(tile.z, tile.x, tile.y);
            if (response === undefined) {
                tiles.push({...result, missing: true});
                continue;
            }
            const bytes = new Uint8Array(response.data);
            result.length = bytes.length;
            result.sha1 = createHash('sha1').update(bytes).digest('hex');
            result.layers = decodeLayers(bytes);
            tiles.push(result);
        }
        return {header, metadata, directories: listed.directories, tiles};
    } finally {
        source.close();
    }
}

const [file, ...names] = process.argv.slice(2);
const requested = names.map((name) => name.split('/').map(Number));
if (file === undefined || file === '-h' || file === '--help' ||
    requested.some((zxy) => zxy.length !== 3 || zxy.some((n) => !Number.isInteger(n) || n < 0))) {
    process.stderr.write('usage: node read_pmtiles.mjs FILE.pmtiles [Z/X/Y ...]\n');
    process.exit(2);
}
try {
    const result = await read(file, requested.map(([z, x, y]) => ({z, x, y})));
    process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
    process.stderr.write(`read_pmtiles: ${file}: ${error.message}\n`);
    process.exit(1);
}
