#include "data/errors.hpp"

namespace data {

namespace {

std::string compose(const InputLocation& where, const std::string& problem) {
    std::string message;
    auto add = [&message](const std::string& part) {
        if (part.empty()) return;
        if (!message.empty()) message += ": ";
        message += part;
    };
    add(where.file);
    if (!where.layer.empty()) add("layer '" + where.layer + "'");
    add(where.row);
    if (!where.field.empty()) add("field '" + where.field + "'");
    add(problem);
    // One line, whatever GDAL or GEOS put in their messages.
    for (char& c : message) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return message;
}

}  // namespace

InputError::InputError(InputLocation where, const std::string& problem)
    : std::runtime_error(compose(where, problem)), where_(std::move(where)), problem_(problem) {}

InputError setting_error(const std::string& description_file, const std::string& key, const std::string& problem) {
    InputLocation where;
    where.file = description_file.empty() ? "command line" : description_file;
    return InputError(where, "setting '" + key + "': " + problem);
}

}  // namespace data
