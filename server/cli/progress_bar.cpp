#include "server/cli/progress_bar.hpp"

#include "server/service/summary_report.hpp"

#include <unistd.h>

namespace server {

namespace {
constexpr auto kRedrawEvery = std::chrono::milliseconds(100);
}  // namespace

ProgressBar::ProgressBar(std::FILE* stream, std::chrono::milliseconds quiet_for)
    : stream_(stream), enabled_(::isatty(::fileno(stream)) == 1), quiet_for_(quiet_for) {}

ProgressBar::~ProgressBar() { end(); }

void ProgressBar::begin(std::string_view stage, std::int64_t total) {
    stage_ = stage;
    total_ = total;
    update(0);
}

void ProgressBar::update(std::int64_t done) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (now - started_ < quiet_for_ || now - last_draw_ < kRedrawEvery) return;
    last_draw_ = now;
    draw(done);
}

void ProgressBar::draw(std::int64_t done) {
    std::string text = "\r\033[K  ";
    if (total_ == 0 && done == 0) {
        text += stage_ + "...";  // a stage with no rows to count, such as a planning step
    } else {
        text += "reading " + stage_ + ": " + with_thousands(done);
        if (total_ > 0) text += " / " + with_thousands(total_) + " (" + std::to_string(done * 100 / total_) + "%)";
    }
    std::fputs(text.c_str(), stream_);
    std::fflush(stream_);
    drawn_ = true;
}

void ProgressBar::end() {
    if (!drawn_) return;
    std::fputs("\r\033[K", stream_);
    std::fflush(stream_);
    drawn_ = false;
}

}  // namespace server
