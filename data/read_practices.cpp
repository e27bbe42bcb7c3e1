#include "data/readers.hpp"

#include <cctype>
#include <optional>
#include <unordered_set>

namespace data {

std::optional<geo::Point> point_geometry(OGRFeature& feature, const LayerReader& layer, const ToWorkingCrs& to_working) {
    OGRGeometry* geometry = feature.GetGeometryRef();
    if (geometry == nullptr || geometry->IsEmpty()) return std::nullopt;
    if (wkbFlatten(geometry->getGeometryType()) != wkbPoint) {
        layer.fail(&feature, -1, std::string("expected a Point, got a ") + OGRGeometryTypeToName(wkbFlatten(geometry->getGeometryType())));
    }
    to_working.apply(*geometry, layer, feature);
    const auto* point = geometry->toPoint();
    return geo::Point{point->getX(), point->getY()};
}

namespace {

/// Postcodes compare without spaces and case: "e1 1bu", "E1 1BU" and "E11BU" are one key.
std::string postcode_key(const std::string& postcode) {
    std::string key;
    for (const char c : postcode) {
        if (std::isspace(static_cast<unsigned char>(c)) == 0) key += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return key;
}

/// A practice read before its postcode has been looked up.
struct PendingPostcode {
    std::size_t practice;
    std::string postcode;
    GIntBig fid;
};

/// Looks up every pending postcode in the lookup table, keeping only the rows needed.
void resolve_postcodes(const PostcodeSpec& spec, const OGRSpatialReference& working, std::vector<PendingPostcode>& pending,
                       LayerReader& practices_layer, int postcode_field, bool skip_unplaced, geo::Dataset& out, Progress& progress) {
    std::unordered_set<std::string> needed;
    for (const PendingPostcode& p : pending) needed.insert(postcode_key(p.postcode));
    std::unordered_map<std::string, geo::Point> located;
    // Each lookup in turn, for the postcodes the ones before it did not have (e.g. retired ones).
    std::vector<LayerRef> lookups{spec.layer};
    for (const std::string& source : spec.fallbacks) {
        LayerRef fallback = spec.layer;
        fallback.source = source;
        lookups.push_back(fallback);
    }
    for (const LayerRef& ref : lookups) {
        if (needed.empty()) break;
        LayerReader lookup(ref, "postcodes");
        const int key = lookup.field(spec.key_field, "postcodes.key_field");
        const int x = lookup.field(spec.x_field, "postcodes.x_field");
        const int y = lookup.field(spec.y_field, "postcodes.y_field");
        const ToWorkingCrs to_working(lookup.require_crs("the lookup coordinates"), working, lookup);
        std::int64_t rows = 0;
        progress.begin("postcodes", lookup.feature_count());
        while (OGRFeatureUniquePtr row = lookup.next()) {
            if (++rows % kProgressEvery == 0) progress.update(rows);
            std::string code = postcode_key(lookup.text(*row, key));
            if (!needed.contains(code) || located.contains(code)) continue;
            const geo::Point p{lookup.number(*row, x), lookup.number(*row, y)};
            located.emplace(std::move(code), to_working.apply(p, lookup, *row, x));
        }
        progress.end();
        out.sources.push_back(lookup.info());
        std::erase_if(needed, [&located](const std::string& code) { return located.contains(code); });
    }
    std::unordered_set<std::string> unplaced;  // codes (unique: checked on read)
    for (const PendingPostcode& p : pending) {
        auto it = located.find(postcode_key(p.postcode));
        if (it == located.end()) {
            std::string problem = "postcode '" + p.postcode + "' is not in the postcode lookup " + spec.layer.source;
            for (const std::string& fallback : spec.fallbacks) problem += " nor " + fallback;
            if (!skip_unplaced) {
                InputLocation where = practices_layer.where(nullptr);
                where.row = practices_layer.row_label(p.fid);
                where.field = practices_layer.layer().GetLayerDefn()->GetFieldDefn(postcode_field)->GetNameRef();
                throw InputError(where, problem);
            }
            const geo::Practice& practice = out.practices[p.practice];
            out.unplaced_practices.push_back({practice.code, practice.name, problem + " at " + practices_layer.row_label(p.fid)});
            unplaced.insert(practice.code);
            continue;
        }
        out.practices[p.practice].location = it->second;
    }
    std::erase_if(out.practices, [&unplaced](const geo::Practice& p) { return unplaced.contains(p.code); });
}

}  // namespace

void read_practices(const DatasetDescription& description, const OGRSpatialReference& working, geo::Dataset& out,
                    Progress& progress) {
    const PracticeSpec& spec = description.practices;
    LayerReader layer(spec.layer, "practices");
    const int id = layer.field(spec.id_field, "practices.id_field");
    const int name = layer.field(spec.name_field, "practices.name_field");
    const int list_size = layer.field(spec.list_size_field, "practices.list_size_field");
    const int reference = layer.field(spec.reference_network_field, "practices.reference_network_field");
    const int reference_name = layer.field(spec.reference_network_name_field, "practices.reference_network_name_field");
    const int x = layer.field(spec.x_field, "practices.x_field");
    const int y = layer.field(spec.y_field, "practices.y_field");
    const int postcode = layer.field(spec.postcode_field, "practices.postcode_field");
    const bool from_fields = x >= 0;
    const bool from_postcodes = postcode >= 0;
    if (!from_fields && !from_postcodes && layer.layer().GetLayerDefn()->GetGeomFieldCount() == 0) {
        layer.fail_layer("has no geometry; give the practice locations with practices.x_field and practices.y_field, "
                         "or practices.postcode_field");
    }
    std::optional<ToWorkingCrs> to_working;
    if (!from_postcodes) {
        to_working.emplace(layer.require_crs(from_fields ? "the x/y fields" : "the practice points"), working, layer);
    }

    out.practice_fields = layer.field_names();
    out.practice_field_types = layer.field_types();
    OGREnvelope stated_extent;  // x/y fields as read, in the stated CRS
    if (!from_fields && !from_postcodes) layer.check_area_of_use();
    UniqueKeys keys;
    std::vector<PendingPostcode> pending;
    progress.begin("practices", layer.feature_count());
    while (OGRFeatureUniquePtr feature = layer.next()) {
        geo::Practice practice;
        practice.code = layer.required_text(*feature, id, "a practice code");
        keys.add(practice.code, layer, *feature, id);
        if (name >= 0) practice.name = layer.text(*feature, name);
        if (list_size >= 0) practice.list_size = layer.count(*feature, list_size);
        if (reference >= 0) practice.reference_network = layer.text(*feature, reference);
        if (reference_name >= 0) practice.reference_network_name = layer.text(*feature, reference_name);
        practice.attributes = layer.all_text(*feature);
        if (from_postcodes) {
            pending.push_back({out.practices.size(), layer.required_text(*feature, postcode, "a postcode"),
                               feature->GetFID()});
        } else if (from_fields) {
            if (spec.skip_unplaced && (layer.text(*feature, x).empty() || layer.text(*feature, y).empty())) {
                out.unplaced_practices.push_back({practice.code, practice.name, "no coordinates at " + layer.row_label(feature->GetFID())});
                continue;
            }
            const geo::Point raw{layer.number(*feature, x), layer.number(*feature, y)};
            stated_extent.Merge(raw.x, raw.y);
            practice.location = to_working->apply(raw, layer, *feature, x);
        } else if (auto point = point_geometry(*feature, layer, *to_working)) {
            practice.location = *point;
        } else if (spec.skip_unplaced) {
            out.unplaced_practices.push_back({practice.code, practice.name, "no point geometry at " + layer.row_label(feature->GetFID())});
            continue;
        } else {
            layer.fail(feature.get(), -1, "expected a point, got no geometry");
        }
        out.practices.push_back(std::move(practice));
        if (out.practices.size() % 256 == 0) progress.update(static_cast<std::int64_t>(out.practices.size()));
    }
    progress.end();
    if (from_fields) layer.check_area_of_use(stated_extent);
    if (out.practices.empty() && !out.unplaced_practices.empty()) {
        layer.fail_layer("none of its practices could be placed (" + std::to_string(out.unplaced_practices.size()) + ", e.g. " +
                         out.unplaced_practices.front().code + ": " + out.unplaced_practices.front().reason + ")");
    }
    if (out.practices.empty()) {
        layer.fail_layer(spec.layer.where.empty() ? "has no features" : "no features match practices.where");
    }
    out.sources.push_back(layer.info());
    if (from_postcodes) resolve_postcodes(*description.postcodes, working, pending, layer, postcode, spec.skip_unplaced, out, progress);
}

}  // namespace data
