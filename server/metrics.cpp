#include "server/metrics.hpp"

#include "server/service.hpp"

#include <fmt/format.h>

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

void Metrics::record(const std::string& route, unsigned status, double seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++requests_[{route, status}];
    Histogram& histogram = durations_[route];
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
    std::lock_guard<std::mutex> lock(mutex_);
    std::uint64_t total = 0;
    for (const auto& [key, count] : requests_) {
        if (key.first == "tile") total += count;
    }
    return total;
}

std::string Metrics::render(const Service* service) const {
    std::string out;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        out += "# HELP catchment_requests_total HTTP requests answered, by route and status.\n";
        out += "# TYPE catchment_requests_total counter\n";
        for (const auto& [key, count] : requests_) {
            out += fmt::format("catchment_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", prometheus_label(key.first),
                               key.second, count);
        }
        out += "# HELP catchment_request_duration_seconds Time to answer an HTTP request, by route.\n";
        out += "# TYPE catchment_request_duration_seconds histogram\n";
        for (const auto& [route, histogram] : durations_) {
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
    }
    out += "# HELP catchment_tiles_served_total Tile requests answered.\n";
    out += "# TYPE catchment_tiles_served_total counter\n";
    out += fmt::format("catchment_tiles_served_total {}\n", tiles_served());
    if (service) {
        const tilesets::TileCacheStats stats = const_cast<Service*>(service)->cache().stats();
        out += "# HELP catchment_tile_cache_hits_total Tile cache hits.\n# TYPE catchment_tile_cache_hits_total counter\n";
        out += fmt::format("catchment_tile_cache_hits_total {}\n", stats.hits);
        out += "# HELP catchment_tile_cache_misses_total Tile cache misses.\n# TYPE catchment_tile_cache_misses_total counter\n";
        out += fmt::format("catchment_tile_cache_misses_total {}\n", stats.misses);
        out += "# HELP catchment_tile_cache_evictions_total Tiles evicted from the cache.\n"
               "# TYPE catchment_tile_cache_evictions_total counter\n";
        out += fmt::format("catchment_tile_cache_evictions_total {}\n", stats.evictions);
        out += "# HELP catchment_tile_cache_bytes Bytes held by the tile cache.\n# TYPE catchment_tile_cache_bytes gauge\n";
        out += fmt::format("catchment_tile_cache_bytes {}\n", stats.bytes);
        out += "# HELP catchment_tile_cache_tiles Tiles held by the tile cache.\n# TYPE catchment_tile_cache_tiles gauge\n";
        out += fmt::format("catchment_tile_cache_tiles {}\n", stats.tiles);
        const auto state = service->current();
        out += "# HELP catchment_dataset_version Version of the dataset being served (0: none yet).\n"
               "# TYPE catchment_dataset_version gauge\n";
        out += fmt::format("catchment_dataset_version {}\n", state ? state->version : 0);
    }
    return out;
}

}  // namespace server
