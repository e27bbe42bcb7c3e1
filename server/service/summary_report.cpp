#include "server/service/summary_report.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace server {

namespace json = boost::json;

std::string with_thousands(std::int64_t value) {
    const std::string digits = std::to_string(value < 0 ? -value : value);
    std::string grouped = value < 0 ? "-" : "";
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
        grouped += digits[i];
    }
    return grouped;
}

namespace {

std::string count(std::size_t n) { return with_thousands(static_cast<std::int64_t>(n)); }

std::string examples(const std::vector<std::string>& codes, std::size_t total) {
    if (codes.empty()) return {};
    std::string text;
    for (std::size_t i = 0; i < codes.size() && i < geo::kTallyExamples; ++i) text += (i == 0 ? "" : ", ") + codes[i];
    if (total > geo::kTallyExamples) text += ", ...";
    return " (" + text + ")";
}

/// One line of the report: label, right-aligned value, optional note.
std::string row(const std::string& label, const std::string& value, const std::string& note = {}) {
    return fmt::format("{:<36}{:>14}{}\n", label, value, note.empty() ? "" : "  " + note);
}

std::string tally_row(const std::string& label, const geo::RowTally& tally, const char* codes_word) {
    return row(label, with_thousands(tally.patients),
               "in " + with_thousands(tally.rows) + " rows, " + count(tally.distinct_codes) + " " + codes_word +
                   examples(tally.examples, tally.distinct_codes));
}

std::string box_text(const geo::Envelope& box, int decimals) {
    return fmt::format("{:.{}f}, {:.{}f} .. {:.{}f}, {:.{}f}", box.min_x, decimals, box.min_y, decimals, box.max_x,
                       decimals, box.max_y, decimals);
}

json::value tally_json(const geo::RowTally& tally) {
    json::array codes(tally.examples.begin(), tally.examples.end());
    return {{"rows", tally.rows}, {"patients", tally.patients}, {"distinct_codes", tally.distinct_codes},
            {"examples", std::move(codes)}};
}

json::value box_json(const geo::Envelope& box) {
    if (box.is_empty) return nullptr;
    return json::array{box.min_x, box.min_y, box.max_x, box.max_y};
}

}  // namespace

std::string summary_text(const geo::DatasetSummary& s) {
    std::string out;
    auto line = [&out](const std::string& text) { out += text + "\n"; };
    line("Dataset: " + (s.name.empty() ? std::string("(unnamed)") : s.name));
    line("Working CRS: " + s.working_crs);
    line("Extent: " + box_text(s.extent, 1) + " (" + s.working_crs + ")");
    line("        " + box_text(s.extent_lonlat, 6) + " (lon/lat, WGS 84)");
    line("");
    line("Sources");
    for (const geo::SourceInfo& source : s.sources) {
        line(fmt::format("  {:<14}{} (layer {}, {}, {} rows{})", source.role, source.path, source.layer,
                         source.source_crs.empty() ? "no CRS" : source.source_crs, with_thousands(source.rows_read),
                         source.filter.empty() ? "" : ", where " + source.filter));
    }
    line("");
    out += row("Areas", count(s.area_count));
    out += row("  population", with_thousands(s.population));
    out += row("  land area (km2)", fmt::format("{:.1f}", s.area_km2));
    out += row("  multipart", count(s.multipart_areas));
    out += row("  with holes", count(s.areas_with_holes));
    out += row("  repaired geometries (make-valid)", count(s.repaired_areas.size()),
               s.repaired_areas.empty() ? "" : s.repaired_areas.front().code + ": " + s.repaired_areas.front().reason +
                                                   (s.repaired_areas.size() > 1 ? ", ..." : ""));
    if (!s.population_rows_unmatched.empty()) {
        out += row("  population rows naming no area", count(s.population_rows_unmatched.size()),
                   examples(s.population_rows_unmatched, s.population_rows_unmatched.size()));
    }
    line("");
    out += row("Practices", count(s.practice_count));
    out += row("  list size total", with_thousands(s.list_size_total),
               s.list_size_from_registrations ? "summed from registrations" : "from the list-size field");
    out += row("  outside every area", count(s.practices_outside_areas.size()),
               examples(s.practices_outside_areas, s.practices_outside_areas.size()));
    {
        std::vector<std::string> left_out;
        for (const auto& u : s.unplaced_practices) left_out.push_back(u.code + " (" + u.reason + ")");
        out += row("  left out: cannot be placed", count(left_out.size()), examples(left_out, left_out.size()));
    }
    if (s.registration_rows > 0) {
        out += row("  without registrations", count(s.practices_without_registrations.size()),
                   examples(s.practices_without_registrations, s.practices_without_registrations.size()));
        if (!s.list_size_from_registrations) {
            std::vector<std::string> codes;
            for (const auto& m : s.list_size_mismatches) codes.push_back(m.code);
            out += row("  list size != sum of registrations", count(s.list_size_mismatches.size()),
                       examples(codes, codes.size()));
        }
        line("");
        out += row("Registrations (rows)", count(s.registration_rows));
        out += row("  patients of these practices", with_thousands(s.registered_patients));
        out += row("    living in the study areas", with_thousands(s.registered_in_study_area));
        out += tally_row("    with no area recorded", s.area_not_recorded, "codes");
        out += tally_row("    living outside the study areas", s.area_outside_study, "areas");
        out += tally_row("    repeating a practice and area", s.duplicate_pairs, "pairs");
        out += tally_row("  patients of practices not loaded", s.unknown_practice, "practices");
    }
    if (s.travel_time_pairs > 0 || s.travel_time_rows_unmatched > 0) {
        line("");
        out += row("Travel times (area-practice pairs)", count(s.travel_time_pairs));
        if (s.travel_time_rows_unmatched > 0) {
            out += row("  rows naming no area or practice", with_thousands(s.travel_time_rows_unmatched),
                       examples(s.travel_times_unmatched, static_cast<std::size_t>(s.travel_time_rows_unmatched)));
        }
    }
    return out;
}

json::value summary_json(const geo::DatasetSummary& s) {
    json::array sources;
    for (const geo::SourceInfo& source : s.sources) {
        sources.push_back({{"role", source.role}, {"path", source.path}, {"layer", source.layer},
                           {"crs", source.source_crs}, {"rows", source.rows_read}, {"where", source.filter}});
    }
    json::array repaired;
    for (const auto& r : s.repaired_areas) repaired.push_back({{"code", r.code}, {"reason", r.reason}});
    json::array unplaced;
    for (const auto& u : s.unplaced_practices) unplaced.push_back({{"code", u.code}, {"name", u.name}, {"reason", u.reason}});
    json::array mismatches;
    for (const auto& m : s.list_size_mismatches) {
        mismatches.push_back({{"code", m.code}, {"list_size", m.list_size_field}, {"registrations", m.registrations_sum}});
    }
    auto strings = [](const std::vector<std::string>& v) { return json::array(v.begin(), v.end()); };
    return {
        {"name", s.name},
        {"working_crs", s.working_crs},
        {"extent", box_json(s.extent)},
        {"extent_lonlat", box_json(s.extent_lonlat)},
        {"sources", std::move(sources)},
        {"areas",
         {{"count", s.area_count},
          {"population", s.population},
          {"area_km2", s.area_km2},
          {"multipart", s.multipart_areas},
          {"with_holes", s.areas_with_holes},
          {"repaired", std::move(repaired)},
          {"population_rows_unmatched", strings(s.population_rows_unmatched)}}},
        {"practices",
         {{"count", s.practice_count},
          {"list_size_total", s.list_size_total},
          {"list_size_from_registrations", s.list_size_from_registrations},
          {"outside_areas", strings(s.practices_outside_areas)},
          {"unplaced", std::move(unplaced)},
          {"without_registrations", strings(s.practices_without_registrations)},
          {"list_size_mismatches", std::move(mismatches)}}},
        {"registrations",
         {{"rows", s.registration_rows},
          {"patients", s.registered_patients},
          {"patients_in_study_areas", s.registered_in_study_area},
          {"area_not_recorded", tally_json(s.area_not_recorded)},
          {"area_outside_study", tally_json(s.area_outside_study)},
          {"unknown_practice", tally_json(s.unknown_practice)},
          {"duplicate_pairs", tally_json(s.duplicate_pairs)}}},
        {"travel_times",
         {{"pairs", s.travel_time_pairs},
          {"rows_unmatched", s.travel_time_rows_unmatched},
          {"unmatched", strings(s.travel_times_unmatched)}}},
    };
}

}  // namespace server
