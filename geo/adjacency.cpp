#include "geo/adjacency.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <tuple>
#include <unordered_set>

namespace geo {

namespace {

constexpr std::size_t kTreeNodeCapacity = 10;
constexpr double kFirstSearchRadius = 500;  // metres, doubled until a bridge candidate is found

struct Tree {
    GeosContext& context;
    GEOSSTRtree* tree;
    explicit Tree(GeosContext& c) : context(c), tree(GEOSSTRtree_create_r(c.handle(), kTreeNodeCapacity)) {
        if (tree == nullptr) c.fail("creating an STRtree");
    }
    ~Tree() { GEOSSTRtree_destroy_r(context.handle(), tree); }
    Tree(const Tree&) = delete;
    Tree& operator=(const Tree&) = delete;

    void insert(const GEOSGeometry* g, std::uint32_t index) {
        GEOSSTRtree_insert_r(context.handle(), tree, g, reinterpret_cast<void*>(static_cast<std::uintptr_t>(index)));
    }
    std::vector<std::uint32_t> query(const GEOSGeometry* g) const {
        std::vector<std::uint32_t> hits;
        GEOSSTRtree_query_r(
            context.handle(), tree, g,
            [](void* item, void* out) {
                static_cast<std::vector<std::uint32_t>*>(out)->push_back(
                    static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(item)));
            },
            &hits);
        std::sort(hits.begin(), hits.end());  // the tree's order is not ours to rely on
        return hits;
    }
};

void add_link(AreaGraph& graph, std::uint32_t a, std::uint32_t b, double length) {
    graph.neighbours[a].push_back({b, length});
    graph.neighbours[b].push_back({a, length});
}

/// Finds the nearest area outside `group` to any area inside it: candidates from the tree within a
/// growing box around each member, measured nearest box first.
AreaBridge nearest_outside(GeosContext& context, const std::vector<Area>& areas, const Tree& tree,
                           const std::vector<std::uint32_t>& group) {
    auto* h = context.handle();
    const std::unordered_set<std::uint32_t> inside(group.begin(), group.end());
    const auto box = [&](std::uint32_t a) { return envelope_of(context, areas[a].geometry.get()); };
    const auto box_distance = [](const Envelope& a, const Envelope& b) {
        const double dx = std::max({0.0, a.min_x - b.max_x, b.min_x - a.max_x});
        const double dy = std::max({0.0, a.min_y - b.max_y, b.min_y - a.max_y});
        return std::hypot(dx, dy);
    };
    AreaBridge best{0, 0, std::numeric_limits<double>::infinity()};
    for (double radius = kFirstSearchRadius; radius < 1e8; radius *= 2) {
        std::vector<std::tuple<double, std::uint32_t, std::uint32_t>> candidates;  // (box distance, from, to)
        for (const std::uint32_t from : group) {
            const Envelope e = box(from);
            const Geometry search = adopt(context, GEOSGeom_createRectangle_r(h, e.min_x - radius, e.min_y - radius, e.max_x + radius, e.max_y + radius),
                                          "making a search box");
            for (const std::uint32_t to : tree.query(search.get())) {
                if (!inside.contains(to)) candidates.emplace_back(box_distance(e, box(to)), from, to);
            }
        }
        std::sort(candidates.begin(), candidates.end());
        for (const auto& [lower, from, to] : candidates) {
            if (lower > best.distance) break;
            double distance = 0;
            GEOSDistance_r(h, areas[from].geometry.get(), areas[to].geometry.get(), &distance);
            if (distance < best.distance || (distance == best.distance && std::pair(from, to) < std::pair(best.from, best.to))) {
                best = {from, to, distance};
            }
        }
        if (best.distance <= radius) break;  // everything nearer than `radius` was a candidate
    }
    return best;
}

}  // namespace

double AreaGraph::shared_length(std::uint32_t a, std::uint32_t b) const {
    const auto& list = neighbours[a];
    const auto it = std::lower_bound(list.begin(), list.end(), b,
                                     [](const AreaNeighbour& n, std::uint32_t value) { return n.area < value; });
    return it != list.end() && it->area == b ? it->shared_length : 0;
}

AreaGraph build_area_graph(GeosContext& context, const std::vector<Area>& areas) {
    const auto n = static_cast<std::uint32_t>(areas.size());
    AreaGraph graph;
    graph.neighbours.resize(n);
    graph.perimeter.resize(n);
    graph.area.resize(n);
    auto coverage = std::make_shared<const Coverage>(context, areas);
    for (std::uint32_t i = 0; i < n; ++i) {
        graph.perimeter[i] = coverage->perimeter(i);
        graph.area[i] = coverage->area(i);
    }
    for (const Coverage::Link& link : coverage->links()) add_link(graph, link.a, link.b, link.length);
    graph.coverage = std::move(coverage);

    std::vector<std::uint32_t> everyone(n);
    std::iota(everyone.begin(), everyone.end(), 0u);
    std::unique_ptr<Tree> tree;  // for bridges only
    for (auto groups = connected_groups(graph, everyone); groups.size() > 1; groups = connected_groups(graph, everyone)) {
        // Join the smallest group (ties: the one with the lowest first area) to its nearest area.
        const auto smallest = std::min_element(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
            return a.size() != b.size() ? a.size() < b.size() : a.front() < b.front();
        });
        if (!tree) {
            tree = std::make_unique<Tree>(context);
            for (std::uint32_t i = 0; i < n; ++i) tree->insert(areas[i].geometry.get(), i);
        }
        const AreaBridge bridge = nearest_outside(context, areas, *tree, *smallest);
        if (!std::isfinite(bridge.distance)) break;
        add_link(graph, bridge.from, bridge.to, 0);
        graph.bridges.push_back(bridge);
    }
    for (auto& list : graph.neighbours) {
        std::sort(list.begin(), list.end(), [](const AreaNeighbour& a, const AreaNeighbour& b) { return a.area < b.area; });
    }
    return graph;
}

std::vector<std::vector<std::uint32_t>> connected_groups(const AreaGraph& graph, const std::vector<std::uint32_t>& members) {
    std::vector<std::int8_t> state(graph.size(), 0);  // 0 outside the set, 1 unvisited member, 2 visited
    for (const std::uint32_t m : members) state[m] = 1;
    std::vector<std::vector<std::uint32_t>> groups;
    std::vector<std::uint32_t> stack;
    for (const std::uint32_t start : members) {
        if (state[start] != 1) continue;
        std::vector<std::uint32_t> group;
        stack.push_back(start);
        state[start] = 2;
        while (!stack.empty()) {
            const std::uint32_t a = stack.back();
            stack.pop_back();
            group.push_back(a);
            for (const AreaNeighbour& next : graph.neighbours[a]) {
                if (state[next.area] == 1) {
                    state[next.area] = 2;
                    stack.push_back(next.area);
                }
            }
        }
        std::sort(group.begin(), group.end());
        groups.push_back(std::move(group));
    }
    return groups;
}

}  // namespace geo
