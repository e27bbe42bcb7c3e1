#include "geo/area_index.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace geo {

namespace {
constexpr std::size_t kTreeNodeCapacity = 10;
}

AreaIndex::AreaIndex(GeosContext& context, const std::vector<Area>& areas)
    : context_(context), areas_(areas), tree_(GEOSSTRtree_create_r(context.handle(), kTreeNodeCapacity)),
      prepared_(areas.size(), nullptr) {
    if (tree_ == nullptr) context.fail("creating an STRtree");
    for (std::size_t i = 0; i < areas.size(); ++i) {
        // The tree stores an opaque pointer per item; we store the index itself.
        GEOSSTRtree_insert_r(context.handle(), tree_, areas[i].geometry.get(),
                             reinterpret_cast<void*>(static_cast<std::uintptr_t>(i)));
    }
}

AreaIndex::~AreaIndex() {
    for (const auto* p : prepared_) {
        if (p != nullptr) GEOSPreparedGeom_destroy_r(context_.handle(), p);
    }
    GEOSSTRtree_destroy_r(context_.handle(), tree_);
}

const GEOSPreparedGeometry* AreaIndex::prepared(std::size_t index) const {
    if (prepared_[index] == nullptr) {
        prepared_[index] = GEOSPrepare_r(context_.handle(), areas_[index].geometry.get());
        if (prepared_[index] == nullptr) context_.fail("preparing an area geometry");
    }
    return prepared_[index];
}

std::optional<std::size_t> AreaIndex::locate(Point p) const {
    Geometry point = make_point(context_, p.x, p.y);
    std::vector<std::size_t> candidates;
    GEOSSTRtree_query_r(
        context_.handle(), tree_, point.get(),
        [](void* item, void* out) {
            static_cast<std::vector<std::size_t>*>(out)->push_back(reinterpret_cast<std::uintptr_t>(item));
        },
        &candidates);
    std::sort(candidates.begin(), candidates.end());
    for (const std::size_t i : candidates) {
        if (GEOSPreparedCovers_r(context_.handle(), prepared(i), point.get()) == 1) return i;
    }
    return std::nullopt;
}

double AreaIndex::distance_to_nearest(Point p) const {
    if (areas_.empty()) return std::numeric_limits<double>::infinity();
    Geometry point = make_point(context_, p.x, p.y);
    struct Query {
        const AreaIndex* index;
        const GEOSGeometry* point;
    } query{this, point.get()};
    // The tree's items are area indices (0 is a null pointer); the query item is &query.
    const auto distance = [](const void* a, const void* b, double* out, void* user) -> int {
        const auto* q = static_cast<const Query*>(user);
        const void* item = a == user ? b : a;
        const auto i = static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(item));
        return GEOSDistance_r(q->index->context_.handle(), q->index->areas_[i].geometry.get(), q->point, out);
    };
    const void* nearest = GEOSSTRtree_nearest_generic_r(context_.handle(), tree_, &query, point.get(), distance, &query);
    double d = std::numeric_limits<double>::infinity();
    const auto i = static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(nearest));
    if (i < areas_.size()) GEOSDistance_r(context_.handle(), areas_[i].geometry.get(), point.get(), &d);
    return d;
}

}  // namespace geo
