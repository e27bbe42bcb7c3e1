#pragma once
// A plan as bytes, to store it and serve it again without planning: every member of geo::Plan except
// the dataset (a what-if's copy is made again from the base dataset and the plan's options), the
// adjacency graph's shared edges (only planning needs them) and the report's runtime (so that the same
// plan gives the same bytes; decode_plan leaves it 0). decode_plan(encode_plan(p)) writes, tiles
// and reports exactly as p does.
//
// Fingerprints say whether a stored plan still fits: the dataset's covers everything a plan is made
// from (not where the files were), the options' everything but the thread count.
#include "geo/dataset.hpp"
#include "geo/plan.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace geo {

/// The bytes are not a snapshot of this format (another version of catchment wrote them, or they are
/// damaged), or do not fit the dataset given to decode them.
class SnapshotError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Bumped whenever Plan or the encoding changes: snapshots of another format are refused (their plans
/// are then made again).
inline constexpr std::uint32_t kSnapshotFormat = 1;

/// The plan's members, little-endian, geometries as WKB. Deterministic: equal plans give equal bytes.
std::string encode_plan(const Plan& plan);

/// The plan encoded in `bytes`, for `base`: the dataset it was planned from (before any what-if
/// change). Throws SnapshotError for another format, truncated or damaged bytes, or a dataset of
/// another shape; base's fingerprint should have been checked against the one stored with it.
Plan decode_plan(std::shared_ptr<const Dataset> base, std::string_view bytes);

/// 64-bit fingerprints (FNV-1a) of a dataset's content and of planning options.
std::uint64_t dataset_fingerprint(const Dataset& dataset);
std::uint64_t options_fingerprint(const PlanOptions& options);
/// One fingerprint of two.
std::uint64_t combine_fingerprints(std::uint64_t first, std::uint64_t second);
/// 16 lowercase hex digits.
std::string hex_fingerprint(std::uint64_t fingerprint);

}  // namespace geo
