#include "geo/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace geo {

void lower_thread_priority() {
    constexpr int kBackgroundNice = 10;
    thread_local bool lowered = false;
    if (lowered) return;
    lowered = true;
    const auto thread = static_cast<id_t>(::syscall(SYS_gettid));  // Linux: the nice value is per thread
    errno = 0;
    const int now = ::getpriority(PRIO_PROCESS, thread);
    if (errno == 0) ::setpriority(PRIO_PROCESS, thread, std::min(now + kBackgroundNice, 19));
}

unsigned worker_count(unsigned threads, std::size_t tasks) {
    const unsigned wanted = threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
    return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(wanted, tasks)));
}

void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t, unsigned)>& task) {
    const unsigned workers = worker_count(threads, count);
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto work = [&](unsigned worker) {
        for (std::size_t i = next++; i < count && !failed; i = next++) {
            try {
                task(i, worker);
            } catch (...) {
                const std::lock_guard lock(error_mutex);
                if (!error) error = std::current_exception();
                failed = true;
            }
        }
    };
    if (workers == 1) {
        work(0);
    } else {
        std::vector<std::thread> pool;
        pool.reserve(workers - 1);
        try {
            for (unsigned w = 1; w < workers; ++w) pool.emplace_back(work, w);
        } catch (...) {  // no thread to be had: stop those started, then report it
            failed = true;
            for (std::thread& t : pool) t.join();
            throw;
        }
        work(0);
        for (std::thread& t : pool) t.join();
    }
    if (error) std::rethrow_exception(error);
}

}  // namespace geo
