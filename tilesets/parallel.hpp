#pragma once
// Independent tasks run on this thread and one more (generalising a zoom's layers, building the tile
// source's layers): the machines catchment is sized for have two cores.
#include <cstddef>
#include <functional>

namespace tilesets {

/// Calls task(0) ... task(count - 1), each once, on this thread and one helper thread. After every task
/// has run (or thrown), rethrows the first exception a task threw.
void run_two_at_a_time(std::size_t count, const std::function<void(std::size_t)>& task);

}  // namespace tilesets
