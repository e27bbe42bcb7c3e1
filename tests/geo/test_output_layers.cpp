// The published layers: a schema that holds together (unique names, shapefile-safe short names) and the
// features of the hand-made plan (tests/plan_fixture.hpp), values and geometries, WKT out.
#include "geo/input_fields.hpp"
#include "geo/output_layers.hpp"
#include "plan_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
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

TEST_CASE("The areas and practices layers of a dataset keep its input fields with their types and clashing names prefixed", "[output-layers]") {
    const plan_fixture::Example e = plan_fixture::example_with_input_fields();
    const std::vector<geo::LayerSchema> layers = geo::dataset_layers(e.dataset);
    REQUIRE(layers.size() == geo::output_layers().size());
    const auto layer = [&](std::string_view id) -> const geo::LayerSchema& {
        return *std::find_if(layers.begin(), layers.end(), [&](const geo::LayerSchema& l) { return l.id == id; });
    };
    const geo::LayerSchema& areas = layer("areas");
    const geo::LayerSchema& plain = geo::output_layer("areas");
    REQUIRE(areas.input_fields == 6);
    REQUIRE(areas.fields.size() == plain.fields.size() + 6);
    std::vector<std::string> names, short_names;
    for (std::size_t i = plain.fields.size(); i < areas.fields.size(); ++i) {
        names.push_back(areas.fields[i].name);
        short_names.push_back(areas.fields[i].short_name);
        CHECK_FALSE(areas.fields[i].in_tiles);  // tiles carry what maps draw by, not every input column
    }
    // population is the layer's own, area_code too (in another case), fid is GeoPackage's FID column.
    CHECK(names == std::vector<std::string>{"borough_name", "src_population", "src_Area_Code", "src_fid", "households", "imd_score"});
    // Shapefile: 10 bytes, unique without case (borough_na; src_popula; src_Area_C; households is 10 already).
    CHECK(short_names == std::vector<std::string>{"borough_na", "src_popula", "src_Area_C", "src_fid", "households", "imd_score"});
    CHECK(areas.fields[areas.field_index("src_population")].type == geo::FieldType::integer);
    CHECK(areas.fields[areas.field_index("imd_score")].type == geo::FieldType::real);
    CHECK(areas.fields[areas.field_index("borough_name")].description == "The field 'borough_name' of the input areas");
    // The layers without input fields, and the plain schema, are as before.
    CHECK(layer("networks").fields.size() == geo::output_layer("networks").fields.size());
    CHECK(plain.input_fields == 0);
    CHECK(layer("practices").fields.back().name == "postcode");
    CHECK(layer("practices").fields[layer("practices").fields.size() - 2].name == "src_practice_code");
    CHECK(geo::dataset_layers(e.dataset, geo::in_tiles).size() == geo::output_layers(geo::in_tiles).size());

    const geo::LayerFeatures features = geo::layer_features(areas, e.dataset, e.plan);
    REQUIRE(features.features.size() == 2);
    CHECK(text_of(features, 0, "borough_name") == "Westminster");
    CHECK(std::get<std::int64_t>(value_of(features, 1, "src_population")) == 190);
    CHECK(std::get<std::int64_t>(value_of(features, 1, "population")) == 200);  // the study's own
    CHECK(std::get<double>(value_of(features, 1, "imd_score")) == 30.25);
    CHECK(std::get<std::int64_t>(value_of(features, 0, "households")) == 45);
    CHECK(geo::is_null(value_of(features, 1, "households")));
    CHECK(text_of(geo::layer_features(layer("practices"), e.dataset, e.plan), 2, "postcode") == "E1 1BU");
    // The plain schema gives the plain values, whatever the dataset has.
    CHECK(geo::layer_features(plain, e.dataset, e.plan).features[0].values.size() == plain.fields.size());
}

TEST_CASE("Input field names that clash again or share their first ten bytes stay apart", "[output-layers]") {
    const std::vector<geo::FieldSchema> published = geo::output_layer("areas").fields;
    const std::vector<geo::FieldSchema> fields = geo::input_field_schemas(
        published, {"gap", "src_gap", "lsoa_name_2011", "lsoa_name_2021", "lsoa_name_2031", "Bevölkerung_gesamt"}, {}, "the input areas");
    std::vector<std::string> names, short_names;
    for (const geo::FieldSchema& field : fields) {
        names.push_back(field.name);
        short_names.push_back(field.short_name);
        CHECK(field.type == geo::FieldType::text);  // no types given: text
        CHECK(field.short_name.size() <= 10);
    }
    CHECK(names == std::vector<std::string>{"src_gap", "src_src_gap", "lsoa_name_2011", "lsoa_name_2021", "lsoa_name_2031", "Bevölkerung_gesamt"});
    CHECK(short_names == std::vector<std::string>{"src_gap", "src_src_ga", "lsoa_name_", "lsoa_nam_1", "lsoa_nam_2", "Bevölkeru"});
    CHECK(geo::input_value("12", geo::FieldType::integer) == geo::FieldValue(std::int64_t{12}));
    CHECK(geo::is_null(geo::input_value("12 people", geo::FieldType::integer)));
    CHECK(geo::input_value("1", geo::FieldType::boolean) == geo::FieldValue(true));
    CHECK(geo::is_null(geo::input_value("", geo::FieldType::real)));
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
