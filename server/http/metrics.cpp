#include "server/http/metrics.hpp"


#include <fmt/format.h>

#include <atomic>

namespace server {

std::string prometheus_label(const std::string& value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

namespace {

/// This thread's shard: threads take shards in turn, so a small pool never shares one.
std::size_t shard_index(std::size_t shards) {
    static std::atomic<std::size_t> next{0};
    thread_local const std::size_t index = next.fetch_add(1, std::memory_order_relaxed);
    return index % shards;
}

}  // namespace

void Metrics::record(std::string_view route, unsigned status, double seconds) {
    Shard& shard = shards_[shard_index(kShards)];
    std::lock_guard<std::mutex> lock(shard.mutex);
    auto found = shard.routes.find(route);
    if (found == shard.routes.end()) found = shard.routes.emplace(std::string(route), RouteStats{}).first;
    RouteStats& stats = found->second;
    ++stats.statuses[status];
    Histogram& histogram = stats.histogram;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) {
            ++histogram.buckets[i];
            break;
        }
    }
    ++histogram.count;
    histogram.sum += seconds;
}

std::uint64_t Metrics::tiles_served() const {
    std::uint64_t total = 0;
    for (const Shard& shard : shards_) {
        std::lock_guard<std::mutex> lock(shard.mutex);
        const auto found = shard.routes.find(std::string_view("tile"));
        if (found != shard.routes.end()) total += found->second.histogram.count;
    }
    return total;
}

std::string Metrics::render() const {
    // The shards merged, in the order of route then status.
    std::map<std::pair<std::string, unsigned>, std::uint64_t> requests;
    std::map<std::string, Histogram> durations;
    for (const Shard& shard : shards_) {
        std::lock_guard<std::mutex> lock(shard.mutex);
        for (const auto& [route, stats] : shard.routes) {
            for (const auto& [status, count] : stats.statuses) requests[{route, status}] += count;
            Histogram& merged = durations[route];
            for (std::size_t i = 0; i < kBuckets.size(); ++i) merged.buckets[i] += stats.histogram.buckets[i];
            merged.count += stats.histogram.count;
            merged.sum += stats.histogram.sum;
        }
    }
    std::string out;
    out += "# HELP catchment_requests_total HTTP requests answered, by route and status.\n";
    out += "# TYPE catchment_requests_total counter\n";
    for (const auto& [key, count] : requests) {
        out += fmt::format("catchment_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", prometheus_label(key.first),
                           key.second, count);
    }
    out += "# HELP catchment_request_duration_seconds Time to answer an HTTP request, by route.\n";
    out += "# TYPE catchment_request_duration_seconds histogram\n";
    for (const auto& [route, histogram] : durations) {
        const std::string label = prometheus_label(route);
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < kBuckets.size(); ++i) {
            cumulative += histogram.buckets[i];
            out += fmt::format("catchment_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", label, kBuckets[i],
                               cumulative);
        }
        out += fmt::format("catchment_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", label, histogram.count);
        out += fmt::format("catchment_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label, histogram.sum);
        out += fmt::format("catchment_request_duration_seconds_count{{route=\"{}\"}} {}\n", label, histogram.count);
    }
    out += "# HELP catchment_tiles_served_total Tile requests answered.\n";
    out += "# TYPE catchment_tiles_served_total counter\n";
    out += fmt::format("catchment_tiles_served_total {}\n", tiles_served());
    return out;
}

}  // namespace server
