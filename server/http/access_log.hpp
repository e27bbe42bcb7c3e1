#pragma once
// The access log: lines gathered in memory and written in one write every few milliseconds (or as soon as
// 64 KiB wait) by a flusher thread, never one write per request on the I/O threads. To stderr, or to a
// file that is rotated by size (FILE.1 the newest rotated, up to FILE.<keep>), so that a long-running
// server cannot fill its disk with it.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace server {

struct AccessLogOptions {
    std::string path;                               // empty: stderr
    std::size_t max_bytes = 100 * 1024 * 1024;      // a file is rotated once it holds this much
    unsigned keep = 5;                              // rotated files kept beside it
    /// Throws std::invalid_argument for a limit of 0 bytes or a path that cannot be opened for appending.
    void validate() const;
};

class AccessLog {
public:
    static constexpr std::size_t kFlushBytes = 64 * 1024;
    static constexpr std::chrono::milliseconds kFlushEvery{20};

    explicit AccessLog(AccessLogOptions options = {});
    ~AccessLog();
    AccessLog(const AccessLog&) = delete;
    AccessLog& operator=(const AccessLog&) = delete;

    /// Starts the flusher thread (again a no-op once started).
    void start();
    void append(std::string_view line);
    /// Writes what is waiting.
    void flush();
    /// Flushes and ends the flusher thread.
    void stop();

private:
    void run();
    /// Writes one batch to the file, rotating it first when the batch would take it past the limit.
    void write_to_file(const std::string& batch);

    AccessLogOptions options_;
    std::mutex mutex_;        // pending_, running_
    std::mutex write_mutex_;  // writing_, the file and the write itself
    std::condition_variable wake_;
    std::string pending_;
    std::string writing_;
    bool running_ = false;
    std::thread flusher_;
    std::FILE* file_ = nullptr;
    std::size_t file_bytes_ = 0;
};

}  // namespace server
