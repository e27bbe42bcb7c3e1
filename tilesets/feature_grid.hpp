#pragma once
// Which features may touch a tile, without looking at every feature: each feature's box is listed
// under the cells it overlaps of one fixed grid (the tiles of one zoom), and a tile finds its
// candidates in the few cells under it. Deeper tiles than the grid's cells look at one to four
// cells; shallower ones (few tiles, many features each) at a packed list of every box.
#include "tilesets/tile_math.hpp"

#include <cstdint>
#include <vector>

namespace tilesets {

class FeatureGrid {
public:
    /// A feature whose box covers more cells than this (a region the size of a country at the index's
    /// zoom) is kept in one list that every tile looks at, not under each cell: millions of entries otherwise.
    static constexpr std::uint64_t kMaxCellsPerFeature = 4096;

    /// Cells are the tiles of `cell_zoom`; `boxes` are the features' boxes in EPSG:3857 metres, in
    /// feature order (an empty box, min > max, is never a candidate).
    FeatureGrid(const std::vector<MercatorBox>& boxes, int cell_zoom);

    /// The features whose boxes meet `box`, in feature order, into `out` (cleared first).
    void candidates(const MercatorBox& box, std::vector<std::uint32_t>& out) const;

    int cell_zoom() const { return cell_zoom_; }
    std::size_t entries() const { return features_.size(); }

private:
    int cell_zoom_;
    std::vector<MercatorBox> boxes_;       // per feature, packed for the shallow tiles' scan
    std::vector<std::uint64_t> cells_;     // sorted keys (x << 32 | y) of the cells that hold a feature
    std::vector<std::uint32_t> offsets_;   // per cell, where its features start in features_; one past the end last
    std::vector<std::uint32_t> features_;  // feature indices, cell by cell, ascending within a cell
    std::vector<std::uint32_t> large_;     // features over more than kMaxCellsPerFeature cells: always looked at
};

}  // namespace tilesets
