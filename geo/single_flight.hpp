#pragma once
// One computation per key at a time: the first caller computes, the others asking for the same key
// meanwhile wait for that result (or its exception) instead of computing it again. The lock covers
// the look-up only, never the computation, so callers for other keys go on at once.
#include <exception>
#include <future>
#include <map>
#include <mutex>

namespace geo {

template <class Key, class Value>
class SingleFlight {
public:
    /// `make()`'s value for `key`: computed here, or awaited from the caller already computing it.
    /// `make` should store its value where callers look before calling run(): the flight ends after it,
    /// and a caller coming later computes again.
    template <class Make>
    Value run(const Key& key, Make&& make) {
        std::promise<Value> promise;
        std::shared_future<Value> future;
        bool mine = false;
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            auto it = flights_.find(key);
            if (it == flights_.end()) {
                it = flights_.emplace(key, promise.get_future().share()).first;
                mine = true;
            }
            future = it->second;
        }
        if (!mine) return future.get();
        try {
            Value value = make();
            promise.set_value(value);
        } catch (...) {
            promise.set_exception(std::current_exception());  // the waiting callers see it too
        }
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            flights_.erase(key);  // a later call (after a failure, say) computes afresh
        }
        return future.get();
    }

private:
    std::mutex mutex_;
    std::map<Key, std::shared_future<Value>> flights_;
};

}  // namespace geo
