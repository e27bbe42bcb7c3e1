#!/usr/bin/env bash
# Rebuilds london.gpkg (the bundled sample dataset) from the shared London data.
#
#   data/sample/make-sample.sh [SHARED_DATA_DIR]
#
# SHARED_DATA_DIR is the folder holding SOURCES.md and london_gp_pcn/; it defaults to the
# shared/data folder next to the repository. Needs GDAL's ogr2ogr and sqlite3.
# This script documents how the sample was derived; it is not part of the build.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
data="${1:-$(dirname "$0")/../../../shared/data}"
src="$data/london_gp_pcn"
out="$here/london.gpkg"

for f in boundaries/london-2011-lsoa-gen20.shp boundaries/london-2021-lad22-gen20.shp \
         population/london-mid2020-pop.csv practices/practices-jul2022-london-subset.csv \
         gp_registrations/gp-reg-pat-prac-lsoa-jul2022-london.csv; do
    [[ -f "$src/$f" ]] || { echo "make-sample.sh: missing $src/$f" >&2; exit 2; }
done

# Staging folder on the same file system, so the final rename is atomic.
stage="$(mktemp -d "$here/.make-sample.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
raw="$stage/raw.gpkg"   # the sources copied as they are (CSV columns all text)
tmp="$stage/london.gpkg"

# Fixed timestamps in gpkg_contents, so that reruns give the same file.
export OGR_CURRENT_DATE="2022-07-01T00:00:00.000Z"

# 1. Raw copies of the sources. The shapefiles' .cpg says ISO-8859-1, so GDAL recodes the
#    names to UTF-8 on reading. -a_srs only labels the (already British National Grid)
#    coordinates as EPSG:27700; nothing is reprojected.
ogr2ogr -f GPKG "$raw" "$src/boundaries/london-2011-lsoa-gen20.shp" \
    -nln lsoa -nlt PROMOTE_TO_MULTI -a_srs EPSG:27700 -lco SPATIAL_INDEX=NO
ogr2ogr -update "$raw" "$src/boundaries/london-2021-lad22-gen20.shp" \
    -nln lad -nlt PROMOTE_TO_MULTI -a_srs EPSG:27700 -lco SPATIAL_INDEX=NO
ogr2ogr -update "$raw" "$src/population/london-mid2020-pop.csv" -nln pop
ogr2ogr -update "$raw" "$src/practices/practices-jul2022-london-subset.csv" -nln prac \
    -oo X_POSSIBLE_NAMES=easting_bng -oo Y_POSSIBLE_NAMES=northing_bng -oo KEEP_GEOM_COLUMNS=YES \
    -a_srs EPSG:27700 -lco SPATIAL_INDEX=NO
ogr2ogr -update "$raw" "$src/gp_registrations/gp-reg-pat-prac-lsoa-jul2022-london.csv" -nln reg

# 2. The sample's layers, selected with SQLite SQL on the raw copy. Counts become Integer
#    (32-bit; GeoPackage MEDIUMINT), text fields have no width.
layer() {  # layer NAME GEOMETRY_TYPE SQL
    local create=(-f GPKG "$tmp")
    [[ -f "$tmp" ]] && create=(-update "$tmp")
    ogr2ogr "${create[@]}" "$raw" -nln "$1" -nlt "$2" -sql "$3" \
        -mapFieldType Integer64=Integer -unsetFieldWidth
}

layer areas MULTIPOLYGON "
    SELECT l.geom, l.LSOA11CD AS lsoa11cd, l.LSOA11NM AS lsoa11nm, l.MSOA11CD AS msoa11cd,
           l.LAD11CD AS lad11cd, l.LAD11NM AS lad11nm,
           CAST(p.\"Persons_All-Ages\" AS INTEGER) AS population
    FROM lsoa l JOIN pop p ON p.LSOA11CD = l.LSOA11CD
    ORDER BY l.fid"

layer boroughs MULTIPOLYGON "
    SELECT geom, LAD22CD AS lad22cd, LAD22NM AS lad22nm FROM lad ORDER BY fid"

# pcn_code/pcn_name are NULL (not '') for the 14 London practices with no PCN on 2022-07-01.
layer practices POINT "
    SELECT geom, practice_code, practice_name, postcode,
           CAST(patients_jul2022 AS INTEGER) AS list_size,
           CAST(patients_no_lsoa_jul2022 AS INTEGER) AS patients_no_lsoa,
           lad_code_codepoint AS lad_code,
           CAST(NULLIF(pcn_code_epcn_2022_07_01, '') AS TEXT) AS pcn_code,
           CAST(NULLIF(pcn_name_epcn_2022_07_01, '') AS TEXT) AS pcn_name
    FROM prac WHERE in_london_lad = 'True' ORDER BY fid"

# A GeoPackage 'attributes' table (no geometry). All 304,958 rows are kept.
layer registrations NONE "
    SELECT OrganisationCode AS practice_code, LSOA11CD AS lsoa11cd,
           CAST(Patient AS INTEGER) AS patients
    FROM reg ORDER BY fid"

sqlite3 "$tmp" "VACUUM;"

# 3. Checks against the figures in SOURCES.md and the source files.
expect() {  # expect WHAT SQL VALUE
    local got
    got="$(sqlite3 "$tmp" "$2")"
    [[ "$got" == "$3" ]] || { echo "make-sample.sh: $1 is $got, expected $3" >&2; exit 1; }
}
expect "areas count|population" "SELECT COUNT(*) || '|' || SUM(population) FROM areas" "4835|9002488"
expect "boroughs count" "SELECT COUNT(*) FROM boroughs" "33"
expect "practices count|no PCN" \
    "SELECT COUNT(*) || '|' || SUM(pcn_code IS NULL) FROM practices" "1183|14"
expect "list size total" "SELECT SUM(list_size) FROM practices" \
    "$(sqlite3 "$raw" "SELECT SUM(CAST(patients_jul2022 AS INTEGER)) FROM prac WHERE in_london_lad = 'True'")"
expect "registrations rows|patients" "SELECT COUNT(*) || '|' || SUM(patients) FROM registrations" \
    "$(sqlite3 "$raw" "SELECT COUNT(*) || '|' || SUM(CAST(Patient AS INTEGER)) FROM reg")"
expect "registrations row count" "SELECT COUNT(*) FROM registrations" "304958"
expect "registrations table type" \
    "SELECT data_type FROM gpkg_contents WHERE table_name = 'registrations'" "attributes"
expect "CRS of the layers" \
    "SELECT group_concat(DISTINCT srs_id) FROM gpkg_geometry_columns" "27700"

mv -f "$tmp" "$out"
echo "wrote $out ($(stat -c %s "$out") bytes)"
