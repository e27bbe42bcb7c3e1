#include "tilesets/mvt_encoder.hpp"

#include <protozero/pbf_writer.hpp>

namespace tilesets {

namespace {

// vector_tile.proto field numbers (MVT 2.1 section 4).
enum class TileField : protozero::pbf_tag_type { layers = 3 };
enum class LayerField : protozero::pbf_tag_type { name = 1, features = 2, keys = 3, values = 4, extent = 5, version = 15 };
enum class FeatureField : protozero::pbf_tag_type { id = 1, tags = 2, type = 3, geometry = 4 };
enum class ValueField : protozero::pbf_tag_type { string_value = 1, double_value = 3, int_value = 4, bool_value = 7 };

constexpr std::uint32_t kMoveTo = 1, kLineTo = 2, kClosePath = 7;
constexpr std::uint32_t kVersion = 2;

void encode_geometry(const TileGeometry& g, std::vector<std::uint32_t>& out) {
    std::int32_t cx = 0, cy = 0;  // the cursor starts at (0, 0) for every feature (section 4.3)
    auto parameter = [&](const TilePoint& p) {
        out.push_back(zigzag(p.x - cx));
        out.push_back(zigzag(p.y - cy));
        cx = p.x;
        cy = p.y;
    };
    switch (g.type) {
        case GeometryType::point: {
            if (g.parts.size() != 1 || g.parts[0].empty()) throw MvtError("MVT 2.1 section 4.3.4.2: a point geometry needs one MoveTo with at least one point");
            out.push_back(command_integer(kMoveTo, static_cast<std::uint32_t>(g.parts[0].size())));
            for (const TilePoint& p : g.parts[0]) parameter(p);
            break;
        }
        case GeometryType::linestring:
            for (const auto& line : g.parts) {
                if (line.size() < 2) throw MvtError("MVT 2.1 section 4.3.4.3: a linestring needs at least two points");
                out.push_back(command_integer(kMoveTo, 1));
                parameter(line[0]);
                out.push_back(command_integer(kLineTo, static_cast<std::uint32_t>(line.size() - 1)));
                for (std::size_t i = 1; i < line.size(); ++i) parameter(line[i]);
            }
            break;
        case GeometryType::polygon:
            for (std::size_t r = 0; r < g.parts.size(); ++r) {
                const auto& ring = g.parts[r];
                if (ring.size() < 3) throw MvtError("MVT 2.1 section 4.3.4.4: a linear ring needs at least three points");
                if (r == 0 && ring_area2(ring) <= 0) throw MvtError("MVT 2.1 section 4.3.4.4: the first ring of a polygon must be exterior (positive area)");
                out.push_back(command_integer(kMoveTo, 1));
                parameter(ring[0]);
                out.push_back(command_integer(kLineTo, static_cast<std::uint32_t>(ring.size() - 1)));
                for (std::size_t i = 1; i < ring.size(); ++i) parameter(ring[i]);
                out.push_back(command_integer(kClosePath, 1));
            }
            break;
    }
}

}  // namespace

std::int64_t ring_area2(const std::vector<TilePoint>& ring) {
    std::int64_t sum = 0;
    for (std::size_t i = 0, n = ring.size(); i < n; ++i) {
        const TilePoint& a = ring[i];
        const TilePoint& b = ring[(i + 1) % n];
        sum += static_cast<std::int64_t>(a.x) * b.y - static_cast<std::int64_t>(b.x) * a.y;
    }
    return sum;
}

LayerEncoder::LayerEncoder(std::string name, const std::vector<std::string>& keys, std::uint32_t extent)
    : name_(std::move(name)), keys_(keys), extent_(extent), key_index_(keys.size(), -1) {}

std::uint32_t LayerEncoder::value_index(const PropertyValue& value) {
    const auto [it, inserted] = value_index_.try_emplace(value, static_cast<std::uint32_t>(values_.size()));
    if (inserted) values_.push_back(value);
    return it->second;
}

void LayerEncoder::add(std::uint64_t id, const TileGeometry& geometry, const std::vector<PropertyValue>& values) {
    if (geometry.empty()) return;
    if (values.size() != keys_.size()) throw MvtError("MVT 2.1 section 4.4: a feature's tags must pair every key with a value");
    std::vector<std::uint32_t> commands;
    encode_geometry(geometry, commands);
    std::vector<std::uint32_t> tags;
    for (std::size_t k = 0; k < values.size(); ++k) {
        if (geo::is_null(values[k])) continue;  // no value: the key is left out (MVT has no null)
        if (key_index_[k] < 0) {
            key_index_[k] = static_cast<std::int32_t>(used_keys_.size());
            used_keys_.push_back(keys_[k]);
        }
        tags.push_back(static_cast<std::uint32_t>(key_index_[k]));
        tags.push_back(value_index(values[k]));
    }
    // Features are collected as the layer's repeated field 2 and spliced in by finish().
    protozero::pbf_builder<LayerField> layer(features_bytes_);
    {
        protozero::pbf_builder<FeatureField> feature(layer, LayerField::features);
        feature.add_uint64(FeatureField::id, id);
        feature.add_packed_uint32(FeatureField::tags, tags.begin(), tags.end());
        feature.add_enum(FeatureField::type, static_cast<std::int32_t>(geometry.type));
        feature.add_packed_uint32(FeatureField::geometry, commands.begin(), commands.end());
    }
    ++features_;
}

std::string LayerEncoder::finish() {
    if (features_ == 0) return {};
    std::string layer;
    protozero::pbf_builder<LayerField> builder(layer);
    builder.add_uint32(LayerField::version, kVersion);
    builder.add_string(LayerField::name, name_);
    layer += features_bytes_;
    for (const std::string& key : used_keys_) builder.add_string(LayerField::keys, key);
    for (const PropertyValue& v : values_) {
        protozero::pbf_builder<ValueField> value(builder, LayerField::values);
        if (const auto* s = std::get_if<std::string>(&v)) value.add_string(ValueField::string_value, *s);
        else if (const auto* d = std::get_if<double>(&v)) value.add_double(ValueField::double_value, *d);
        else if (const auto* i = std::get_if<std::int64_t>(&v)) value.add_int64(ValueField::int_value, *i);
        else value.add_bool(ValueField::bool_value, std::get<bool>(v));
    }
    builder.add_uint32(LayerField::extent, extent_);
    return layer;
}

}  // namespace tilesets
