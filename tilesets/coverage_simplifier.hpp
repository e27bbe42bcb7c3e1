#pragma once
// Generalisation that keeps a partition a partition. Polygons that tile a region (a coverage) share
// their boundaries exactly; simplifying each polygon on its own would move a shared edge differently
// on either side and open slivers. Here every ring is cut into arcs at junctions (points where the
// polygons on either side change), each distinct arc is simplified once with Douglas-Peucker (ends
// fixed), and the rings are rebuilt from the simplified arcs, so neighbours keep identical vertices.
// A polygon that simplification made invalid gets its arcs back unsimplified, which its neighbours
// then share too. (The arc model is TopoJSON's; GEOS 3.12's CoverageSimplifier does the same job
// but Debian 12 ships GEOS 3.11.)
#include "geo/geos.hpp"
#include "tilesets/polygon_rings.hpp"

#include <cstdint>
#include <vector>

namespace tilesets {

struct CoverageSimplifyStats {
    std::size_t arcs = 0;
    std::size_t points_in = 0;
    std::size_t points_out = 0;
    std::size_t collapsed_rings = 0;    // rings too small to survive (dropped)
    std::size_t restored_polygons = 0;  // made invalid by simplification, so kept at full detail
};

class CoverageSimplifier {
public:
    /// Builds the arc topology of `polygons` (Polygon or MultiPolygon; null entries allowed). The
    /// simplifier keeps no GEOS state: each simplify() call works in the context it is given, so
    /// several threads may simplify at once, each with its own.
    CoverageSimplifier(geo::GeosContext& context, const std::vector<const GEOSGeometry*>& polygons);

    /// A line two polygons share: (polygon a, polygon b) with a < b, and their shared arcs as one
    /// MultiLineString.
    struct SharedBoundary {
        std::uint32_t a = 0, b = 0;
        geo::Geometry lines;
    };
    struct Result {
        std::vector<PolygonRings> polygons;    // in input order, as MultiPolygons; empty where a polygon collapsed entirely
        std::vector<SharedBoundary> shared;    // only when asked for; drawn from the very same arcs
        CoverageSimplifyStats stats;
    };

    /// The polygons simplified with `tolerance` (same units as the coordinates), and optionally the
    /// boundaries they share, so that outlines drawn from those coincide with the polygon edges.
    Result simplify(geo::GeosContext& context, double tolerance, bool with_shared_boundaries = false) const;

    std::size_t arc_count() const { return arcs_.size(); }

private:
    struct Coord {
        double x, y;
        friend bool operator==(const Coord&, const Coord&) = default;
        friend bool operator<(const Coord& a, const Coord& b) { return a.x != b.x ? a.x < b.x : a.y < b.y; }
    };
    struct ArcUse {
        std::uint32_t arc;
        bool reversed;
    };
    struct Ring {
        std::vector<ArcUse> arcs;
    };
    struct Part {
        std::vector<Ring> rings;  // exterior first
    };
    struct Polygon {
        std::vector<Part> parts;
    };

    std::vector<Coord> ring_coords(const Ring& ring, const std::vector<std::vector<Coord>>& arcs) const;
    PolygonRings build(const Polygon& polygon, const std::vector<std::vector<Coord>>& arcs, std::size_t* collapsed) const;

    std::vector<std::vector<Coord>> arcs_;  // canonical direction
    std::vector<bool> closed_;              // arc is a whole ring (no junction on it)
    std::vector<Polygon> polygons_;
    std::vector<bool> present_;             // input polygon was not null
    std::vector<std::vector<std::uint32_t>> users_;  // per arc: the polygons whose rings use it

    std::vector<std::vector<Coord>> simplified_arcs(double tolerance, CoverageSimplifyStats* stats) const;
    std::vector<SharedBoundary> shared_boundaries(geo::GeosContext& context, const std::vector<std::vector<Coord>>& arcs) const;
};

/// Douglas-Peucker simplification of a polyline with its ends kept (exposed for tests).
std::vector<std::size_t> douglas_peucker(const std::vector<double>& xs, const std::vector<double>& ys, double tolerance);

}  // namespace tilesets
