#include "tilesets/parallel.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

namespace tilesets {

void run_two_at_a_time(std::size_t count, const std::function<void(std::size_t)>& task) {
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto worker = [&] {
        for (std::size_t t = next++; t < count; t = next++) {
            try {
                task(t);
            } catch (...) {
                const std::lock_guard<std::mutex> lock(failure_mutex);
                if (!failure) failure = std::current_exception();
            }
        }
    };
    std::thread helper(worker);
    worker();
    helper.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace tilesets
