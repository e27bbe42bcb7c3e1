#pragma once
// The input layers' own fields, carried on by the published layer made from them (areas keep the
// borough's name the source had): their published names and types, and their values.
#include "geo/output_layers.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace geo {

/// The input fields `names` (of `types`, text where that is shorter) as fields of a layer that has
/// `published` fields already, in order: each keeps its name unless the layer has it (or it names
/// the FID, geometry or id column a writer adds), then it is prefixed "src_" until it is free. Names
/// compare without case, as GeoPackage and Shapefile do; short names are unique in their first 10 bytes.
/// `source` says where they come from in the descriptions, e.g. "the input areas".
std::vector<FieldSchema> input_field_schemas(const std::vector<FieldSchema>& published, const std::vector<std::string>& names,
                                             const std::vector<FieldType>& types, std::string_view source);

/// An input value (as text) as a value of a field of `type`: empty text (null) when it is empty or does not
/// read as that type.
FieldValue input_value(const std::string& text, FieldType type);

}  // namespace geo
