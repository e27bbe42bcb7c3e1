#include "data/readers.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <tuple>

namespace data {

namespace {

/// One row that joined, with where it was for a duplicate's message.
struct PairRow {
    std::uint32_t area = 0;
    std::uint32_t practice = 0;
    double minutes = 0;
    GIntBig fid = 0;
};

std::unordered_map<std::string, std::uint32_t> index_by_code(const auto& items) {
    std::unordered_map<std::string, std::uint32_t> index;
    index.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) index.emplace(items[i].code, static_cast<std::uint32_t>(i));
    return index;
}

/// A travel time: a finite number of minutes, 0 or more. Integer, real and text fields.
double minutes(const LayerReader& table, const OGRFeature& row, int field) {
    const std::string expected = "expected a travel time in minutes (a finite number, 0 or more)";
    if (!row.IsFieldSetAndNotNull(field)) table.fail(&row, field, expected + ", got an empty value");
    const OGRFieldType type = row.GetFieldDefnRef(field)->GetType();
    double value = 0;
    std::string raw;
    if (type == OFTInteger || type == OFTInteger64 || type == OFTReal) {
        value = row.GetFieldAsDouble(field);
        raw = row.GetFieldAsString(field);
    } else {
        raw = table.text(row, field);
        if (raw.empty()) table.fail(&row, field, expected + ", got an empty value");
        const auto [end, error] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
        if (error != std::errc() || end != raw.data() + raw.size()) {
            std::string problem = expected;
            problem += ", got '";
            problem += raw;
            problem += "'";
            table.fail(&row, field, problem);
        }
    }
    if (!std::isfinite(value) || value < 0) {
        std::string problem = expected;
        problem += ", got '";
        problem += raw;
        problem += "'";
        table.fail(&row, field, problem);
    }
    return value;
}

}  // namespace

TravelTimeRows read_travel_times(const TravelTimeSpec& spec, const geo::Dataset& loaded, Progress& progress) {
    LayerReader table(spec.layer, "travel_times");
    const int area_field = table.field(spec.area_field, "travel_times.area_field");
    const int practice_field = table.field(spec.practice_field, "travel_times.practice_field");
    const int minutes_field = table.field(spec.minutes_field, "travel_times.minutes_field");
    table.read_only({area_field, practice_field, minutes_field}, false);
    const auto area_index = index_by_code(loaded.areas);
    const auto practice_index = index_by_code(loaded.practices);

    TravelTimeRows out;
    std::vector<PairRow> pairs;
    std::int64_t rows = 0;
    progress.begin("travel times", table.feature_count());
    while (OGRFeatureUniquePtr row = table.next()) {
        if (++rows % kProgressEvery == 0) progress.update(rows);
        const std::string area = table.required_text(*row, area_field, "an area code");
        const std::string practice = table.required_text(*row, practice_field, "a practice code");
        const double value = minutes(table, *row, minutes_field);
        const auto found_area = area_index.find(area);
        const auto found_practice = practice_index.find(practice);
        if (found_area != area_index.end() && found_practice != practice_index.end()) {
            pairs.push_back({found_area->second, found_practice->second, value, row->GetFID()});
            continue;
        }
        if (out.unmatched.size() >= kTravelTimesUnmatchedKept) continue;
        std::string why = table.row_label(row->GetFID());
        why += ": ";
        if (found_area == area_index.end()) {
            why += "area '";
            why += area;
            why += "' is not in the study";
        }
        if (found_practice == practice_index.end()) {
            why += found_area == area_index.end() ? " and practice '" : "practice '";
            why += practice;
            why += "' is not loaded";
        }
        out.unmatched.push_back(std::move(why));
    }
    progress.end();
    if (rows == 0) table.fail_layer(spec.layer.where.empty() ? "has no rows" : "no rows match travel_times.where");

    // Sorted by pair, then by row, so that a repeated pair's two rows sit side by side, the first one first.
    std::sort(pairs.begin(), pairs.end(), [](const PairRow& a, const PairRow& b) {
        return std::tie(a.area, a.practice, a.fid) < std::tie(b.area, b.practice, b.fid);
    });
    const auto repeated = std::adjacent_find(pairs.begin(), pairs.end(), [](const PairRow& a, const PairRow& b) {
        return a.area == b.area && a.practice == b.practice;
    });
    if (repeated != pairs.end()) {
        InputLocation where = table.where(nullptr);
        where.row = table.row_label(std::next(repeated)->fid);
        std::string problem = "duplicate travel time for area '";
        problem += loaded.areas[repeated->area].code;
        problem += "' and practice '";
        problem += loaded.practices[repeated->practice].code;
        problem += "' (expected one row per pair; first at ";
        problem += table.row_label(repeated->fid);
        problem += ")";
        throw InputError(where, problem);
    }
    out.pairs.reserve(pairs.size());
    for (const PairRow& pair : pairs) out.pairs.push_back({pair.area, pair.practice, pair.minutes});
    out.source = table.info();
    return out;
}

}  // namespace data
