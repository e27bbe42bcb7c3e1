#pragma once
// Where tests find the project, the real London data and the built binary.
#include <filesystem>

namespace test_paths {

inline std::filesystem::path source_dir() { return CATCHMENT_SOURCE_DIR; }
inline std::filesystem::path shared_data() { return std::filesystem::path(CATCHMENT_SHARED_DATA) / "london_gp_pcn"; }
inline std::filesystem::path sample_dir() { return source_dir() / "data" / "sample"; }
inline std::filesystem::path descriptions() { return source_dir() / "data" / "descriptions"; }
inline std::filesystem::path catchment_binary() { return CATCHMENT_BINARY; }

}  // namespace test_paths
