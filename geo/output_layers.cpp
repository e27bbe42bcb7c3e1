#include "geo/output_layers.hpp"

#include "geo/catchments.hpp"
#include "geo/input_fields.hpp"
#include "geo/network_colours.hpp"
#include "geo/site_suggestions.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <map>
#include <utility>
#include <stdexcept>

namespace geo {

namespace {

constexpr unsigned kAll = everywhere;
constexpr bool kTiles = true;  // the field is in tiles too

FieldSchema field(FieldType type, std::string_view name, std::string_view short_name, std::string_view description, bool in_tiles) {
    return {std::string(name), std::string(short_name), type, std::string(description), in_tiles};
}
FieldSchema text(std::string_view name, std::string_view short_name, std::string_view description, bool in_tiles = false) {
    return field(FieldType::text, name, short_name, description, in_tiles);
}
FieldSchema integer(std::string_view name, std::string_view short_name, std::string_view description, bool in_tiles = false) {
    return field(FieldType::integer, name, short_name, description, in_tiles);
}
FieldSchema real(std::string_view name, std::string_view short_name, std::string_view description, bool in_tiles = false) {
    return field(FieldType::real, name, short_name, description, in_tiles);
}
FieldSchema boolean(std::string_view name, std::string_view short_name, std::string_view description, bool in_tiles = false) {
    return field(FieldType::boolean, name, short_name, description, in_tiles);
}

std::vector<FieldSchema> catchment_fields() {
    return {text("practice_code", "prac_code", "ODS code of the practice", kTiles),
            text("practice_name", "prac_name", "Practice name", kTiles),
            text("network_id", "network_id", "Id of the practice's network, null if none", kTiles),
            text("method", "method", "How catchments were drawn: registrations, nearest or radius"),
            integer("area_count", "area_count", "Small areas in the catchment"),
            integer("population", "population", "Residents of the catchment", kTiles),
            integer("registered", "registered", "The practice's patients living in the catchment", kTiles),
            real("share", "share", "Share of the practice's patients living in the catchment (0 to 1)", kTiles)};
}

/// Fields of another layer, by name, each in tiles or not: a layer derived from another
/// (gaps from areas, catchment labels from catchments) shares its fields' definitions.
std::vector<FieldSchema> pick(const std::vector<FieldSchema>& from, std::initializer_list<std::pair<std::string_view, bool>> names) {
    std::vector<FieldSchema> out;
    for (const auto& [wanted, in_tiles] : names) {
        const std::string_view name = wanted;
        const auto found = std::find_if(from.begin(), from.end(), [&](const FieldSchema& f) { return f.name == name; });
        if (found == from.end()) throw std::logic_error("output layers: no field " + std::string(name) + " to pick");
        out.push_back(*found);
        out.back().in_tiles = in_tiles;
    }
    return out;
}

std::vector<FieldSchema> area_fields() {
    return {text("area_code", "area_code", "Area code", kTiles),
            text("area_name", "area_name", "Area name", kTiles),
            integer("population", "population", "Residents", kTiles),
            real("density", "density", "Residents per km2, to the nearest one", kTiles),
            text("dominant_practice", "dom_prac", "Practice with most registered patients living here"),
            boolean("dominated_externally", "dom_extern", "True when that practice is outside the study"),
            text("owner_practice", "owner_prac", "Practice whose catchment holds the area"),
            text("network_id", "network_id", "Id of the network whose territory holds the area, null if none", kTiles),
            text("dominant_network", "dom_net", "Network with most registered patients living here"),
            text("nearest_practice", "near_prac", "Code of the nearest practice"),
            real("nearest_practice_m", "near_m", "Distance in metres from the area's representative point to the nearest practice", kTiles),
            real("nearest_practice_min", "near_min", "Minutes to the nearest practice by the study's travel times, null without them"),
            real("hub_m", "hub_m", "Distance to its network's hub practice in metres"),
            real("registered_to_resident", "reg_to_res", "Registered patients living here per resident"),
            real("residents_per_practice", "res_per_pr", "Its network's residents per member practice"),
            boolean("rural", "rural", "True when the area counts as rural for the gap distance (rural field or density)"),
            real("accessibility", "access",
                 "Enhanced two-step floating catchment accessibility: practice capacity (list size or the supply field) per 1,000 residents, "
                 "distance-decay weighted",
                 kTiles),
            integer("access_rank", "acc_rank", "Rank of accessibility in the study area, 1 for the poorest", kTiles),
            text("constraint_group", "con_group", "The area's constraint group (the constraint field's value, else the group field)"),
            integer("access_group_rank", "acc_grank", "Rank of accessibility within its constraint group, 1 for the poorest"),
            boolean("gap", "gap", "True when the area is a coverage gap", kTiles),
            text("gap_criteria", "gap_crit", "Gap criteria the area meets: outside_network, distance, travel_time, accessibility; null if none"),
            text("gap_reason", "gap_reason", "Why the area is a gap, null if it is not")};
}

std::vector<FieldSchema> network_fields() {
    return {text("network_id", "network_id", "Network id", kTiles),
            text("network_name", "net_name", "Network name", kTiles),
            text("practice_codes", "prac_codes", "Member practices' codes, comma-separated"),
            integer("practice_count", "prac_count", "Member practices", kTiles),
            text("hub_practice", "hub_prac", "The member practice nearest the network's centre"),
            integer("list_size", "list_size", "Registered patients of the member practices", kTiles),
            integer("population", "population", "Residents of the territory", kTiles),
            integer("registered_inside", "reg_inside", "Members' patients living inside the territory"),
            real("territory_share", "terr_share", "Share of members' patients living inside the territory (0 to 1)"),
            integer("dominant_patients", "dom_pat", "Members' patients living in areas the network dominates"),
            real("cohesion", "cohesion", "Share of members' patients living in areas the network dominates (0 to 1; Beaney et al. 2022)", kTiles),
            real("area_km2", "area_km2", "Territory area in km2"),
            real("perimeter_km", "perim_km", "Territory perimeter in km"),
            real("polsby_popper", "polsby_pop", "Compactness, 4*pi*area/perimeter^2 (0 to 1)", kTiles),
            real("residents_per_practice", "res_per_pr", "Residents per member practice"),
            integer("people_in_gaps", "gap_people", "Residents of the territory's coverage gaps"),
            text("status", "status", "in_band, below_band or above_band against the list-size band", kTiles),
            text("band_cause", "band_cause",
                 "Why a network is outside the band: forced (by the data), not_reached (by the search) or locked; null inside it", kTiles),
            text("status_reason", "status_rsn", "The status in words"),
            boolean("contiguous", "contiguous", "True when the territory is one piece"),
            boolean("locked", "locked", "True when the network was kept as given"),
            text("constraint_value", "constraint", "Value of the constraint field (e.g. the borough), null if none", kTiles),
            text("baseline_change", "base_chg", "How the network differs from its baseline network"),
            integer("colour", "colour", "Slot in a 12-colour palette; neighbouring networks differ", kTiles)};
}

std::vector<LayerSchema> make_layers() {
    const std::vector<FieldSchema> catchments = catchment_fields();
    const std::vector<FieldSchema> networks = network_fields();
    const std::vector<FieldSchema> areas = area_fields();
    return {
        {"practices", "GP practices", "GP practice locations with their list sizes and the network each was placed in", LayerGeometry::point,
         kAll,
         {text("practice_code", "prac_code", "ODS code of the practice", kTiles),
          text("practice_name", "prac_name", "Practice name", kTiles),
          integer("list_size", "list_size", "Registered patients", kTiles),
          text("network_id", "network_id", "Id of the network the practice was placed in, null if none", kTiles),
          text("network_name", "net_name", "Name of the practice's network", kTiles),
          text("network_status", "net_status", "Its network's status: in_band, below_band or above_band; null if none", kTiles),
          text("reference_network", "ref_net", "The practice's network in the reference data (e.g. its real PCN)"),
          integer("dominant_areas", "dom_areas", "Small areas where the practice has the most registered patients"),
          boolean("excluded", "excluded", "True when the practice was left out of every network", kTiles),
          text("baseline_network", "base_net", "Its network in the baseline plan was re-planned from"),
          boolean("moved", "moved", "True when the practice left its baseline network")}},
        {"areas", "Small areas", "Small areas (LSOAs) with population, dominant and owning practice, network and coverage measures",
         LayerGeometry::polygon, kAll,
         areas},
        {"catchments", "Practice catchments", "Practice catchments: the areas each practice draws its patients from", LayerGeometry::polygon,
         kAll, catchments},
        {"core_catchments", "Core catchments", "The areas holding the core share of each practice's patients", LayerGeometry::polygon,
         in_files, catchments},
        {"networks", "Primary care networks", "Planned networks: the union of their practices' territories, with quality measures",
         LayerGeometry::polygon, kAll,
         networks},
        {"network_borders", "Network borders", "The lines where two networks' territories meet", LayerGeometry::line, kAll,
         {text("network_a", "network_a", "Id of the network on one side", kTiles),
          text("network_b", "network_b", "Id of the network on the other side", kTiles),
          real("length_m", "length_m", "Length in metres")}},
        {"gaps", "Coverage gaps", "Areas far from every practice or outside every network", LayerGeometry::polygon, kAll,
         pick(areas, {{"area_code", kTiles},
                      {"area_name", false},
                      {"population", kTiles},
                      {"network_id", false},
                      {"constraint_group", false},
                      {"nearest_practice", false},
                      {"nearest_practice_m", kTiles},
                      {"nearest_practice_min", false},
                      {"rural", false},
                      {"accessibility", kTiles},
                      {"access_rank", false},
                      {"gap_criteria", kTiles},
                      {"gap_reason", kTiles}})},
        {"gap_suggestions", "Suggested practice sites", "Where a new practice would bring most accessibility to the people in gaps",
         LayerGeometry::point, 0u,
         {integer("rank", "rank", "1 for the site that helps most"),
          text("area_code", "area_code", "The area whose representative point is the site"),
          text("area_name", "area_name", "Area name"),
          real("x", "x", "The site's x in the dataset's working CRS (for --add-practice)"),
          real("y", "y", "The site's y in the dataset's working CRS"),
          integer("list_size", "list_size", "The new practice's list size tried"),
          real("gap_capacity_gained", "gap_cap", "Capacity (patients' worth of list) newly reaching residents of gaps, E2SFCA-weighted"),
          real("gain_per_1000", "gain_1000", "Accessibility gained per 1,000 residents of gaps"),
          real("patients_drawn", "drawn", "Patients the new practice would draw from its neighbours (Huff gravity model)"),
          integer("gap_people_in_reach", "gap_reach", "Residents of gaps within the decay's reach of the site")}},
        {"catchment_labels", "Catchment labels", "One point per catchment, so that small catchments stay findable", LayerGeometry::point,
         in_tiles, pick(catchments, {{"practice_code", kTiles}, {"practice_name", kTiles}, {"network_id", kTiles}})},
        {"network_labels", "Network labels", "One point inside each network's territory, where maps write its name", LayerGeometry::point,
         in_tiles,
         pick(networks, {{"network_id", kTiles}, {"network_name", kTiles}, {"practice_count", kTiles}, {"list_size", kTiles}, {"status", kTiles}})},
        {"group_labels", "Group labels",
         "One point per group of areas (the description's group field, e.g. boroughs), inside the group's member area nearest its centre",
         LayerGeometry::point, in_tiles,
         {text("group", "group", "The group's value (e.g. the borough's code)", kTiles),
          text("group_name", "group_name", "The group's name (the group name field), else its value", kTiles),
          integer("area_count", "area_count", "Small areas in the group", kTiles),
          integer("population", "population", "Residents of the group", kTiles)}},
    };
}

constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

/// Links of a plan resolved to what they name; -1 or a plan shorter than the dataset gives "none".
struct PlanLinks {
    const Dataset& dataset;
    const Plan& plan;

    std::string practice_code(std::int64_t index) const {
        return index >= 0 && static_cast<std::size_t>(index) < dataset.practices.size() ? dataset.practices[static_cast<std::size_t>(index)].code
                                                                                        : std::string();
    }
    const Network* network(std::int64_t index) const {
        return index >= 0 && static_cast<std::size_t>(index) < plan.networks.size() ? &plan.networks[static_cast<std::size_t>(index)] : nullptr;
    }
    std::string network_id(std::int64_t index) const {
        const Network* found = network(index);
        return found != nullptr ? found->id : std::string();
    }
    const AreaPlan& area(std::size_t i) const {
        static const AreaPlan kNone{};
        return i < plan.areas.size() ? plan.areas[i] : kNone;
    }
    /// The area's coverage; without one (no plan yet) its measures are unknown: NaN, written as null.
    const AreaCoverage& coverage(std::size_t i) const {
        static const AreaCoverage kNone = [] {
            AreaCoverage none;
            none.nearest_practice_m = none.hub_m = none.registered_to_resident = none.residents_per_practice = none.accessibility = kUnknown;
            return none;
        }();
        return i < plan.coverage.size() ? plan.coverage[i] : kNone;
    }
    /// Residents per km2, to the nearest one; unknown without the area's size.
    double density(std::size_t i) const {
        const double km2 = i < plan.graph.area.size() ? plan.graph.area[i] / 1e6 : 0.0;
        return km2 > 0 ? std::round(static_cast<double>(dataset.areas[i].population) / km2) : kUnknown;
    }
    std::int32_t practice_network(std::size_t i) const { return i < plan.practice_network.size() ? plan.practice_network[i] : -1; }
};


/// The input layer's own values of the last feature, when its layer carries them (dataset_layers).
void add_input_values(LayerFeatures& out, const std::vector<std::string>& attributes) {
    const std::size_t count = out.schema->input_fields;
    if (count == 0) return;
    const std::size_t first = out.schema->fields.size() - count;
    std::vector<FieldValue>& values = out.features.back().values;
    for (std::size_t i = 0; i < count; ++i) {
        values.push_back(input_value(i < attributes.size() ? attributes[i] : std::string(), out.schema->fields[first + i].type));
    }
}

void add_practices(LayerFeatures& out, const PlanLinks& links) {
    const Dataset& dataset = links.dataset;
    const Plan& plan = links.plan;
    std::vector<std::int64_t> dominated(dataset.practices.size(), 0);
    for (const AreaPlan& area : plan.areas) {
        if (area.dominant_practice >= 0 && static_cast<std::size_t>(area.dominant_practice) < dominated.size()) {
            ++dominated[static_cast<std::size_t>(area.dominant_practice)];
        }
    }
    GeosContext context;  // makes the points; they do not need it afterwards (destroying_context)
    for (std::size_t i = 0; i < dataset.practices.size(); ++i) {
        const Practice& practice = dataset.practices[i];
        const std::int32_t network_index = links.practice_network(i);
        const Network* network = links.network(network_index);
        out.owned.push_back(make_point(context, practice.location.x, practice.location.y));
        out.features.push_back(
            {practice.code,
             out.owned.back().get(),
             {practice.code, practice.name, practice.list_size, network ? network->id : std::string(), network ? network->name : std::string(),
              network ? std::string(to_string(network->metrics.status)) : std::string(), practice.reference_network, dominated[i],
              network_index == -1, i < plan.practice_baseline.size() ? plan.practice_baseline[i] : std::string(),
              i < plan.practice_moved.size() && plan.practice_moved[i]}});
        add_input_values(out, practice.attributes);
    }
}

/// The areas layer's values for area i, in its fields' order.
std::vector<FieldValue> area_values(const PlanLinks& links, std::size_t i) {
    const Area& area = links.dataset.areas[i];
    const AreaPlan& placed = links.area(i);
    const AreaCoverage& coverage = links.coverage(i);
    return {area.code, area.name, area.population, links.density(i),
            links.practice_code(placed.dominant_practice), placed.dominated_externally, links.practice_code(placed.owner),
            links.network_id(placed.network), links.network_id(placed.dominant_network),
            links.practice_code(coverage.nearest_practice), coverage.nearest_practice_m, coverage.nearest_practice_min, coverage.hub_m,
            coverage.registered_to_resident, coverage.residents_per_practice, coverage.rural, coverage.accessibility, coverage.access_rank,
            coverage.constraint_group, coverage.access_group_rank, coverage.gap, gap_criteria_text(coverage.gap_criteria), coverage.gap_reason};
}

void add_areas(LayerFeatures& out, const PlanLinks& links) {
    const Dataset& dataset = links.dataset;
    for (std::size_t i = 0; i < dataset.areas.size(); ++i) {
        out.features.push_back({dataset.areas[i].code, dataset.areas[i].geometry.get(), area_values(links, i)});
        add_input_values(out, dataset.areas[i].attributes);
    }
}

LayerFeature catchment_values(const PlanLinks& links, const Catchment& catchment, const GEOSGeometry* geometry) {
    const std::string code = links.practice_code(catchment.practice);
    const std::string name = catchment.practice < links.dataset.practices.size() ? links.dataset.practices[catchment.practice].name : std::string();
    return {code,
            geometry,
            {code, name, links.network_id(links.practice_network(catchment.practice)), std::string(to_string(links.plan.options.method)),
             static_cast<std::int64_t>(catchment.areas.size()), catchment.population, catchment.registered, catchment.share}};
}

void add_catchments(LayerFeatures& out, const PlanLinks& links, const std::vector<Catchment>& catchments) {
    for (const Catchment& catchment : catchments) out.features.push_back(catchment_values(links, catchment, catchment.polygon.get()));
}

/// A label layer's feature: its values picked by name from `full`, a feature of the layer it labels.
LayerFeature label_of(const LayerSchema& label, const LayerSchema& labelled, LayerFeature full, const GEOSGeometry* point) {
    LayerFeature out{std::move(full.id), point, {}};
    for (const FieldSchema& field : label.fields) out.values.push_back(std::move(full.values[labelled.field_index(field.name)]));
    return out;
}

/// One point inside each catchment (GEOS's point on surface), for labels and dots at low zooms.
void add_catchment_labels(LayerFeatures& out, const PlanLinks& links) {
    GeosContext context;
    for (const Catchment& catchment : links.plan.catchments) {
        if (!catchment.polygon || GEOSisEmpty_r(context.handle(), catchment.polygon.get()) == 1) continue;
        out.owned.push_back(adopt(context, GEOSPointOnSurface_r(context.handle(), catchment.polygon.get()), "placing a catchment label"));
        out.features.push_back(label_of(*out.schema, output_layer("catchments"), catchment_values(links, catchment, nullptr), out.owned.back().get()));
    }
}

LayerFeature network_values(const PlanLinks& links, const Network& network, std::int64_t colour) {
    std::string codes;
    for (const std::uint32_t member : network.practices) {
        if (!codes.empty()) codes += ',';
        codes += links.practice_code(member);
    }
    const NetworkMetrics& m = network.metrics;
    return {network.id,
            network.polygon.get(),
            {network.id, network.name, codes, static_cast<std::int64_t>(network.practices.size()),
             network.practices.empty() ? std::string() : links.practice_code(network.hub), m.list_size, m.population, m.registered_inside,
             m.territory_share, m.dominant_patients, m.cohesion, m.area_km2, m.perimeter_km, m.polsby_popper, m.residents_per_practice,
             m.people_in_gaps, std::string(to_string(m.status)), std::string(to_string(network.band_cause)), network.status_reason,
             m.contiguous, network.locked, network.constraint_value, network.baseline_change, colour}};
}

void add_networks(LayerFeatures& out, const PlanLinks& links) {
    const std::vector<std::int64_t> colours = network_colour_slots(links.plan, kNetworkPaletteSize);
    for (std::size_t i = 0; i < links.plan.networks.size(); ++i) out.features.push_back(network_values(links, links.plan.networks[i], colours[i]));
}

/// One point inside each network's territory (GEOS's point on surface: in its widest part), for its name.
void add_network_labels(LayerFeatures& out, const PlanLinks& links) {
    GeosContext context;
    for (const Network& network : links.plan.networks) {
        if (!network.polygon || GEOSisEmpty_r(context.handle(), network.polygon.get()) == 1) continue;
        out.owned.push_back(adopt(context, GEOSPointOnSurface_r(context.handle(), network.polygon.get()), "placing a network label"));
        out.features.push_back(label_of(*out.schema, output_layer("networks"), network_values(links, network, 0), out.owned.back().get()));
    }
}

/// One point per group of areas: the representative point of the member area nearest the group's
/// area-weighted centre, so that it lies inside the group even when the group is not convex. Groups in
/// order of their value. The plan's area points and sizes are used when it has them (the same ones its
/// distances and densities use).
void add_group_labels(LayerFeatures& out, const PlanLinks& links) {
    const Dataset& dataset = links.dataset;
    struct Group {
        std::int64_t areas = 0, population = 0;
        double x = 0, y = 0, weight = 0;  // sums for the area-weighted centre
        std::size_t nearest = 0;
        double nearest_d2 = std::numeric_limits<double>::infinity();
    };
    GeosContext context;
    const std::size_t n = dataset.areas.size();
    const std::vector<Point> points = links.plan.area_points.size() == n ? links.plan.area_points : representative_points(context, dataset.areas);
    const bool sized = links.plan.graph.area.size() == n;
    std::map<std::string, Group> groups;
    for (std::size_t i = 0; i < dataset.areas.size(); ++i) {
        const Area& area = dataset.areas[i];
        if (area.group.empty()) continue;
        Group& group = groups[area.group];
        ++group.areas;
        group.population += area.population;
        const double weight = sized ? links.plan.graph.area[i] : area_of(context, area.geometry.get());
        group.x += weight * points[i].x;
        group.y += weight * points[i].y;
        group.weight += weight;
    }
    for (std::size_t i = 0; i < dataset.areas.size(); ++i) {
        if (dataset.areas[i].group.empty()) continue;
        Group& group = groups[dataset.areas[i].group];
        const double cx = group.weight > 0 ? group.x / group.weight : points[i].x, cy = group.weight > 0 ? group.y / group.weight : points[i].y;
        const double d2 = (points[i].x - cx) * (points[i].x - cx) + (points[i].y - cy) * (points[i].y - cy);
        if (d2 < group.nearest_d2) {
            group.nearest_d2 = d2;
            group.nearest = i;
        }
    }
    for (const auto& [value, group] : groups) {
        const auto named = dataset.group_names.find(value);
        std::string name = named != dataset.group_names.end() && !named->second.empty() ? named->second : value;
        out.owned.push_back(make_point(context, points[group.nearest].x, points[group.nearest].y));
        out.features.push_back({value, out.owned.back().get(), {value, std::move(name), group.areas, group.population}});
    }
}

void add_borders(LayerFeatures& out, const PlanLinks& links) {
    for (const NetworkBorder& border : links.plan.borders) {
        std::string a = links.network_id(border.network_a);
        std::string b = links.network_id(border.network_b);
        out.features.push_back({a + '-' + b, border.line.get(), {a, b, border.length_m}});
    }
}

}  // namespace

bool is_null(const FieldValue& value) {
    if (const auto* text = std::get_if<std::string>(&value)) return text->empty();
    if (const auto* real = std::get_if<double>(&value)) return !std::isfinite(*real);
    return false;
}

bool fits(FieldType type, const FieldValue& value) {
    // FieldType and FieldValue list the types in the same order.
    if (value.index() == static_cast<std::size_t>(type)) return true;
    const auto* text = std::get_if<std::string>(&value);
    return text != nullptr && text->empty();
}

std::size_t LayerSchema::field_index(std::string_view name) const {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].name == name) return i;
    }
    throw std::logic_error("layer " + std::string(id) + " has no field " + std::string(name));
}

const std::vector<LayerSchema>& output_layers() {
    static const std::vector<LayerSchema> kLayers = make_layers();
    return kLayers;
}

std::vector<const LayerSchema*> output_layers(Output output) {
    std::vector<const LayerSchema*> out;
    for (const LayerSchema& layer : output_layers()) {
        if (layer.published_in(output)) out.push_back(&layer);
    }
    return out;
}

const LayerSchema& output_layer(std::string_view id) {
    for (const LayerSchema& layer : output_layers()) {
        if (layer.id == id) return layer;
    }
    throw std::logic_error("no output layer " + std::string(id));
}

std::vector<LayerSchema> dataset_layers(const Dataset& dataset) {
    std::vector<LayerSchema> layers = output_layers();
    for (LayerSchema& layer : layers) {
        const bool areas = layer.id == "areas";
        if (!areas && layer.id != "practices") continue;
        const auto& names = areas ? dataset.area_fields : dataset.practice_fields;
        const auto& types = areas ? dataset.area_field_types : dataset.practice_field_types;
        std::vector<FieldSchema> extra = input_field_schemas(layer.fields, names, types, areas ? "the input areas" : "the input practices");
        layer.input_fields = extra.size();
        layer.fields.insert(layer.fields.end(), std::make_move_iterator(extra.begin()), std::make_move_iterator(extra.end()));
    }
    return layers;
}

std::vector<LayerSchema> dataset_layers(const Dataset& dataset, Output output) {
    std::vector<LayerSchema> layers = dataset_layers(dataset);
    layers.erase(std::remove_if(layers.begin(), layers.end(), [output](const LayerSchema& layer) { return !layer.published_in(output); }), layers.end());
    return layers;
}

void check_plan_links(const Dataset& dataset, const Plan& plan) {
    const auto fail = [](const std::string& what) { throw std::logic_error("plan does not match its dataset: " + what); };
    if (plan.areas.size() != dataset.areas.size() || plan.coverage.size() != dataset.areas.size() ||
        plan.practice_network.size() != dataset.practices.size()) {
        fail(std::to_string(plan.areas.size()) + " area plans, " + std::to_string(plan.coverage.size()) + " coverage rows and " +
             std::to_string(plan.practice_network.size()) + " practice networks for " + std::to_string(dataset.areas.size()) +
             " areas and " + std::to_string(dataset.practices.size()) + " practices");
    }
    const auto practice = [&](std::int64_t index, const char* what) {
        if (index < -1 || index >= static_cast<std::int64_t>(dataset.practices.size())) fail(std::string(what) + " " + std::to_string(index));
    };
    const auto network = [&](std::int64_t index, const char* what) {
        if (index < -1 || index >= static_cast<std::int64_t>(plan.networks.size())) fail(std::string(what) + " " + std::to_string(index));
    };
    for (std::size_t i = 0; i < plan.areas.size(); ++i) {
        practice(plan.areas[i].dominant_practice, "dominant practice");
        practice(plan.areas[i].owner, "owner practice");
        practice(plan.coverage[i].nearest_practice, "nearest practice");
        network(plan.areas[i].network, "area network");
        network(plan.areas[i].dominant_network, "dominant network");
    }
    for (const std::int32_t n : plan.practice_network) network(n, "practice network");
    for (const std::vector<Catchment>* list : {&plan.catchments, &plan.core_catchments}) {
        for (const Catchment& c : *list) practice(c.practice, "catchment practice");
    }
    for (const Network& n : plan.networks) {
        for (const std::uint32_t member : n.practices) practice(member, "network member");
        if (!n.practices.empty()) practice(n.hub, "network hub");
    }
    for (const NetworkBorder& b : plan.borders) {
        network(b.network_a, "border network");
        network(b.network_b, "border network");
    }
}

LayerFeature catchment_feature(const Dataset& dataset, const Plan& plan, const Catchment& catchment) {
    return catchment_values(PlanLinks{dataset, plan}, catchment, catchment.polygon.get());
}

LayerFeature gap_feature(const Dataset& dataset, const Plan& plan, std::size_t area, unsigned criteria, std::string reason) {
    const PlanLinks links{dataset, plan};
    const Area& a = dataset.areas.at(area);
    // The gaps layer's fields are picked from the areas layer's: take the values by name.
    const LayerSchema& areas = output_layer("areas");
    const LayerSchema& gaps = output_layer("gaps");
    std::vector<FieldValue> all = area_values(links, area);
    all[areas.field_index("gap_criteria")] = gap_criteria_text(criteria);
    all[areas.field_index("gap_reason")] = std::move(reason);
    std::vector<FieldValue> values;
    values.reserve(gaps.fields.size());
    for (const FieldSchema& field : gaps.fields) values.push_back(std::move(all[areas.field_index(field.name)]));
    return {a.code, a.geometry.get(), std::move(values)};
}

LayerFeatures suggestion_features(const Dataset& dataset, const std::vector<SiteSuggestion>& sites, std::int64_t list_size) {
    LayerFeatures out;
    out.schema = &output_layer("gap_suggestions");
    GeosContext context;  // makes the points; they do not need it afterwards
    for (std::size_t i = 0; i < sites.size(); ++i) {
        const SiteSuggestion& s = sites[i];
        const Area& area = dataset.areas.at(s.area);
        out.owned.push_back(make_point(context, s.location.x, s.location.y));
        out.features.push_back({area.code,
                                 out.owned.back().get(),
                                 {static_cast<std::int64_t>(i + 1), area.code, area.name, s.location.x, s.location.y, list_size,
                                  s.gap_capacity_gained, s.gain_per_1000, s.patients_drawn, s.gap_people_in_reach}});
    }
    return out;
}

LayerFeatures layer_features(const LayerSchema& layer, const Dataset& dataset, const Plan& plan) {
    LayerFeatures out;
    out.schema = &layer;
    const PlanLinks links{dataset, plan};
    if (layer.id == "practices") {
        add_practices(out, links);
    } else if (layer.id == "areas") {
        add_areas(out, links);
    } else if (layer.id == "catchments") {
        add_catchments(out, links, plan.catchments);
    } else if (layer.id == "core_catchments") {
        add_catchments(out, links, plan.core_catchments);
    } else if (layer.id == "catchment_labels") {
        add_catchment_labels(out, links);
    } else if (layer.id == "networks") {
        add_networks(out, links);
    } else if (layer.id == "network_labels") {
        add_network_labels(out, links);
    } else if (layer.id == "group_labels") {
        add_group_labels(out, links);
    } else if (layer.id == "network_borders") {
        add_borders(out, links);
    } else if (layer.id == "gaps") {
        for (std::size_t i = 0; i < dataset.areas.size(); ++i) {
            const AreaCoverage& coverage = links.coverage(i);
            if (coverage.gap) out.features.push_back(gap_feature(dataset, plan, i, coverage.gap_criteria, coverage.gap_reason));
        }
    } else {
        throw std::logic_error("layer_features: no builder for layer " + std::string(layer.id));
    }
    for (const LayerFeature& feature : out.features) {
        if (feature.values.size() != layer.fields.size()) {
            throw std::logic_error("layer_features: " + std::to_string(feature.values.size()) + " values for the " +
                                   std::to_string(layer.fields.size()) + " fields of " + std::string(layer.id));
        }
        for (std::size_t f = 0; f < layer.fields.size(); ++f) {
            if (!fits(layer.fields[f].type, feature.values[f])) {
                throw std::logic_error("layer_features: wrong value type for " + std::string(layer.id) + "." + std::string(layer.fields[f].name));
            }
        }
    }
    return out;
}

}  // namespace geo
