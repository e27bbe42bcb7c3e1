#include "geo/distance_decay.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <system_error>

namespace geo {

namespace {

double parse_number(std::string_view text, std::string_view band) {
    double value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size() || !std::isfinite(value)) {
        std::string why = "decay band '";
        why += band;
        why += "': expected a number, got '";
        why += text;
        why += "' (bands are written upper_bound:weight, comma separated, e.g. 1600:1,5000:0.68,10000:0.22)";
        throw std::invalid_argument(why);
    }
    return value;
}

std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.10g", value);
    return text;
}

}  // namespace

double gravity_pull(double size, double distance_m) { return size / std::pow(std::max(distance_m, kGravityNearestM), kGravityDecay); }

DistanceDecay::DistanceDecay(std::vector<DecayBand> bands) : bands_(std::move(bands)) {
    if (bands_.empty()) throw std::invalid_argument("decay bands: at least one band is needed");
    for (std::size_t i = 0; i < bands_.size(); ++i) {
        const DecayBand& band = bands_[i];
        std::string which = "decay band ";
        which += std::to_string(i + 1);
        if (!(band.upto > 0) || !std::isfinite(band.upto)) throw std::invalid_argument(which + ": the upper bound must be a positive number");
        if (!(band.weight > 0 && band.weight <= 1)) throw std::invalid_argument(which + ": the weight must be above 0 and at most 1");
        if (i > 0 && band.upto <= bands_[i - 1].upto) throw std::invalid_argument(which + ": upper bounds must increase");
        if (i > 0 && band.weight > bands_[i - 1].weight) throw std::invalid_argument(which + ": weights must not increase with distance");
    }
}

DistanceDecay DistanceDecay::parse(std::string_view text) {
    std::vector<DecayBand> bands;
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view band = text.substr(0, comma);
        const std::size_t colon = band.find(':');
        if (colon == std::string_view::npos) {
            std::string why = "decay band '";
            why += band;
            why += "': expected upper_bound:weight (e.g. 1600:1)";
            throw std::invalid_argument(why);
        }
        bands.push_back({parse_number(band.substr(0, colon), band), parse_number(band.substr(colon + 1), band)});
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
        if (text.empty()) throw std::invalid_argument("decay bands: a band is missing after the last comma");
    }
    return DistanceDecay(std::move(bands));
}

double DistanceDecay::weight(double cost) const {
    for (const DecayBand& band : bands_) {
        if (cost <= band.upto) return band.weight;
    }
    return 0;
}

std::string DistanceDecay::text() const {
    std::string out;
    for (const DecayBand& band : bands_) {
        if (!out.empty()) out += ',';
        out += number(band.upto);
        out += ':';
        out += number(band.weight);
    }
    return out;
}

DistanceDecay default_distance_decay() { return DistanceDecay({{1600, 1.0}, {5000, 0.68}, {10000, 0.22}}); }
DistanceDecay default_time_decay() { return DistanceDecay({{10, 1.0}, {20, 0.68}, {30, 0.22}}); }

}  // namespace geo
