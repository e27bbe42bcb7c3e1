#include "geo/dataset.hpp"

#include <algorithm>

namespace geo {

namespace {
int index_of(const std::vector<std::string>& names, const std::string& name) {
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}
}  // namespace

int Dataset::area_field(const std::string& field) const { return index_of(area_fields, field); }
int Dataset::practice_field(const std::string& field) const { return index_of(practice_fields, field); }

}  // namespace geo
