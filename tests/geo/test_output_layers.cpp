// The published layers: a schema that holds together (unique names, shapefile-safe short names) and the
// features of the hand-made plan (tests/plan_fixture.hpp), values and geometries, WKT out.
#include "geo/output_layers.hpp"
#include "plan_fixture.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <string>

namespace {

const geo::FieldValue& value_of(const geo::LayerFeatures& layer, std::size_t feature, std::string_view field) {
    return layer.features.at(feature).values.at(layer.schema->field_index(field));
}
std::string text_of(const geo::LayerFeatures& layer, std::size_t feature, std::string_view field) {
    return std::get<std::string>(value_of(layer, feature, field));
}

}  // namespace

TEST_CASE("Every layer's fields have unique names and unique shapefile names of at most 10 characters", "[output-layers]") {
    std::set<std::string_view> ids;
    for (const geo::LayerSchema& layer : geo::output_layers()) {
        INFO("layer " << layer.id);
        CHECK(ids.insert(layer.id).second);
        CHECK_FALSE(layer.description.empty());
        std::set<std::string_view> names, short_names;
        int tile_fields = 0;
        for (const geo::FieldSchema& field : layer.fields) {
            INFO("field " << field.name);
            CHECK(names.insert(field.name).second);
            CHECK(short_names.insert(field.short_name).second);
            CHECK(field.short_name.size() <= 10);
            CHECK_FALSE(field.description.empty());
            tile_fields += field.in_tiles ? 1 : 0;
        }
        if (layer.published_in(geo::in_tiles)) CHECK(tile_fields > 0);  // a tile layer carries something to draw by
    }
    // A field both layers have is the same field: one name, type and description.
    const geo::LayerSchema& areas = geo::output_layer("areas");
    for (const geo::FieldSchema& gap : geo::output_layer("gaps").fields) {
        const geo::FieldSchema& area = areas.fields[areas.field_index(gap.name)];
        CHECK(area.type == gap.type);
        CHECK(area.description == gap.description);
    }
    CHECK_THROWS_AS(geo::output_layer("nowhere"), std::logic_error);
    CHECK_THROWS_AS(areas.field_index("nothing"), std::logic_error);
}

TEST_CASE("Layer features carry the plan's values, with no value as an empty text", "[output-layers]") {
    const plan_fixture::Example e = plan_fixture::example();
    geo::GeosContext& context = *e.dataset.geos;
    auto features = [&](std::string_view id) { return geo::layer_features(geo::output_layer(id), e.dataset, e.plan); };

    const geo::LayerFeatures practices = features("practices");
    REQUIRE(practices.features.size() == 3);
    CHECK(geo::to_wkt(context, practices.features[0].geometry) == "POINT (530500 180500)");
    CHECK(text_of(practices, 0, "network_id") == "N001");
    CHECK(text_of(practices, 1, "network_status") == "in_band");
    CHECK(geo::is_null(value_of(practices, 2, "network_id")));  // P3 is excluded
    CHECK(std::get<bool>(value_of(practices, 2, "excluded")));
    CHECK(std::get<std::int64_t>(value_of(practices, 0, "dominant_areas")) == 1);

    const geo::LayerFeatures areas = features("areas");
    REQUIRE(areas.features.size() == 2);
    CHECK(areas.features[1].id == "A2");
    CHECK(geo::is_null(value_of(areas, 1, "dominant_practice")));  // its top registrant is outside the study
    CHECK(text_of(areas, 1, "owner_practice") == "P2");
    CHECK(std::get<double>(value_of(areas, 1, "nearest_practice_m")) == 1700);
    CHECK(geo::is_null(value_of(areas, 0, "gap_reason")));

    const geo::LayerFeatures catchments = features("catchments");
    REQUIRE(catchments.features.size() == 3);
    CHECK(text_of(catchments, 1, "network_id") == "N002");
    CHECK(catchments.features[2].geometry == nullptr);  // P3's catchment has no areas
    const geo::LayerFeatures labels = features("catchment_labels");
    REQUIRE(labels.features.size() == 2);  // none for the empty catchment
    CHECK(geo::to_wkt(context, labels.features[0].geometry) == "POINT (530500 180500)");
    CHECK(labels.features[0].values.size() == 3);
    CHECK(text_of(labels, 1, "practice_name") == "Two, \"the\" surgery");
    CHECK(features("core_catchments").features.size() == 1);

    const geo::LayerFeatures networks = features("networks");
    REQUIRE(networks.features.size() == 2);
    CHECK(text_of(networks, 0, "practice_codes") == "P1");
    CHECK(text_of(networks, 1, "hub_practice") == "P2");
    CHECK(value_of(networks, 0, "colour") != value_of(networks, 1, "colour"));  // neighbours differ

    const geo::LayerFeatures borders = features("network_borders");
    REQUIRE(borders.features.size() == 1);
    CHECK(borders.features[0].id == "N001-N002");
    CHECK(geo::to_wkt(context, borders.features[0].geometry) == "LINESTRING (531000 180000, 531000 181000)");

    const geo::LayerFeatures gaps = features("gaps");
    REQUIRE(gaps.features.size() == 1);
    CHECK(gaps.features[0].id == "A2");
    CHECK(text_of(gaps, 0, "nearest_practice") == "P2");
    CHECK(text_of(gaps, 0, "gap_reason") == "farther than 1600 m from any practice (urban area)");
    CHECK(text_of(gaps, 0, "gap_criteria") == "distance");
    CHECK(std::get<double>(value_of(gaps, 0, "accessibility")) == 4.0);
    CHECK(std::get<std::int64_t>(value_of(gaps, 0, "access_rank")) == 1);
    // /gaps asks for any area with its own criteria and reason.
    const geo::LayerFeature west = geo::gap_feature(e.dataset, e.plan, 0, geo::gap_distance | geo::gap_accessibility, "far and poorly served");
    CHECK(west.id == "A1");
    const geo::LayerSchema& schema = geo::output_layer("gaps");
    CHECK(std::get<std::string>(west.values.back()) == "far and poorly served");
    CHECK(std::get<std::string>(west.values.at(schema.field_index("gap_criteria"))) == "distance,accessibility");
    CHECK(std::get<std::string>(west.values.at(schema.field_index("area_name"))) == "west");
    CHECK(std::get<double>(west.values.at(schema.field_index("accessibility"))) == 12.5);
    CHECK(west.values.size() == geo::output_layer("gaps").fields.size());
}

TEST_CASE("Label points: one inside each network and one per group of areas", "[output-layers]") {
    plan_fixture::Example e = plan_fixture::example();
    geo::GeosContext& context = *e.dataset.geos;
    auto features = [&](std::string_view id) { return geo::layer_features(geo::output_layer(id), e.dataset, e.plan); };
    const geo::LayerFeatures networks = features("network_labels");
    REQUIRE(networks.features.size() == 2);
    CHECK(geo::to_wkt(context, networks.features[0].geometry) == "POINT (530500 180500)");
    CHECK(geo::to_wkt(context, networks.features[1].geometry) == "POINT (531500 180500)");
    CHECK(text_of(networks, 1, "network_id") == "N002");
    CHECK(text_of(networks, 1, "network_name") == text_of(features("networks"), 1, "network_name"));
    CHECK(std::get<std::int64_t>(value_of(networks, 1, "practice_count")) == 1);

    // Both squares are group B1 and equally far from its centre: the first one's point; without a group
    // name the label is the group's value.
    geo::LayerFeatures groups = features("group_labels");
    REQUIRE(groups.features.size() == 1);
    CHECK(groups.features[0].id == "B1");
    CHECK(geo::to_wkt(context, groups.features[0].geometry) == "POINT (530500 180500)");
    CHECK(text_of(groups, 0, "group_name") == "B1");
    CHECK(std::get<std::int64_t>(value_of(groups, 0, "area_count")) == 2);
    CHECK(std::get<std::int64_t>(value_of(groups, 0, "population")) == 300);

    // A third square north of the second makes an L: its area-weighted centre (531167, 180833) lies
    // nearest the corner square's point, so the label moves there; the group's name is used.
    geo::Area north;
    north.code = "A3";
    north.group = "B1";
    north.population = 50;
    north.geometry = geo::from_wkt(context, "POLYGON ((531000 181000, 532000 181000, 532000 182000, 531000 182000, 531000 181000))");
    e.dataset.areas.push_back(std::move(north));
    e.dataset.group_names["B1"] = "Borough One";
    groups = features("group_labels");
    REQUIRE(groups.features.size() == 1);
    CHECK(geo::to_wkt(context, groups.features[0].geometry) == "POINT (531500 180500)");
    CHECK(text_of(groups, 0, "group_name") == "Borough One");
    CHECK(std::get<std::int64_t>(value_of(groups, 0, "area_count")) == 3);
    // An area in no group is in no group's label.
    e.dataset.areas[0].group.clear();
    CHECK(std::get<std::int64_t>(value_of(features("group_labels"), 0, "area_count")) == 2);
}

TEST_CASE("A plan whose links leave the dataset is a bug, caught before anything is written", "[output-layers]") {
    plan_fixture::Example e = plan_fixture::example();
    CHECK_NOTHROW(geo::check_plan_links(e.dataset, e.plan));
    e.plan.areas[1].owner = 7;
    CHECK_THROWS_WITH(geo::check_plan_links(e.dataset, e.plan), Catch::Contains("owner practice 7"));
    e.plan.areas[1].owner = 1;
    e.plan.borders[0].network_b = 2;
    CHECK_THROWS_WITH(geo::check_plan_links(e.dataset, e.plan), Catch::Contains("border network 2"));
    e.plan.borders[0].network_b = 1;
    e.plan.coverage.pop_back();
    CHECK_THROWS_WITH(geo::check_plan_links(e.dataset, e.plan), Catch::Contains("1 coverage rows"));
}

TEST_CASE("No value is an empty text or a real that is not finite", "[output-layers]") {
    CHECK(geo::is_null(geo::FieldValue(std::string())));
    CHECK(geo::is_null(geo::FieldValue(std::nan(""))));
    CHECK_FALSE(geo::is_null(geo::FieldValue(0.0)));
    CHECK_FALSE(geo::is_null(geo::FieldValue(std::int64_t{0})));
    CHECK_FALSE(geo::is_null(geo::FieldValue(false)));
    CHECK_FALSE(geo::is_null(geo::FieldValue(std::string("x"))));
}
