#pragma once
// Renders a dataset summary for people (aligned text) and for programs (JSON).
#include "geo/summary.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>

namespace server {

/// 1234567 -> "1,234,567".
std::string with_thousands(std::int64_t value);

std::string summary_text(const geo::DatasetSummary& summary);
boost::json::value summary_json(const geo::DatasetSummary& summary);

}  // namespace server
