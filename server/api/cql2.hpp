#pragma once
// CQL2 text filters (OGC 21-065r2) over a published layer's features: Basic CQL2 (comparisons, AND, OR,
// NOT, IS NULL, boolean literals), the advanced comparison operators (LIKE, BETWEEN, IN) and the basic
// spatial function S_INTERSECTS with a WKT or BBOX literal. Parsed once per request against the layer's
// fields, with every type checked then, and evaluated per feature with SQL's three-valued logic (a
// comparison with a null is unknown, and only true passes). Pure: no I/O, no HTTP.
#include "geo/geos.hpp"
#include "geo/output_layers.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace geo {
class CrsTransform;
}

namespace server::cql2 {

/// The conformance classes the filters implement (OGC 21-065r2 and OGC API - Features Part 3).
const std::vector<std::string_view>& conformance_classes();

/// A filter that is not CQL2 text this server evaluates: where, and what was expected (the message
/// cites the CQL2 requirement where one applies).
class Error : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// The name a filter gives the feature's geometry (as the queryables list it).
inline constexpr std::string_view kGeometryProperty = "geometry";

struct Node;

/// A parsed filter. Not thread-safe (its spatial literals are prepared for one thread's use).
class Filter {
public:
    /// Parses `text` against `layer`'s fields. Spatial literals are read in the filter's CRS and carried
    /// into the working CRS with `to_working` (none: they are in it already). Throws Error.
    Filter(std::string_view text, const geo::LayerSchema& layer, const geo::CrsTransform* to_working = nullptr);
    ~Filter();
    Filter(Filter&&) noexcept;
    Filter& operator=(Filter&&) noexcept;

    /// Whether a feature with `values` (one per field of the layer) and `geometry` (working CRS; null
    /// for none) passes.
    bool matches(const std::vector<geo::FieldValue>& values, const GEOSGeometry* geometry) const;

private:
    std::unique_ptr<geo::GeosContext> geos_;
    std::unique_ptr<Node> root_;
};

}  // namespace server::cql2
