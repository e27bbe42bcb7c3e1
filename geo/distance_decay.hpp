#pragma once
// How distance (or travel time) weakens the pull of a practice: the one module both the accessibility
// measure and the what-if redistribution use.
//
// Stepwise bands (the enhanced two-step floating catchment area method, Luo and Qi, "An enhanced
// two-step floating catchment area (E2SFCA) method for measuring spatial accessibility to primary care
// physicians", Health & Place 15(4), 2009): within each band's upper bound the weight is the band's,
// beyond the last band it is 0. Luo and Qi used 0-10, 10-20 and 20-30 minutes with weights 1.00, 0.68
// and 0.22 (a Gaussian with beta = 100 at the bands' midpoints); the straight-line default keeps those
// weights over 0-1.6, 1.6-5 and 5-10 km.
//
// Gravity (Huff, "A probabilistic analysis of shopping center trade areas", Land Economics 39(1),
// 1963): a practice of size S at distance d pulls S / max(d, kGravityNearestM)^kGravityDecay.
#include <string>
#include <string_view>
#include <vector>

namespace geo {

inline constexpr double kGravityDecay = 2;       // b: the classic inverse-square distance decay
inline constexpr double kGravityNearestM = 200;  // distances shorter than this count as this
inline constexpr double kGravityReachM = 5000;   // areas farther from a new practice lose no one to it

/// Huff's attraction of a practice of `size` at `distance_m`.
double gravity_pull(double size, double distance_m);

struct DecayBand {
    double upto = 0;    // upper bound of the band (metres or minutes), inclusive
    double weight = 0;  // in (0, 1]

    bool operator==(const DecayBand&) const = default;
};

class DistanceDecay {
public:
    /// Bands with increasing bounds (> 0) and non-increasing weights in (0, 1]; throws
    /// std::invalid_argument saying which band is wrong.
    explicit DistanceDecay(std::vector<DecayBand> bands);
    /// "1600:1,5000:0.68,10000:0.22": upper bound and weight per band. Throws std::invalid_argument.
    static DistanceDecay parse(std::string_view text);

    /// The weight at `cost`: the first band whose bound holds it, 0 beyond the last.
    double weight(double cost) const;
    /// The last band's bound: nothing farther counts.
    double reach() const { return bands_.back().upto; }
    const std::vector<DecayBand>& bands() const { return bands_; }
    /// The bands in parse()'s form.
    std::string text() const;

    bool operator==(const DistanceDecay&) const = default;

private:
    std::vector<DecayBand> bands_;
};

/// Straight-line bands in metres: 1,600 / 5,000 / 10,000 with Luo and Qi's weights.
DistanceDecay default_distance_decay();
/// Travel-time bands in minutes: 10 / 20 / 30 with Luo and Qi's weights.
DistanceDecay default_time_decay();

}  // namespace geo
