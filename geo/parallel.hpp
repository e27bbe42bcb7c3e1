#pragma once
// A small fork-join helper: tasks by index on a few threads, with exceptions carried back to the
// caller instead of ending the process.
#include <cstddef>
#include <functional>

namespace geo {

/// Threads to use for `threads` (0: one per core), never more than `tasks` nor fewer than 1.
unsigned worker_count(unsigned threads, std::size_t tasks);

/// Runs task(index, worker) for every index in [0, count) on worker_count(threads, count) threads
/// (worker is in [0, that count)). The first exception a task throws stops the others from starting
/// new tasks, and is rethrown here once every thread has finished.
void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t index, unsigned worker)>& task);

/// Long background work (a plan on request, a reload, prerendering) calls this on its thread: the thread,
/// and the threads it starts from then on (parallel_for's), run 10 nice steps lower, so that on a small
/// machine the quick requests (tiles, features) keep their cores. Once per thread; never raises it again
/// (that needs privileges), which suits threads that only do such work.
void lower_thread_priority();

}  // namespace geo
