#include "server/http/access_log.hpp"

#include <filesystem>
#include <system_error>

namespace server {

namespace {

std::FILE* open_for_append(const std::string& path, std::size_t& bytes) {
    std::FILE* file = std::fopen(path.c_str(), "ab");
    if (file == nullptr) return nullptr;
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    bytes = error ? 0 : static_cast<std::size_t>(size);
    return file;
}

}  // namespace

void AccessLogOptions::validate() const {
    if (max_bytes < 1) throw std::invalid_argument("the access log's size limit must be at least 1 byte");
    if (path.empty()) return;
    std::size_t ignored = 0;
    std::FILE* file = open_for_append(path, ignored);
    if (file == nullptr) throw std::invalid_argument("cannot open the access log " + path + " for appending");
    std::fclose(file);
}

AccessLog::AccessLog(AccessLogOptions options) : options_(std::move(options)) {}

AccessLog::~AccessLog() {
    stop();
    if (file_ != nullptr) std::fclose(file_);
}

void AccessLog::start() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (flusher_.joinable()) return;
    running_ = true;
    flusher_ = std::thread([this] { run(); });
}

void AccessLog::append(std::string_view line) {
    bool full = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_.append(line);
        full = pending_.size() >= kFlushBytes || !running_;
    }
    if (full) flush();
}

void AccessLog::flush() {
    std::lock_guard<std::mutex> writing(write_mutex_);  // keeps batches in order
    {
        std::lock_guard<std::mutex> lock(mutex_);
        writing_.swap(pending_);
    }
    if (writing_.empty()) return;
    if (options_.path.empty()) {
        std::fwrite(writing_.data(), 1, writing_.size(), stderr);
    } else {
        write_to_file(writing_);
    }
    writing_.clear();
}

void AccessLog::write_to_file(const std::string& batch) {
    if (file_ != nullptr && file_bytes_ > 0 && file_bytes_ + batch.size() > options_.max_bytes) {
        // FILE.<keep> goes, each FILE.<n> becomes FILE.<n+1>, FILE becomes FILE.1 and a new FILE starts.
        std::fclose(file_);
        file_ = nullptr;
        std::error_code ignored;
        const std::string& path = options_.path;
        if (options_.keep == 0) {
            std::filesystem::remove(path, ignored);
        } else {
            std::filesystem::remove(path + "." + std::to_string(options_.keep), ignored);
            for (unsigned n = options_.keep; n > 1; --n) {
                std::filesystem::rename(path + "." + std::to_string(n - 1), path + "." + std::to_string(n), ignored);
            }
            std::filesystem::rename(path, path + ".1", ignored);
        }
    }
    if (file_ == nullptr) file_ = open_for_append(options_.path, file_bytes_);
    if (file_ == nullptr) return;  // the log cannot be written (a full or read-only disk): requests go on being served
    file_bytes_ += std::fwrite(batch.data(), 1, batch.size(), file_);
    std::fflush(file_);
}

void AccessLog::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        running_ = false;
    }
    wake_.notify_all();
    if (flusher_.joinable() && flusher_.get_id() != std::this_thread::get_id()) flusher_.join();
    flush();
}

void AccessLog::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (running_) {
        wake_.wait_for(lock, kFlushEvery);
        if (pending_.empty()) continue;
        lock.unlock();
        flush();
        lock.lock();
    }
}

}  // namespace server
