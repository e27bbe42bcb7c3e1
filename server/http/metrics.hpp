#pragma once
// Request metrics for Prometheus: counts per route and status and a latency histogram per route.
// Thread-safe; render() writes the text exposition format 0.0.4.
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace server {

class Metrics {
public:
    /// Upper bounds of the duration histogram's buckets, in seconds (+Inf is implied).
    static constexpr std::array<double, 13> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                        0.1,    0.25,  0.5,    1.0,   2.5,   5.0};

    /// One answered request: its route name ("unknown" when none matched), status and duration.
    /// Cheap and rarely contended: each thread records in one of a few shards, merged by render().
    void record(std::string_view route, unsigned status, double seconds);

    /// The exposition text of the HTTP metrics (the service adds its own: service_metrics()).
    std::string render() const;

    /// Requests of route "tile" answered so far.
    std::uint64_t tiles_served() const;

private:
    struct Histogram {
        std::array<std::uint64_t, kBuckets.size()> buckets{};  // non-cumulative counts per bucket
        std::uint64_t count = 0;
        double sum = 0;
    };
    struct RouteStats {
        std::map<unsigned, std::uint64_t> statuses;
        Histogram histogram;
    };
    struct alignas(64) Shard {
        mutable std::mutex mutex;
        std::map<std::string, RouteStats, std::less<>> routes;  // found by string_view, no allocation
    };
    static constexpr std::size_t kShards = 8;
    std::array<Shard, kShards> shards_;
};

/// Escapes a label value for the exposition format (backslash, quote, newline).
std::string prometheus_label(const std::string& value);

}  // namespace server
