#pragma once
// The areas as a polygonal coverage: every ring's vertices and, for each ring segment, the area on
// its other side. Neighbouring areas of a clean coverage (ONS boundaries, for instance) share their
// vertices, so shared edges are found by matching segments exactly, in time proportional to the
// number of vertices; edges that do not match vertex for vertex (a vertex on one side only, or a
// millimetre apart) are found by a collinear-overlap search and marked irregular.
//
// With it, the union of any set of areas is the set's boundary segments (those whose other side is
// outside the set) walked into rings, as GEOS's CoverageUnion does, without the general overlay; a
// set that holds both sides of an irregular edge is left to GEOS. The lines where two labelled
// groups of areas meet come from the same segments.
#include "geo/dataset.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace geo {

class Coverage {
public:
    static constexpr std::int32_t kOutside = -1;    // nothing on the other side
    static constexpr std::int32_t kIrregular = -2;  // shared with other areas, but not vertex for vertex

    /// A shared stretch of boundary between areas a < b.
    struct Link {
        std::uint32_t a = 0, b = 0;
        double length = 0;
    };
    /// The line where two groups meet (label_a < label_b), merged.
    struct Border {
        std::int32_t label_a = 0, label_b = 0;
        double length = 0;
        Geometry line;
    };

    Coverage(GeosContext& context, const std::vector<Area>& areas);

    std::size_t size() const { return area_ring_.size() - 1; }
    /// Every pair of areas sharing boundary, with its length, sorted by (a, b).
    const std::vector<Link>& links() const { return links_; }
    double perimeter(std::uint32_t area) const { return perimeter_[area]; }
    double area(std::uint32_t area) const { return area_[area]; }
    /// Areas sharing an irregular edge with `area`, sorted.
    const std::vector<std::uint32_t>& irregular_neighbours(std::uint32_t area) const { return irregular_[area]; }

    /// The union of `areas` (sorted, unique) as a valid Polygon or MultiPolygon; null when the set
    /// holds both sides of an irregular edge, its rings do not close into the set's area, or the
    /// result is not valid (the caller then asks GEOS).
    Geometry union_of(GeosContext& context, std::span<const std::uint32_t> areas) const;

    /// The lines where areas of different labels meet (labels >= 0; areas labelled < 0 are left out).
    std::vector<Border> borders(GeosContext& context, const std::vector<std::int32_t>& label) const;

private:
    struct Piece {  // a stretch of an irregular edge shared by areas a and b
        std::uint32_t a, b;
        double x0, y0, x1, y1;
    };
    std::uint32_t ring_end(std::uint32_t ring) const { return ring_start_[ring + 1]; }
    void match_exact();
    void match_overlaps();
    void finish_links(std::vector<Link> raw);

    std::vector<double> x_, y_;                  // ring vertices; each ring closed (last == first)
    std::vector<std::uint32_t> ring_start_;      // first vertex of each ring, then the total
    std::vector<std::uint32_t> area_ring_;       // first ring of each area, then the total
    std::vector<std::uint32_t> owner_;           // per vertex: its area
    std::vector<std::int32_t> partner_;          // per vertex: area across the segment starting there
    std::vector<double> perimeter_, area_;
    std::vector<std::vector<std::uint32_t>> irregular_;
    std::vector<char> suspect_;                  // per area: an unmatched edge crosses or nearly touches another area's
    std::vector<Piece> pieces_;
    std::vector<Link> links_;
};

}  // namespace geo
