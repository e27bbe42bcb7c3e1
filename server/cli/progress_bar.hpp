#pragma once
// A one-line progress indicator on stderr, drawn only on a terminal and only for work that has
// already taken more than a second (short runs stay quiet, pipes and logs stay clean).
#include "data/progress.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace server {

class ProgressBar : public data::Progress {
public:
    /// Draws on `stream` only when it is a terminal, and only once `quiet_for` has passed.
    explicit ProgressBar(std::FILE* stream = stderr, std::chrono::milliseconds quiet_for = std::chrono::seconds(1));
    ~ProgressBar() override;

    void begin(std::string_view stage, std::int64_t total) override;
    void update(std::int64_t done) override;
    void end() override;

private:
    using Clock = std::chrono::steady_clock;
    void draw(std::int64_t done);

    std::FILE* stream_;
    bool enabled_;
    bool drawn_ = false;
    std::chrono::milliseconds quiet_for_;
    Clock::time_point started_ = Clock::now();
    Clock::time_point last_draw_{};
    std::string stage_;
    std::int64_t total_ = 0;
};

}  // namespace server
