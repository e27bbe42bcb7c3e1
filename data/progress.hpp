#pragma once
// Progress of long loads, reported by stage. The base class does nothing; the CLI draws a bar on a TTY.
#include <cstdint>
#include <string_view>

namespace data {

class Progress {
public:
    virtual ~Progress() = default;
    /// A stage starts; `total` is 0 when the number of rows is not known in advance.
    virtual void begin(std::string_view /*stage*/, std::int64_t /*total*/) {}
    virtual void update(std::int64_t /*done*/) {}
    virtual void end() {}
    /// Called now and then by every thread of a load, so also between updates: it may throw to abandon
    /// the load (a server asked to stop). Must be thread-safe.
    virtual void checkpoint() {}
};

/// How many rows pass between two progress updates.
inline constexpr std::int64_t kProgressEvery = 4096;

}  // namespace data
