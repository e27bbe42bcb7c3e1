#include "fuzz/mvt_check.hpp"

#include <protozero/pbf_reader.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace fuzz {

namespace {

struct Broken {
    std::string what;
};

[[noreturn]] void fail(const std::string& what) { throw Broken{what}; }

std::int64_t area2(const std::vector<std::pair<std::int64_t, std::int64_t>>& ring) {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < ring.size(); ++i) {
        const auto& [x0, y0] = ring[i];
        const auto& [x1, y1] = ring[(i + 1) % ring.size()];
        sum += x0 * y1 - x1 * y0;
    }
    return sum;
}

std::int32_t unzigzag(std::uint32_t n) { return static_cast<std::int32_t>((n >> 1) ^ (~(n & 1) + 1)); }

/// MVT 2.1 section 4.3: the command stream of one feature of `type`.
void check_geometry(std::uint32_t type, const std::vector<std::uint32_t>& commands) {
    if (commands.empty()) fail("4.3: a feature without geometry");
    std::int64_t x = 0, y = 0;
    std::size_t i = 0;
    bool first_ring = true;
    auto params = [&](std::uint32_t count) {
        std::vector<std::pair<std::int64_t, std::int64_t>> out;
        for (std::uint32_t k = 0; k < count; ++k) {
            if (i + 2 > commands.size()) fail("4.3.2: a command's parameters run past the geometry's end");
            x += unzigzag(commands[i++]);
            y += unzigzag(commands[i++]);
            out.emplace_back(x, y);
        }
        return out;
    };
    auto command = [&](std::uint32_t& id, std::uint32_t& count) {
        if (i >= commands.size()) fail("4.3.4: the geometry ends in the middle of a " + std::to_string(type == 3 ? 3 : 2) + "-type sequence");
        id = commands[i] & 0x7;
        count = commands[i] >> 3;
        ++i;
    };
    std::uint32_t id = 0, count = 0;
    switch (type) {
        case 1:  // 4.3.4.2: one MoveTo with one or more points
            command(id, count);
            if (id != 1 || count == 0) fail("4.3.4.2: a point geometry must be a single MoveTo with a count of 1 or more");
            params(count);
            if (i != commands.size()) fail("4.3.4.2: commands after a point geometry's MoveTo");
            return;
        case 2:  // 4.3.4.3: MoveTo(1) LineTo(n >= 1), repeated
            while (i < commands.size()) {
                command(id, count);
                if (id != 1 || count != 1) fail("4.3.4.3: a linestring must start with MoveTo of count 1");
                params(1);
                command(id, count);
                if (id != 2 || count == 0) fail("4.3.4.3: a linestring's MoveTo must be followed by LineTo of count 1 or more");
                auto last = std::make_pair(x, y);
                for (const auto& point : params(count)) {
                    if (point == last) fail("4.3.3.2: a LineTo with dX and dY both 0");
                    last = point;
                }
            }
            return;
        case 3:  // 4.3.4.4: MoveTo(1) LineTo(n >= 2) ClosePath, repeated; the first ring exterior
            while (i < commands.size()) {
                command(id, count);
                if (id != 1 || count != 1) fail("4.3.4.4: a ring must start with MoveTo of count 1");
                auto ring = params(1);
                command(id, count);
                if (id != 2 || count < 2) fail("4.3.4.4: a ring's MoveTo must be followed by LineTo of count 2 or more");
                for (const auto& point : params(count)) {
                    if (point == ring.back()) fail("4.3.3.2: a LineTo with dX and dY both 0");
                    ring.push_back(point);
                }
                command(id, count);
                if (id != 7 || count != 1) fail("4.3.4.4: a ring must end with ClosePath of count 1");
                const std::int64_t a = area2(ring);
                if (a == 0) fail("4.3.4.4: a ring of zero area (neither exterior nor interior)");
                if (first_ring && a < 0) fail("4.3.4.4: a polygon's first ring must be exterior (positive area)");
                first_ring = false;
            }
            return;
        default:
            fail("4.3.4: geometry type " + std::to_string(type) + " (expected 1, 2 or 3)");
    }
}

void check_value(protozero::pbf_reader value) {
    int fields = 0;
    while (value.next()) {
        ++fields;
        switch (value.tag()) {
            case 1: value.get_string(); break;
            case 2: value.get_float(); break;
            case 3: value.get_double(); break;
            case 4: value.get_int64(); break;
            case 5: value.get_uint64(); break;
            case 6: value.get_sint64(); break;
            case 7: value.get_bool(); break;
            default: fail("4.1: a Value with unknown field " + std::to_string(value.tag()));
        }
    }
    if (fields != 1) fail("4.1: a Value must hold exactly one field, it holds " + std::to_string(fields));
}

void check_layer(protozero::pbf_reader layer, std::set<std::string>& names) {
    std::uint32_t version = 0;
    std::string name;
    std::vector<std::string> keys;
    std::size_t values = 0;
    std::vector<protozero::pbf_reader> features;
    while (layer.next()) {
        switch (layer.tag()) {
            case 15: version = layer.get_uint32(); break;
            case 1: name = layer.get_string(); break;
            case 2: features.push_back(layer.get_message()); break;
            case 3: keys.push_back(layer.get_string()); break;
            case 4: check_value(layer.get_message()); ++values; break;
            case 5:
                if (layer.get_uint32() == 0) fail("4.1: a layer's extent must be positive");
                break;
            default: layer.skip();
        }
    }
    if (version != 2) fail("4.1: layer version " + std::to_string(version) + " (expected 2)");
    if (name.empty()) fail("4.1: a layer without a name");
    if (!names.insert(name).second) fail("4.1: two layers named '" + name + "'");
    if (std::set<std::string>(keys.begin(), keys.end()).size() != keys.size()) fail("4.4: layer '" + name + "' repeats a key");
    std::set<std::uint64_t> ids;
    for (protozero::pbf_reader feature : features) {
        std::uint32_t type = 0;
        std::vector<std::uint32_t> tags, geometry;
        bool has_id = false;
        std::uint64_t id = 0;
        while (feature.next()) {
            switch (feature.tag()) {
                case 1: id = feature.get_uint64(); has_id = true; break;
                case 2: for (auto t : feature.get_packed_uint32()) tags.push_back(t); break;
                case 3: type = static_cast<std::uint32_t>(feature.get_enum()); break;
                case 4: for (auto g : feature.get_packed_uint32()) geometry.push_back(g); break;
                default: feature.skip();
            }
        }
        if (has_id && !ids.insert(id).second) fail("4.2: layer '" + name + "' has two features with id " + std::to_string(id));
        if (tags.size() % 2 != 0) fail("4.4: an odd number of tags in layer '" + name + "'");
        std::set<std::uint32_t> feature_keys;
        for (std::size_t t = 0; t < tags.size(); t += 2) {
            if (tags[t] >= keys.size()) fail("4.4: a tag's key index beyond the keys of layer '" + name + "'");
            if (tags[t + 1] >= values) fail("4.4: a tag's value index beyond the values of layer '" + name + "'");
            if (!feature_keys.insert(tags[t]).second) fail("4.4: a feature of layer '" + name + "' repeats a key");
        }
        check_geometry(type, geometry);
    }
}

}  // namespace

std::string mvt_problem(std::string_view tile) {
    try {
        protozero::pbf_reader reader(tile.data(), tile.size());
        std::set<std::string> names;
        while (reader.next()) {
            if (reader.tag() == 3) {
                check_layer(reader.get_message(), names);
            } else {
                reader.skip();
            }
        }
        return {};
    } catch (const Broken& broken) {
        return broken.what;
    } catch (const protozero::exception& error) {
        return std::string("not a protocol buffer: ") + error.what();
    }
}

}  // namespace fuzz
