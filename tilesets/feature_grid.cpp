#include "tilesets/feature_grid.hpp"

#include <algorithm>
#include <utility>

namespace tilesets {

namespace {

bool meets(const MercatorBox& a, const MercatorBox& b) {
    return a.min_x <= b.max_x && b.min_x <= a.max_x && a.min_y <= b.max_y && b.min_y <= a.max_y;
}

bool is_empty(const MercatorBox& b) { return !(b.min_x <= b.max_x && b.min_y <= b.max_y); }

std::uint64_t cell_key(std::uint32_t x, std::uint32_t y) { return static_cast<std::uint64_t>(x) << 32 | y; }

}  // namespace

FeatureGrid::FeatureGrid(const std::vector<MercatorBox>& boxes, int cell_zoom) : cell_zoom_(cell_zoom), boxes_(boxes) {
    check_tile({cell_zoom, 0, 0});
    std::vector<std::pair<std::uint64_t, std::uint32_t>> entries;
    for (std::uint32_t i = 0; i < boxes.size(); ++i) {
        if (is_empty(boxes[i])) continue;
        const TileRange range = tiles_covering(boxes[i], cell_zoom);
        if (range.count() > kMaxCellsPerFeature) {
            large_.push_back(i);
            continue;
        }
        for (std::uint32_t x = range.min_x; x <= range.max_x; ++x) {
            for (std::uint32_t y = range.min_y; y <= range.max_y; ++y) entries.emplace_back(cell_key(x, y), i);
        }
    }
    std::sort(entries.begin(), entries.end());
    features_.reserve(entries.size());
    for (const auto& [cell, feature] : entries) {
        if (cells_.empty() || cells_.back() != cell) {
            cells_.push_back(cell);
            offsets_.push_back(static_cast<std::uint32_t>(features_.size()));
        }
        features_.push_back(feature);
    }
    offsets_.push_back(static_cast<std::uint32_t>(features_.size()));
}

void FeatureGrid::candidates(const MercatorBox& box, std::vector<std::uint32_t>& out) const {
    out.clear();
    for (const std::uint32_t i : large_) {
        if (meets(boxes_[i], box)) out.push_back(i);
    }
    const TileRange range = tiles_covering(box, cell_zoom_);
    if (range.count() > 16) {  // a shallow tile: every box, in order
        out.clear();
        for (std::uint32_t i = 0; i < boxes_.size(); ++i) {
            if (meets(boxes_[i], box)) out.push_back(i);
        }
        return;
    }
    for (std::uint32_t x = range.min_x; x <= range.max_x; ++x) {
        for (std::uint32_t y = range.min_y; y <= range.max_y; ++y) {
            const auto found = std::lower_bound(cells_.begin(), cells_.end(), cell_key(x, y));
            if (found == cells_.end() || *found != cell_key(x, y)) continue;
            const auto cell = static_cast<std::size_t>(found - cells_.begin());
            for (std::uint32_t k = offsets_[cell]; k < offsets_[cell + 1]; ++k) {
                if (meets(boxes_[features_[k]], box)) out.push_back(features_[k]);
            }
        }
    }
    // A feature over several of the cells is found in each: once, in feature order.
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
}

}  // namespace tilesets
